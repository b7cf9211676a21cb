"""`python app.py` as a user starts it: the address it prints, and a port already taken."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.web.launch import port_problem
from tests.conftest import MODEL, ROOT
from tests.served import app_env, copy_project, served_app

pytestmark = pytest.mark.server


def test_a_port_in_use_is_named_with_the_setting_to_change(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_problem("127.0.0.1", port) is not None
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "app.py"], cwd=ROOT, env=app_env(tmp_path, port),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"127.0.0.1:{port}" in run.stderr and "ASSISTANT__APP__PORT" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "Checking that the local model" not in run.stdout, "said before the model check"
    assert time.monotonic() - started < 60
    assert port_problem("127.0.0.1", port) is None, "free once released"


def test_an_address_not_of_this_machine_names_the_host_setting() -> None:
    for host in ["192.0.2.1", "no-such-host.invalid"]:  # a documentation-only address; no name
        problem = port_problem(host, 7860)
        assert problem is not None and "app.host" in problem and "app.port" not in problem


@pytest.mark.llm
def test_the_address_is_printed_though_the_model_loads_meanwhile(
    tmp_path: Path, sample_index: Path
) -> None:
    """llama.cpp silences the process's output while it loads a model; the address must not
    fall into that silence."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: `make test` provisions it first")
    project = copy_project(sample_index, tmp_path / "project")
    with served_app(project, tmp_path / "app.log") as app:
        deadline = time.monotonic() + 180
        while "Warm-up" not in app.logs() and time.monotonic() < deadline:
            time.sleep(0.5)
        logs = app.logs()
    assert "Warm-up done" in logs, logs[-2000:]
    assert f"Running on local URL:  {app.url.rstrip('/')}" in logs, logs[-2000:]
