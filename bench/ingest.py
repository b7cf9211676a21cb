"""Ingest throughput: ours (`run_ingest`) against the LangChain tutorial pipeline, same files and
same embedder; then an unchanged re-ingest (in-process and as the CLI) and one edited article."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.models.embeddings import make_embedder
from assistant.settings import PROJECT_ROOT, Settings
from bench import tutorial
from bench.corpus import copy_with_edits, edit_article, sample_files
from bench.options import Options, bench_settings
from bench.quality import load_cases, retrieval_cases, retrieval_quality
from ingest.pipeline import Embedder, run_ingest

logger = logging.getLogger(__name__)


def run(options: Options) -> dict[str, Any]:
    started = time.perf_counter()
    probe = bench_settings(Path(tempfile.gettempdir()) / "bench-unused")
    embedder = make_embedder(probe.embedding)
    embedder_load_s = time.perf_counter() - started
    embedder.embed_documents(["Un premier passage pour charger le modèle."])  # first-call costs
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        corpora: list[tuple[str, Path]] = [("samples", work / "samples")]
        shutil.copytree(options.samples, corpora[0][1])
        if options.articles:
            copies = work / f"copies-{options.articles}"
            copy_with_edits(options.samples, copies, options.articles, options.seed)
            corpora.append((f"{options.articles} articles", copies))
        results = []
        quality: dict[str, Any] = {}
        for name, folder in corpora:
            logger.info("ingest: %s", name)
            settings = bench_settings(work / f"{folder.name}-ours", folder)
            ours = _ours(settings, embedder)
            built = tutorial.build(sample_files(folder), embedder, work / f"{folder.name}-tutorial")
            theirs = _tutorial(built, embedder)
            if name == "samples":  # before the edit below changes an article
                quality = _quality(options, Assistant(settings), built)
            ours.update(_edit(settings, embedder))
            results.append(
                {"corpus": name, "ours": ours, "tutorial": theirs, **_ratios(ours, theirs)}
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "embedder": embedder.name,
        "embedder_load_s": round(embedder_load_s, 2),
        "corpora": results,
        "quality": quality,
    }


def _ours(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    full = _timed(lambda: run_ingest(settings, embedder))
    unchanged = _timed(lambda: run_ingest(settings, embedder))
    cli = _cli(settings.index_dir, settings.articles_dir)
    report = full["report"]
    n = len(report.added)
    return {
        "articles": n,
        "chunks": report.chunks_total,
        "tokens_embedded": report.tokens_embedded,
        "full_s": _r(full["s"]),
        "full_cpu_s": _r(full["cpu_s"]),
        "articles_per_s": _r(n / full["s"]),
        "chunks_per_s": _r(report.chunks_embedded / full["s"]),
        "tokens_per_s": _r(report.tokens_embedded / full["s"]),
        "unchanged_s": _r(unchanged["s"]),
        "unchanged_embedded": unchanged["report"].chunks_embedded,
        "full_over_unchanged": _r(full["s"] / unchanged["s"]),
        "cli_unchanged_s": _r(cli["s"]),
        "cli_import_s": _r(cli["import_s"]),
        "full_over_cli_unchanged": _r(full["s"] / cli["s"]),
    }


def _edit(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """One article gets a paragraph more; only its chunks are (re-)embedded."""
    edit_article(sample_files(settings.articles_dir)[0])
    edited = _timed(lambda: run_ingest(settings, embedder))
    return {
        "edited_s": _r(edited["s"]),
        "edited_embedded": edited["report"].chunks_embedded,
        "edited_updated": len(edited["report"].updated),
    }


def _tutorial(built: tutorial.TutorialIndex, embedder: Embedder) -> dict[str, Any]:
    tokens = sum(embedder.count_tokens(t) for t in built.texts)
    return {
        "articles": built.n_files,
        "chunks": len(built.texts),
        "tokens_embedded": tokens,
        "full_s": _r(built.seconds),
        "full_cpu_s": _r(built.cpu_s),
        "articles_per_s": _r(built.n_files / built.seconds),
        "chunks_per_s": _r(len(built.texts) / built.seconds),
        "tokens_per_s": _r(tokens / built.seconds),
        "split_s": _r(built.split_s),
        "index_s": _r(built.index_s),
    }


def _ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Above 1: ours is faster (wall or CPU time for the same files) or embeds more tokens."""
    return {
        "speed_ratio": _r(ours["articles_per_s"] / theirs["articles_per_s"]),
        "cpu_ratio": _r(theirs["full_cpu_s"] / ours["full_cpu_s"]),
        "tokens_ratio": _r(ours["tokens_embedded"] / theirs["tokens_embedded"]),
    }


def _quality(
    options: Options, assistant: Assistant, built: tutorial.TutorialIndex
) -> dict[str, Any]:
    """Article-level hit@k / MRR of both retrievers on the eval file, at the tutorial's k."""
    if not options.eval_file.exists():
        return {"skipped": f"no eval file at {options.eval_file}"}
    cases = retrieval_cases(load_cases(options.eval_file))
    k = tutorial.K

    def ours(question: str) -> list[str]:
        return [p.file for p in assistant.retrieve(question, k=k)]

    return {
        "eval_file": str(options.eval_file),
        "ours": retrieval_quality(cases, ours, k),
        "tutorial": retrieval_quality(cases, lambda q: tutorial.search_files(built, q), k),
    }


def _cli(index_dir: Path, articles: Path) -> dict[str, float]:
    """Wall time of `python -m ingest` on the unchanged folder, and of the imports alone."""
    env = {
        **os.environ,
        "ASSISTANT__PATHS__INDEX_DIR": str(index_dir),
        "ASSISTANT__PATHS__ARTICLES_DIR": str(articles),
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ingest", "--quiet"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    cli_s = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import ingest.__main__, ingest.pipeline, assistant.index"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return {"s": cli_s, "import_s": time.perf_counter() - started}


def _timed(call: Any) -> dict[str, Any]:
    """Wall time, and CPU time of this process (all its threads): on a shared CPU the wall
    time depends on what else runs, the CPU time much less."""
    started, cpu = time.perf_counter(), time.process_time()
    report = call()
    return {
        "s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "report": report,
    }


def _r(x: float) -> float:
    return round(x, 3)
