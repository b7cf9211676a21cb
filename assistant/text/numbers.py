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
# 20.000 / 20 000 / 2,000 / 3,5 / 21H00 (two numbers)
_NUMBER = re.compile(r"\d+(?:[ .,\u00a0\u202f]\d{3})*(?:[.,]\d+)?")


def numbers(text: str, languages: Iterable[str] = ()) -> set[str]:
    """The numbers written in `text` as digit strings without separators or leading zeros;
    also those written in words in any of `languages` that text2num reads."""
    found = _digits(text)
    for language in set(languages) & WORDED:
        found |= _digits(alpha2digit(text, language))
    return found


def _digits(text: str) -> set[str]:
    return {re.sub(r"\D", "", m.group()).lstrip("0") or "0" for m in _NUMBER.finditer(text)}
