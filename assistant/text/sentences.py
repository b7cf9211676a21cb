"""Sentences and paragraphs of a text, as character spans: the one splitter for chunking,
evidence, grounding and citations. Initials ("John F. Kennedy"), "M.", "St." and decimal
numbers do not end a sentence.
"""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# End of sentence: . ! ? … (optionally followed by closing quotes) then space and a capital,
# an opening quote or a dash. Abbreviations are rejected in `sentences_between`.
_SENTENCE_END = re.compile(r"[.!?…]+[»”\"')\]]*\s+(?=[«“\"'(\[—–-]?\s*[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATIONS = frozenset(
    "m mm mme mmes mlle dr pr st ste av apr j.-c etc cf p ex vol no n° art fig mr mrs ms jr sr "
    "gen gén col lt sgt".split()
)


def spans_between(
    pattern: re.Pattern[str], text: str, start: int, end: int
) -> list[tuple[int, int]]:
    """The non-blank pieces of `text[start:end]` between matches of `pattern`, stripped."""
    spans, pos = [], start
    for match in pattern.finditer(text, start, end):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, end))
    return [strip_span(text, a, b) for a, b in spans if text[a:b].strip()]


def strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    """The span (a, b) of `text` without the white space at its ends."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sentences_between(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the paragraph `text[start:end]`."""
    spans, pos = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        words = text[pos : match.start() + 1].split()
        last = words[-1].rstrip(".").lstrip("([«“\"'").lower() if words else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue  # "M. Kerry", "J. Kirby", "(c. 1250)": not a sentence end
        spans.append(strip_span(text, pos, match.end()))
        pos = match.end()
    if text[pos:end].strip():
        spans.append(strip_span(text, pos, end))
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`; a paragraph break (after a heading) ends one."""
    return [span for pa, pb in paragraph_spans(text) for span in sentences_between(text, pa, pb)]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of `text` (blank lines between paragraphs)."""
    return spans_between(_PARAGRAPH_BREAK, text, 0, len(text))
