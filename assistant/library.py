"""The article library: adding, refreshing and removing the indexed articles from a running
process (the web chat's Articles tab), with the same ingest as `python -m ingest`."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from assistant.components import Components
from assistant.errors import AssistantError
from assistant.index.articles import ArticleIndex
from assistant.index.manifest import ArticleRow
from assistant.index.report import IngestReport, Progress
from assistant.models.embeddings import Embedder
from assistant.settings import Settings

# Tokens per embedder call when ingesting in this process (an upload in the web chat): each
# question's search waits for the call in progress, ~1 s for this many on 2 cores.
_SHARED_EMBED_TOKENS = 1024


class Ingester(Protocol):
    """The ingest run (`ingest.pipeline.run_ingest`), given to an assistant that ingests
    uploads itself (the web chat): the answer layers never import the ingest package."""

    def __call__(
        self,
        settings: Settings,
        embedder: Embedder,
        *,
        paths: Sequence[Path] | None = None,
        prune: bool = False,
        progress: Progress | None = None,
        index: ArticleIndex | None = None,
        embed_tokens: int | None = None,
        force: bool = False,
    ) -> IngestReport: ...


class Fetcher(Protocol):
    """Saves web pages, and the items of feeds, into the articles folder (`ingest.fetch`):
    one `WebItem` each."""

    def __call__(
        self, settings: Settings, urls: Sequence[str], progress: Progress | None = None
    ) -> Sequence[WebItem]: ...


class WebItem(Protocol):
    """One address's outcome: the file saved (None: none), a message, and whether it is new."""

    @property
    def path(self) -> Path | None: ...
    @property
    def message(self) -> str: ...
    @property
    def new(self) -> bool: ...


class ArticleLibrary:
    """The indexed articles' files, changed from this process. `ingester` lets it index files
    (see `Ingester`), and `fetcher` save web pages (see `Fetcher`); without them it says which
    command to run instead."""

    def __init__(
        self,
        settings: Settings,
        parts: Components,
        ingester: Ingester | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.settings = settings
        self.parts = parts
        self._ingester = ingester
        self._fetcher = fetcher

    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        prune: bool = False,
        progress: Progress | None = None,
        force: bool = False,
    ) -> IngestReport:
        """Run the same ingest as `python -m ingest`; new articles are searchable at once.
        Embedder calls stay small (`_SHARED_EMBED_TOKENS`): questions share the embedder."""
        if self._ingester is None:
            raise AssistantError(
                "This assistant cannot add articles itself; run `python -m ingest` instead."
            )
        return self._ingester(
            self.settings,
            self.parts.embedder,
            paths=paths,
            prune=prune,
            progress=progress,
            index=self.parts.index,
            embed_tokens=_SHARED_EMBED_TOKENS,
            force=force,
        )

    def add_from_web(
        self, urls: Sequence[str], progress: Progress | None = None
    ) -> tuple[list[str], IngestReport | None]:
        """Save the pages (a feed's URL: its items) into the articles folder, then index the
        new ones: a message per item, and the ingest report (None: nothing new)."""
        if self._fetcher is None:
            raise AssistantError(
                "This assistant cannot fetch pages itself; run `python -m ingest --url URL`."
            )
        items = self._fetcher(self.settings, urls, progress)
        # every saved file, new or saved before: an ingest is idempotent, and one that failed
        # after an earlier save (the index busy, the embedder down) is finished this time
        saved = [item.path for item in items if item.path is not None]
        report = self.ingest(paths=saved, progress=progress) if saved else None
        return [item.message for item in items], report

    def remove(self, article_id: str) -> str:
        """Take an article out of the index and its file out of the articles folder, into
        `.trash/` there (hidden from ingest; move it back to restore it). The file goes
        first: after a crash between the two steps, the next ingest with prune finishes."""
        row, path = self._article_file(article_id)
        moved = ""
        if path.is_file():
            stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 10**9:09d}"
            trash = self.settings.articles_dir / ".trash" / stamp / row.key
            trash.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, trash)  # never over an earlier removed file of the same name
            moved = f"; its file is in {trash.relative_to(self.settings.articles_dir)}"
        self.ingest(paths=[path], prune=True)
        return f"Removed “{row.title}” from the index{moved}."

    def reindex(self, article_id: str) -> IngestReport:
        """Read an article's file again and write it again, even unchanged."""
        row, path = self._article_file(article_id)
        if not path.is_file():
            raise AssistantError(
                f"{row.key} is no longer in the articles folder; remove the article instead."
            )
        return self.ingest(paths=[path], force=True)

    def _article_file(self, article_id: str) -> tuple[ArticleRow, Path]:
        """An indexed article and where its file is (or was) in the articles folder."""
        row = self.parts.index.manifest.article(article_id)
        if row is None:
            raise AssistantError("That article is no longer in the index; reload the list.")
        return row, self.settings.articles_dir / row.key
