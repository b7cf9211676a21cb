"""Find article files and read them as text; a bad file gives a one-line reason, not a crash."""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

_FALLBACK_ENCODING = "cp1252"


@dataclass(frozen=True)
class RawDocument:
    path: Path
    key: str  # stable identity of the article: its path relative to the articles folder
    text: str
    note: str = ""  # e.g. which fallback decoding was used


@dataclass(frozen=True)
class Skipped:
    path: Path
    key: str
    reason: str


def discover(paths: Sequence[Path], extensions: Iterable[str]) -> list[Path]:
    """Files under the given folders (recursively) and the given files, sorted, deduplicated."""
    wanted = {e.lower() for e in extensions}
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in wanted and not _hidden(p, path)
            )
        else:
            found.add(path)
    return sorted(found)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def article_key(path: Path, articles_dir: Path) -> str:
    try:
        return path.resolve().relative_to(articles_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def decode(data: bytes) -> tuple[str, str]:
    """Text and a note on the decoding used; raises ValueError for binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "decoded as UTF-16"
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        where = exc.start
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


def load_file(path: Path, key: str, max_bytes: int) -> RawDocument | Skipped:
    """Read one article; every failure becomes a `Skipped` with the reason a user can act on."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(
                path, key, f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit)"
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
    if path.suffix.lower() in {".html", ".htm"}:
        try:
            text = html_to_text(text)
        except RecursionError:
            return Skipped(path, key, "HTML nested too deeply to convert")
    if not text.strip():
        return Skipped(path, key, "no text content")
    return RawDocument(path, key, text, note)
