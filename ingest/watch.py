"""A watched articles folder (`watchdog`): a file added, changed or removed is ingested again
within seconds, without running a command.

Events are debounced (a burst of saves, or a copied folder, gives one run once the folder has
been quiet for `debounce_s`), and runs never overlap: a change during a run gives one more run
after it. Each run is the normal ingest with prune, under the normal ingest lock, so it is as
crash-safe as `python -m ingest --prune`; when another process holds the lock, it tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant.errors import IngestLockedError
from assistant.index.report import IngestReport

logger = logging.getLogger(__name__)

RETRY_S = 5.0  # another ingest holds the lock: try again after this


class FolderWatcher:
    """Calls `ingest()` after changes to files with `extensions` under `folder`."""

    def __init__(
        self,
        folder: Path,
        ingest: Callable[[], IngestReport],
        extensions: Iterable[str],
        debounce_s: float = 2.0,
        on_report: Callable[[IngestReport], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        initial: bool = False,
    ) -> None:
        """`initial`: run once at start too (files changed while nothing watched)."""
        self.folder = folder
        self._ingest = ingest
        self._extensions = {e.lower() for e in extensions}
        self._debounce_s = debounce_s
        self._on_report = on_report or (lambda report: None)
        self._on_error = on_error or (lambda exc: logger.warning("Watched ingest failed: %s", exc))
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._observer: Any = None
        self._worker = threading.Thread(target=self._run, name="watch-ingest", daemon=True)
        self.runs = 0
        if initial:
            self._wake.set()

    def start(self) -> FolderWatcher:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                paths = [event.src_path, getattr(event, "dest_path", "")]
                if any(watcher._relevant(str(p)) for p in paths if p):
                    watcher._wake.set()

        self.folder.mkdir(parents=True, exist_ok=True)
        self._observer = Observer()
        self._observer.schedule(Handler(), str(self.folder), recursive=True)
        self._observer.start()
        self._worker.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=10)
        if self._worker.is_alive():
            self._worker.join(timeout=60)

    def _relevant(self, path: str) -> bool:
        p = Path(path)
        try:
            parts = p.relative_to(self.folder).parts
        except ValueError:
            return False
        hidden = any(part.startswith(".") for part in parts)  # editors' and fetch's temp files
        return not hidden and (p.suffix.lower() in self._extensions or not p.suffix)

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait()
            if self._stopped.is_set():
                return
            # debounce: wait until the folder has been quiet for debounce_s
            while True:
                self._wake.clear()
                if not self._wake.wait(self._debounce_s) or self._stopped.is_set():
                    break
            if self._stopped.is_set():
                return
            try:
                report = self._ingest()
            except IngestLockedError:
                logger.info("Another ingest is running; the watched folder waits %s s", RETRY_S)
                self._stopped.wait(RETRY_S)
                self._wake.set()
                continue
            except Exception as exc:  # reported; the watcher keeps watching
                self._on_error(exc)
                continue
            self.runs += 1
            self._on_report(report)
