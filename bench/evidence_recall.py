"""`python -m bench.evidence_recall [--sets fr,en] [--tokens N] [--per-passage N]
[--keyword-weight W]`: how often the evidence the model reads holds an expected answer, against
how often the passages found do (single-turn questions; the lede a who-is question also reads is
left out).

No LLM runs: it takes seconds. An answer the evidence does not hold is never right (the model
cannot know it), so this recall bounds the answer quality; a change to the evidence choice is
worth an evaluation only when it raises it. docs/evaluation.md has the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from assistant.errors import AssistantError
from assistant.eval.cases import Case
from assistant.eval.metrics import fold
from assistant.schema import Passage
from assistant.service import Assistant
from bench.evalsuite import SETS, prepared


@dataclass(frozen=True)
class Asked:
    question: str
    found: list[Passage]
    answers: list[str]  # folded


def asked(assistant: Assistant, cases: list[Case]) -> list[Asked]:
    """The single-turn answerable cases, searched as the answer path searches them."""
    depth = assistant.settings.answer.context_passages
    return [
        Asked(
            case.questions[0],
            assistant.retrieve(case.questions[0], k=depth),
            [fold(a) for group in case.expect for a in group],
        )
        for case in cases
        if case.answerable and not case.multi_turn and case.expect
    ]


def in_passages(questions: list[Asked]) -> int:
    """How many of `questions` have an expected answer in the passages found."""
    hits = 0
    for q in questions:
        passages = fold(" ".join(p.text for p in q.found))  # once, not once per answer
        hits += any(a in passages for a in q.answers)
    return hits


def in_evidence(assistant: Assistant, questions: list[Asked]) -> int:
    """How many of `questions` have an expected answer in the evidence picked now."""
    keyword = assistant.index.keyword()
    weights = keyword.term_weights if keyword is not None else None
    hits = 0
    for q in questions:
        excerpts = assistant.parts.evidence.pick(q.question, q.found, weights)
        evidence = fold(" ".join(e.text for e in excerpts))
        hits += any(a in evidence for a in q.answers)
    return hits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evidence_recall", description=__doc__)
    parser.add_argument("--sets", default="dev,fr,en", help="comma-separated, of dev,fr,en")
    parser.add_argument("--tokens", type=int, help="answer.evidence_tokens (default: setting)")
    parser.add_argument("--per-passage", type=int, help="answer.sentences_per_passage")
    parser.add_argument("--keyword-weight", type=float, help="answer.evidence_keyword_weight")
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    if args.tokens:
        environ["ASSISTANT__ANSWER__EVIDENCE_TOKENS"] = str(args.tokens)
    if args.per_passage:
        environ["ASSISTANT__ANSWER__SENTENCES_PER_PASSAGE"] = str(args.per_passage)
    if args.keyword_weight is not None:
        environ["ASSISTANT__ANSWER__EVIDENCE_KEYWORD_WEIGHT"] = str(args.keyword_weight)
    print("| set | answerable | answer in the passages | answer in the evidence |")
    print("|---|---|---|---|")
    try:
        for name in [n.strip() for n in args.sets.split(",") if n.strip()]:
            assistant, cases = prepared(SETS[name], environ)
            questions = asked(assistant, cases)
            found, read = in_passages(questions), in_evidence(assistant, questions)
            print(f"| {name} | {len(questions)} | {found} | {read} |")
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
