"""Tools to kill `python -m ingest` at chosen moments and to check the index it leaves behind.

The index is always read back in a fresh process (`python -m tests.crashkit dump INDEX_DIR`):
an embedded Chroma client caches collection state per process, so reading it from the test
process while another process writes would check a stale copy, not what is on disk.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.index.articles import ArticleIndex

ROOT = Path(__file__).resolve().parent.parent


def ingest_env(articles_dir: Path, index_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT__PATHS__ARTICLES_DIR": str(articles_dir),
        "ASSISTANT__PATHS__INDEX_DIR": str(index_dir),
        "PYTHONUNBUFFERED": "1",
    }


def run_cli(env: dict[str, str], *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    """`python -m ingest ARGS` to completion, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Launched:
    proc: subprocess.Popen
    started: float
    stderr: Path

    def progress_started(self) -> bool:
        """The progress bar has appeared: set-up is over, files are being processed."""
        try:
            return "ingest:" in self.stderr.read_text(errors="replace")
        except OSError:
            return False

    def kill(self) -> bool:
        """SIGKILL now; False if the process had already exited."""
        if self.proc.poll() is not None:
            return False
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        return True


def launch(env: dict[str, str], log_dir: Path, *args: str) -> Launched:
    """Start `python -m ingest ARGS` with its progress bar going to a file."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stderr = log_dir / f"ingest-{time.monotonic_ns()}.err"
    with stderr.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingest", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    return Launched(proc, time.perf_counter(), stderr)


def wait_until(condition: Callable[[], bool], launched: Launched, timeout: float) -> bool:
    """Poll `condition` every few ms while the process runs; False if it ended or timed out."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and launched.proc.poll() is None:
        if condition():
            return True
        time.sleep(0.003)
    return False


def ledger_counts(index_dir: Path) -> dict[str, int]:
    """Articles per state, read from the ledger without taking any lock."""
    path = index_dir / "manifest.sqlite"
    if not path.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05)
        try:
            return dict(db.execute("SELECT state, COUNT(*) FROM articles GROUP BY state"))
        finally:
            db.close()
    except sqlite3.Error:
        return {}


def keyword_save_in_progress(index_dir: Path) -> bool:
    return any(index_dir.glob(".keyword.tmp-*"))


