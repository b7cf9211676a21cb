"""An article's publication date from its text, read by `dateparser` (dates in French, English,
German, Spanish, Italian and more, in words or digits).

Only a *dateline* counts: a line that says the article was published or updated ("Publié le…",
"Updated…"), or a short line near the top (a byline such as "By Tom Hughes | October 3, 2016").
The first full date of the text is often something else: an embedded tweet's, a photo
caption's, or the event's.
"""

from __future__ import annotations

import datetime
import re

from assistant.text.language import detect_language
from assistant.text.periods import read_date

_TOP_LINES = 8  # a byline sits in the first lines
_DATELINE_MAX_CHARS = 60  # a byline; a photo caption with a date is longer
_LABEL = re.compile(
    r"^\W*(publi[ée]|mis à jour|mise à jour|modifi[ée]|published|updated|posted|"
    r"veröffentlicht|aktualisiert|publicado|actualizado|pubblicato|aggiornato|date\s*:)",
    re.IGNORECASE,
)
_YEAR = r"(?:1[89]|20)\d\d"
_WORD = r"[^\W\d_]{3,12}\.?"
# Shapes of a full date; dateparser then reads the words. Same line only: `[^\S\n]`.
_CANDIDATE = re.compile(
    rf"(?<!\d)(?P<iso>(?P<y>{_YEAR})-(?P<m>\d\d)-(?P<d>\d\d))(?!\d)"
    rf"|(?<![\d.])\d{{1,2}}(?:er|ᵉʳ|st|nd|rd|th|\.|º)?[^\S\n]+(?:(?:de|of)[^\S\n]+)?{_WORD},?"
    rf"[^\S\n]+(?:de[^\S\n]+)?{_YEAR}(?!\d)"
    rf"|\b{_WORD}[^\S\n]+\d{{1,2}}(?:st|nd|rd|th)?,?[^\S\n]+{_YEAR}(?!\d)"
    rf"|(?<![\d.])\d{{1,2}}[/.]\d{{1,2}}[/.]{_YEAR}(?!\d)",
    re.IGNORECASE,
)


def publication_date(text: str) -> datetime.date | None:
    """The date of the article's dateline, else None."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    labelled = [line for line in lines if _LABEL.match(line)]
    top = [
        line
        for line in lines[1:_TOP_LINES]  # not the first: the title names events' dates
        if len(line) <= _DATELINE_MAX_CHARS and "@" not in line  # "@": a tweet's signature
    ]
    order = "MDY" if detect_language(" ".join(lines[:40])) == "en" else "DMY"
    for line in labelled + top:
        found = parse_date(line, order)
        if found is not None:
            return found
    return None


def parse_date(text: str, order: str = "DMY") -> datetime.date | None:
    """The first full date (day, month and year) in `text`, else None: spans shaped like a
    date, in any language, read by dateparser (which knows the month names). `order` reads
    digits-only dates ("10/03/2016": MDY in American English, DMY nearly everywhere else)."""
    for match in _CANDIDATE.finditer(text):
        span = " ".join(match.group().split())
        if match["iso"]:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
        value = read_date(span, ("day", "month", "year"), order)
        if value is not None and str(value.year) in span:
            return value.date()
    return None
