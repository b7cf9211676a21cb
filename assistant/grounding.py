"""Grounding: what an answer may rest on.

Names, before the model is asked: a question about someone or somewhere that none of the
retrieved passages mentions ("Qu'a dit Barack Obama… ?") is refused — the small model would
otherwise answer it from the passages about other people.

Numbers, after it answered: a 1.5B model asked about something the articles do not say
sometimes answers from its own memory ("about 2,000 soldiers"), with a citation. Numbers are
the claims that can be checked without understanding the sentence, in any language: a sentence
of the answer stating a number that appears neither in the passages the model read (text,
title, date) nor in the question is dropped. An answer left with nothing is a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from assistant.citations import MARKER
from assistant.keyword import normalize
from assistant.names import capitalised, close_to_any, people

# 20.000 / 20 000 / 2,000 / 3,5 / 21H00 (two numbers)
_NUMBER = re.compile(r"\d+(?:[ .,\u00a0\u202f]\d{3})*(?:[.,]\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def missing_names(question: str, texts: Iterable[str]) -> Iterator[str]:
    """The names of `question` that no text mentions, even spelled a little differently
    (Moscow/Moscou, Shoigu/Choïgou: up to 2 edits in the stem, 1 in a four-letter one),
    lazily: one is enough to refuse."""
    known = {token for text in texts for token in normalize(text)}
    for name in dict.fromkeys(w for w in capitalised(question) if len(w) >= 4):  # not US, EI
        stems = normalize(name)
        if stems and not all(close_to_any(stem, known) for stem in stems):
            yield name


def missing_people(question: str, texts: Iterable[str]) -> Iterator[str]:
    """The full names of people in `question` ("Barack Obama": two capitalised words or more,
    not after an article or a preposition) that no text mentions, other spellings allowed
    (Sergei/Sergueï). For English, which capitalises nationalities and titles ("Which Swiss
    city", "Secretary"): a lone capitalised word is not checked."""
    known = {token for text in texts for token in normalize(text)}
    for name in dict.fromkeys(people(question)):
        words = name.split()
        if len(words) < 2 or any(c.isdigit() for c in name):
            continue
        stems = [stem for word in words if len(word) >= 4 for stem in normalize(word)]
        if stems and not all(close_to_any(stem, known) for stem in stems):
            yield name


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
