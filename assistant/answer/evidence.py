"""Evidence: the sentences of the retrieved passages that are closest to the question.

A 1.5B model answers better, and starts sooner, from a few focused sentences than from whole
paragraphs: on 2 CPU cores every prompt token costs ~18 ms before the first answer token.
Sentences are embedded (cached per process) with the bundled multilingual E5 unless
`answer.evidence_embedder` names the index's own embedder, scored against the question, and
the best ones kept within a token budget (counted by that embedder's tokenizer). Each excerpt
keeps its sentences in article order and stays tied to its passage, so citations still point
at the passage the user sees.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.index.keywords import normalize
from assistant.schema import Passage
from assistant.text.sentences import sentence_spans

_MIN_WORDS = 5  # shorter "sentences" are credits, bylines and labels: "(Avec AFP)"
TermWeights = Callable[[str], dict[str, float]]

_GAP = " … "  # between sentences that are not next to each other in the passage


@dataclass(frozen=True)
class Excerpt:
    """What the LLM reads of one passage: some of its sentences, in order."""

    number: int  # the passage's number among those shown, 1 first
    passage: Passage
    text: str


class EvidencePicker:
    def __init__(
        self,
        embedder: Embeddings,
        count_tokens: Callable[[str], int],
        max_tokens: int,
        per_passage: int,
        keyword_weight: float = 0.0,
        favour: float = 0.0,
        cache_size: int = 20_000,
    ) -> None:
        self.embedder = embedder
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.per_passage = per_passage
        self.keyword_weight = keyword_weight
        self.favour = favour
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def sentences(self, text: str) -> list[tuple[int, int]]:
        """The spans of the sentences of a passage that may be evidence (the whole passage
        when none is long enough)."""
        spans = [(a, b) for a, b in sentence_spans(text) if len(text[a:b].split()) >= _MIN_WORDS]
        return spans or [(0, len(text))]

    def warm(
        self, texts: Iterable[str], batch: int = 16, wait: Callable[[], None] = lambda: None
    ) -> int:
        """Embed the sentences of `texts` ahead of the questions that will read them (each new
        passage otherwise costs ~20 ms a sentence before the first answer token). `wait()` runs
        before each batch, to let questions go first. Returns how many were embedded."""
        done = 0
        pending: list[str] = []
        for text in texts:
            pending += [text[a:b] for a, b in self.sentences(text)]
            while len(pending) >= batch:
                wait()
                done += self._embed_missing(pending[:batch])
                del pending[:batch]
            if done >= self._cache_size:
                return done  # more would push out what was just embedded
        if pending:
            wait()
            done += self._embed_missing(pending)
        return done

    def pick(
        self,
        question: str,
        passages: Sequence[Passage],
        term_weights: TermWeights | None = None,
        favoured: Sequence[str] = (),
        lead: int | None = None,
    ) -> list[Excerpt]:
        """Excerpts of the passages (in their ranked order) holding the best sentences.

        A sentence scores its embedding similarity to the question plus `keyword_weight` times
        the share of the question's keyword weight it contains (see `_distinctive`): the
        embedding alone favours sentences sharing the question's names over the one that
        answers it. Sentences inside one of the `favoured` texts (what the last answer cited,
        for a follow-up) get `favour` more. The lede of passage `lead` (its first sentence after
        the title) is always read, whatever its score, on top of the budget unless it is longer
        than the budget itself. Passages none of whose sentences made the budget are left
        out."""
        split = [self.sentences(p.text) for p in passages]
        flat = [
            (i, j, passages[i].text[a:b])
            for i, spans in enumerate(split)
            for j, (a, b) in enumerate(spans)
        ]
        if not flat:
            return []
        vectors = self._vectors([s for _, _, s in flat])
        query = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        scores = vectors @ (query / (np.linalg.norm(query) or 1.0))
        weights = term_weights(question) if term_weights and self.keyword_weight else {}
        if weights:
            terms = [set(normalize(s)) for _, _, s in flat]
            weights = _distinctive(weights, terms)
            total = sum(weights.values()) or 1.0
            overlap = [sum(weights.get(t, 0.0) for t in found) for found in terms]
            scores = scores + self.keyword_weight * np.asarray(overlap, dtype=np.float32) / total
        if favoured and self.favour:
            inside = [any(s in text for text in favoured) for _, _, s in flat]
            scores = scores + self.favour * np.asarray(inside, dtype=np.float32)
        chosen: dict[int, set[int]] = {}
        used = 0
        if lead is not None and 0 <= lead < len(passages):
            j = _lede(passages[lead], split[lead])
            if (
                j is not None
                and self.count_tokens(passages[lead].text[slice(*split[lead][j])])
                <= self.max_tokens
            ):
                chosen[lead] = {j}  # on top of the budget: the best sentences still fit
        for order in np.argsort(-scores, kind="stable"):
            i, j, sentence = flat[int(order)]
            cost = self.count_tokens(sentence)
            if j in chosen.get(i, ()) or len(chosen.get(i, ())) >= self.per_passage:
                continue
            if used and used + cost > self.max_tokens:
                continue  # a shorter, lower-scored sentence may still fit
            chosen.setdefault(i, set()).add(j)
            used += cost
        return [
            Excerpt(i + 1, passages[i], _join(passages[i].text, split[i], sorted(chosen[i])))
            for i in range(len(passages))
            if i in chosen
        ]

    def _embed_missing(self, texts: list[str]) -> int:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            fresh = self.embedder.embed_documents(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    v = np.asarray(vector, dtype=np.float32)
                    self._cache[text] = v / (np.linalg.norm(v) or 1.0)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return len(missing)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        self._embed_missing(texts)
        with self._lock:
            for text in texts:
                self._cache.move_to_end(text)
            return np.stack([self._cache[t] for t in texts])


def _distinctive(weights: dict[str, float], sentences: list[set[str]]) -> dict[str, float]:
    """The question's keyword weights (rare in the archive: heavier) scaled by how few of the
    candidate sentences hold each word: in "Qu'ont fait Kerry et Lavrov pendant leur pause ?"
    the names are in most candidates and tell them apart less than "pause" does. A word in one
    sentence (or none) keeps its weight; one in every sentence keeps log(2)/log(1+n) of it."""
    n = len(sentences)
    if n < 2:
        return weights
    scale = math.log(1.0 + n)
    return {
        term: weight * math.log(1.0 + n / max(1, sum(term in s for s in sentences))) / scale
        for term, weight in weights.items()
    }


def _lede(passage: Passage, spans: list[tuple[int, int]]) -> int | None:
    """The index of the passage's first sentence after its article's title (a title may hold
    a full stop: "Syrie. Kerry et Lavrov d'accord"; spacing and a Markdown "#" may differ);
    its first sentence when it does not open with the title."""
    words = passage.title.split()
    opening = re.match(r"\s*#*\s*" + r"\s+".join(map(re.escape, words)), passage.text)
    after = opening.end() if words and opening else 0
    return next((j for j, (a, _) in enumerate(spans) if a >= after), None)


def _join(text: str, spans: list[tuple[int, int]], indexes: list[int]) -> str:
    """The chosen sentences as written; a gap mark where sentences in between were left out."""
    out = text[slice(*spans[indexes[0]])]
    for before, index in zip(indexes, indexes[1:], strict=False):
        if index == before + 1:
            out += text[spans[before][1] : spans[index][1]]
        else:
            out += _GAP + text[slice(*spans[index])]
    return out
