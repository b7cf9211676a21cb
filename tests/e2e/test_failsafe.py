"""When the embedded model crashes on this CPU (SIGILL, as a native build with AMX does on a VM
that forbids it), the web chat and the CLI stay up, say what happened and which command fixes
it, and show the passages found instead of a written answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from assistant.models.llmcheck import REBUILD_COMMAND, check
from tests.conftest import MODEL, ROOT
from tests.crashkit import DIE_WITH_SIGILL
from tests.served import Conversation, app_env, copy_project, served_app

QUESTION = "Qui a menacé de suspendre la coopération avec la Russie sur la Syrie ?"
# First on the path, a llama_cpp package that dies with SIGILL when imported.
CRASHING_LLAMA = str(ROOT / "tests" / "sigill")


@pytest.fixture
def provisioned(tmp_path: Path) -> Path:
    """A models folder holding the provisioned default model (linked) and its checksum stamp,
    but no record of an earlier successful check: the check runs."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: `make test` provisions it first")
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / MODEL.name).symlink_to(MODEL)
    checksum = MODEL.with_name(MODEL.name + ".sha256")
    shutil.copy2(checksum, folder / checksum.name)
    return folder


def test_a_crashing_model_gives_passages_and_the_rebuild_command(
    sample_assistant: object, provisioned: Path, embedder: object
) -> None:
    from assistant import Assistant

    settings = sample_assistant.settings  # type: ignore[attr-defined]
    settings.paths.models_dir = provisioned
    assistant = Assistant(
        settings, model_check=partial(check, command=DIE_WITH_SIGILL), embedder=embedder
    )
    first = assistant.ask(QUESTION)
    assert first.retrieval_only and not first.refused
    assert REBUILD_COMMAND in first.text and "SIGILL" in first.text
    assert first.passages and "Kerry" in " ".join(p.text for p in first.passages)
    # a follow-up and a question in another language need the model too: searched without it
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first.text}]
    follow = assistant.ask("Et qu'a répondu Moscou ?", history)
    english = assistant.ask("Who threatened to suspend cooperation with Russia?")
    assert follow.retrieval_only and english.retrieval_only and english.passages
    assert assistant.warm_up(max_passages=0) == 0, "the warm-up does not load the model"
    assert not assistant.parts.llm_loaded, "the model was never loaded in this process"


@pytest.mark.server
def test_the_app_and_the_cli_survive_a_model_that_crashes(
    tmp_path: Path, sample_index: Path, provisioned: Path
) -> None:
    project = copy_project(sample_index, tmp_path / "project")
    crashing = {"PYTHONPATH": os.pathsep.join([CRASHING_LLAMA, str(ROOT)])}
    env = app_env(project) | crashing | {"ASSISTANT__PATHS__MODELS_DIR": str(provisioned)}
    cli = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", QUESTION],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert cli.returncode == 2, cli.stderr
    assert f"`{REBUILD_COMMAND}`" in cli.stderr and "SIGILL" in cli.stderr
    assert "Traceback" not in cli.stderr + cli.stdout
    assert "Kerry" in cli.stdout, "the passages found are printed"
    checked = subprocess.run(
        [sys.executable, "-m", "assistant", "check-model"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert checked.returncode == 2 and REBUILD_COMMAND in checked.stderr

    with served_app(
        project, tmp_path / "app.log", extra_env=crashing, paths__models_dir=str(provisioned)
    ) as app:
        chat = Conversation(app.url)
        try:
            reply = chat.ask(QUESTION)
            again = chat.ask("Et la Russie, qu'a-t-elle répondu ?")
        finally:
            chat.close()
        assert app.alive(), "the web chat is still serving"
        assert not reply.error and REBUILD_COMMAND in reply.text
        assert "No written answer" in reply.text and "Kerry" in reply.sources
        assert not again.error and REBUILD_COMMAND in again.text
        logs = app.logs()
    assert f"error: The local model {MODEL.name} cannot run" in logs
    assert "Traceback" not in logs
