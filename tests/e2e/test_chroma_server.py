"""The scale-out mode: ingest and retrieve against a real `chroma run` server on localhost."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.errors import AssistantError
from ingest.pipeline import run_ingest
from tests.conftest import MemoEmbeddings
from tests.served import free_port

pytestmark = pytest.mark.server


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert exe, "the chroma CLI comes with the chromadb package"
    port = free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ingest_and_retrieve_through_a_chroma_server(
    chroma_server: int, make_settings: Any, embedder: MemoEmbeddings
) -> None:
    settings = make_settings(store__mode="http", store__port=str(chroma_server))
    report = run_ingest(settings, embedder)
    assert len(report.added) == 5
    assert not (settings.index_dir / "chroma").exists(), "vectors live on the server"
    assert run_ingest(settings, embedder).chunks_embedded == 0
    assistant = Assistant(settings, embedder=embedder)
    assert assistant.stats()["vectors"] == report.chunks_total
    best = assistant.retrieve("Qu'ont fait Kerry et Lavrov pendant leur pause à Moscou ?", k=3)
    assert best[0].file.startswith("003")


def test_unreachable_server_is_explained(make_settings: Any, embedder: MemoEmbeddings) -> None:
    settings = make_settings(store__mode="http", store__port=str(free_port()))
    with pytest.raises(AssistantError, match="chroma run"):
        run_ingest(settings, embedder)
