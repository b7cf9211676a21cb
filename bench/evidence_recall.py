"""`python -m bench.evidence_recall [--sets fr,en] [--tokens N] [--per-passage N]`: how often
the evidence the model reads holds an expected answer, against how often the passages found do
(single-turn questions; the lede a who-is question also reads is left out).

No LLM runs: it takes seconds. An answer the evidence does not hold is never right (the model
cannot know it), so this recall bounds the answer quality; a change to the evidence choice is
worth an evaluation only when it raises it. docs/evaluation.md has the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys

from assistant.errors import AssistantError
from assistant.eval.metrics import fold
from bench.evalsuite import SETS, prepared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evidence_recall", description=__doc__)
    parser.add_argument("--sets", default="dev,fr,en", help="comma-separated, of dev,fr,en")
    parser.add_argument("--tokens", type=int, help="answer.evidence_tokens (default: setting)")
    parser.add_argument("--per-passage", type=int, help="answer.sentences_per_passage")
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    if args.tokens:
        environ["ASSISTANT__ANSWER__EVIDENCE_TOKENS"] = str(args.tokens)
    if args.per_passage:
        environ["ASSISTANT__ANSWER__SENTENCES_PER_PASSAGE"] = str(args.per_passage)
    print("| set | answerable | answer in the passages | answer in the evidence |")
    print("|---|---|---|---|")
    try:
        for name in [n.strip() for n in args.sets.split(",") if n.strip()]:
            assistant, cases = prepared(SETS[name], environ)
            depth = assistant.settings.answer.context_passages
            keyword = assistant.index.keyword()
            weights = keyword.term_weights if keyword is not None else None
            asked = [c for c in cases if c.answerable and not c.multi_turn and c.expect]
            in_passages = in_evidence = 0
            for case in asked:
                question = case.questions[0]
                found = assistant.retrieve(question, k=depth)
                excerpts = assistant.parts.evidence.pick(question, found, weights)
                answers = [fold(a) for group in case.expect for a in group]
                passages = fold(" ".join(p.text for p in found))
                evidence = fold(" ".join(e.text for e in excerpts))
                in_passages += any(a in passages for a in answers)
                in_evidence += any(a in evidence for a in answers)
            print(f"| {name} | {len(asked)} | {in_passages} | {in_evidence} |")
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
