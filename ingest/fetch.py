"""Articles from the web: a page's URL, or an RSS/Atom feed's items (`feedparser`).

Each page is fetched with a timeout and a size limit, its article extracted (`extract`), and
saved in the articles folder as text with a front matter (title, author, site, url, date), under
a name made from its URL: re-ingest and prune keep working, and a URL already saved is not
fetched or indexed again. Every item gets one line saying what happened.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from assistant.settings import Settings
from ingest.extract import extract_html, front_matter

WEB_FOLDER = "web"  # inside the articles folder
_HTML_TYPES = ("text/html", "application/xhtml+xml")
MIN_ARTICLE_CHARS = 250  # trafilatura's own minimum for an extraction (MIN_EXTRACTED_SIZE)
_USER_AGENT = "news-assistant/0.1 (+local article reader)"


@dataclass(frozen=True)
class Fetched:
    """One URL's outcome: the file it was saved to (None: nothing saved) and a message."""

    url: str
    path: Path | None
    message: str
    new: bool = False  # saved by this run (an already saved one is not indexed again)


class FetchError(Exception):
    """A URL that gave nothing usable; the message says why, for the user."""


def saved_path(articles_dir: Path, url: str) -> Path:
    """Where the article of `url` is saved: `web/<host>-<hash of the URL>.md`."""
    host = re.sub(r"[^a-z0-9.-]", "", (urlsplit(url).hostname or "page").lower())[:60]
    digest = hashlib.sha1(url.strip().encode("utf-8")).hexdigest()[:12]
    return articles_dir / WEB_FOLDER / f"{host or 'page'}-{digest}.md"


def save_urls(
    settings: Settings,
    urls: Sequence[str],
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Fetched]:
    """Fetch, extract and save each page; already saved ones are left as they are."""
    results = []
    for done, url in enumerate(urls):
        if progress is not None:
            progress(done, len(urls), url)
        results.append(_save_one(settings, url.strip()))
    if progress is not None:
        progress(len(urls), len(urls), "")
    return results


def save_from_web(
    settings: Settings,
    urls: Sequence[str],
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Fetched]:
    """`save_urls` for addresses that may be pages or feeds (the web chat's one box): a feed
    is known by its content type or its first bytes, and stands for its items."""
    results: list[Fetched] = []
    for done, url in enumerate(u.strip() for u in urls if u.strip()):
        if progress is not None:
            progress(done, len(urls), url)
        if not url.startswith(("http://", "https://")) or _saved(settings, url):
            results.append(_save_one(settings, url))
            continue
        try:
            body, kind = _get(url, settings)
        except FetchError as exc:
            results.append(Fetched(url, None, str(exc)))
            continue
        if _is_feed(body, kind):
            try:
                items = _feed_links(url, body, kind)
            except FetchError as exc:
                results.append(Fetched(url, None, str(exc)))
                continue
            results.append(Fetched(url, None, f"{url}: a feed of {len(items)} items."))
            results += save_urls(settings, items)
        else:
            results.append(_save_one(settings, url, (body, kind)))
    if progress is not None:
        progress(len(urls), len(urls), "")
    return results


def _saved(settings: Settings, url: str) -> bool:
    try:
        return saved_path(settings.articles_dir, url).exists()
    except ValueError:
        return True  # `_save_one` says it is not a valid address


def feed_items(settings: Settings, feed_url: str) -> list[str]:
    """The links of a feed's items, in the feed's order, without repeats."""
    body, kind = _get(feed_url, settings)
    return _feed_links(feed_url, body, kind)


def _is_feed(body: bytes, kind: str) -> bool:
    start = body[:500].lstrip().lower()
    feedish = any(t in kind for t in ("rss", "atom", "xml")) and "html" not in kind
    return feedish or start.startswith((b"<rss", b"<feed")) or b"<rss" in start


def _feed_links(feed_url: str, body: bytes, kind: str) -> list[str]:
    import feedparser

    parsed = feedparser.parse(body)
    raw = [str(e.get("link") or "").strip() for e in parsed.entries]
    links = [urljoin(feed_url, link) for link in raw if link]  # relative links too
    links = list(dict.fromkeys(link for link in links if link.startswith(("http://", "https://"))))
    if not links:
        what = "no item with a link" if parsed.entries else "not an RSS or Atom feed"
        raise FetchError(f"{feed_url}: {what} ({kind or 'no content type'}).")
    return links


def _save_one(settings: Settings, url: str, fetched: tuple[bytes, str] | None = None) -> Fetched:
    if not url.startswith(("http://", "https://")):
        return Fetched(url, None, f"{url}: not a web address (http:// or https://).")
    try:
        path = saved_path(settings.articles_dir, url)
    except ValueError:
        return Fetched(url, None, f"{url}: not a valid web address.")
    if path.exists():
        return Fetched(url, path, f"{url}: already saved as {_shown(path, settings)}.")
    try:
        body, kind = fetched or _get(url, settings)
        if not any(t in kind for t in _HTML_TYPES):
            raise FetchError(f"{url}: not a web page ({kind or 'no content type'}).")
        try:
            extracted = extract_html(body, url=url)  # bytes: trafilatura finds the encoding
        except Exception:  # a third-party parser on untrusted input: any failure
            extracted = None
        if extracted is None:
            raise FetchError(f"{url}: no article text found in the page.")
        if len(extracted.text) < MIN_ARTICLE_CHARS:
            raise FetchError(
                f"{url}: the page holds only {len(extracted.text)} characters of article text "
                f"(fewer than {MIN_ARTICLE_CHARS}): nothing saved. If it is a short article, "
                "save its text as a .txt file in the articles folder."
            )
    except FetchError as exc:
        return Fetched(url, None, str(exc))
    meta = extracted.meta
    text = front_matter(meta) + "\n" + extracted.text + "\n"
    _write_atomically(path, text)
    title = meta.title or "untitled"
    return Fetched(url, path, f"{url}: saved “{title}” as {_shown(path, settings)}.", new=True)


def _get(url: str, settings: Settings) -> tuple[bytes, str]:
    """The body (at most `ingest.max_file_mb`) and content type of a successful GET."""
    import httpx

    limit = int(settings.ingest.max_file_mb * 2**20)
    timeout = settings.ingest.fetch_timeout_s
    try:
        with httpx.stream(
            "GET",
            url,
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": _USER_AGENT},
        ) as reply:
            if reply.status_code >= 400:
                raise FetchError(f"{url}: the server answered HTTP {reply.status_code}.")
            kind = reply.headers.get("content-type", "").split(";")[0].strip().lower()
            declared = int(reply.headers.get("content-length") or 0)
            if declared > limit:
                raise FetchError(_too_large(url, settings))
            chunks, size = [], 0
            for chunk in reply.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(_too_large(url, settings))
                chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: no answer within {timeout:g} s.") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, UnicodeError) as exc:
        raise FetchError(f"{url}: not a valid web address.") from exc
    except httpx.HTTPError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise FetchError(f"{url}: cannot reach {urlsplit(url).hostname} ({reason}).") from exc
    return b"".join(chunks), kind


def _too_large(url: str, settings: Settings) -> str:
    limit = settings.ingest.max_file_mb
    return f"{url}: larger than the {limit:g} MB limit (ingest.max_file_mb)."


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: a crash leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".fetch-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _shown(path: Path, settings: Settings) -> str:
    try:
        return path.relative_to(settings.articles_dir).as_posix()
    except ValueError:
        return str(path)
