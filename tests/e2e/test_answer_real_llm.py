"""End to end with the real default LLM (llama.cpp, Qwen2.5-Coder-1.5B): few and slow.

The logic around the model is covered with fake chat models in test_answer.py."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from assistant.settings import load_settings
from assistant.text.language import detect_language
from tests.conftest import MODEL, dev_cases

pytestmark = pytest.mark.llm

CASES = {c["id"]: c for c in dev_cases()}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def real(sample_index: Any, embedder: Any) -> Any:
    """One assistant with the real model for the module (it loads once)."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: `make test` provisions it first")
    from assistant import Assistant

    settings = load_settings(config_file=sample_index / "none.toml", environ={}, root=sample_index)
    settings.paths.models_dir = MODEL.parent
    assistant = Assistant(settings, embedder=embedder)
    return assistant


def check_answer(answer: Any, case: dict[str, Any]) -> None:
    assert not answer.refused, answer.text
    assert answer.citations, f"no valid citation: {answer.text}"
    assert all(c.passage.file in case["sources"] for c in answer.citations), answer.text
    for group in case["expect"]:
        assert any(fold(alt) in fold(answer.text) for alt in group), (group, answer.text)


@pytest.mark.parametrize("case_id", ["d02", "d05"])
def test_answers_with_correct_citations(real: Any, case_id: str) -> None:
    case = CASES[case_id]
    answer = real.ask(case["question"])
    check_answer(answer, case)
    assert detect_language(answer.text) == "fr"
    assert answer.timings.first_token_s and answer.timings.total_s >= answer.timings.first_token_s


def test_unanswerable_question_is_refused(real: Any) -> None:
    answer = real.ask(CASES["d07"]["question"])
    assert answer.refused and answer.citations == []
    assert answer.text == real.prompts.refusal("fr")


def test_english_question_gets_an_english_answer(real: Any) -> None:
    answer = real.ask(CASES["d06"]["question"])
    assert detect_language(answer.text, default="?") == "en", answer.text


def test_follow_up_retrieves_from_the_conversation(real: Any) -> None:
    first, follow_up = CASES["d08"]["turns"]
    history: list[dict[str, str]] = []
    answer = real.ask(first)
    history += [{"role": "user", "content": first}, {"role": "assistant", "content": answer.text}]
    answer = real.ask(follow_up, history=history)
    assert answer.standalone_question != follow_up
    assert any(p.file in CASES["d08"]["sources"] for p in answer.passages)
    assert any("Merkel" in p.text for p in answer.passages)


def test_helper_calls_leave_the_answer_prompt_prefix_evaluated(real: Any) -> None:
    """A follow-up rewrite or a translation runs in its own llama.cpp context, so the answer
    context still holds the static system prompt afterwards and does not evaluate it again."""
    real.ask(CASES["d01"]["question"])
    answer_ctx = real.llm.client
    system = real.chain._answer_messages({"passages": [], "question": "?", "language": "fr"})[
        0
    ].content
    system_tokens = answer_ctx.tokenize(system.encode(), add_bos=False, special=True)
    before = list(answer_ctx._input_ids)
    real.chain.translate("Who is John Kirby?", "fr")
    assert real.helper_llm.client is not answer_ctx
    assert list(answer_ctx._input_ids) == before  # untouched by the helper call
    assert len(before) > len(system_tokens)


def test_warm_up_primes_the_prompt_start_that_every_language_shares(real: Any) -> None:
    """The start-up warm-up has the model read the answer prompt's start, so the first question
    reads only its passages; a question in another language then reads again only the
    instruction that names the language (~26 tokens), not the system prompt (~145)."""
    real.warm_up(0)
    ctx = real.llm.client
    primed = list(ctx._input_ids)
    system = real.chain._answer_messages({"passages": [], "question": "?", "language": "fr"})[0]
    system_tokens = ctx.tokenize(str(system.content).encode(), add_bos=False, special=True)
    assert len(primed) > len(system_tokens) + 10  # the system prompt and the instruction
    real.ask(CASES["d06"]["question"])  # in English, about the French articles
    after = list(ctx._input_ids)
    kept = next((i for i, (a, b) in enumerate(zip(primed, after, strict=False)) if a != b), 0)
    assert kept > len(system_tokens) and len(primed) - kept < 40, (len(primed), kept)


def test_the_example_questions_the_chat_offers_are_answered(real: Any) -> None:
    """What a new user clicks first: a refusal there tells them the product does not work."""
    from assistant.web.chat import example_questions

    questions = example_questions(real)
    assert len(questions) == 3
    for question in questions:
        answer = real.ask(question)
        assert not answer.refused and answer.citations, (question, answer.text)
