"""Crash-safe ingest: SIGKILL `python -m ingest` at random points, then check nothing is lost.

Each cycle changes the corpus (edits, additions, deletions), starts `python -m ingest --prune`,
kills it with SIGKILL at a seeded random moment, runs a normal ingest to completion and compares
the index with what a fresh ingest of the same files holds: the same articles, exactly one copy
of every chunk (same ids, texts and offsets) in the ledger, in Chroma and in the keyword index,
every vector findable, nothing pending. `make test` runs a few kills; `make stress` runs many:

    STRESS_KILLS=25 STRESS_ARTICLES=300 pytest tests/e2e/test_crash_ingest.py -s
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests import crashkit
from tests.conftest import MemoEmbeddings
from tests.corpus import article_name, article_text, write_corpus

pytestmark = pytest.mark.slow  # kills ingest processes: not in `make test-fast`

KILLS = int(os.environ.get("STRESS_KILLS", "3"))
ARTICLES = int(os.environ.get("STRESS_ARTICLES", "24"))
SEED = int(os.environ.get("STRESS_SEED", "20240521"))
MAX_SECONDS = float(os.environ.get("STRESS_MAX_SECONDS", "600"))
STRATEGIES = ("startup", "working", "pending", "keyword")


def _mutate(folder: Path, rng: random.Random, versions: dict[int, int], next_n: int) -> int:
    """Edit, delete and add a few articles; returns the next free article number."""
    numbers = sorted(versions)
    k = max(2, len(numbers) // 30)
    for n in rng.sample(numbers, k):
        versions[n] += 1
        (folder / article_name(n)).write_text(
            article_text(n, SEED, version=versions[n]), encoding="utf-8"
        )
    for n in rng.sample(numbers, k // 2):
        (folder / article_name(n)).unlink()
        del versions[n]
    for n in range(next_n, next_n + k // 2 + 1):
        (folder / article_name(n)).write_text(article_text(n, SEED), encoding="utf-8")
        versions[n] = 0
    return next_n + k // 2 + 1


def _kill(
    launched: crashkit.Launched,
    index_dir: Path,
    strategy: str,
    rng: random.Random,
    timing: dict[str, float],
) -> str | None:
    """Kill at a moment chosen by `strategy`; a description, or None if it ended first."""
    if strategy == "startup":  # while loading settings, models, Chroma, the lock
        delay = rng.uniform(0.0, timing["setup_s"])
        time.sleep(delay)
        what = f"{delay:.2f} s after launch"
    elif strategy == "working":  # anywhere while files are processed
        if crashkit.wait_until(launched.progress_started, launched, timeout=300):
            timing["setup_s"] = time.perf_counter() - launched.started
        delay = rng.uniform(0.0, timing["work_s"])
        time.sleep(delay)
        what = f"{delay:.2f} s into the files"
    elif strategy == "pending":  # an article marked pending: its Chroma write is under way
        before = crashkit.ledger_counts(index_dir).get("pending", 0)
        seen = crashkit.wait_until(
            lambda: crashkit.ledger_counts(index_dir).get("pending", 0) > before,
            launched,
            timeout=300,
        )
        what = "as an article went pending" if seen else "pending never seen"
    else:  # the keyword index being saved
        seen = crashkit.wait_until(
            lambda: crashkit.keyword_save_in_progress(index_dir), launched, timeout=300
        )
        what = "during the keyword index save" if seen else "keyword save never seen"
    elapsed = time.perf_counter() - launched.started
    if not launched.kill():
        return None
    counts = crashkit.ledger_counts(index_dir)
    return (
        f"killed at {elapsed:.2f} s ({strategy}: {what}): ledger {counts.get('done', 0)} done, "
        f"{counts.get('pending', 0)} pending"
    )


def test_sigkill_at_random_points_loses_nothing(
    tmp_path: Path, make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    articles, index = tmp_path / "articles", tmp_path / "index"
    env = crashkit.ingest_env(articles, index)
    settings = make_settings(
        copy_samples=False, paths__articles_dir=str(articles), paths__index_dir=str(index)
    )
    write_corpus(articles, ARTICLES, SEED)
    versions = dict.fromkeys(range(ARTICLES), 0)
    next_n = ARTICLES
    rng = random.Random(SEED)
    print(f"\ncrash test: seed {SEED}, {ARTICLES} articles, {KILLS} kills")
    started = time.perf_counter()
    # set-up time (launch to first file) is measured by each "working" kill
    timing = {"setup_s": 4.0, "work_s": 0.05 * ARTICLES}
    kills = cycles = 0
    while kills < KILLS:
        assert time.perf_counter() - started < MAX_SECONDS, f"only {kills} kills in time"
        if cycles:
            next_n = _mutate(articles, rng, versions, next_n)
        strategy = STRATEGIES[cycles % len(STRATEGIES)] if cycles else "working"
        launched = crashkit.launch(env, tmp_path / "logs", "--prune")
        outcome = _kill(launched, index, strategy, rng, timing)
        cycles += 1
        if outcome is None:
            print(f"cycle {cycles} ({strategy}): finished before the kill")
        else:
            kills += 1
            print(f"kill {kills}: {outcome}")
        done = crashkit.run_cli(env, "--prune", "--quiet")
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert "skipped 0" in done.stdout, done.stdout
        state = crashkit.dump(index, sample=3)
        expected = crashkit.expected_index(articles, settings, embedder)
        assert crashkit.problems(state, expected) == [], (outcome, done.stdout)
        for chunk_id, vector in state["vectors"].items():
            text = state["chroma"][chunk_id]["text"]
            assert _cos(vector, embedder.embed_documents([text])[0]) > 0.99, chunk_id
    chunks = sum(len(c) for c in expected.values())
    print(
        f"crash test: {kills} kills survived in {cycles} cycles, {len(expected)} articles, "
        f"{chunks} chunks, {time.perf_counter() - started:.0f} s"
    )

    fresh = tmp_path / "fresh"
    run = crashkit.run_cli(crashkit.ingest_env(articles, fresh), "--quiet")
    assert run.returncode == 0, run.stderr
    fresh_state = crashkit.dump(fresh)
    assert {i: c["text"] for i, c in fresh_state["chroma"].items()} == {
        i: c["text"] for i, c in state["chroma"].items()
    }, "a fresh ingest holds the same chunks as the index that survived the kills"
    assert {k: a["chunk_ids"] for k, a in fresh_state["articles"].items()} == {
        k: a["chunk_ids"] for k, a in state["articles"].items()
    }


def _cos(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_second_ingest_is_refused_while_one_runs(
    tmp_path: Path, make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    """A real second process, started while the first holds the lock, is turned away; a killed
    holder leaves no stale lock behind."""
    articles, index = tmp_path / "articles", tmp_path / "index"
    write_corpus(articles, 12, SEED)
    env = crashkit.ingest_env(articles, index)
    first = crashkit.launch(env, tmp_path / "logs")
    assert crashkit.wait_until(first.progress_started, first, timeout=300), "first never started"
    second = crashkit.run_cli(env, "--quiet")
    assert first.kill(), "the first ingest ended before the second one was tried"
    assert second.returncode == 2
    assert second.stderr.startswith(f"error: Another ingest (pid {first.proc.pid})"), second.stderr
    assert "Wait for it to finish" in second.stderr and "Traceback" not in second.stderr
    third = crashkit.run_cli(env, "--quiet")
    assert third.returncode == 0, third.stderr
    settings = make_settings(
        copy_samples=False, paths__articles_dir=str(articles), paths__index_dir=str(index)
    )
    expected = crashkit.expected_index(articles, settings, embedder)
    assert len(expected) == 12
    assert crashkit.problems(crashkit.dump(index), expected) == []
