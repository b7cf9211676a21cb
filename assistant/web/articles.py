"""The web chat's Articles tab: what is indexed (title, date, author, site, file, passages, when
added), searchable; articles added by upload or from the web (pages and feeds); one article
removed or indexed again. Every action goes through the `Assistant` facade.

Titles, file names, URLs and messages are untrusted: the status text escapes them.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from assistant.errors import AssistantError, IngestLockedError
from assistant.index.folder import destination, safe_name
from assistant.index.manifest import ArticleRow
from assistant.index.report import IngestReport
from assistant.service import Assistant

LOCK_WAIT_S = 300.0  # an action waits this long for an ingest run from the CLI to finish
HEADERS = ["Title", "Date", "Author", "Site", "File", "Passages", "Added"]
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
T = TypeVar("T")
logger = logging.getLogger(__name__)


def _md(text: str) -> str:
    """Untrusted text for the Markdown status: HTML escaped, and Markdown's characters too (a
    page titled `![](https://tracker/x)` would otherwise load a remote image)."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def matches(article: ArticleRow, query: str) -> bool:
    """Whether every word of `query` is in the article's title, author, site, file or date."""
    haystack = " ".join(
        [article.title, article.author, article.site, article.file, article.published or ""]
    ).casefold()
    return all(word in haystack for word in query.casefold().split())


class ArticlesUI:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def rows(self, query: str = "") -> list[list[Any]]:
        return [
            [
                a.title,
                a.published or "",
                a.author,
                a.site,
                a.file,
                a.n_chunks,
                a.ingested_at.replace("T", " ")[:16],
            ]
            for a in self.assistant.articles()
            if matches(a, query or "")
        ]

    def choices(self) -> list[tuple[str, str]]:
        """(label, id) of every article; the file tells apart articles of the same title."""
        return [(f"{a.title[:80]} ({a.key})", a.article_id) for a in self.assistant.articles()]

    def refreshed(self, status: str, query: str = "") -> tuple[str, Any, Any, Any]:
        """The status, the table, the chat's article filter and the tab's article picker."""
        choices = self.choices()
        return (
            status,
            self.rows(query),
            gr.update(choices=choices),
            gr.update(choices=choices, value=None),
        )

    # --- adding ---------------------------------------------------------------------------

    def upload(self, files: list[Any] | None, progress: gr.Progress | None = None) -> str:
        """Copy uploaded files into the articles folder (sanitised names) and ingest them."""
        settings = self.assistant.settings
        limit = int(settings.app.max_upload_mb * 1024 * 1024)
        target_dir = settings.articles_dir / "uploads"
        messages: list[str] = []
        accepted: list[Path] = []
        created: set[str] = set()  # files this upload added: removed again if refused
        renamed: dict[str, str] = {}  # saved name → uploaded name, when another file had it
        types = [t.lower() for t in settings.ingest.extensions]
        most = settings.app.max_upload_files
        if len(files or []) > most:
            return f"❌ {len(files or [])} files selected: add at most {most} at a time."
        for item in files or []:
            source = Path(getattr(item, "name", None) or str(item))
            name = safe_name(getattr(item, "orig_name", None) or source.name)
            if Path(name).suffix not in types:
                messages.append(f"❌ {_md(name)}: only {', '.join(types)} files are accepted.")
                continue
            if source.stat().st_size > limit:
                messages.append(f"❌ {_md(name)}: larger than the {limit // 2**20} MB limit.")
                continue
            target_dir.mkdir(parents=True, exist_ok=True)
            target = destination(target_dir, name, source, {p.name for p in accepted})
            if target.name != name:
                renamed[target.name] = name
            if not target.is_file():  # else the same file is there already
                created.add(target.name)
                shutil.copyfile(source, target)
            accepted.append(target)
        if accepted:
            try:
                result = self._when_free(
                    lambda: self.assistant.library.ingest(
                        paths=accepted, progress=_report(progress)
                    ),
                    progress,
                )
            except AssistantError as exc:
                messages.append(f"❌ {_md(str(exc))}")
            else:
                for key in result.added + result.updated:
                    saved = Path(key).name
                    if saved in renamed:
                        messages.append(
                            f"✅ {_md(renamed[saved])}: indexed as {_md(saved)}, as another "
                            f"article is uploads/{_md(renamed[saved])} (remove the one you do "
                            "not want)."
                        )
                    else:
                        messages.append(f"✅ {_md(saved)}: indexed.")
                for key in result.unchanged:
                    messages.append(f"✅ {_md(Path(key).name)}: already indexed.")
                for key, reason in result.skipped:
                    name = Path(key).name
                    if name in created:  # not left in the folder for every ingest to refuse
                        _remove(target_dir / name)
                    messages.append(f"❌ {_md(renamed.get(name, name))}: {_md(reason)}")
        return "\n\n".join(messages) or "No file to add."

    def add_from_web(self, text: str, progress: gr.Progress | None = None) -> str:
        """Pages and feeds, one address a line, saved into the articles folder and indexed."""
        urls = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if not urls:
            return "Paste the address of a page or of a feed (RSS, Atom), one a line."
        most = self.assistant.settings.app.max_upload_files
        if len(urls) > most:
            return f"❌ {len(urls)} addresses: add at most {most} at a time."
        try:
            messages, report = self._when_free(
                lambda: self.assistant.library.add_from_web(urls, _report(progress)), progress
            )
        except AssistantError as exc:
            return f"❌ {_md(str(exc))}"
        lines = [f"• {_md(m)}" for m in messages]
        if report is not None:
            lines.append(f"✅ {_md(report.summary())}")
        return "\n\n".join(lines)

    # --- one article ----------------------------------------------------------------------

    def remove(self, article_id: str | None, progress: gr.Progress | None = None) -> str:
        return self._on_article(
            article_id, self.assistant.library.remove, lambda said: f"✅ {said}", progress
        )

    def reindex(self, article_id: str | None, progress: gr.Progress | None = None) -> str:
        def said(report: IngestReport) -> str:
            if report.skipped:
                key, reason = report.skipped[0]
                return f"❌ {Path(key).name}: {reason}"
            return f"✅ Indexed again: {report.summary()}"

        return self._on_article(article_id, self.assistant.library.reindex, said, progress)

    def _on_article(
        self,
        article_id: str | None,
        action: Callable[[str], T],
        said: Callable[[T], str],
        progress: gr.Progress | None,
    ) -> str:
        """Run an action on the chosen article; its outcome, or the error, escaped."""
        if not article_id:
            return "Choose an article first."
        try:
            outcome = self._when_free(lambda: action(article_id), progress)
        except AssistantError as exc:
            return f"❌ {_md(str(exc))}"
        return _md(said(outcome))

    @staticmethod
    def _when_free(action: Callable[[], T], progress: gr.Progress | None) -> T:
        """Run an ingest action, first waiting (up to LOCK_WAIT_S) for one started elsewhere."""
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                return action()
            except IngestLockedError:
                if time.monotonic() > deadline:
                    raise
                if progress is not None:
                    progress(0.0, desc="Waiting for another ingest to finish…")
                time.sleep(1.0)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("Could not remove %s after a refused upload: %s", path, exc)


def _report(progress: gr.Progress | None) -> Callable[[int, int, str], None]:
    def report(done: int, total: int, name: str) -> None:
        if progress is not None and total:
            progress(done / total, desc=f"Indexing: {name}" if name else "Indexing")

    return report


def build_articles_tab(ui: ArticlesUI, chat_filter: gr.Dropdown) -> tuple[Any, Any]:
    """The tab's components and events, inside the caller's `gr.Tab`. Returns the table and
    the article picker, which the page load fills in."""
    search = gr.Textbox(
        placeholder="Search titles, authors, sites, files, dates…",
        show_label=False,
        elem_id="article-search",
    )
    table = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="articles-table")
    with gr.Row():
        picked = gr.Dropdown(choices=[], label="Article", elem_id="article-pick", scale=4)
        reindex = gr.Button("Index again", elem_id="reindex", scale=1)
        remove = gr.Button("Remove", variant="stop", elem_id="remove", scale=1)
    with gr.Row():
        with gr.Column():
            files = gr.File(
                file_count="multiple",
                file_types=list(ui.assistant.settings.ingest.extensions),
                label="Add files",
                elem_id="upload",
            )
            add = gr.Button("Add to the index", variant="primary", elem_id="add")
        with gr.Column():
            web = gr.Textbox(
                lines=4,
                label="Add from the web: pages or feeds (RSS, Atom), one address a line",
                elem_id="web-urls",
            )
            fetch = gr.Button("Fetch and add", variant="primary", elem_id="fetch")
    status = gr.Markdown(elem_id="upload-status")
    outputs = [status, table, chat_filter, picked]

    def after(action: Callable[..., str]) -> Callable[..., tuple[str, Any, Any, Any]]:
        def run(value: Any, query: str, progress: gr.Progress = gr.Progress()) -> Any:  # noqa: B008
            return ui.refreshed(action(value, progress), query)

        return run

    search.change(lambda q: ui.rows(q), search, table, api_visibility="private")
    add.click(after(ui.upload), [files, search], outputs, api_name="upload")
    fetch.click(after(ui.add_from_web), [web, search], outputs, api_name="add_from_web")
    remove.click(after(ui.remove), [picked, search], outputs, api_name="remove_article")
    reindex.click(after(ui.reindex), [picked, search], outputs, api_name="reindex_article")
    return table, picked
