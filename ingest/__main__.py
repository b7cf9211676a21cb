"""`python -m ingest [PATHS…] [--prune] [--reset] [--dry-run]`: sync the index with the files.
`--url URL…` and `--feed FEED_URL` first save web articles into the articles folder."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

from assistant.errors import AssistantError
from assistant.index.report import IngestReport
from assistant.models.embeddings import Embedder
from assistant.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: articles_dir)"
    )
    parser.add_argument("--prune", action="store_true", help="remove articles whose file is gone")
    parser.add_argument("--reset", action="store_true", help="drop the index and rebuild it")
    parser.add_argument("--dry-run", action="store_true", help="report what would change only")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="then stay running: re-ingest (with prune) within seconds of a change in the "
        "articles folder",
    )
    parser.add_argument(
        "--url",
        nargs="+",
        action="extend",
        default=[],
        metavar="URL",
        help="fetch these pages, save their articles in the articles folder, index them",
    )
    parser.add_argument(
        "--feed",
        action="append",
        default=[],
        metavar="FEED_URL",
        help="the same for every item of an RSS or Atom feed",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from tqdm import tqdm

    from assistant.models.embeddings import make_embedder
    from assistant.settings import load_settings
    from ingest.outside import copy_into_folder
    from ingest.pipeline import run_ingest

    bar: tqdm | None = None

    def progress(done: int, total: int, name: str) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            bar = tqdm(total=total, unit="article", desc="ingest", file=sys.stderr)
        bar.n = done
        bar.set_postfix_str(name[-40:], refresh=True)

    try:
        settings = load_settings()
        if args.watch and (args.paths or args.dry_run):
            raise AssistantError("--watch watches the articles folder: give no paths or --dry-run.")
        if args.dry_run and (args.url or args.feed):
            raise AssistantError("--url and --feed save files: they cannot be used with --dry-run.")
        missing = [p for p in args.paths if not p.exists()]
        if missing:
            raise AssistantError(f"No such file or folder: {', '.join(map(str, missing))}.")
        if not args.paths and not settings.articles_dir.is_dir():
            raise AssistantError(
                f"The articles folder {settings.articles_dir} does not exist: create it and put "
                "articles in it, or set paths.articles_dir (config.toml or "
                "ASSISTANT__PATHS__ARTICLES_DIR)."
            )
        copied = copy_into_folder(
            args.paths, settings.articles_dir, settings.ingest.extensions, args.dry_run
        )
        for line in copied.lines:
            print(line)
        paths = copied.paths
        failed = 0
        if args.url or args.feed:
            saved, failed = _from_the_web(settings, args.url, args.feed)
            paths += saved
            if not paths:
                print("Nothing new to index.")
                return 1 if failed else 0
        embedder = make_embedder(settings.embedding)
        report = run_ingest(
            settings,
            embedder,
            paths=paths or None,
            prune=args.prune or args.watch,
            reset=args.reset,
            dry_run=args.dry_run,
            progress=progress,
        )
        removed = copied.remove_refused(report, settings.articles_dir)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: the index is consistent; run the same command to finish.", file=sys.stderr
        )
        return 130
    finally:
        if bar is not None:
            bar.close()
    print(report.summary())
    if removed:
        print(f"  removed the {len(removed)} skipped copie(s) from the articles folder again")
    if failed:
        print(f"error: {failed} address(es) could not be saved (see above).", file=sys.stderr)
        return 1
    if args.watch:
        return _watch(settings, embedder)
    return 0


def _watch(settings: Settings, embedder: Embedder) -> int:
    from ingest.pipeline import run_ingest
    from ingest.watch import FolderWatcher

    def show(report: IngestReport) -> None:
        if report.changed or report.skipped:
            print(report.summary(), flush=True)

    watcher = FolderWatcher(
        settings.articles_dir,
        lambda: run_ingest(settings, embedder, prune=True),
        settings.ingest.extensions,
        on_report=show,
        on_error=lambda exc: print(f"error: {exc}", file=sys.stderr, flush=True),
    ).start()
    # Ctrl+C, or SIGTERM from a service manager or `kill` (a background job ignores Ctrl+C)
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"Watching {settings.articles_dir} for changes (Ctrl+C to stop)…", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopping…", file=sys.stderr, flush=True)
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):  # a second one: stop now
            if signal.getsignal(number) is not signal.SIG_IGN:
                signal.signal(number, _exit_now)
        watcher.stop()
    return 0


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def _exit_now(number: int, frame: object) -> None:
    print("Stopped during a run: the index is consistent.", file=sys.stderr, flush=True)
    os._exit(130)


def _from_the_web(settings: Settings, urls: list[str], feeds: list[str]) -> tuple[list[Path], int]:
    """Save the pages (and the feeds' items); one line each; the files saved, and how many
    addresses (pages or feeds) gave nothing."""
    from ingest.fetch import FetchError, feed_items, save_urls

    wanted = list(urls)
    failed = 0
    for feed in feeds:
        try:
            items = feed_items(settings, feed)
        except FetchError as exc:
            print(f"skipped {exc}")
            failed += 1
            continue
        print(f"{feed}: {len(items)} items")
        wanted += items
    results = save_urls(settings, list(dict.fromkeys(wanted)))
    for result in results:
        print(result.message)
    # every saved file, new or saved before: an ingest that failed after an earlier save (the
    # index busy, the embedder down) is finished this time; unchanged ones cost a hash
    failed += sum(r.path is None for r in results)
    return [r.path for r in results if r.path is not None], failed


if __name__ == "__main__":
    sys.exit(main())
