"""The ledger's article cache and the bulk write path, on real SQLite and real Chroma."""

from __future__ import annotations

import random
from collections.abc import Callable

from assistant.index.articles import ArticleIndex, ArticleWrite
from assistant.index.manifest import ArticleRow, ChunkRow, Manifest
from assistant.settings import Settings
from ingest.pipeline import run_ingest
from tests.conftest import MemoEmbeddings
from tests.crashkit import assert_consistent

DIM = 384


def _article(n: int, texts: list[str]) -> tuple[ArticleRow, list[ChunkRow]]:
    article_id = f"bulk{n:012d}"
    chunks, pos = [], 0
    for seq, text in enumerate(texts):
        chunks.append(
            ChunkRow(
                f"{article_id}-{seq:04d}-{len(text)}",
                article_id,
                seq,
                text,
                pos,
                pos + len(text),
                f"h{n}-{seq}-{hash(text)}",
            )
        )
        pos += len(text) + 2
    row = ArticleRow(
        article_id,
        f"bulk/{n}.txt",
        f"{n}.txt",
        f"Article {n}",
        "2016-09-28",
        f"hash-{n}-{len(texts)}",
        "2026-01-01T00:00:00+00:00",
        "pending",
        [c.chunk_id for c in chunks],
        [],
    )
    return row, chunks


def _vectors(chunks: list[ChunkRow], rng: random.Random) -> dict[str, list[float]]:
    out = {}
    for c in chunks:
        v = [rng.gauss(0, 1) for _ in range(DIM)]
        norm = sum(x * x for x in v) ** 0.5
        out[c.chunk_id] = [x / norm for x in v]
    return out


def _write(index: ArticleIndex, n: int, texts: list[str], rng: random.Random) -> ArticleWrite:
    row, chunks = _article(n, texts)
    return ArticleWrite(row, "\n\n".join(texts), chunks, _vectors(chunks, rng))


def test_bulk_write_matches_the_ledger_chroma_and_keyword_index(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings()
    run_ingest(settings, embedder)  # real articles first: bulk writes add to them
    index = ArticleIndex(settings, embedder.name)
    rng = random.Random(0)
    items = [
        _write(index, n, [f"Passage {n}-{i} sur Zaporijia{n} et la Syrie." for i in range(3)], rng)
        for n in range(300)
    ]
    index.bump_generation()
    index.write_articles(items)
    index.rebuild_keyword()
    assert len(index.manifest.articles()) == 305
    assert index.vector_count() == 48 + 900
    assert_consistent(index)
    keyword = index.keyword()
    assert keyword is not None
    assert {i for i, _ in keyword.search("Zaporijia123", 5)} == {
        c.chunk_id for c in items[123].chunks
    }


def test_bulk_rewrite_replaces_the_old_chunks(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings(copy_samples=False)
    index = ArticleIndex(settings, embedder.name)
    rng = random.Random(1)
    index.write_articles([_write(index, n, ["un", "deux", "trois"], rng) for n in range(4)])
    index.write_articles([_write(index, 2, ["quatre"], rng)])
    index.rebuild_keyword()
    assert_consistent(index)
    kept = index.collection.get(where={"article_id": "bulk000000000002"}, include=["documents"])
    assert kept["documents"] == ["quatre"]
    assert index.vector_count() == 10


def test_article_rows_follow_writes_from_any_connection(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(copy_samples=False)
    path = settings.index_dir / "manifest.sqlite"
    reader, writer = Manifest(path), Manifest(path)
    row, chunks = _article(1, ["un passage"])
    assert reader.articles() == []
    writer.mark_pending(row, "un passage", chunks, [])
    assert [a.state for a in reader.articles()] == ["pending"]  # another connection's commit
    writer.mark_done(row.article_id)
    assert [a.state for a in reader.articles()] == ["done"]
    reader.remove(row.article_id)  # its own commit
    assert reader.articles() == [] and writer.articles() == []
    reader.articles().append(row)  # callers get a copy of the cached list
    assert reader.articles() == []


def test_vector_count_follows_writes_by_another_index(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    """A serving process sees the articles another process's ingest added (cached count)."""
    settings = make_settings(copy_samples=False)
    serving = ArticleIndex(settings, embedder.name)
    assert serving.vector_count() == 0
    ingesting = ArticleIndex(settings, embedder.name)
    rng = random.Random(2)
    ingesting.write_articles([_write(ingesting, n, ["un", "deux"], rng) for n in range(3)])
    assert serving.vector_count() == 6
    ingesting.delete_article("bulk000000000001")
    assert serving.vector_count() == 4
    assert set(serving.manifest.articles_by_id()) == {"bulk000000000000", "bulk000000000002"}
