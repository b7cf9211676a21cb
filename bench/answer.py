"""Answer latency with the default embedded LLM, through `Assistant.stream`, and the physical
reference: the same GGUF in llama.cpp alone, same n_ctx, n_threads and n_batch.

The pipeline is measured as it is: an `LLMProbe` registered as a LangChain configure hook sees
every chat-model call the answer makes (condense, translate, answer, …) without the pipeline
knowing, so the numbers follow whatever the answer chain does.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.tracers.context import register_configure_hook

from assistant import Answer, Assistant
from assistant.models.llm import token_counter
from assistant.service import Passages, Token
from bench.corpus import Vocabulary, queries
from bench.measure import peak_rss_mb, rss_mb, summary_ms
from bench.options import Options, bench_settings
from bench.quality import Case, load_cases
from bench.scale import build, index_dir

logger = logging.getLogger(__name__)

REFERENCE_PROMPT_TOKENS = 500
REFERENCE_GENERATED_TOKENS = 128
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


@dataclass
class LLMCall:
    started: float
    messages: list[BaseMessage]
    first: float | None = None
    last: float | None = None
    ended: float | None = None
    pieces: list[str] = field(default_factory=list)


class LLMProbe(BaseCallbackHandler):
    """Records the start, tokens and end of every chat-model call made while it is active."""

    def __init__(self) -> None:
        self.calls: dict[UUID, LLMCall] = {}

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        **kwargs: Any,
    ) -> None:
        self.calls[run_id] = LLMCall(time.perf_counter(), list(messages[0]))

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        call = self.calls.get(run_id)
        if call is not None and isinstance(token, str) and token:
            now = time.perf_counter()
            call.first = call.first or now
            call.last = now
            call.pieces.append(token)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        call = self.calls.get(run_id)
        if call is not None:
            call.ended = time.perf_counter()


_probe: ContextVar[LLMProbe | None] = ContextVar("bench_llm_probe", default=None)
register_configure_hook(_probe, inheritable=True)


def run(options: Options) -> dict[str, Any]:
    built = build(options, 0)  # the sample articles, embedded (cached)
    assistant = Assistant(bench_settings(index_dir(options, 0), options.samples))
    started = time.perf_counter()
    llm = assistant.llm
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    warmed = assistant.warm_up()  # what the web chat does in the background at start
    warm_up = {"s": round(time.perf_counter() - started, 2), "sentences": warmed}
    rss_before = rss_mb()
    warm = queries(Vocabulary(options.samples), 1, options.seed + 2)[0]
    cold = measure_answers(assistant, [{"id": "warm-up", "question": warm}])[0]
    cases = load_cases(options.eval_file) if options.eval_file.exists() else []
    answers = measure_answers(assistant, cases)
    peak = peak_rss_mb()  # before the reference loads a second copy of the model
    return section(llm, load_s, cold, answers, llama_reference(assistant)) | {
        "index": built,
        "warm_up": warm_up,
        "rss_mb_before_answers": rss_before,
        "peak_rss_mb": peak,
    }


def section(
    llm: Any,
    load_s: float,
    cold: dict[str, Any],
    answers: list[dict[str, Any]],
    reference: dict[str, Any],
) -> dict[str, Any]:
    """The section's result from its measurements."""
    return {
        "llm_load_s": round(load_s, 2),
        "settings": _llm_settings(llm),
        "cold": cold,
        "answers": answers,
        "summary": summarize(answers),
        "reference": reference,
        "overhead": overhead(answers, reference),
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_answers(assistant: Assistant, cases: Sequence[Case]) -> list[dict[str, Any]]:
    """Each case through `Assistant.stream` (the turns of a multi-turn case in order, with the
    history the UI would send), timed per event, with the LLM calls it made."""
    count_prompt = _prompt_counter(assistant.llm)
    count = token_counter(assistant.llm)
    out = []
    for case in cases:
        turns = case.get("turns") or [case["question"]]
        history: list[dict[str, str]] = []
        for n, turn in enumerate(turns):
            probe = LLMProbe()
            token = _probe.set(probe)
            try:
                record = _ask(assistant, turn, history)
            finally:
                _probe.reset(token)
            answer = record.pop("answer")
            history += [
                {"role": "user", "content": turn},
                {"role": "assistant", "content": answer.text},
            ]
            calls = sorted(probe.calls.values(), key=lambda c: c.started)
            record.update(_calls(calls, record, count_prompt, count))
            record.update(id=case.get("id"), turn=n + 1, lang=case.get("lang"))
            out.append(record)
            logger.info("answer %s turn %d: %.1f s", case.get("id"), n + 1, record["total_s"])
    return out


def _ask(assistant: Assistant, question: str, history: list[dict[str, str]]) -> dict[str, Any]:
    started = time.perf_counter()
    passages_s = first_s = None
    answer = None
    n_passages = 0
    for event in assistant.stream(question, history):
        now = time.perf_counter()
        if isinstance(event, Passages) and passages_s is None:
            passages_s, n_passages = now - started, len(event.passages)
        elif isinstance(event, Token) and first_s is None:
            first_s = now - started
        elif isinstance(event, Answer):
            answer = event
    assert answer is not None, "the stream always ends with the answer"
    return {
        "started": started,
        "first": first_s,  # unrounded, to find the answer call
        "answer": answer,
        "passages_s": _r(passages_s),
        "first_token_s": _r(first_s),
        "total_s": _r(time.perf_counter() - started),
        "passages": n_passages,
        "refused": answer.refused,
    }


def _calls(
    calls: list[LLMCall],
    record: dict[str, Any],
    count_prompt: Callable[[list[BaseMessage]], int],
    count: Callable[[str], int],
) -> dict[str, Any]:
    """The answer call is the last one started before the first answer token; the others are
    the pipeline's helpers (condense, translate)."""
    started = record.pop("started")
    first = record.pop("first")
    answer_call = None
    if first is not None:
        before = [c for c in calls if c.started - started <= first]
        answer_call = before[-1] if before else None
    out: dict[str, Any] = {
        "llm_calls": len(calls),
        "llm_calls_s": _r(sum((c.ended or c.started) - c.started for c in calls)),
    }
    if answer_call is None:
        return out
    generated = count("".join(answer_call.pieces))
    gen_s = (answer_call.last or 0) - (answer_call.first or 0)
    out.update(
        prompt_tokens=count_prompt(answer_call.messages),
        generated_tokens=generated,
        answer_call_start_s=_r(answer_call.started - started),
        answer_call_first_token_s=_r(
            (answer_call.first or answer_call.started) - answer_call.started
        ),
        generation_tok_s=_r((generated - 1) / gen_s) if generated > 1 and gen_s > 0 else None,
    )
    return out


def _prompt_counter(llm: Any) -> Callable[[list[BaseMessage]], int]:
    """Tokens of the messages as llama.cpp sends them (the GGUF's chat template); for another
    backend, the contents' token estimate."""
    client = getattr(llm, "client", None)
    template = (getattr(client, "metadata", None) or {}).get("tokenizer.chat_template")
    count = token_counter(llm)
    if client is None or not template:
        return lambda messages: sum(count(str(m.content)) for m in messages)
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def text(token_id: int) -> str:
        return client.detokenize([token_id], special=True).decode("utf-8", "replace")

    formatter = Jinja2ChatFormatter(
        template=template, eos_token=text(client.token_eos()), bos_token=text(client.token_bos())
    )

    def count_messages(messages: list[BaseMessage]) -> int:
        dicts: Any = [
            {"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages
        ]
        prompt = formatter(messages=dicts).prompt
        return len(client.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    return count_messages


def summarize(answers: list[dict[str, Any]]) -> dict[str, Any]:
    def values(key: str) -> list[float]:
        return [a[key] for a in answers if a.get(key) is not None]

    def median(key: str) -> float | None:
        return _r(statistics.median(values(key))) if values(key) else None

    return {
        "n": len(answers),
        "refused": sum(a["refused"] for a in answers),
        "passages": summary_ms(values("passages_s")),
        "first_token": summary_ms(values("first_token_s")),
        "total": summary_ms(values("total_s")),
        "generation_tok_s_median": median("generation_tok_s"),
        "prompt_tokens_median": median("prompt_tokens"),
        "generated_tokens_median": median("generated_tokens"),
        "llm_calls_median": median("llm_calls"),
    }


def _llm_settings(llm: Any) -> dict[str, Any]:
    return {
        name: getattr(llm, name, None) for name in ("model_path", "n_ctx", "n_threads", "n_batch")
    }


def llama_reference(assistant: Assistant) -> dict[str, Any]:
    """Prompt processing and generation speed of llama.cpp alone, with our model settings:
    a ~500-token prompt evaluated from an empty cache, then 128 greedy tokens, 3 times."""
    ours = _llm_settings(assistant.llm)
    if not ours["model_path"]:
        return {"skipped": "the LLM is not llama.cpp"}
    from llama_cpp import Llama

    threads = ours["n_threads"] or os.cpu_count() or 2
    llm = Llama(
        model_path=ours["model_path"],
        n_ctx=ours["n_ctx"],
        n_threads=threads,
        n_batch=ours["n_batch"] or 512,
        verbose=False,
    )
    text = "\n\n".join(
        a.title + ". " + (assistant.article_text(a.article_id) or "") for a in assistant.articles()
    )
    tokens = llm.tokenize(text.encode("utf-8"), add_bos=True)[:REFERENCE_PROMPT_TOKENS]
    prompt_s, gen_s = [], []
    for _ in range(3):
        llm.reset()
        started = time.perf_counter()
        llm.eval(tokens)
        prompt_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(REFERENCE_GENERATED_TOKENS):
            llm.eval([llm.sample(temp=0.0)])
        gen_s.append(time.perf_counter() - started)
    return {
        "n_ctx": ours["n_ctx"],
        "n_threads": threads,
        "n_batch": ours["n_batch"] or 512,
        "prompt_tokens": len(tokens),
        "prompt_tok_s": _r(len(tokens) / statistics.median(prompt_s)),
        "generation_tok_s": _r(REFERENCE_GENERATED_TOKENS / statistics.median(gen_s)),
        "runs": 3,
    }


def overhead(answers: list[dict[str, Any]], reference: dict[str, Any]) -> dict[str, Any]:
    """Ours against the physics: generation speed ratio, and first token against the time
    llama.cpp alone needs to read the same prompt and produce one token."""
    if "prompt_tok_s" not in reference:
        return {}
    floors, ratios = [], []
    for a in answers:
        if a.get("prompt_tokens") and a.get("first_token_s") is not None:
            floor = (
                a["prompt_tokens"] / reference["prompt_tok_s"] + 1 / reference["generation_tok_s"]
            )
            floors.append(floor)
            ratios.append(a["first_token_s"] / floor)
    gen = [a["generation_tok_s"] for a in answers if a.get("generation_tok_s")]
    return {
        "first_token_floor_s_median": _r(statistics.median(floors)) if floors else None,
        "first_token_over_floor_median": _r(statistics.median(ratios)) if ratios else None,
        "generation_ratio": _r(statistics.median(gen) / reference["generation_tok_s"])
        if gen
        else None,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)
