"""Files named to `python -m ingest` that are outside the articles folder are copied into it
first: the index mirrors that folder, so an article indexed from elsewhere would be reported
gone, and removed by the next `--prune` or `--watch`."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.folder import destination, inside, safe_name
from assistant.index.report import IngestReport
from ingest.loader import article_key, discover, unsupported


@dataclass
class Copied:
    paths: list[Path] = field(default_factory=list)  # to ingest: the copies, and paths inside
    lines: list[str] = field(default_factory=list)  # what was copied, for the user
    created: list[Path] = field(default_factory=list)  # the new files, to remove if refused

    def remove_refused(self, report: IngestReport, articles_dir: Path) -> list[Path]:
        """Remove the copies the ingest skipped (empty, binary…), which each ingest of the
        folder would refuse again; those removed."""
        refused = {key for key, _ in report.skipped}
        removed = [p for p in self.created if article_key(p, articles_dir) in refused]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed


def copy_into_folder(
    paths: Sequence[Path], articles_dir: Path, extensions: Iterable[str], dry_run: bool = False
) -> Copied:
    """Copy the files outside the folder into it: a file keeps its name (another file has it:
    "name-2"…; an identical one is not copied again), a folder's article files go to a folder
    of its name. Other paths (inside the folder, of a type not read, not a file) are ingested
    as given, which reads them or says why not. `dry_run` copies nothing, and says what it
    would copy."""
    copied = Copied()
    for path in paths:
        files: list[tuple[Path, Path]] = []  # (source, where it goes)
        into, left = articles_dir, ""
        if path.is_dir():
            into = articles_dir / safe_name(path.resolve().name)
            found = discover([path], extensions)
            files = [
                (f, into.joinpath(*map(safe_name, f.relative_to(path).parts))) for f in found.files
            ]
            if found.other:
                kinds = ", ".join(kind or "no extension" for kind in sorted(found.other))
                left = f"; {found.other.total()} file(s) of other types not copied ({kinds})"
        elif path.is_file() and not unsupported(path, extensions):
            files = [(path, articles_dir / safe_name(path.name))]
        if not files or inside(path, articles_dir):
            copied.paths.append(path)
        elif dry_run:
            copied.paths.append(path)
            copied.lines.append(f"would copy {len(files)} file(s) of {path} into {into}{left}")
        else:
            copied.lines.append(_copy(files, copied, f"{path} into {into}") + left)
    return copied


def _copy(files: list[tuple[Path, Path]], copied: Copied, what: str) -> str:
    """Copy each (source, target) where `destination` says; the line saying so."""
    new = 0
    for source, target in files:
        saved = destination(target.parent, target.name, source)
        if not saved.is_file():
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, saved)
            copied.created.append(saved)
            new += 1
        copied.paths.append(saved)
    there = f" ({len(files) - new} there already)" if new < len(files) else ""
    return f"copied {new} file(s) of {what}{there}"
