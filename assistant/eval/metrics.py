"""Pure scoring functions for the evaluation harness (`python -m assistant.eval`).

No model, no index: text and file names in, numbers out, so every rule is unit-tested on its
own. Shares are floats in 0..1, or None when no case qualifies (a 0 would read as a failure).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

# Typographic variants a model or an article may use for the same text.
_LOOKALIKES = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "œ": "oe",
        "æ": "ae",
    }
)


def fold(text: str) -> str:
    """Case-, accent- and typography-insensitive form: NFKD without combining marks,
    casefolded, curly apostrophes and dashes made plain, ligatures split, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_LOOKALIKES)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


# SQuAD's answer normalisation, with the French articles and elided forms too.
_ARTICLES = frozenset("le la les l un une des du de d the a an".split())
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def answer_form(text: str) -> str:
    """SQuAD's normalisation (lower case, no punctuation, no articles, single spaces), on
    folded text (see `fold`), with French articles (le, la, les, l', un, une, des, du, de, d')
    dropped like "the", "a" and "an"."""
    words = _PUNCTUATION.sub(" ", fold(text).replace("'", "' ")).split()
    return " ".join(w for w in words if w not in _ARTICLES)


def matches_expect(answer: str, expect: Sequence[Sequence[str]]) -> bool:
    """Every group has at least one alternative inside the answer, both in `answer_form`
    (containment of whole words). No groups: nothing is required."""
    said = f" {answer_form(answer)} "
    return all(
        any(f" {answer_form(alt)} " in said for alt in group if answer_form(alt))
        for group in expect
    )


def _name(file: str) -> str:
    return PurePosixPath(file.replace("\\", "/")).name


def is_source(file: str, sources: Iterable[str]) -> bool:
    """Whether an article file is one of `sources`; compared by file name, so an article
    stored under a sub-folder (e.g. uploads/) still matches its bare name."""
    name = _name(file)
    return any(name == _name(s) for s in sources)


def first_source_rank(files: Sequence[str], sources: Sequence[str]) -> int | None:
    """1-based rank of the first file that is a source, None when none is."""
    return next((n for n, f in enumerate(files, start=1) if is_source(f, sources)), None)


def reciprocal_rank(rank: int | None, k: int) -> float:
    """1/rank within the top k, else 0."""
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def citation_precision(cited_files: Sequence[str], sources: Sequence[str]) -> float | None:
    """Share of cited passages whose article is a source; None when nothing is cited."""
    if not cited_files:
        return None
    return sum(is_source(f, sources) for f in cited_files) / len(cited_files)


def share(flags: Iterable[bool]) -> float | None:
    """Share of true flags; None for an empty list."""
    values = list(flags)
    return sum(values) / len(values) if values else None


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between closest ranks, like
    numpy's default; None for no values."""
    items = sorted(values)
    if not items:
        return None
    position = (len(items) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return items[low] + (items[high] - items[low]) * (position - low)
