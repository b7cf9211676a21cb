"""The articles folder's files: names safe to save under, and where a new file goes without
replacing another one."""

from __future__ import annotations

import filecmp
import itertools
import re
from collections.abc import Collection
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_name(name: str, limit: int = 100) -> str:
    """A file name with no folders, no traversal and no odd characters, extension kept."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "article"
    stem = stem[: max(limit - len(suffix), 1)]
    while len(f"{stem}{suffix}".encode()) > 255:  # the filesystem's limit is in bytes
        stem = stem[:-1]
    return stem + suffix


def destination(folder: Path, name: str, source: Path, taken: Collection[str] = ()) -> Path:
    """Where a file is saved in `folder`: under its own name, unless another file has it (an
    earlier upload, "index.html" from another site; or a name in `taken`, one of the same
    batch): then "name-2", "name-3"… An identical file keeps its name (it is there already)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in itertools.count(1):
        candidate = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        if candidate.name in taken:
            continue
        if not candidate.is_file() or filecmp.cmp(candidate, source, shallow=False):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` (resolved: symbolic links followed) is `folder` or under it."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents
