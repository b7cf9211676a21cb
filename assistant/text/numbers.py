"""The numbers a text states, in digits or in words: "neuf enfants" states 9 as "9 enfants" does.

Words become digits through text2num's `alpha2digit` (the maintained converter, for the
languages in `WORDED`); numbers below its threshold of 3 stay words ("un", "one", "premier"),
as they are more often articles and ordinals than quantities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from text_to_num import alpha2digit

WORDED = frozenset({"en", "fr", "es", "pt", "de", "it", "nl"})  # text2num's languages
# 20.000 / 20 000 / 2,000 (thousands) / 3,5 / 1.25 (decimals) / 21H00 (two numbers)
# 1.10.2016, 12.02.16: a day, a month and a year, not the decimal 1.1 and 2016
DOTTED_DATE = re.compile(r"(?<![\d.,])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d.,]\d)")
_NUMBER = re.compile(r"(?P<whole>\d+(?:[ .,\u00a0\u202f]\d{3}(?!\d))*)(?:[.,](?P<fraction>\d+))?")


def numbers(text: str, languages: Iterable[str] = ()) -> set[str]:
    """The numbers written in `text` as digit strings without thousands separators or leading
    zeros, decimals after a "." ("3,50" as "3.5"); also those written in words in any of
    `languages` that text2num reads."""
    found = _digits(text)
    for language in set(languages) & WORDED:
        found |= _digits(alpha2digit(text, language))
    return found


def _digits(text: str) -> set[str]:
    dates: set[str] = set()
    for m in DOTTED_DATE.finditer(text):  # its parts ("12 février 2016"), and itself whole
        parts = [str(int(part)) for part in m.groups()]
        dates |= {*parts, ".".join(parts)}
    return dates | {_canonical(m) for m in _NUMBER.finditer(DOTTED_DATE.sub(" ", text))}


def is_date(number: str) -> bool:
    """Whether `number` (as `numbers` gives it) is a dotted date, "1.10.2016"."""
    return number.count(".") == 2


def at_least(number: str, least: float) -> bool:
    """Whether `number` (as `numbers` gives it; not a date) is `least` or more."""
    return not is_date(number) and float(number) >= least


def _canonical(match: re.Match[str]) -> str:
    """ "1 500" and "1,500" as "1500"; "1,5" and "1.50" as "1.5", not 15 or 150: a separator
    before three digits groups thousands, before any other count it starts decimals."""
    whole = re.sub(r"\D", "", match["whole"]).lstrip("0") or "0"
    fraction = (match["fraction"] or "").rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole
