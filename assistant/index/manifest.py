"""The index's ledger in SQLite: which articles are indexed, with which chunks, and in what state.

Chroma holds the vectors; this ledger is what makes ingest incremental and crash-safe. An article
is marked `pending` (with the chunk ids it is about to write and those it replaces) before Chroma
is touched, and `done` after; a run that finds `pending` rows knows exactly what to clean up.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    file TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    content_hash TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    text TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    chunk_ids TEXT NOT NULL,
    old_chunk_ids TEXT NOT NULL DEFAULT '[]',
    author TEXT NOT NULL DEFAULT '',
    site TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
"""


@dataclass(frozen=True)
class ArticleRow:
    article_id: str
    key: str
    file: str
    title: str
    published: str | None  # ISO date
    content_hash: str
    ingested_at: str
    state: str
    chunk_ids: list[str]
    old_chunk_ids: list[str]
    author: str = ""
    site: str = ""
    url: str = ""

    @property
    def n_chunks(self) -> int:
        return len(self.chunk_ids)


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: str
    article_id: str
    seq: int
    text: str
    start: int
    end: int
    text_hash: str


# (row, cleaned text, its chunks, chunk ids of the version it replaces)
PendingArticle = tuple[ArticleRow, str, list[ChunkRow], list[str]]

_ARTICLE_COLUMNS = (
    "article_id, key, file, title, published, content_hash, ingested_at, state, chunk_ids, "
    "old_chunk_ids, author, site, url"
)
# Columns added after the first release, with their definition: older ledgers get them.
_ADDED_COLUMNS = {
    "author": "TEXT NOT NULL DEFAULT ''",
    "site": "TEXT NOT NULL DEFAULT ''",
    "url": "TEXT NOT NULL DEFAULT ''",
}


def _article(row: tuple[Any, ...]) -> ArticleRow:
    return ArticleRow(
        article_id=row[0],
        key=row[1],
        file=row[2],
        title=row[3],
        published=row[4],
        content_hash=row[5],
        ingested_at=row[6],
        state=row[7],
        chunk_ids=json.loads(row[8]),
        old_chunk_ids=json.loads(row[9]),
        author=row[10],
        site=row[11],
        url=row[12],
    )


class Manifest:
    """Thread-safe access to the ledger (one connection, serialised by a lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        present = {r[1] for r in self._db.execute("PRAGMA table_info(articles)")}
        for column, definition in _ADDED_COLUMNS.items():
            if column not in present:
                try:
                    self._db.execute(f"ALTER TABLE articles ADD COLUMN {column} {definition}")
                except sqlite3.OperationalError as exc:  # another process added it meanwhile
                    if "duplicate column" not in str(exc):
                        raise
        self._lock = threading.RLock()
        self._writes = 0  # commits through this connection; data_version counts the others'
        self._articles: tuple[tuple[int, int], list[ArticleRow], dict[str, ArticleRow]] | None = (
            None
        )

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._writes += 1

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def version(self) -> tuple[int, int]:
        """Changes whenever the ledger changes, through this connection or any other (another
        process's ingest included): a key for caches of what the ledger says."""
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0]), self._writes

    def articles(self) -> list[ArticleRow]:
        """Every article row, ordered by key. Read once per change of the ledger, not once per
        call: retrieval asks on every question."""
        return list(self._cached_articles()[0])

    def articles_by_id(self) -> dict[str, ArticleRow]:
        """The same rows by article id (a shared mapping: do not modify it)."""
        return self._cached_articles()[1]

    def _cached_articles(self) -> tuple[list[ArticleRow], dict[str, ArticleRow]]:
        with self._lock:
            version = self.version()
            if self._articles is None or self._articles[0] != version:
                rows = self._db.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY key"
                ).fetchall()
                articles = [_article(r) for r in rows]
                self._articles = (version, articles, {a.article_id: a for a in articles})
            return self._articles[1], self._articles[2]

    def article(self, article_id: str) -> ArticleRow | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE article_id = ?", (article_id,)
            ).fetchone()
        return _article(row) if row else None

    def article_text(self, article_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT text FROM articles WHERE article_id = ?", (article_id,)
            ).fetchone()
        return row[0] if row else None

    def mark_pending(
        self, row: ArticleRow, text: str, chunks: list[ChunkRow], old_chunk_ids: list[str]
    ) -> None:
        """Record the new version of an article before its vectors are written."""
        self.mark_pending_many([(row, text, chunks, old_chunk_ids)])

    def mark_pending_many(self, items: Sequence[PendingArticle]) -> None:
        """`mark_pending` for many articles in one transaction (bulk loads)."""
        with self.transaction() as db:
            for row, text, chunks, old_chunk_ids in items:
                db.execute(
                    "INSERT OR REPLACE INTO articles (article_id, key, file, title, published, "
                    "content_hash, ingested_at, text, state, chunk_ids, old_chunk_ids, author, "
                    "site, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
                    (
                        row.article_id,
                        row.key,
                        row.file,
                        row.title,
                        row.published,
                        row.content_hash,
                        row.ingested_at,
                        text,
                        json.dumps([c.chunk_id for c in chunks]),
                        json.dumps(old_chunk_ids),
                        row.author,
                        row.site,
                        row.url,
                    ),
                )
                db.execute("DELETE FROM chunks WHERE article_id = ?", (row.article_id,))
                db.executemany(
                    "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (c.chunk_id, c.article_id, c.seq, c.text, c.start, c.end, c.text_hash)
                        for c in chunks
                    ],
                )

    def mark_done(self, article_id: str) -> None:
        self.mark_done_many([article_id])

    def mark_done_many(self, article_ids: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE articles SET state = 'done', old_chunk_ids = '[]' WHERE article_id = ?",
                [(i,) for i in article_ids],
            )

    def remove(self, article_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, ChunkRow]:
        ids = list(chunk_ids)
        out: dict[str, ChunkRow] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                batch = ids[i : i + 500]
                marks = ",".join("?" * len(batch))
                for r in self._db.execute(
                    f"SELECT * FROM chunks WHERE chunk_id IN ({marks})", batch
                ):
                    out[r[0]] = ChunkRow(*r)
        return out

    def all_chunks(self) -> tuple[list[str], list[str]]:
        """(ids, texts) of every chunk of every article that is done, in a stable order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT c.chunk_id, c.text FROM chunks c JOIN articles a USING (article_id) "
                "WHERE a.state = 'done' ORDER BY c.chunk_id"
            ).fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]

    def recent_chunk_texts(self, limit: int) -> list[str]:
        """The texts of up to `limit` chunks of done articles, the last ingested first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT c.text FROM chunks c JOIN articles a USING (article_id) "
                "WHERE a.state = 'done' ORDER BY c.rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [r[0] for r in rows]

    def count_chunks(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
