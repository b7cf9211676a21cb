"""`python -m bench.calibrate` (`make calibrate`): fit the dense-score refusal threshold for the
configured embedder on every development set at once (each searched in its own index, as
`make eval` does), and show what the threshold in use refuses on each set.

The fitted value goes into `assistant/models/profiles.py` for an embedder the project offers;
a user fits one for their own collection with `python -m assistant calibrate FILE --write`.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate", description=__doc__)
    parser.add_argument("--sets", default="dev,fr,en", help="comma-separated, of dev,fr,en")
    parser.add_argument("--max-refused", type=float, default=MAX_REFUSED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    every: list[Scored] = []
    in_use = None
    try:
        for name in [n.strip() for n in args.sets.split(",") if n.strip()]:
            assistant, cases = prepared(SETS[name], dict(os.environ))
            single = [c for c in cases if not c.multi_turn]
            scores = best_scores(assistant, single)
            in_use = assistant.parts.min_dense_score
            print(f"{name:>4} (threshold in use) {describe(measure(scores, in_use))}")
            every += scores
            embedder = f"{assistant.embedder.name} (profile {assistant.embedder.profile})"
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
