"""`python -m assistant calibrate`: the threshold fitted on an index's own questions is
recorded in that index and used by later questions, unless config.toml sets one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.__main__ import main
from assistant.eval.calibrate import best_scores, fit
from assistant.eval.cases import load_cases
from tests.conftest import DEV_SET


def test_calibrate_writes_the_fitted_threshold_into_the_index(
    sample_assistant: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    assistant = sample_assistant
    assert assistant.parts.min_dense_score == 0.80, "E5's measured threshold"
    monkeypatch.setattr("assistant.service.default_assistant", lambda: assistant)
    assert main(["calibrate", str(DEV_SET)]) == 0
    out = capsys.readouterr().out
    assert "now:    min_dense_score 0.800" in out and "Add --write" in out
    assert assistant.index.recorded_threshold() is None, "nothing recorded without --write"

    assert main(["calibrate", str(DEV_SET), "--write", "--max-refused", "0"]) == 0
    expected = fit(best_scores(assistant, load_cases(DEV_SET)), 0.0).threshold
    assert assistant.index.recorded_threshold() == expected
    assert assistant.parts.min_dense_score == expected, "later questions use it"
    assert expected != 0.80

    assistant.settings.retrieval.min_dense_score = 0.5
    assert assistant.parts.min_dense_score == 0.5, "a configured value wins"


def test_calibrate_names_a_missing_file(tmp_path: Path, capsys: Any) -> None:
    assert main(["calibrate", str(tmp_path / "none.jsonl")]) == 2
    assert "none.jsonl" in capsys.readouterr().err
