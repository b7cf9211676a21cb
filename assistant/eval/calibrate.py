"""The dense-score refusal threshold (`retrieval.min_dense_score`) for an embedder, fitted on
questions whose answerability is known.

A question whose best passage is less similar than the threshold is refused before the LLM is
asked. Each embedder has its own similarity scale (E5's best cosines sit near 0.85, MiniLM's
spread from 0.2 to 0.8), so a threshold chosen for one refuses everything, or nothing, with
another. The fit takes the highest threshold that refuses at most `max_refused` of the
answerable questions, placed halfway down to the next lower score so that it does not sit on a
known question; the unanswerable questions it would refuse are reported, not optimised.

`python -m assistant calibrate FILE.jsonl…` fits it on the current index (the files' questions
must be about its articles) and, with `--write`, records it in the index, where it applies to
every later question unless config.toml sets `retrieval.min_dense_score`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import EvalFileError
from assistant.eval.cases import Case

if TYPE_CHECKING:
    from assistant.service import Assistant

MAX_REFUSED = 0.01  # answerable questions the threshold alone may refuse (the issue: ≤ 5% all in)


@dataclass(frozen=True)
class Scored:
    answerable: bool
    best: float  # the best passage's cosine similarity (-1: no dense hit)


@dataclass(frozen=True)
class Fit:
    threshold: float
    answerable: int
    answerable_refused: int
    unanswerable: int
    unanswerable_refused: int


def best_scores(assistant: Assistant, cases: Iterable[Case]) -> list[Scored]:
    """Each case's first question, searched as the answer path searches it (same depth)."""
    depth = assistant.settings.answer.context_passages
    out = []
    for case in cases:
        found = assistant.retrieve(case.questions[0], k=depth)
        best = max((p.dense_score for p in found if p.dense_score is not None), default=-1.0)
        out.append(Scored(case.answerable, best))
    return out


def fit(scores: Sequence[Scored], max_refused: float = MAX_REFUSED) -> Fit:
    """The highest threshold refusing at most `max_refused` of the answerable questions."""
    if not 0.0 <= max_refused < 1.0:
        raise EvalFileError(f"--max-refused must be from 0 to below 1 (got {max_refused}).")
    answerable = sorted(s.best for s in scores if s.answerable)
    if not answerable:
        raise EvalFileError("Calibration needs answerable questions; the files have none.")
    allowed = math.floor(max_refused * len(answerable))
    lowest_kept = answerable[allowed]
    below = [s.best for s in scores if s.best < lowest_kept]
    floor = max(below) if below else lowest_kept - 0.02
    threshold = min(round((lowest_kept + floor) / 2, 3), lowest_kept)  # rounding never refuses it
    return measure(scores, threshold)


def measure(scores: Sequence[Scored], threshold: float) -> Fit:
    """What `threshold` refuses among the scored questions."""
    return Fit(
        threshold=threshold,
        answerable=sum(s.answerable for s in scores),
        answerable_refused=sum(s.answerable and s.best < threshold for s in scores),
        unanswerable=sum(not s.answerable for s in scores),
        unanswerable_refused=sum(not s.answerable and s.best < threshold for s in scores),
    )


def describe(result: Fit) -> str:
    return (
        f"min_dense_score {result.threshold:.3f}: refuses {result.answerable_refused}/"
        f"{result.answerable} answerable and {result.unanswerable_refused}/"
        f"{result.unanswerable} unanswerable questions before the LLM"
    )
