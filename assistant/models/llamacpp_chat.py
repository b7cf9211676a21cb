"""The embedded chat model: a thin LangChain `BaseChatModel` over llama-cpp-python.

It replaces `langchain_community`'s `ChatLlamaCpp` (that package is being sunset) and sends
llama.cpp the same parameters for the same settings, so answers do not change. The RoPE
frequency base is explicit (`rope_freq_base`, 0 for the GGUF's own): the community wrapper
always passed 10,000. The system turn is evaluated once per context and reused; the rest of
each prompt is evaluated anew from it, so an answer does not depend on what was asked before
(llama.cpp's own reuse of the longest common prefix shifts the logits by up to ~0.1).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from assistant.models.gguf import DEFAULT_ROPE_FREQ_BASE


class LlamaCppChat(BaseChatModel):
    """A GGUF model run in this process by llama.cpp, streaming token by token."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
    n_batch: int = 512  # llama-cpp-python's default (8) reads prompts several times slower
    max_tokens: int = 384
    temperature: float = 0.0
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.05
    seed: int = 0
    rope_freq_base: float = DEFAULT_ROPE_FREQ_BASE  # the default model's; 0: the GGUF's own
    rope_freq_scale: float = 1.0  # 0: the GGUF's own
    stop: list[str] | None = None
    verbose: bool = False
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    _client: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _turns: _SystemTurns | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _load(self) -> LlamaCppChat:
        from llama_cpp import Llama

        self._client = Llama(
            self.model_path,
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            n_batch=self.n_batch,
            seed=self.seed,
            rope_freq_base=self.rope_freq_base,
            rope_freq_scale=self.rope_freq_scale,
            verbose=self.verbose,
            **self.model_kwargs,
        )
        self._turns = _SystemTurns.of(self._client)
        return self

    @property
    def client(self) -> Any:
        """The `llama_cpp.Llama` instance (tokenizer, metadata, low-level calls)."""
        return self._client

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, **self._call_params(None)}

    @property
    def model_name(self) -> str:
        """The GGUF file's name."""
        return Path(self.model_path).name

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_model_name"] = kwargs.get("model", self.model_name)  # as traced
        return params

    def get_num_tokens(self, text: str) -> int:
        return len(_tokenize(self._client, text))

    def _call_params(self, stop: list[str] | None) -> dict[str, Any]:
        return {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "repeat_penalty": self.repeat_penalty,
            "stop": stop or self.stop or [],
        }

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        params = {**self._call_params(stop), **kwargs}
        with self._lock:  # one llama.cpp context: calls from several threads take turns
            yield from self._locked_stream(messages, params, run_manager)

    def _locked_stream(
        self,
        messages: list[BaseMessage],
        params: dict[str, Any],
        run_manager: CallbackManagerForLLMRun | None,
    ) -> Iterator[ChatGenerationChunk]:
        completion_tokens = 0
        as_dicts = [_as_dict(m) for m in messages]
        if self._turns is not None:
            self._turns.start_from_system_turn(as_dicts)
        for event in self._client.create_chat_completion(messages=as_dicts, stream=True, **params):
            choice = event["choices"][0] if event.get("choices") else None
            if choice is None:
                continue
            text = (choice.get("delta") or {}).get("content") or ""
            finish = choice.get("finish_reason")
            if text:
                completion_tokens += 1
            message = AIMessageChunk(content=text)
            if finish:  # the last chunk: how many tokens were read and written
                prompt_tokens = max(self._client.n_tokens - completion_tokens, 0)
                message = AIMessageChunk(
                    content=text,
                    usage_metadata=UsageMetadata(
                        input_tokens=prompt_tokens,
                        output_tokens=completion_tokens,
                        total_tokens=prompt_tokens + completion_tokens,
                    ),
                    response_metadata={"model_name": self.model_name, "finish_reason": finish},
                )
            info = {"finish_reason": finish} if finish else None
            chunk = ChatGenerationChunk(message=message, generation_info=info)
            if run_manager and text:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = ""
        info: dict[str, Any] = {}
        usage: UsageMetadata | None = None
        for chunk in self._stream(messages, stop, run_manager, **kwargs):
            text += chunk.text
            info.update(chunk.generation_info or {})
            if isinstance(chunk.message, AIMessageChunk) and chunk.message.usage_metadata:
                usage = chunk.message.usage_metadata
        message = AIMessage(
            content=text,
            usage_metadata=usage,
            response_metadata={"model_name": self.model_name, **info},
        )
        return ChatResult(generations=[ChatGeneration(message=message, generation_info=info)])


