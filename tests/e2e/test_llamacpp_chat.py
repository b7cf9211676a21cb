"""LangChain's standard chat-model suites (`langchain-tests`) against the project's own
llama.cpp chat model, with the real default GGUF."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from assistant.models.llamacpp_chat import LlamaCppChat
from tests.conftest import MODEL

pytestmark = pytest.mark.llm

PARAMS: dict[str, Any] = {"model_path": str(MODEL), "n_ctx": 1024, "n_threads": 2}
SHORT = 24  # answer tokens: the suites check that text comes, not what it says


class _LlamaCppChatConfig:
    """What both suites need to know about the model under test."""

    @property
    def supports_model_override(self) -> bool:
        return False  # one GGUF is loaded: another is another instance

    @property
    def standard_chat_model_params(self) -> dict[str, Any]:
        return {**super().standard_chat_model_params, "max_tokens": SHORT}  # the suite's own

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return LlamaCppChat

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return PARAMS


class TestLlamaCppChatUnit(_LlamaCppChatConfig, ChatModelUnitTests):
    @pytest.mark.xfail(reason="making the model loads its GGUF weights (seconds)", run=False)
    def test_init_time(self, benchmark: Any) -> None:
        raise NotImplementedError


class TestLlamaCppChat(_LlamaCppChatConfig, ChatModelIntegrationTests):
    pass


def test_the_rope_base_is_the_setting_or_the_models_own() -> None:
    """10,000 by default (what the answers were measured with), 0 for the GGUF's own."""
    assert LlamaCppChat(**PARAMS).client.context_params.rope_freq_base == 10_000.0
    own = LlamaCppChat(**PARAMS, rope_freq_base=0.0).client
    assert own.context_params.rope_freq_base == 0.0  # llama.cpp then reads the file's
    assert float(own.metadata["qwen2.rope.freq_base"]) == 1_000_000.0


def test_a_repeated_prompt_prefix_is_not_read_again() -> None:
    """The answer chain's first-token time rests on llama.cpp reusing the prompt's common
    prefix: a second prompt with the same system message evaluates only what differs."""
    chat = LlamaCppChat(**PARAMS, max_tokens=SHORT)
    system = SystemMessage("You are a careful assistant who answers briefly. " * 20)
    chat.invoke([system, HumanMessage("Say yes.")], max_tokens=1)
    assert chat.client.n_tokens > 150
    evaluated: list[int] = []
    read = chat.client.eval

    def counting(tokens: Any) -> None:
        evaluated.append(len(tokens))
        read(tokens)

    chat.client.eval = counting
    chat.invoke([system, HumanMessage("Say no.")], max_tokens=1)
    assert evaluated and evaluated[0] < 20, evaluated


def test_an_answer_does_not_depend_on_what_was_asked_before() -> None:
    """llama.cpp's reuse of the longest common prefix changes the logits of what follows it
    (greedy answers then depended on the previous question): only the system turn is reused."""
    chat = LlamaCppChat(**PARAMS, model_kwargs={"logits_all": True})
    system = SystemMessage("Answer from the passage only, in one short sentence. " * 4)
    passage = (
        "Passage: Les combats ont surtout touché Alep, la ville la plus touchée du nord de la "
        "Syrie, selon l'Observatoire syrien des droits de l'homme. "
        "Moscou dément tout bombardement.\n"
    )

    def logits(question: str) -> Any:
        chat.invoke([system, HumanMessage(passage + "Question: " + question)], max_tokens=1)
        return chat.client.scores[chat.client.n_tokens - 1].copy()

    first = logits("Quelle ville est la plus touchée ?")
    logits("Qui dément ?")  # the same system turn and passage: llama.cpp would reuse both
    assert (logits("Quelle ville est la plus touchée ?") == first).all()
