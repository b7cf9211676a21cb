"""Retrieval latency as the index grows: the 5 sample articles, then 1k, 10k and 100k passages.

A scale index holds the 5 sample articles (ingested and embedded as usual) plus synthetic
French-like articles (`bench.corpus`), cleaned and chunked by the project's `prepare` and written
through `ArticleIndex.write_articles`, so Chroma, the ledger and the keyword index hold real
entries. Two shortcuts keep the 100k build to minutes on 2 cores, and neither touches what is
timed: chunk budgets use words × 1.7 instead of the tokenizer, and the vectors are not computed by
the embedder but are real sample-passage vectors plus noise (cosine ≈ 0.85 to the original), so
they sit where French news vectors sit. Built indexes are cached under `bench/.cache/`, keyed by
their parameters. Latency is measured through `Assistant.retrieve` (which embeds the question
with the real embedder), then split into its parts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import time
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from assistant import Assistant, Filters
from assistant.index.articles import ArticleWrite, ingest_lock
from bench.corpus import Vocabulary, queries, sample_files, synthetic_articles
from bench.measure import dir_mb, peak_rss_mb, rss_mb, summary_ms
from bench.options import Options, bench_settings
from bench.quality import article_rank, load_cases, retrieval_cases
from ingest.loader import RawDocument
from ingest.pipeline import PIPELINE_VERSION, prepare, run_ingest

logger = logging.getLogger(__name__)

GENERATOR = 1  # bump when the synthetic corpus or the way it is written changes
_NOISE = 0.62  # noise norm for a unit base vector: cosine to the base 1/sqrt(1 + 0.62²) ≈ 0.85
_WORDS_TO_TOKENS = 1.7  # E5 tokens per word of the synthetic text (measured: 1.69)
_ARTICLES_PER_WRITE = 500
_FILTERED_QUERIES = 20


class _ApproxTokens:
    """The chunker's token count for synthetic text, without running the tokenizer."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.window = 0  # the settings' chunk budget applies

    def count_tokens(self, text: str) -> int:
        return max(1, round(len(text.split()) * _WORDS_TO_TOKENS))


def index_params(options: Options, size: int) -> dict[str, Any]:
    """Everything a cached scale index depends on; its hash names the cache folder."""
    settings = bench_settings(options.cache / "unused")
    digest = hashlib.sha256()
    for path in sample_files(options.samples):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {
        "passages": size,
        "seed": options.seed,
        "generator": GENERATOR,
        "pipeline": PIPELINE_VERSION,
        "samples": digest.hexdigest()[:16],
        "embedding": settings.embedding.model_dump(mode="json"),
        "chunk": settings.chunk.model_dump(mode="json"),
        "chromadb": metadata.version("chromadb"),
    }


def index_dir(options: Options, size: int) -> Path:
    params = json.dumps(index_params(options, size), sort_keys=True)
    return options.cache / f"scale-{size}-{hashlib.sha1(params.encode()).hexdigest()[:12]}"


def build(options: Options, size: int) -> dict[str, Any]:
    """Build the scale index for `size` passages (0: the samples only) unless it is cached."""
    path = index_dir(options, size)
    done = path / "bench-index.json"
    if done.exists():
        return dict(json.loads(done.read_text()), cached=True)
    shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    if size:  # the samples' index (embedded once, cached), plus synthetic passages
        real = build(options, 0)["real_passages"]
        shutil.copytree(index_dir(options, 0), path, ignore=shutil.ignore_patterns("bench-*"))
        assistant = Assistant(bench_settings(path, options.samples))
    else:
        assistant = Assistant(bench_settings(path, options.samples), ingester=run_ingest)
        real = assistant.library.ingest().chunks_total
    synthetic = max(size - real, 0)
    if synthetic:
        _add_synthetic(assistant, synthetic, options)
    info = {
        **index_params(options, size),
        "real_passages": real,
        "synthetic_passages": synthetic,
        "build_s": round(time.perf_counter() - started, 1),
    }
    done.write_text(json.dumps(info, indent=1))
    return dict(info, cached=False)