def dump(index_dir: Path, sample: int = 0, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything the index holds, read by a fresh process (see the module docstring)."""
    run = subprocess.run(
        [sys.executable, "-m", "tests.crashkit", "dump", str(index_dir), str(sample)],
        cwd=ROOT,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if run.returncode != 0:
        raise AssertionError(f"dump failed:\n{run.stderr}")
    return json.loads(run.stdout)


def _dump(index_dir: Path, sample: int) -> dict[str, Any]:
    import random

    from assistant.index.keywords import KeywordIndex
    from assistant.index.manifest import Manifest
    from assistant.index.store import get_collection, make_client
    from assistant.settings import StoreSettings

    manifest = Manifest(index_dir / "manifest.sqlite")
    articles = {
        a.key: {"article_id": a.article_id, "state": a.state, "chunk_ids": a.chunk_ids}
        for a in manifest.articles()
    }
    all_ids = [c for a in articles.values() for c in a["chunk_ids"]]
    ledger_chunks = {c.chunk_id: c.text for c in manifest.chunks(all_ids).values()}
    store = StoreSettings()
    collection = get_collection(make_client(store, index_dir), store.collection)
    got = collection.get(include=["documents", "metadatas", "embeddings"])
    ids: list[str] = got["ids"]
    embeddings = [list(map(float, e)) for e in got["embeddings"]] if ids else []
    # The vectors must be searchable, not just stored: each one finds itself first (or tied
    # first: a paragraph syndicated in two articles has the same vector twice).
    misses = []
    for i in range(0, len(ids), 256):
        found = collection.query(
            query_embeddings=embeddings[i : i + 256], n_results=4, include=["distances"]
        )
        for j, (hits, dists) in enumerate(zip(found["ids"], found["distances"], strict=True)):
            if ids[i + j] not in [
                h for h, d in zip(hits, dists, strict=True) if d <= dists[0] + 1e-4
            ]:
                misses.append(ids[i + j])
    keyword = KeywordIndex.load(index_dir / "keyword")
    generation = manifest.get_meta("generation")
    picked = random.Random(len(ids)).sample(range(len(ids)), min(sample, len(ids)))
    return {
        "articles": articles,
        "ledger_chunks": ledger_chunks,
        "chroma": {
            i: {"text": d, "meta": m}
            for i, d, m in zip(ids, got["documents"], got["metadatas"], strict=True)
        },
        "chroma_count": collection.count(),
        "chroma_rows": len(ids),
        "self_query_misses": misses,
        "keyword_ids": keyword.ids if keyword else None,
        "keyword_in_sync": generation is not None
        and KeywordIndex.read_stamp(index_dir / "keyword") == generation,
        "vectors": {ids[i]: embeddings[i] for i in picked},
    }


def expected_index(articles_dir: Path, settings: Any, embedder: Any) -> dict[str, list[Any]]:
    """What a fresh ingest of the folder holds: article key → [(chunk id, text, start, end)]."""
    from ingest.loader import RawDocument, article_key, discover, load_file
    from ingest.pipeline import prepare

    out: dict[str, list[Any]] = {}
    max_bytes = int(settings.ingest.max_file_mb * 1024 * 1024)
    for path in discover([articles_dir], settings.ingest.extensions).files:
        doc = load_file(
            path, article_key(path, articles_dir), max_bytes, settings.ingest.max_text_chars
        )
        if not isinstance(doc, RawDocument):
            continue
        prepared = prepare(doc, embedder, settings)
        if isinstance(prepared, str):
            continue
        out[doc.key] = [(c.chunk_id, c.text, c.start, c.end) for c in prepared.chunks]
    return out


def problems(state: dict[str, Any], expected: dict[str, list[Any]]) -> list[str]:
    """Every way the index differs from a fresh ingest of the same files (empty: identical)."""
    out: list[str] = []
    articles = state["articles"]
    lost = sorted(set(expected) - set(articles))
    extra = sorted(set(articles) - set(expected))
    if lost:
        out.append(f"{len(lost)} articles lost, e.g. {lost[:3]}")
    if extra:
        out.append(f"{len(extra)} articles that no file has, e.g. {extra[:3]}")
    pending = sorted(k for k, a in articles.items() if a["state"] != "done")
    if pending:
        out.append(f"{len(pending)} articles left pending, e.g. {pending[:3]}")
    for key, chunks in expected.items():
        if key in articles and articles[key]["chunk_ids"] != [c[0] for c in chunks]:
            out.append(f"{key}: ledger chunk ids differ from a fresh ingest")
    want = {c[0]: c for chunks in expected.values() for c in chunks}
    chroma = state["chroma"]
    if state["chroma_rows"] != len(chroma) or state["chroma_count"] != len(chroma):
        out.append(
            f"Chroma count {state['chroma_count']} / rows {state['chroma_rows']} "
            f"/ distinct ids {len(chroma)}"
        )
    missing = sorted(set(want) - set(chroma))
    stray = sorted(set(chroma) - set(want))
    if missing:
        out.append(f"{len(missing)} chunks missing from Chroma, e.g. {missing[:3]}")
    if stray:
        out.append(f"{len(stray)} stray chunks in Chroma (duplicates or stale), e.g. {stray[:3]}")
    for chunk_id, (_, text, start, end) in want.items():
        row = chroma.get(chunk_id)
        if row is None:
            continue
        meta = row["meta"] or {}
        if row["text"] != text or (meta.get("start"), meta.get("end")) != (start, end):
            out.append(f"{chunk_id}: Chroma text or offsets differ from a fresh ingest")
        if state["ledger_chunks"].get(chunk_id) != text:
            out.append(f"{chunk_id}: ledger text differs from a fresh ingest")
    if state["self_query_misses"]:
        out.append(f"{len(state['self_query_misses'])} vectors not found by their own query")
    keyword = state["keyword_ids"]
    if keyword is None:
        out.append("no readable keyword index")
    elif sorted(keyword) != sorted(chroma) or len(keyword) != len(set(keyword)):
        out.append(f"keyword index has {len(keyword)} ids, Chroma {len(chroma)}: they differ")
    if not state["keyword_in_sync"]:
        out.append("keyword index stamp is not the ledger's generation")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "dump":
        sys.exit("usage: python -m tests.crashkit dump INDEX_DIR SAMPLE")
    json.dump(_dump(Path(sys.argv[2]), int(sys.argv[3])), sys.stdout, ensure_ascii=False)


def assert_consistent(index: ArticleIndex) -> None:
    """Exactly one copy of every chunk, in the ledger, in Chroma and in the keyword index."""
    ledger = {c for a in index.manifest.articles() for c in a.chunk_ids}
    assert all(a.state == "done" for a in index.manifest.articles())
    chroma = index.collection.get(include=[])["ids"]
    assert len(chroma) == len(set(chroma))
    assert set(chroma) == ledger
    keyword = index.keyword()
    assert keyword is not None and sorted(keyword.ids) == sorted(ledger)


# a child process that dies as a llama.cpp built for another CPU does
DIE_WITH_SIGILL = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGILL)"]
