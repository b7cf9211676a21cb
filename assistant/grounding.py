"""Grounding: numbers in an answer must come from what the model read.

A 1.5B model asked about something the articles do not say sometimes answers from its own
memory ("about 2,000 soldiers"), with a citation. Numbers are the claims that can be checked
without understanding the sentence, in any language: a sentence of the answer stating a number
that appears neither in the passages the model read (text, title, date) nor in the question is
dropped. An answer left with nothing is a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.citations import MARKER

# 20.000 / 20 000 / 2,000 / 3,5 / 21H00 (two numbers)
_NUMBER = re.compile(r"\d+(?:[ .,\u00a0\u202f]\d{3})*(?:[.,]\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def numbers(text: str) -> set[str]:
    """The numbers written in `text`, as digit strings without separators or leading zeros."""
    found = set()
    for match in _NUMBER.finditer(MARKER.sub(" ", text)):
        digits = re.sub(r"\D", "", match.group()).lstrip("0") or "0"
        found.add(digits)
    return found


def drop_unsupported(answer: str, sources: Iterable[str]) -> tuple[str, list[str]]:
    """(the answer without its sentences stating numbers absent from `sources`, those
    sentences)."""
    known: set[str] = set()
    for source in sources:
        known |= numbers(source)
    kept: list[str] = []
    dropped: list[str] = []
    for sentence in _SENTENCE_END.split(answer.strip()):
        if numbers(sentence) - known:
            dropped.append(sentence)
        else:
            kept.append(sentence)
    return (" ".join(kept) if dropped else answer), dropped
