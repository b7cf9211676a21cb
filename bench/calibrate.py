"""`python -m bench.calibrate` (`make calibrate`): fit the values that depend on the configured
embedder on every development set at once (each searched in its own index, as `make eval` does):

- the dense-score refusal threshold, showing what the threshold in use refuses on each set;
- the evidence keyword weight, for the embedder that ranks evidence sentences
  (`answer.evidence_embedder`: the bundled E5 unless set to the index's own): the weight of a
  grid whose evidence recall (questions whose expected answer is in the evidence the model
  reads, `bench.evidence_recall`) is the best over the sets together; among ties the weight in
  use stays (a change is worth an evaluation only when it raises the recall), else the
  smallest. No LLM runs.

The fitted values go into `assistant/models/profiles.py` for an embedder the project offers
(a keyword weight only when that embedder ranks its own index's evidence: E5, or another with
`answer.evidence_embedder = "index"`); a user fits a threshold for their own collection with
`python -m assistant calibrate FILE --write`.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys

from assistant.errors import AssistantError
from assistant.eval.calibrate import MAX_REFUSED, Scored, best_scores, describe, fit, measure
from bench.evalsuite import SETS, prepared
from bench.evidence_recall import asked, in_evidence

KEYWORD_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2.0, 3.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate", description=__doc__)
    parser.add_argument("--sets", default="dev,fr,en", help="comma-separated, of dev,fr,en")
    parser.add_argument("--max-refused", type=float, default=MAX_REFUSED)
    parser.add_argument(
        "--keyword-weights",
        default=",".join(map(str, KEYWORD_WEIGHTS)),
        help="comma-separated evidence keyword weights to try",
    )
    args = parser.parse_args(argv)
    grid = [float(w) for w in args.keyword_weights.split(",") if w.strip()]
    recall = dict.fromkeys(grid, 0)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    every: list[Scored] = []
    in_use = None
    weight_in_use = None
    ranker_name = ""
    try:
        for name in [n.strip() for n in args.sets.split(",") if n.strip()]:
            assistant, cases = prepared(SETS[name], dict(os.environ))
            single = [c for c in cases if not c.multi_turn]
            scores = best_scores(assistant, single)
            in_use = assistant.parts.min_dense_score
            print(f"{name:>4} (threshold in use) {describe(measure(scores, in_use))}")
            every += scores
            questions = asked(assistant, cases)
            for weight in grid:
                assistant.parts.evidence.keyword_weight = weight
                recall[weight] += in_evidence(assistant, questions)
            weight_in_use = assistant.parts.evidence_keyword_weight
            embedder = f"{assistant.embedder.name} (profile {assistant.embedder.profile})"
            ranker = assistant.parts.evidence_embedder
            ranker_name = f"{ranker.name} (profile {ranker.profile})"
            del assistant
            gc.collect()
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = fit(every, args.max_refused)
    print(f"embedder {embedder}")
    if in_use is not None:
        print(f" all (threshold in use) {describe(measure(every, in_use))}")
    print(f" all (fitted)           {describe(result)}")
    print(
        f"evidence keyword weight, for {ranker_name}: "
        + ", ".join(f"{w:g} → {n}" for w, n in recall.items())
    )
    if recall:
        tied = [w for w, n in recall.items() if n == max(recall.values())]
        best = weight_in_use if weight_in_use in tied else min(tied)
        print(f" in use {weight_in_use}, fitted {best:g} (answer in the evidence {recall[best]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
