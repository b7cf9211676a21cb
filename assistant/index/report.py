"""What an ingest run did to the index, as `python -m ingest` and the web chat report it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.text.untrusted import printable

Progress = Callable[[int, int, str], None]  # (done, total, current file)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # files gone, their articles kept (no prune)
    stale: list[str] = field(default_factory=list)  # skipped files whose last version is kept
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (file, note)
    ignored: Counter[str] = field(default_factory=Counter)  # other files, by extension
    chunks_total: int = 0
    chunks_embedded: int = 0
    tokens_embedded: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        lines = [
            f"added {verb}{len(self.added)} / updated {len(self.updated)} / unchanged "
            f"{len(self.unchanged)} / removed {len(self.removed)} / skipped {len(self.skipped)} "
            f"· {self.chunks_total} chunks ({self.chunks_embedded} embedded) "
            f"· {self.seconds:.2f} s"
        ]
        lines += [f"  skipped {printable(name)}: {reason}" for name, reason in self.skipped]
        lines += [f"  note {printable(name)}: {note}" for name, note in self.notes]
        if self.ignored:
            kinds = ", ".join(
                f"{n} {kind or 'without extension'}" for kind, n in self.ignored.most_common()
            )
            lines.append(
                f"  ignored {self.ignored.total()} file(s) of other types ({printable(kinds)}): "
                "only the types in ingest.extensions are read"
            )
        if self.gone:
            lines.append(
                f"  {len(self.gone)} indexed file(s) no longer found ({_some(self.gone)}): their "
                "articles are still searched; `python -m ingest --prune` removes them"
            )
        if self.stale:
            lines.append(
                f"  {len(self.stale)} indexed file(s) now skipped ({_some(self.stale)}): their "
                "earlier version is still searched: mend the file, or delete it and run "
                "`python -m ingest --prune`"
            )
        return "\n".join(lines)


def _some(names: list[str], most: int = 5) -> str:
    """The first names, and how many more."""
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(printable(n) for n in names[:most]) + more
