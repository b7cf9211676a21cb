"""Find article files and read them as text; a bad file gives a one-line reason, not a crash."""

from __future__ import annotations

import codecs
import logging
import re
import stat
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.extract import ArticleMeta, Extracted, extract_html, split_front_matter

logger = logging.getLogger(__name__)

_FALLBACK_ENCODING = "cp1252"
# Checked in this order: a UTF-32-LE byte-order mark starts like a UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# C0 and C1 control characters other than tab, line and page breaks: never article text, and
# some (ESC) would act on a terminal that prints a passage.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


@dataclass(frozen=True)
class RawDocument:
    path: Path
    key: str  # stable identity of the article: its path relative to the articles folder
    text: str
    note: str = ""  # e.g. which fallback decoding was used
    meta: ArticleMeta = ArticleMeta()  # what the page or the front matter says


@dataclass(frozen=True)
class Skipped:
    path: Path
    key: str
    reason: str


@dataclass(frozen=True)
class Discovered:
    files: list[Path]  # the folders' files of the wanted types, and the files named
    other: Counter[str]  # the folders' files of other types, by extension ("" for none)


def discover(paths: Sequence[Path], extensions: Iterable[str]) -> Discovered:
    """Files under the given folders (recursively) and the given files, sorted, deduplicated;
    hidden files and folders (".trash", editors' temporary files) are left out."""
    wanted = {e.lower() for e in extensions}
    found: set[Path] = set()
    other: Counter[str] = Counter()
    for path in paths:
        if not path.is_dir():
            found.add(path)
            continue
        for p in path.rglob("*"):
            if not p.is_file() or _hidden(p, path):
                continue
            if p.suffix.lower() in wanted:
                found.add(p)
            else:
                other[p.suffix.lower()] += 1
    return Discovered(sorted(found), other)


def unsupported(path: Path, extensions: Iterable[str]) -> str:
    """Why a named file is not read ("" if it is): it must be of a type a folder's files are
    read for, or the next ingest of the folder would take its article for gone."""
    if path.suffix.lower() in {e.lower() for e in extensions}:
        return ""
    kind = f"{path.suffix} files" if path.suffix else "files without an extension"
    return (
        f"{kind} are not read (supported: {', '.join(extensions)}); if it is text, rename it, "
        "or add its extension to ingest.extensions"
    )


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def article_key(path: Path, articles_dir: Path) -> str:
    try:
        return path.resolve().relative_to(articles_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def decode(data: bytes) -> tuple[str, str]:
    """Text and a note on the decoding used; raises ValueError for binary data."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec.lower()), f"decoded as {codec}"
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"starts with a {codec} byte-order mark but is not valid {codec} "
                    f"({exc.reason} at byte {exc.start})"
                ) from exc
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        where = exc.start
    lenient = data.decode("utf-8-sig", errors="replace")
    bad = lenient.count("\ufffd")
    if sum(1 for c in lenient if ord(c) > 127) - bad >= bad:
        # mostly valid UTF-8 (accents decode fine) with a few stray bytes: keep it UTF-8
        return (
            lenient,
            f"{bad} invalid UTF-8 byte sequence(s) (first at byte {where}) replaced by �",
        )
    text = data.decode(_FALLBACK_ENCODING, errors="replace")
    if _control_share(text) > 0.05:
        raise ValueError("binary file (mostly control characters), not text")
    return text, f"not valid UTF-8 (byte {where}); decoded as {_FALLBACK_ENCODING}"


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\n\r\t\f")
    return bad / min(len(text), 65536)


def html_to_text(html: str) -> str:
    import html2text

    converter = html2text.HTML2Text()
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0
    return converter.handle(html)


def markdown_to_text(markdown: str) -> str:
    """A Markdown file as the text a reader sees: parsed by markdown-it (CommonMark), each
    block (heading, paragraph, list item, quote, code) one paragraph, without the syntax:
    heading marks, emphasis, links' targets (their text stays), images (their alt text
    stays), inline HTML tags. List items keep a "- " or their number. Line breaks stay, as in
    a text file: the articles `--url` saves are trafilatura's text, a paragraph a line, in
    `.md` files with a front matter."""
    from markdown_it import MarkdownIt

    blocks: list[str] = []
    mark = ""
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "list_item_open":
            mark = f"{token.info}. " if token.info else "- "
        elif token.type == "inline":
            blocks.append(mark + _inline_text(token.children or []))
            mark = ""
        elif token.type in {"fence", "code_block"}:
            blocks.append(token.content)
        elif token.type == "html_block":
            blocks.append(html_to_text(token.content))
    return "\n\n".join(b.strip() for b in blocks if b.strip())


def _inline_text(children: list[Any]) -> str:
    parts = []
    for child in children:
        if child.type in {"text", "code_inline", "image"}:  # an image's content: its alt text
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
    return "".join(parts)


def load_file(
    path: Path, key: str, max_bytes: int, max_chars: int | None = None
) -> RawDocument | Skipped:
    """Read one article; every failure becomes a `Skipped` with the reason a user can act on."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return Skipped(path, key, "file name is not valid UTF-8; rename the file")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO named on the command line would block
            return Skipped(path, key, "not a regular file")
        size = info.st_size
        if size > max_bytes:
            return Skipped(
                path, key, f"too large ({size / 2**20:.1f} MB > {max_bytes / 2**20:g} MB limit)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        return Skipped(path, key, "file not found")
    except OSError as exc:
        return Skipped(path, key, f"unreadable ({exc.strerror or exc})")
    if not data.strip():
        return Skipped(path, key, "empty file")
    try:
        text, note = decode(data)
    except ValueError as exc:
        return Skipped(path, key, str(exc))
    meta = ArticleMeta()
    if path.suffix.lower() in {".html", ".htm"}:
        extracted = _main_text(text, path)
        if extracted is not None:
            text, meta = extracted.text, extracted.meta
        else:  # no article found in the page: the whole page, converted
            try:
                text = html_to_text(text)
            except RecursionError:
                return Skipped(path, key, "HTML nested too deeply to convert")
    else:
        plain = split_front_matter(text)
        text, meta = plain.text, plain.meta
        if path.suffix.lower() in {".md", ".markdown"}:
            try:
                converted = markdown_to_text(text)
            except RecursionError:
                converted = ""
            if converted:
                text = converted
            elif text.strip():  # nested past the parser's limit, say: the text as written
                note = _also(note, "Markdown unreadable: read as plain text")
    if max_chars is not None and len(text) > max_chars:
        return Skipped(
            path,
            key,
            f"text too long ({len(text):,} characters > {max_chars:,} limit); "
            "split it into several files",
        )
    text, controls = _CONTROL.subn("", text)
    if controls:
        note = _also(note, f"{controls} control character(s) removed")
    if not text.strip():
        return Skipped(path, key, "no text content")
    return RawDocument(path, key, text, note, meta)


def _also(note: str | None, more: str) -> str:
    """A file's note with one more remark."""
    return "; ".join(filter(None, [note, more]))


def _main_text(html: str, path: Path) -> Extracted | None:
    """trafilatura's extraction; None (with the reason logged) when it finds no article or
    fails on a malformed page, which then goes through html2text."""
    try:
        return extract_html(html)
    except Exception as exc:  # a third-party parser on untrusted input: any failure
        logger.info("trafilatura could not read %s (%s): converting the whole page", path, exc)
        return None
