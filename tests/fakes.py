"""Fakes of the real interfaces, for logic tests only (LangChain's own fake chat model)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult


class RecordingChat(GenericFakeChatModel):
    """Answers with the given replies in order and records every prompt it was sent."""

    prompts: list[list[BaseMessage]] = []
    fail_after: int | None = None  # raise after this many streamed pieces

    def __init__(self, replies: list[str], **kwargs: Any) -> None:
        super().__init__(messages=iter([AIMessage(r) for r in replies]), prompts=[], **kwargs)

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.prompts.append(messages)
        return super()._generate(messages, *args, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # GenericFakeChatModel streams by calling _generate, which records the prompt
        for n, chunk in enumerate(super()._stream(messages, stop, run_manager, **kwargs)):
            if self.fail_after is not None and n >= self.fail_after:
                raise ConnectionError("connection reset by peer")
            yield chunk
