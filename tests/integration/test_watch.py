"""The watched articles folder: files added, changed and removed are indexed within seconds,
by the normal ingest (with prune), debounced, and a question sees them without a restart."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from assistant import Assistant
from ingest.pipeline import run_ingest
from ingest.watch import FolderWatcher
from tests.conftest import ROOT, SAMPLES
from tests.served import ctrl_c_works

ARTICLE = (
    "Le barrage de Serre-Ponçon fête ses soixante ans\n\n"
    "Le plus grand lac artificiel de France a été mis en eau en 1959 sur la Durance. "
    "Les élus des Hautes-Alpes ont inauguré mardi un musée consacré au chantier du barrage."
)


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the watched folder did not catch up"
        time.sleep(0.2)


def test_added_changed_and_removed_files_are_indexed_within_seconds(
    make_settings: Any, embedder: Any
) -> None:
    settings = make_settings(copy_samples=False)
    assistant = Assistant(settings, embedder=embedder, ingester=run_ingest)
    folder = settings.articles_dir
    watcher = FolderWatcher(
        folder,
        lambda: assistant.library.ingest(prune=True),
        settings.ingest.extensions,
        debounce_s=0.5,
    ).start()
    try:
        for sample in sorted(SAMPLES.glob("*.txt"))[:3]:  # a burst of files: one run or two
            shutil.copy(sample, folder / sample.name)
        (folder / ".draft.txt.swp").write_text("an editor's temporary file")
        wait_for(lambda: len(assistant.articles()) == 3)
        assert watcher.runs <= 2, "debounced"

        started = time.monotonic()
        (folder / "barrage.txt").write_text(ARTICLE, encoding="utf-8")
        wait_for(lambda: len(assistant.articles()) == 4)
        seconds = time.monotonic() - started
        found = assistant.retrieve("Quand le lac de Serre-Ponçon a-t-il été mis en eau ?")
        assert found[0].file == "barrage.txt", "a question sees it without a restart"

        (folder / "barrage.txt").write_text(ARTICLE.replace("1959", "1960"), encoding="utf-8")
        wait_for(lambda: "1960" in assistant.retrieve("Serre-Ponçon mis en eau")[0].text)

        (folder / "barrage.txt").unlink()
        wait_for(lambda: len(assistant.articles()) == 3)
    finally:
        watcher.stop()
    assert seconds < 10, f"indexed {seconds:.1f} s after it was saved"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_command_watches_until_stopped(make_settings: Any, stop: signal.Signals) -> None:
    settings = make_settings(copy_samples=False)
    env = {
        **os.environ,
        "ASSISTANT__PATHS__ARTICLES_DIR": str(settings.articles_dir),
        "ASSISTANT__PATHS__INDEX_DIR": str(settings.index_dir),
        "PYTHONUNBUFFERED": "1",
        "PYTHONFAULTHANDLER": "1",  # SIGABRT below prints every thread's stack to the log
    }
    log = settings.root / "watch.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ingest", "--watch", "--quiet"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=ctrl_c_works,
        )  # fmt: skip
    try:
        wait_for(lambda: "Watching" in log.read_text(), 120)
        (settings.articles_dir / "barrage.txt").write_text(ARTICLE, encoding="utf-8")
        wait_for(lambda: "added 1" in log.read_text(), 60)
    finally:
        process.send_signal(stop)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            raise AssertionError(f"no exit 60 s after {stop.name}:\n{log.read_text()}") from None
    assert code == 0, log.read_text()
    assert "Stopping" in log.read_text()
    assert "Traceback" not in log.read_text()
