"""The article index: Chroma (vectors) + the SQLite ledger + the BM25 keyword index, kept in step.

Everything lives under `paths.index_dir` (with a Chroma server, the vectors live there instead).
Writes go through `write_article` / `delete_article` in an order that a crash can interrupt at any
point: the next ingest run finds the `pending` rows and finishes or undoes them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from assistant.errors import AssistantError, IngestLockedError
from assistant.index.keywords import KeywordIndex
from assistant.index.manifest import ArticleRow, ChunkRow, Manifest
from assistant.index.store import get_collection, make_client, reopen_client
from assistant.settings import Settings
from assistant.text.language import majority_language

logger = logging.getLogger(__name__)

_ADD_BATCH = 256
_BULK_BATCH = 4096
_RETIRE_AFTER_S = 30.0  # a replaced Chroma system is stopped once no query can still use it


class ArticleWrite(NamedTuple):
    """One article for `write_articles`: its ledger row, cleaned text, chunks and the vectors
    of the chunks that need (re-)embedding, by chunk id."""

    row: ArticleRow
    text: str
    chunks: list[ChunkRow]
    vectors: dict[str, list[float]]


def published_int(published: str | None) -> int:
    """YYYYMMDD as an int: Chroma filters ranges on numbers only; 0 means no date."""
    return int(published.replace("-", "")) if published else 0


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time per index; a second one is refused, not interleaved."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / "ingest.lock"
    fh = path.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise IngestLockedError(
            f"Another ingest ({holder}) is already running on {index_dir}. "
            "Wait for it to finish, then run it again."
        ) from exc
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


MANIFEST_FILE = "manifest.sqlite"


def index_exists(index_dir: Path) -> bool:
    """Whether an ingest has made an index in `index_dir` (opening one makes it)."""
    return (index_dir / MANIFEST_FILE).is_file()


class ArticleIndex:
    """Owns the three stores of one index and the rules that keep them in agreement."""

    def __init__(self, settings: Settings, embedder_name: str) -> None:
        self.settings = settings
        self.dir = settings.index_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.manifest = Manifest(self.dir / MANIFEST_FILE)
        self._client: Any = None
        self._collection: Any = None
        self._store_lock = threading.Lock()
        self._count: tuple[tuple[int, int], int] | None = None
        self._keyword: KeywordIndex | None = None
        self._keyword_lock = threading.Lock()
        self._vectors_stamp = KeywordIndex.read_stamp(self.keyword_dir)
        self._reopen_lock = threading.Lock()
        self._retired: list[tuple[float, Any]] = []
        self._check_embedder(embedder_name)

    @property
    def client(self) -> Any:
        """The Chroma client, connected on first use: an ingest that finds nothing changed
        never needs it (importing chromadb alone takes about a second)."""
        with self._store_lock:
            if self._client is None:
                self._client = make_client(self.settings.store, self.dir)
            return self._client

    @property
    def collection(self) -> Any:
        """The Chroma collection, opened on first use and reopened once an ingest in another
        process has published a new generation (its keyword stamp): embedded Chroma does not
        see another process's vectors otherwise. A Chroma server needs no reopening."""
        stamp = KeywordIndex.read_stamp(self.keyword_dir)
        if stamp is not None and stamp != self._vectors_stamp:
            with self._reopen_lock:
                if stamp != self._vectors_stamp:
                    if self.settings.store.mode == "persistent" and self._client is not None:
                        self._reopen()
                    self._vectors_stamp = stamp
        client = self.client
        with self._store_lock:
            if self._collection is None:
                self._collection = get_collection(client, self.settings.store.collection)
            return self._collection

    def _reopen(self) -> None:
        client, old = reopen_client(self.settings.store, self.dir)
        with self._store_lock:
            self._client = client
            self._collection = get_collection(client, self.settings.store.collection)
            self._count = None
        now = time.monotonic()
        for entry in [e for e in self._retired if now - e[0] > _RETIRE_AFTER_S]:
            self._retired.remove(entry)
            entry[1].stop()
        if old is not None:
            self._retired.append((now, old))
        logger.info("Reopened the vector store to see a new index generation")

    @property
    def keyword_dir(self) -> Path:
        return self.dir / "keyword"

    def _check_embedder(self, name: str) -> None:
        recorded = self.manifest.get_meta("embedder")
        if recorded is None:
            self.manifest.set_meta("embedder", name)
        elif recorded != name:
            raise AssistantError(
                f"The index at {self.dir} was built with the embedder {recorded}, but the "
                f"settings now use {name}. Set the embedding settings back to the ones it was "
                "built with, point paths.index_dir at another folder for the new embedder, or "
                "rebuild this index with it (`python -m ingest --reset`)."
            )

    def recorded_threshold(self) -> float | None:
        """The dense-score refusal threshold calibrated on this index, if any."""
        value = self.manifest.get_meta("min_dense_score")
        return None if value is None else float(value)

    def record_threshold(self, value: float) -> None:
        self.manifest.set_meta("min_dense_score", repr(float(value)))

    # --- writes (ingest only) -------------------------------------------------------------

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), _ADD_BATCH):
            found.update(self.collection.get(ids=ids[i : i + _ADD_BATCH], include=[])["ids"])
        return found

    def write_article(
        self,
        row: ArticleRow,
        text: str,
        chunks: list[ChunkRow],
        vectors: dict[str, list[float]],
    ) -> None:
        """Ledger `pending` → vectors in → stale vectors out → ledger `done`."""
        old_ids = self._old_ids(row.article_id)
        self.manifest.mark_pending(row, text, chunks, old_ids)
        self._put([(row, c) for c in chunks], vectors, old_ids, _ADD_BATCH)
        self.manifest.mark_done(row.article_id)

    def write_articles(self, items: Sequence[ArticleWrite]) -> None:
        """`write_article` for many articles at once (bulk loads): the same steps in the same
        order, one ledger transaction per step and Chroma batches as large as the client takes."""
        if not items:
            return
        old = {item.row.article_id: self._old_ids(item.row.article_id) for item in items}
        self.manifest.mark_pending_many(
            [(i.row, i.text, i.chunks, old[i.row.article_id]) for i in items]
        )
        self._put(
            [(i.row, c) for i in items for c in i.chunks],
            {k: v for i in items for k, v in i.vectors.items()},
            [chunk_id for ids in old.values() for chunk_id in ids],
            max(_ADD_BATCH, min(int(self.client.get_max_batch_size()), _BULK_BATCH)),
        )
        self.manifest.mark_done_many([i.row.article_id for i in items])

    def _old_ids(self, article_id: str) -> list[str]:
        previous = self.manifest.article(article_id)
        return sorted(set(previous.chunk_ids) | set(previous.old_chunk_ids)) if previous else []

    def _put(
        self,
        pairs: list[tuple[ArticleRow, ChunkRow]],
        vectors: dict[str, list[float]],
        old_ids: list[str],
        batch_size: int,
    ) -> None:
        """Upsert the chunks that have a new vector, refresh the metadata of the others, then
        delete the old chunks that are no longer part of any article written."""
        for i in range(0, len(pairs), batch_size):
            batch = pairs[i : i + batch_size]
            fresh = [(r, c) for r, c in batch if c.chunk_id in vectors]
            if fresh:
                self.collection.upsert(
                    ids=[c.chunk_id for _, c in fresh],
                    embeddings=[vectors[c.chunk_id] for _, c in fresh],
                    documents=[c.text for _, c in fresh],
                    metadatas=[self._metadata(r, c) for r, c in fresh],
                )
            kept = [(r, c) for r, c in batch if c.chunk_id not in vectors]
            if kept:  # same text, already embedded: refresh title/date only
                self.collection.update(
                    ids=[c.chunk_id for _, c in kept],
                    metadatas=[self._metadata(r, c) for r, c in kept],
                )
        new_ids = {c.chunk_id for _, c in pairs}
        stale = [i for i in old_ids if i not in new_ids]
        for i in range(0, len(stale), batch_size):
            self.collection.delete(ids=stale[i : i + batch_size])

    @staticmethod
    def _metadata(row: ArticleRow, chunk: ChunkRow) -> dict[str, Any]:
        return {
            "article_id": row.article_id,
            "file": row.file,
            "title": row.title,
            "published": row.published or "",
            "published_int": published_int(row.published),
            "seq": chunk.seq,
            "start": chunk.start,
            "end": chunk.end,
            "text_hash": chunk.text_hash,
        }

    def delete_article(self, article_id: str) -> None:
        row = self.manifest.article(article_id)
        if row is None:
            return
        ids = sorted(set(row.chunk_ids) | set(row.old_chunk_ids))
        if ids:
            self.collection.delete(ids=ids)
        self.manifest.remove(article_id)

    def language(self) -> str:
        """The language most articles are written in, stored with the index when ingest last
        changed it (`store_language`), found from the texts when an older index has none."""
        stored = self.manifest.get_meta("language")
        return stored or self.store_language(write=False)

    def store_language(self, write: bool = True, sample: int = 200) -> str:
        """Detect the articles' language from their text (up to `sample` articles) and, with
        `write`, keep it in the index's meta."""
        rows = [a for a in self.manifest.articles() if a.state == "done"][-sample:]
        texts = (self.manifest.article_text(a.article_id) or "" for a in rows)
        language = majority_language(texts)
        if write:
            self.manifest.set_meta("language", language)
        return language

    def bump_generation(self) -> str:
        generation = uuid.uuid4().hex
        self.manifest.set_meta("generation", generation)
        return generation

    def keyword_in_sync(self) -> bool:
        generation = self.manifest.get_meta("generation")
        return generation is not None and KeywordIndex.read_stamp(self.keyword_dir) == generation

    def rebuild_keyword(self) -> None:
        generation = self.manifest.get_meta("generation") or self.bump_generation()
        ids, texts = self.manifest.all_chunks()
        index = KeywordIndex.build(ids, texts)
        self._vectors_stamp = generation  # written by this process: no reopening needed
        index.save(self.keyword_dir, generation)
        with self._keyword_lock:
            self._keyword = index

    def reset(self) -> None:
        """Drop everything this index holds (used by `python -m ingest --reset`)."""
        name = self.settings.store.collection
        self.client.delete_collection(name)
        self._collection = get_collection(self.client, name)
        for row in self.manifest.articles():
            self.manifest.remove(row.article_id)
        self.bump_generation()
        self.rebuild_keyword()

    # --- reads ----------------------------------------------------------------------------

    def keyword(self) -> KeywordIndex | None:
        """The keyword index, reloaded when an ingest (in any process) has published a new one."""
        stamp = KeywordIndex.read_stamp(self.keyword_dir)
        with self._keyword_lock:
            if self._keyword is None or (stamp is not None and stamp != self._keyword.stamp):
                loaded = KeywordIndex.load(self.keyword_dir)
                if loaded is not None:
                    self._keyword = loaded
            return self._keyword

    def vector_count(self) -> int:
        """Vectors in Chroma, counted again only after the ledger changed: every write to
        Chroma is bracketed by ledger writes, and a count costs ~20 ms at 100k passages."""
        version = self.manifest.version()
        cached = self._count
        if cached is None or cached[0] != version:
            cached = self._count = (version, int(self.collection.count()))
        return cached[1]

    def stats(self) -> dict[str, int]:
        articles = self.manifest.articles()
        return {
            "articles": len(articles),
            "chunks": sum(a.n_chunks for a in articles),
            "vectors": self.vector_count(),
        }
