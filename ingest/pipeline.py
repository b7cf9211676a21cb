"""One ingest run: load → clean → chunk → embed what is new → write, then publish the keyword index.

Idempotent and incremental: an article whose cleaned text hash is unchanged is skipped without
embedding; chunk ids come from content, so a run interrupted at any point is completed by the
next one without duplicates.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from assistant.index.articles import ArticleIndex, ingest_lock
from assistant.index.manifest import ArticleRow, ChunkRow
from assistant.index.report import IngestReport, Progress
from assistant.models.embeddings import Embedder
from assistant.settings import Settings
from assistant.text.untrusted import printable
from ingest.byline import byline_author
from ingest.chunk import chunk_text, text_hash
from ingest.clean import CleanedArticle, clean_article
from ingest.extract import ArticleMeta
from ingest.loader import RawDocument, Skipped, article_key, discover, load_file, unsupported

logger = logging.getLogger(__name__)

# Bump when cleaning or chunking rules change, so every article is re-processed once.
PIPELINE_VERSION = "3"  # 3: HTML through trafilatura, metadata (author, site, url, date)


class Chunking(Protocol):
    """What `prepare` needs of an embedder: its name (part of the content hash), its token
    count and the longest text it reads (0: unknown), which cap the chunk budget."""

    name: str
    window: int

    def count_tokens(self, text: str) -> int: ...


def display_title(title: str, limit: int = 150) -> str:
    """A heading without Markdown markers; a first paragraph used as title is shortened."""
    title = title.lstrip("#").strip()
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def article_id_for(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _chunk_id(article_id: str, start: int, text: str) -> str:
    digest = hashlib.sha1(f"{article_id}\x00{start}\x00{text}".encode()).hexdigest()[:20]
    return f"{article_id}-{digest}"


@dataclass(frozen=True)
class PreparedArticle:
    row: ArticleRow
    text: str
    chunks: list[ChunkRow]
    tokens: list[int]  # each chunk's length in embedder tokens


@dataclass
class _Pending:
    """Prepared articles whose new chunks are embedded together (`EmbeddingSettings.batch_tokens`):
    larger embedder calls keep both cores busy."""

    articles: list[PreparedArticle] = field(default_factory=list)
    todo: dict[str, tuple[ChunkRow, int]] = field(default_factory=dict)  # id: (chunk, tokens)

    def add(self, article: PreparedArticle, stored: set[str]) -> None:
        """Queue `article`; only its chunks not `stored` in Chroma yet are to be embedded."""
        self.articles.append(article)
        for chunk, tokens in zip(article.chunks, article.tokens, strict=True):
            if chunk.chunk_id not in stored:
                self.todo[chunk.chunk_id] = (chunk, tokens)

    @property
    def tokens(self) -> int:
        return sum(tokens for _, tokens in self.todo.values())

    def calls(self, budget: int) -> list[list[ChunkRow]]:
        """The chunks to embed, cut into calls of at most `budget` tokens (or one chunk)."""
        calls: list[list[ChunkRow]] = []
        size = 0
        for chunk, tokens in self.todo.values():
            if not calls or size + tokens > budget:
                calls.append([])
                size = 0
            calls[-1].append(chunk)
            size += tokens
        return calls

    def clear(self) -> None:
        self.articles, self.todo = [], {}


@dataclass(frozen=True)
class CleanedDocument:
    """A document after cleaning, with the identity and hash that decide whether it changed."""

    key: str
    article: CleanedArticle
    article_id: str
    content_hash: str
    meta: ArticleMeta = ArticleMeta()


def clean_document(doc: RawDocument, embedder_name: str) -> CleanedDocument | str:
    """Clean one document; returns a skip reason when nothing is left."""
    meta = doc.meta
    cleaned = clean_article(doc.text, fallback_title=meta.title or Path(doc.key).stem)
    if not cleaned.text.strip():
        return "nothing left after removing boilerplate"
    cleaned = replace(
        cleaned,
        title=meta.title or cleaned.title,
        published=meta.published or cleaned.published,
    )
    if not meta.author:
        meta = replace(meta, author=byline_author(cleaned.text))
    stated = "\x00".join([meta.author, meta.site, meta.url, str(cleaned.published)])
    content_hash = hashlib.sha256(
        f"{PIPELINE_VERSION}\x00{embedder_name}\x00{cleaned.title}\x00{stated}\x00"
        f"{cleaned.text}".encode()
    ).hexdigest()
    return CleanedDocument(doc.key, cleaned, article_id_for(doc.key), content_hash, meta)


def chunk_document(doc: CleanedDocument, embedder: Chunking, settings: Settings) -> PreparedArticle:
    """The ledger row and passages of a cleaned document (the costly part: token counts)."""
    cleaned, article_id = doc.article, doc.article_id
    cfg = settings.chunk
    counts: dict[str, int] = {}  # the chunker counts most passages once already

    def count(text: str) -> int:
        if text not in counts:
            counts[text] = embedder.count_tokens(text)
        return counts[text]

    budget = min(cfg.max_tokens, embedder.window) if embedder.window else cfg.max_tokens
    pieces = chunk_text(cleaned.text, count, budget, cfg.min_tokens, cfg.overlap_sentences)
    chunks = [
        ChunkRow(
            _chunk_id(article_id, p.start, p.text),
            article_id,
            i,
            p.text,
            p.start,
            p.end,
            text_hash(p.text),
        )
        for i, p in enumerate(pieces)
    ]
    row = ArticleRow(
        article_id=article_id,
        key=doc.key,
        file=Path(doc.key).name,
        title=display_title(cleaned.title),
        published=cleaned.published.isoformat() if cleaned.published else None,
        content_hash=doc.content_hash,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        state="pending",
        chunk_ids=[c.chunk_id for c in chunks],
        old_chunk_ids=[],
        author=doc.meta.author,
        site=doc.meta.site,
        url=doc.meta.url,
    )
    return PreparedArticle(row, cleaned.text, chunks, [count(c.text) for c in chunks])


def prepare(doc: RawDocument, embedder: Chunking, settings: Settings) -> PreparedArticle | str:
    """Clean and chunk one document; returns a skip reason when nothing is left."""
    cleaned = clean_document(doc, embedder.name)
    return cleaned if isinstance(cleaned, str) else chunk_document(cleaned, embedder, settings)


def run_ingest(
    settings: Settings,
    embedder: Embedder,
    paths: Sequence[Path] | None = None,
    prune: bool = False,
    reset: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    index: ArticleIndex | None = None,
    embed_tokens: int | None = None,
    force: bool = False,
) -> IngestReport:
    """Bring the index in line with the given files and folders (default: the articles
    folder). `prune` removes the articles of files gone from them (a given file that no
    longer exists included), never articles elsewhere; `force` reads and writes the given
    files again even when unchanged.

    `embed_tokens` bounds each embedder call (default: `embedding.batch_tokens`); a process
    that answers questions with the same embedder meanwhile passes a small one, as every
    question waits for the call in progress."""
    budget = embed_tokens or settings.embedding.batch_tokens
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    with ingest_lock(settings.index_dir):
        index = index or ArticleIndex(settings, embedder.name)
        if reset and not dry_run:
            index.reset()
        dirty = False
        known = {row.article_id: row for row in index.manifest.articles()}
        scope = [p.resolve() for p in (paths or [settings.articles_dir])]
        extensions = settings.ingest.extensions
        found = discover([p for p in scope if p.exists() or p.is_symlink()], extensions)
        files, report.ignored = found.files, found.other
        seen: set[str] = set()  # keys of every file found, usable or not
        unusable: set[str] = set()  # keys of files skipped this time
        max_bytes = int(settings.ingest.max_file_mb * 1024 * 1024)
        pending = _Pending()
        for n, path in enumerate(files):
            key = article_key(path, settings.articles_dir)
            if progress:  # files done: written, unchanged or skipped (not the pending ones)
                progress(n - len(pending.articles), len(files), printable(key))
            seen.add(key)
            reason = unsupported(path, extensions)
            loaded = (
                Skipped(path, key, reason)
                if reason
                else load_file(path, key, max_bytes, settings.ingest.max_text_chars)
            )
            if isinstance(loaded, Skipped):
                report.skipped.append((key, loaded.reason))
                unusable.add(key)
                continue
            if loaded.note:
                report.notes.append((key, loaded.note))
            cleaned = clean_document(loaded, embedder.name)
            if isinstance(cleaned, str):
                report.skipped.append((key, cleaned))
                unusable.add(key)
                continue
            previous = known.get(cleaned.article_id)
            if (
                previous
                and previous.state == "done"
                and (previous.content_hash == cleaned.content_hash)
                and not force
            ):
                report.unchanged.append(key)  # decided before chunking: no token counting
                continue
            prepared = chunk_document(cleaned, embedder, settings)
            (report.updated if previous and previous.state == "done" else report.added).append(key)
            if not dry_run:
                dirty = dirty or _touch(index)
                stored = index.existing_ids([c.chunk_id for c in prepared.chunks])
                pending.add(prepared, stored)
                if pending.tokens >= budget:
                    _flush(index, embedder, pending, budget, report, progress, (n + 1, len(files)))
        _flush(index, embedder, pending, budget, report, progress, (len(files), len(files)))
        if progress:
            progress(len(files), len(files), "")
        for article_id, row in known.items():
            if row.key in unusable and row.state == "done":
                report.stale.append(row.key)  # nothing lost, prune or not: mend the file
                continue
            if row.key in seen and row.key not in unusable:
                continue
            if row.state == "done" and not _within(settings.articles_dir / row.key, scope):
                continue  # not among the files this run looked at: not for prune to remove
            # pending: an interrupted write of a file now gone or unusable; the ledger already
            # replaced its old version, so finishing the write means removing it
            if row.state == "pending" or prune:
                report.removed.append(row.key)
                if not dry_run:
                    dirty = dirty or _touch(index)
                    index.delete_article(article_id)
            else:  # the file is gone: its article stays until a prune
                report.gone.append(row.key)
        if not dry_run and not index.keyword_in_sync():
            index.rebuild_keyword()
        if not dry_run and (dirty or index.manifest.get_meta("language") is None):
            index.store_language()
        report.chunks_total = index.manifest.count_chunks()
    report.seconds = time.perf_counter() - started
    return report


def _within(path: Path, scope: Sequence[Path]) -> bool:
    path = path.resolve()
    return any(path == p or p in path.parents for p in scope)


def _touch(index: ArticleIndex) -> bool:
    """Invalidate the keyword index before the first write, so a crash leaves it marked stale."""
    index.bump_generation()
    return True


def _flush(
    index: ArticleIndex,
    embedder: Embedder,
    pending: _Pending,
    budget: int,
    report: IngestReport,
    progress: Progress | None,
    read: tuple[int, int],
) -> None:
    """Embed the pending articles' new chunks, then write the articles one by one (a crash
    loses the embedding work of the pending ones, never the index's consistency). `read` is
    (files read so far, files in all), for the progress report."""
    count = len(pending.articles)
    if not count:
        return
    if progress:
        label = (
            f"embedding {len(pending.todo)} passages of {count} article{'s' * (count > 1)}"
            f" ({pending.tokens} tokens)"
        )
        progress(read[0] - count, read[1], label)
    vectors: dict[str, list[float]] = {}
    for call in pending.calls(budget):
        embedded = embedder.embed_documents([chunk.text for chunk in call])
        vectors.update((chunk.chunk_id, v) for chunk, v in zip(call, embedded, strict=True))
    report.chunks_embedded += len(pending.todo)
    report.tokens_embedded += pending.tokens
    for article in pending.articles:
        index.write_article(article.row, article.text, article.chunks, vectors)
    pending.clear()
