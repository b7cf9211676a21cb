"""`news-assistant`, the one console command: it runs the same command lines as
`python -m ingest`, `python -m assistant`, `python -m assistant.eval` and `python app.py`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

COMMAND = Path(sys.executable).parent / "news-assistant"  # installed by `make setup`


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_a_command_it_lists_them_and_an_unknown_one_is_named() -> None:
    usage = run()
    assert usage.returncode == 2 and "news-assistant ingest" in usage.stdout
    unknown = run("search", "x")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert unknown.stderr.startswith("error: unknown command 'search'; the commands are ingest")


@pytest.mark.slow  # three command runs, each loading the embedder
def test_ingest_stats_and_retrieve_share_one_index(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT__PATHS__INDEX_DIR": str(tmp_path / "idx")}
    article = ROOT / "data" / "articles" / "002_ad97fbf99101d503.txt"
    ingested = run("ingest", str(article), "--quiet", env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert "added 1" in ingested.stdout
    stats = run("stats", env=env)
    assert stats.returncode == 0, stats.stderr
    assert f"index {tmp_path / 'idx'}: 1 articles" in stats.stdout
    found = run("retrieve", "Que dit Chris Bambery de la Russie ?", "-k", "1", env=env)
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("[1] ") and "002_ad97fbf99101d503.txt" in found.stdout
    assert run("serve", "--port", "1", env=env).returncode == 2, "serve takes no arguments"


@pytest.mark.parametrize("command", [["stats"], ["retrieve", "Kerry"], ["ask", "Kerry ?"]])
def test_reading_an_index_no_ingest_made_says_so_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    env = {**os.environ, "ASSISTANT__PATHS__INDEX_DIR": str(tmp_path / "typo")}
    result = run(*command, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: There is no index at {tmp_path / 'typo'} yet: ")
    assert not (tmp_path / "typo").exists()


def test_a_question_without_words_is_named_not_answered(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT__PATHS__INDEX_DIR": str(tmp_path / "idx")}
    assert run("ingest", "--quiet", env=env).returncode == 0
    result = run("ask", "?", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "The question has no words." in result.stderr


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`python -m assistant stats | head -1` with a long list: the reader leaves first."""
    env = {**os.environ, "ASSISTANT__PATHS__INDEX_DIR": str(tmp_path / "idx")}
    assert run("ingest", "--quiet", env=env).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "stats"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command prints anything
    errors = proc.stderr.read()
    assert proc.wait(timeout=300) == 0 and "Traceback" not in errors, errors


@pytest.mark.parametrize(
    ("reply", "shown", "hidden"),
    [
        ("John Kerry a menacé de suspendre la coopération [1].", "John Kerry a menacé", ""),
        # a number the model did not read: the checks drop the sentence, leaving a refusal
        (
            "Kerry a menacé de suspendre la coopération avec 4 321 diplomates [1].",
            "Les articles ne contiennent pas la réponse à cette question.",
            "4 321",
        ),
    ],
    ids=["answer", "dropped"],
)
def test_ask_prints_the_checked_answer_not_the_draft(
    sample_assistant: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    reply: str,
    shown: str,
    hidden: str,
) -> None:
    from assistant import service
    from assistant.__main__ import main
    from assistant.service import Assistant
    from tests.fakes import RecordingChat

    served = Assistant(
        sample_assistant.settings,
        llm=RecordingChat([reply]),
        embedder=sample_assistant.embedder,
        index=sample_assistant.index,
    )
    monkeypatch.setattr(service, "_default", served)
    assert main(["ask", "Qui a menacé de suspendre la coopération avec la Russie ?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(shown), out
    assert "Traceback" not in out
    if hidden:
        assert hidden not in out and "Sources:" not in out
        assert "stated numbers that the passages it read do not" in out, "why it was withheld"
        assert re.search(r"the passages found:\)\n\[1\] ", out), "and where to look"
    else:
        assert re.search(r"\nSources:\n\[\d+\] ", out), out
