"""Split cleaned article text into passages: by paragraph, then by sentence when a paragraph
exceeds the embedder's budget, keeping exact character offsets into the cleaned text.

A passage is normally one paragraph, so a paragraph syndicated in two articles becomes the same
passage text in both and can be recognised as an exact duplicate at query time.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from assistant.text.sentences import paragraph_spans, sentences_between, strip_span


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int  # offsets into the cleaned article text: text == article[start:end]
    end: int


def text_hash(text: str) -> str:
    """Identity of a passage's content, ignoring case, accents-form and spacing."""
    norm = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


def _split_long(
    text: str, span: tuple[int, int], count: Callable[[str], int], max_tokens: int, overlap: int
) -> list[tuple[int, int]]:
    sentences = sentences_between(text, *span)
    pieces: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and count(text[sentences[i][0] : sentences[j][1]]) <= max_tokens:
            j += 1
        if j == i + 1 and count(text[sentences[i][0] : sentences[i][1]]) > max_tokens:
            pieces.extend(_split_words(text, sentences[i], count, max_tokens))
        else:
            pieces.append((sentences[i][0], sentences[j - 1][1]))
        if j >= len(sentences):
            break
        i = max(j - overlap, i + 1)
    return pieces


def _split_words(
    text: str, span: tuple[int, int], count: Callable[[str], int], max_tokens: int
) -> list[tuple[int, int]]:
    """A sentence over the budget (a list, a table row, text without punctuation) cut between
    words into pieces that fit, so no passage is longer than the embedder and the prompt allow."""
    pieces: list[tuple[int, int]] = []
    a, end = span
    while a < end:
        b = min(end, a + max_tokens * 8)  # prose runs ~4 characters a token: cut back from here
        while b - a > 1 and count(text[a:b]) > max_tokens:
            cut = text.rfind(" ", a + 1, a + (b - a) * 4 // 5)
            b = cut if cut > a else a + (b - a) * 4 // 5
        pieces.append(strip_span(text, a, b))
        a = b
        while a < end and text[a].isspace():
            a += 1
    return [p for p in pieces if p[0] < p[1]]


def chunk_text(
    text: str,
    count_tokens: Callable[[str], int],
    max_tokens: int = 320,
    min_tokens: int = 40,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    """Passages of at most `max_tokens` (a sentence over the budget is cut between words);
    paragraphs under `min_tokens` (headings, short lines) are joined to the paragraph that
    follows them, or to the previous one at the end of the text."""
    paragraphs = paragraph_spans(text)
    merged: list[tuple[int, int]] = []
    pending: int | None = None
    for a, b in paragraphs:
        start = a if pending is None else pending
        if count_tokens(text[start:b]) < min_tokens:
            pending = start
            continue
        merged.append((start, b))
        pending = None
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], paragraphs[-1][1])
        else:
            merged.append((pending, paragraphs[-1][1]))

    spans: list[tuple[int, int]] = []
    for span in merged:
        if count_tokens(text[span[0] : span[1]]) <= max_tokens:
            spans.append(span)
        else:
            spans.extend(_split_long(text, span, count_tokens, max_tokens, overlap_sentences))
    return [Chunk(text[a:b], a, b) for a, b in spans]
