"""`python -m assistant.eval FILE.jsonl [--out FILE.json] [--k 5]`: how good and how fast.

Every case is asked through the web chat's own handler (`ChatUI.respond`) over the `Assistant`
facade, in a fresh conversation; the turns of a multi-turn case go one after the other, and
between turns the chat makes the trip through Gradio's Chatbot component (postprocess, then
preprocess) that it makes between the browser and the handler, so the history is built
exactly as in the web chat. The last turn is scored. The models are loaded before the first
case (`startup_s` in the report), so no case's timings include loading them.

Timings are taken as the facade's events reach the handler: passages shown, first token,
total. "retrieval" is the facade's own `Answer.timings.retrieval_s`, which includes the
follow-up rewrite and the question translation when those LLM calls happen.

Retrieval is scored at the article level on the passages the answer path retrieved: the
passages it showed (less an article's opening added for a who-is question, which retrieval did
not find) when they are at least max(k, 5) (the default shows 10); otherwise (a smaller
`answer.context_passages`, or a question refused before the LLM, which shows none)
`Assistant.retrieve(standalone question, k=max(k, 5))`. That call searches with the standalone
question only, not with the extra translated query the answer path adds for a question in
another language than the articles. rank = position of the first passage whose article file is
in `sources`; hit@k and MRR (ranks beyond k count 0) over answerable cases; hit@5 is always
reported too.

Answer correctness: an answerable case is correct when it is not refused and every `expect`
group has an alternative in the answer (see `metrics.fold`); an unanswerable one when refused.
Citation precision pools the cited passages of answerable, not refused answers; citation
presence is the share of those answers with at least one valid citation. A case whose
answering fails is recorded with its error and counts as wrong wherever it would count (hit,
MRR, correctness, refusal), so an error never raises a score. Exit code: 0, 1 when a case
failed with an error, 2 for a bad file or option or a start-up failure; never for low scores.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from assistant.errors import AssistantError
from assistant.eval import metrics
from assistant.eval.cases import Case, load_cases
from assistant.eval.report import format_report, summarize
from assistant.schema import Answer, Filters, Passage
from assistant.steps import STEPS

if TYPE_CHECKING:
    from assistant.answer.chain import Message
    from assistant.service import Assistant, Event

logger = logging.getLogger(__name__)


@dataclass
class CaseResult:
    """What one case did and how it scored; written as-is into the JSON `cases` list."""

    id: str
    lang: str
    answerable: bool
    multi_turn: bool
    turns: int  # questions asked in the conversation, the scored one last
    question: str
    sources: list[str] = field(default_factory=list)
    earlier_replies: list[str] = field(default_factory=list)  # the chat's replies before it
    standalone_question: str = ""
    answer: str = ""
    refused: bool | None = None
    refused_by: str = ""  # the answer step that refused (assistant/steps.py)
    dropped: list[list[str]] = field(default_factory=list)  # [step, sentence] pairs
    uncited: bool | None = None
    incomplete: bool | None = None
    cited_files: list[str] = field(default_factory=list)  # one per citation, in order
    shown_files: list[str] = field(default_factory=list)  # passages given to the LLM
    retrieved_files: list[str] = field(default_factory=list)  # the list rank is taken from
    rank: int | None = None
    hit: bool | None = None
    reciprocal_rank: float | None = None
    correct: bool = False
    citation_precision: float | None = None
    retrieval_s: float | None = None
    passages_s: float | None = None
    first_token_s: float | None = None
    total_s: float | None = None
    error: str | None = None


class _Recorder:
    """Stands in for the `Assistant` inside the chat handler: passes every call through and
    notes the events of `stream()` and when each arrived."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self._reset()

    def _reset(self) -> None:
        self.answer: Answer | None = None
        self.shown: list[Passage] | None = None
        self.passages_s: float | None = None
        self.first_token_s: float | None = None
        self.total_s: float | None = None
        self.error: Exception | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.assistant, name)

    def stream(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Event]:
        from assistant.service import Passages, Token

        self._reset()
        started = time.perf_counter()
        try:
            for event in self.assistant.stream(question, history, filters):
                elapsed = time.perf_counter() - started
                if isinstance(event, Passages) and self.shown is None:
                    self.shown, self.passages_s = event.passages, elapsed
                elif isinstance(event, Token) and self.first_token_s is None:
                    self.first_token_s = elapsed
                elif isinstance(event, Answer):
                    self.answer, self.total_s = event, elapsed
                yield event
        except Exception as exc:
            self.error = exc
            raise


