"""The development-set table, on results written by hand."""

from __future__ import annotations

from typing import Any

import pytest

from bench import evalsuite


def case(answerable: bool, correct: bool, refused: bool) -> dict[str, Any]:
    return {"answerable": answerable, "correct": correct, "refused": refused}


ENGLISH = [
    case(True, True, False),
    case(True, True, False),
    case(True, False, True),
    case(False, False, False),
    case(False, False, False),
    case(False, True, True),
]


def test_the_table_counts_answers_and_refusals_per_kind() -> None:
    report = {"summary": {"hit_at_5": 1.0, "mrr": 0.9, "errors": 0, "first_token_p50_s": 2.5}}
    row = evalsuite.outcome_row("en", report | {"cases": ENGLISH})
    assert (row["answerable_correct"], row["answerable"], row["answerable_refused"]) == (2, 3, 1)
    assert (row["unanswerable_refused"], row["unanswerable"]) == (1, 3)
    table = evalsuite.format_table([row])
    assert "| en | 6 | 1.00 | 0.90 | 2/3 (0.67) | 1/3 (0.33) | 1/3 (0.33) | 0 | 2.50 s |" in table


def test_an_unknown_step_is_refused_with_the_list_of_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        evalsuite.main(["--without", "no_such_step"])
    assert stop.value.code == 2
    assert "citation_repair" in capsys.readouterr().err


def test_case_ids_no_set_holds_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    if not evalsuite.SETS["dev"].cases.exists():
        pytest.skip("../shared is not beside the project")
    for cases in ("d01,no-such-case", ""):
        with pytest.raises(SystemExit) as stop:
            evalsuite.main(["--sets", "dev", "--cases", cases])
        assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "no case no-such-case in dev" in err
    assert "no case (none named) in dev" in err