def _as_dict(message: BaseMessage) -> dict[str, Any]:
    """A message as llama.cpp's chat templates take it: a role and text content."""
    if isinstance(message, SystemMessage):
        role = "system"
    elif isinstance(message, HumanMessage):
        role = "user"
    elif isinstance(message, AIMessage):
        role = "assistant"
    elif isinstance(message, ChatMessage):
        role = message.role
    else:
        raise TypeError(f"{type(message).__name__} is not supported by the llama.cpp chat model")
    return {"role": role, "content": message.text}


class _SystemTurns:
    """Makes llama.cpp reuse exactly the system turn of the previous prompt, no more.

    llama.cpp reuses the longest common prefix of the new prompt and the evaluated one, and the
    logits of the rest then depend on where that prefix ended (measured: a first-token log
    probability of -1.43 fresh, -1.53 after a prompt sharing the same passages), so greedy
    answers depended on the question asked before. Here the system turn is evaluated alone
    from position 0, reused while it is the same, and everything after it is evaluated from it:
    the same messages give the same answer. Only with the GGUF's own chat template (other
    formats: llama.cpp's behaviour as it is)."""

    def __init__(self, client: Any, render: Callable[[list[dict[str, Any]], bool], str]) -> None:
        self._client = client
        self._render = render
        self._tokens: dict[str, list[int]] = {}

    @classmethod
    def of(cls, client: Any) -> _SystemTurns | None:
        template = client.metadata.get("tokenizer.chat_template")
        if not template or client.chat_handler is not None or client.cache is not None:
            return None  # a state cache restores prefixes evaluated with what followed them
        if getattr(client, "_is_recurrent", False) or getattr(client, "_is_hybrid", False):
            return None  # their state cannot be cut back to the system turn
        if client.chat_format not in (None, "chat_template.default"):
            return None
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        def special(token: int) -> str:
            if token < 0:
                return ""
            return str(client.detokenize([token], special=True).decode("utf-8", "replace"))

        eos, bos = special(client.token_eos()), special(client.token_bos())
        formatters = {
            tail: Jinja2ChatFormatter(template, eos, bos, add_generation_prompt=tail)
            for tail in (False, True)
        }
        return cls(
            client, lambda messages, tail: formatters[tail](messages=cast(Any, messages)).prompt
        )

    def start_from_system_turn(self, messages: list[dict[str, Any]]) -> None:
        """Leave the context holding the system turn of `messages`, evaluated alone, or as it
        was when the prompt does not start with a system turn the template renders apart."""
        if not messages or messages[0].get("role") != "system":
            return
        turn = self._turn(messages[0])
        if not turn:
            return
        client = self._client
        held = list(client.input_ids[: min(client.n_tokens, len(turn))])
        if held == turn:
            client.n_tokens = len(turn)  # reuse no further than the system turn
        else:
            client.reset()
            client.eval(turn)

    def _turn(self, system: dict[str, Any]) -> list[int]:
        text = str(system.get("content") or "")
        if text not in self._tokens:
            try:
                alone = self._render([system], False)
                whole = self._render([system, {"role": "user", "content": "?"}], True)
            except Exception:  # a template that needs a user turn: llama.cpp's behaviour
                alone, whole = "", ""
            tokens = _tokenize(self._client, alone) if alone else []
            if _tokenize(self._client, whole)[: len(tokens)] != tokens:
                tokens = []  # not rendered apart, or its last token merges with what follows
            self._tokens[text] = tokens
        return self._tokens[text]


def _tokenize(client: Any, text: str) -> list[int]:
    """`text` as the chat handler tokenizes a rendered prompt (special tokens as such)."""
    return list(client.tokenize(text.encode("utf-8"), add_bos=False, special=True))