class Conversation:
    """One chat, driven through the web chat's handler like a user typing in the browser."""

    def __init__(self, assistant: Assistant) -> None:
        import gradio as gr

        from assistant.web.chat import ChatUI

        self.recorder = _Recorder(assistant)
        self.ui = ChatUI(cast("Assistant", self.recorder))
        self.chatbot = gr.Chatbot()
        self.chat: list[dict[str, Any]] = []

    def say(self, question: str) -> str:
        """Ask one question; the reply as the chat shows it (errors included, as text)."""
        history = self.chatbot.preprocess(self.chatbot.postprocess(cast(Any, self.chat)))
        for chat, _sources, _note in self.ui.respond(question, cast(Any, history), None, "", ""):
            self.chat = chat
        return html.unescape(str(self.chat[-1]["content"]))


def run_case(assistant: Assistant, case: Case, k: int) -> CaseResult:
    """Ask the case's turns in one conversation and score the last one."""
    questions = case.questions
    result = CaseResult(
        id=str(case.id),
        lang=str(case.lang),
        answerable=case.answerable,
        multi_turn=case.multi_turn,
        turns=len(questions),
        question=questions[-1],
        sources=list(case.sources),
    )
    try:
        conversation = Conversation(assistant)
        result.earlier_replies = [conversation.say(q) for q in questions[:-1]]
        conversation.say(questions[-1])
        recorder = conversation.recorder
        if recorder.error is not None:
            raise recorder.error
        if recorder.answer is None:
            raise AssistantError("The answer stream ended without an answer.")
        depth = max(k, 5)
        shown = recorder.shown or []
        found = [p for p in shown if not p.opening]  # less an opening added for context
        retrieved = (
            found[:depth]
            if len(found) >= depth
            else assistant.retrieve(recorder.answer.standalone_question, k=depth)
        )
    except AssistantError as exc:
        result.error = str(exc)
        return result
    except Exception as exc:  # a bug: keep the run going, keep the trace in the log
        logger.exception("Case %s failed", case.id)
        result.error = f"unexpected {type(exc).__name__}: {exc}"
        return result
    _score(result, case, recorder.answer, [p.file for p in shown], [p.file for p in retrieved], k)
    result.passages_s = recorder.passages_s
    result.first_token_s = recorder.first_token_s
    result.total_s = recorder.total_s
    return result


def _score(
    result: CaseResult,
    case: Case,
    answer: Answer,
    shown: list[str],
    retrieved: list[str],
    k: int,
) -> None:
    result.standalone_question = answer.standalone_question
    result.answer = answer.text
    result.refused = answer.refused
    result.refused_by = answer.refused_by
    result.dropped = [[step, sentence] for step, sentence in answer.dropped]
    result.uncited = answer.uncited
    result.incomplete = answer.incomplete
    result.cited_files = [c.passage.file for c in answer.citations]
    result.shown_files = shown
    result.retrieved_files = retrieved
    result.retrieval_s = answer.timings.retrieval_s
    if case.answerable:
        result.rank = metrics.first_source_rank(retrieved, case.sources)
        result.hit = result.rank is not None and result.rank <= k
        result.reciprocal_rank = metrics.reciprocal_rank(result.rank, k)
        result.correct = not answer.refused and metrics.matches_expect(answer.text, case.expect)
        if not answer.refused:
            result.citation_precision = metrics.citation_precision(result.cited_files, case.sources)
    else:
        result.correct = answer.refused


