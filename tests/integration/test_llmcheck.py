"""The model check in a child process: a crash there is reported, never inherited."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from assistant.models.llmcheck import REBUILD_COMMAND, check, crash_message, stamp_path
from tests.conftest import MODEL
from tests.crashkit import DIE_WITH_SIGILL

SUCCEED = [sys.executable, "-c", "print('ok')"]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF stand-in")
    return path


def test_a_child_killed_by_sigill_is_reported_and_not_remembered(model: Path) -> None:
    result = check(model, 2, command=DIE_WITH_SIGILL)
    assert not result.ok
    assert "SIGILL" in result.detail and "illegal instruction" in result.detail
    assert not stamp_path(model).exists(), "a failure is checked again at the next start"


def test_a_success_is_remembered_until_the_model_file_changes(model: Path) -> None:
    assert check(model, 2, command=SUCCEED).ok
    assert stamp_path(model).exists()
    cached = check(model, 2, command=DIE_WITH_SIGILL)
    assert cached.ok and cached.cached, "the same build, model and CPU are not checked twice"
    later = time.time() + 5
    os.utime(model, (later, later))  # another model file at the same path
    again = check(model, 2, command=DIE_WITH_SIGILL)
    assert not again.ok and not again.cached


def test_the_fix_offered_depends_on_how_the_child_died(model: Path) -> None:
    sigill = crash_message(model, "it crashed with SIGILL (an illegal instruction: …)")
    assert sigill.count(REBUILD_COMMAND) == 2 and "LLAMA_CPU=generic" in sigill
    killed = crash_message(model, "it crashed with SIGKILL (it was killed, …)")
    assert "free memory" in killed and "LLAMA_CPU" not in killed


def test_an_error_exit_gives_the_childs_last_line(model: Path) -> None:
    command = [sys.executable, "-c", "import sys; sys.exit('gguf_init: bad magic number')"]
    result = check(model, 2, command=command)
    assert not result.ok and "bad magic number" in result.detail


def test_a_child_that_hangs_is_stopped(model: Path) -> None:
    result = check(
        model, 2, timeout_s=1, command=[sys.executable, "-c", "import time; time.sleep(60)"]
    )
    assert not result.ok and "within 1 s" in result.detail


@pytest.mark.llm
def test_the_default_model_runs_on_this_cpu(tmp_path: Path) -> None:
    """The real check: the installed llama.cpp build loads the default model and decodes."""
    real = MODEL
    if not real.exists():
        pytest.fail(f"{real} is missing: `make test` provisions it first")
    link = tmp_path / real.name  # the stamp goes next to the link, not into models/
    link.symlink_to(real)
    result = check(link, os.cpu_count() or 2)
    assert result.ok, result.detail
    assert not result.cached and stamp_path(link).exists()
    shutil.rmtree(tmp_path)
