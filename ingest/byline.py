"""The author a plain-text article names in its byline ("By Jane Smith, Reuters", "Par Jean
Dupont", "Von Anna Müller"): a short line near the top, its word for "by", then names.

Saved pages get their author from trafilatura, files with a front matter from it; this reads
the articles that have neither. A line that goes on after the names in running text ("Par
ailleurs, la ville…", "By Monday the storm had…") is not a byline.
"""

from __future__ import annotations

import re

# the word for "by" that opens a byline, per language
_BY = "by|par|von|por|di|door|av|af"
# lower-case words inside names (particles) and between them
_PARTICLE = r"(?:de|du|des|d'|da|di|del|della|van|von|der|den|le|la|el|al|bin|ibn|y)"
_JOIN = r"(?:and|et|und|y|e|en|och|og|&|with|avec|mit|con)"
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,4}}"
_BYLINE = re.compile(
    rf"^(?:{_BY})\s+(?P<names>{_NAME}(?:\s*(?:,|{_JOIN})\s*{_NAME})*?)"
    r"\s*(?:$|[,|•/–—-]\s*(?P<rest>.*)$)",
    re.IGNORECASE,
)
_HEAD_LINES = 6  # a byline comes before the story does
_MAX_WORDS = 16


def byline_author(text: str) -> str:
    """The names of the first byline among the text's first lines, or ""."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:_HEAD_LINES]:
        if len(line.split()) > _MAX_WORDS or line.endswith("."):
            continue
        match = _BYLINE.match(line)
        if match is not None and _names_only(match["names"]):
            return " ".join(match["names"].split())
    return ""


def _names_only(names: str) -> bool:
    """Every word is capitalised, a particle or a joining word (IGNORECASE lets "ailleurs" in)."""
    small = re.compile(rf"^(?:{_PARTICLE}|{_JOIN}|[dl]['’][A-ZÀ-ÖØ-Þ].*)$")
    words = [w for w in re.split(r"[\s,]+", names) if w]
    return all(w[0].isupper() or small.match(w) for w in words) and words[0][0].isupper()