def _add_synthetic(assistant: Assistant, target: int, options: Options) -> None:
    settings = assistant.settings
    index = assistant.index
    counter = _ApproxTokens(assistant.embedder.name)
    rng = np.random.default_rng(options.seed)
    with ingest_lock(settings.index_dir):
        bases = np.asarray(index.collection.get(include=["embeddings"])["embeddings"])
        index.bump_generation()  # the keyword index is stale until rebuilt below
        written, batch = 0, []
        for key, text in synthetic_articles(Vocabulary(options.samples), options.seed):
            prepared = prepare(RawDocument(Path(key), key, text), counter, settings)
            if isinstance(prepared, str):
                continue
            chunks = prepared.chunks[: target - written]
            row = dataclasses.replace(prepared.row, chunk_ids=[c.chunk_id for c in chunks])
            vectors = _perturbed(bases, len(chunks), rng)
            batch.append(
                ArticleWrite(
                    row, prepared.text, chunks, dict(zip(row.chunk_ids, vectors, strict=True))
                )
            )
            written += len(chunks)
            if len(batch) == _ARTICLES_PER_WRITE or written >= target:
                index.write_articles(batch)
                batch = []
                logger.info("scale index: %d / %d synthetic passages", written, target)
            if written >= target:
                break
        index.rebuild_keyword()


def _perturbed(bases: np.ndarray, n: int, rng: np.random.Generator) -> list[list[float]]:
    picked = bases[rng.integers(0, len(bases), n)]
    noise = rng.standard_normal(picked.shape)
    noise *= _NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = picked + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [list(map(float, v)) for v in vectors]


def measure(options: Options, size: int, built: dict[str, Any]) -> dict[str, Any]:
    """Latency of `Assistant.retrieve` on a built index, its parts, memory and disk."""
    path = index_dir(options, size)
    assistant = Assistant(bench_settings(path, options.samples))
    vocab = Vocabulary(options.samples)
    cases = retrieval_cases(load_cases(options.eval_file)) if options.eval_file.exists() else []
    warm = queries(vocab, options.warmup, options.seed + 1)
    timed = queries(vocab, options.queries, options.seed, [c["question"] for c in cases])
    started = time.perf_counter()
    assistant.retrieve(warm[0])
    first_s = time.perf_counter() - started  # loads the embedder, Chroma and the keyword index
    for q in warm[1:]:
        assistant.retrieve(q)
    latencies, files = [], {}
    for q in timed:
        started = time.perf_counter()
        passages = assistant.retrieve(q)
        latencies.append(time.perf_counter() - started)
        files[q] = [p.file for p in passages]
    filtered = Filters(date_from=date(2016, 1, 1))
    filtered_s = [
        _time(lambda q=q: assistant.retrieve(q, filters=filtered))
        for q in timed[:_FILTERED_QUERIES]
    ]
    parts = _parts(assistant, timed)
    ranks = [
        article_rank(files[c["question"]], c["sources"]) for c in cases if c["question"] in files
    ]
    index = assistant.index
    return {
        "passages": index.vector_count(),
        "articles": len(index.manifest.articles()),
        "index": built,
        "first_query_s": round(first_s, 2),
        "retrieve": summary_ms(latencies),
        "retrieve_filtered": summary_ms(filtered_s),
        **parts,
        "hit_at_5": round(sum(r is not None for r in ranks) / len(ranks), 3) if ranks else None,
        "disk_mb": {
            "chroma": dir_mb(path / "chroma"),
            "keyword": dir_mb(path / "keyword"),
            "ledger": round(
                sum(f.stat().st_size for f in path.glob("manifest.sqlite*")) / 1024**2, 1
            ),
        },
        "rss_mb": rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }


def _parts(assistant: Assistant, timed: list[str]) -> dict[str, Any]:
    """The same queries, one part at a time: embedding, Chroma, keyword index."""
    cfg = assistant.settings.retrieval
    n = max(cfg.candidates, 2 * cfg.k)
    embed_s, vectors = [], []
    for q in timed:
        started = time.perf_counter()
        vectors.append(assistant.embedder.embed_query(q))
        embed_s.append(time.perf_counter() - started)
    collection = assistant.index.collection
    chroma_s = [
        _time(
            lambda v=v: collection.query(query_embeddings=[v], n_results=n, include=["distances"])
        )
        for v in vectors
    ]
    keyword_s = [_time(lambda q=q: assistant.retriever.keyword(q, n, None)) for q in timed]
    return {
        "embed_query": summary_ms(embed_s),
        "chroma_query": summary_ms(chroma_s),
        "keyword_search": summary_ms(keyword_s),
    }


def _time(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started