def warm_up(assistant: Assistant) -> float:
    """Load the models, open the index and run the web chat's start-up warm-up before the
    first case, so that its timings measure answering, not start-up. The seconds it took."""
    started = time.perf_counter()
    _ = assistant.chain  # loads the LLM: its tokenizer sizes the prompt
    assistant.retrieve("warm-up", k=1)  # loads the embedder, opens Chroma and the keyword index
    assistant.warm_up()  # as the web chat does at start: prompt start read, sentences embedded
    return time.perf_counter() - started


def run(assistant: Assistant, cases: list[Case], k: int) -> list[CaseResult]:
    results = []
    for n, case in enumerate(cases, start=1):
        result = run_case(assistant, case, k)
        outcome = (
            f"error: {result.error}" if result.error else ("correct" if result.correct else "wrong")
        )
        print(
            f"[{n}/{len(cases)}] {case.id}: {outcome} ({result.total_s or 0:.1f} s)",
            file=sys.stderr,
        )
        results.append(result)
    return results


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def add_without_option(parser: argparse.ArgumentParser) -> None:
    """`--without STEP` (repeatable): an answer step turned off, to measure what it does."""
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=list(STEPS),
        metavar="STEP",
        help=f"turn an answer step off (repeatable): {', '.join(STEPS)}",
    )


def main(argv: list[str] | None = None, assistant: Assistant | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.eval",
        description="Score the assistant on a JSONL file of questions "
        "(see assistant/eval/cases.py).",
    )
    parser.add_argument("file", type=Path, help="JSONL file, one case per line")
    parser.add_argument("--out", type=Path, help="also write the full results as JSON here")
    parser.add_argument("--k", type=positive, default=5, help="retrieval depth for hit@k and MRR")
    add_without_option(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cases = load_cases(args.file)
        if assistant is None:
            from assistant.service import Assistant

            assistant = Assistant()
        if args.without:
            skipped = [*assistant.settings.answer.skip_steps, *args.without]
            assistant.settings.answer.skip_steps = skipped
        started = datetime.now().astimezone()
        load_before = os.getloadavg()[0]
        startup_s = warm_up(assistant)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        results = run(assistant, cases, args.k)
    except KeyboardInterrupt:
        print("interrupted: no results written", file=sys.stderr)
        return 130
    report = {
        "file": str(args.file),
        "started_at": started.isoformat(timespec="seconds"),
        "startup_s": startup_s,
        "k": args.k,
        "settings": settings_record(assistant),
        "machine": machine_record(load_before),
        **summarize([asdict(r) for r in results], args.k),
        "cases": [asdict(r) for r in results],
    }
    print(format_report(report))
    if args.out:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.out}: {exc}", file=sys.stderr)
            return 2
        print(f"results written to {args.out}")
    return 1 if any(r.error for r in results) else 0


def settings_record(assistant: Assistant) -> dict[str, Any]:
    """The models and the values chosen for them that a report's numbers hold for."""
    s = assistant.settings
    llm = s.llm
    model = {"llamacpp": llm.model_file, "ollama": llm.ollama_model, "openai": llm.openai_model}
    return {
        "llm": f"{llm.provider}:{model[llm.provider]}",
        "embedder": assistant.embedder.name,
        "embedder_profile": assistant.embedder.profile,
        "min_dense_score": assistant.parts.min_dense_score,
        "evidence_embedder": assistant.parts.evidence_embedder.name,
        "evidence_keyword_weight": assistant.parts.evidence_keyword_weight,
        "context_passages": s.answer.context_passages,
        "skip_steps": list(s.answer.skip_steps),
        "index_dir": str(s.index_dir),
    }


def machine_record(load_before: float) -> dict[str, Any]:
    """The cores and the load around a run: a load above the core count inflates latency."""
    return {
        "cpus": os.cpu_count(),
        "load_1m_before": load_before,
        "load_1m_after": os.getloadavg()[0],
    }


if __name__ == "__main__":
    sys.exit(main())
