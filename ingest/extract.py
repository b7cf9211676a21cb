"""An article's text and metadata from a saved web page (`trafilatura`: main text, title,
author, publication date, site) or from a text file's front matter (the `---` block that
`python -m ingest --url` writes, and that Markdown tools use).

The measured comparison with the former html2text conversion is in docs/architecture.md.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from typing import Any

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<block>.*?)\n---[ \t]*\n", re.DOTALL)
_FIELD = re.compile(r"^(?P<key>[A-Za-z_]+)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$")
# the keys written by `front_matter`, and the usual ones of Markdown tools
_KEYS = set(
    "title author site sitename url date description hostname categories tags lang language "
    "source id fingerprint license".split()
)


@dataclass(frozen=True)
class ArticleMeta:
    """What a page or a front matter says about an article ("" or None when it does not)."""

    title: str = ""
    author: str = ""
    site: str = ""
    url: str = ""
    published: datetime.date | None = None


@dataclass(frozen=True)
class Extracted:
    text: str
    meta: ArticleMeta


def extract_html(html: str | bytes, url: str = "") -> Extracted | None:
    """The main text of a page, its title first, with its metadata; None when the page holds
    no article text (the caller then converts the whole page)."""
    import trafilatura

    for noisy in ("trafilatura", "htmldate", "courlan"):  # they log each odd page as an error
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    found = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
    )
    fields: dict[str, Any] = {}
    if found is not None:
        fields = found if isinstance(found, dict) else found.as_dict()

    def field(name: str) -> str:
        return " ".join(str(fields.get(name) or "").split())

    text = str(fields.get("text") or "").strip()
    if not text:
        return None
    title = field("title")
    if title and text.splitlines()[0].strip() != title:
        text = f"{title}\n\n{text}"
    meta = ArticleMeta(
        title=title,
        author=field("author"),
        site=field("sitename"),
        url=field("url") or url,
        published=_iso_date(field("date")),
    )
    return Extracted(text, meta)


def split_front_matter(text: str) -> Extracted:
    """A text's `---` front matter (title, author, site, url, date) and the text after it."""
    match = _FRONT_MATTER.match(text)
    lines = [line for line in match["block"].splitlines() if line.strip()] if match else []
    fields = {}
    for line in lines:
        pair = _FIELD.match(line)
        if pair is None or pair["key"].lower() not in _KEYS:
            return Extracted(text, ArticleMeta())  # a rule (---) in the text, not metadata
        fields[pair["key"].lower()] = _unquote(pair["value"])
    if match is None or not fields:
        return Extracted(text, ArticleMeta())
    meta = ArticleMeta(
        title=fields.get("title", ""),
        author=fields.get("author", ""),
        site=fields.get("site", "") or fields.get("sitename", ""),
        url=fields.get("url", ""),
        published=_iso_date(fields.get("date", "")),
    )
    return Extracted(text[match.end() :], meta)


def front_matter(meta: ArticleMeta) -> str:
    """The front matter `split_front_matter` reads back."""
    lines = [
        f"{key}: {value}"
        for key, value in (
            ("title", meta.title),
            ("author", meta.author),
            ("site", meta.site),
            ("url", meta.url),
            ("date", meta.published.isoformat() if meta.published else ""),
        )
        if value
    ]
    return "---\n" + "\n".join(" ".join(line.split()) for line in lines) + "\n---\n"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _iso_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
