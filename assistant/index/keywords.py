"""Persisted BM25 keyword index over passages, with French-aware normalisation.

Dense embeddings miss exact names, numbers and rare words ("Alep", "2016", "Sergueï"); a keyword
index catches them. Both the corpus and the queries go through `normalize`, which folds case and
accents, strips French elisions and stopwords and stems, so "l'escalade" finds "escalade" and
"Serguei" finds "SERGUEÏ". Scoring uses `bm25s` (sparse, eagerly scored matrices) on our own tokens.

On disk an index is a directory: the bm25s files, `keyword.json` (format, passage ids) and
`stamp.txt` (the caller's generation id). `save` builds a sibling directory and swaps it in, so a
crash leaves the previous index or none, never a half-written one. A single writer is assumed
(ingest holds a lock).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import Stemmer

logger = logging.getLogger(__name__)

_FRENCH = """
le la les un une des du de au aux et ou mais donc ni or que qui quoi dont ce cet cette ces ceci cela
ça se sa ses leur leurs mon ma mes ta tes notre nos votre vos il ils elle elles on nous vous je tu
me te moi toi lui eux y en ne pas plus est sont été être avoir a ai as ont avait étaient était sera
seront fait sur sous dans par pour avec sans entre vers chez comme si très aussi tout tous toute
toutes même où quand alors après avant depuis encore déjà ainsi cependant lors selon pendant durant
parmi jusque jusqu quel quelle quels quelles comment pourquoi combien
"""
_ENGLISH = """
the a an and or but if of to in on at by for with from as is are was were be been being it its this
that these those he she they them his her their we you i me my our your not no do does did has have
had will would can could should there here what which whom when where why how than then so also
about into over after before up out more most such only just very
"""
FRENCH_STOPWORDS = frozenset(_FRENCH.split())
ENGLISH_STOPWORDS = frozenset(_ENGLISH.split())
# "car", "son", "ton" (English nouns) and "who" (WHO) are left out on purpose.

_FORMAT = 1
_NORMALIZER_VERSION = 1  # bump when normalize() changes: old indexes then load as None
_META_FILE = "keyword.json"
_STAMP_FILE = "stamp.txt"
_MIN_FETCH = 50
_OVERFETCH = 5

# Applied with str.replace: str.translate with a dict is ~5x slower on non-ASCII text.
# The ligatures are those NFKD does not decompose.
_APOSTROPHES = {"’": "'", "ʼ": "'", "‘": "'", "`": "'"}
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_ELISION = re.compile(r"\b(?:jusqu|lorsqu|puisqu|qu|[cdjlmnst])'")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+")
_stemmers = threading.local()  # PyStemmer objects must not be shared between threads


def _replace(text: str, pairs: dict[str, str]) -> str:
    for old, new in pairs.items():
        if old in text:
            text = text.replace(old, new)
    return text


def _fold(text: str) -> str:
    """Accent folding of casefolded text (casefold already did ß -> ss, Œ -> œ)."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", _replace(text, _LIGATURES)))


_STOPWORDS = frozenset(_fold(w.casefold()) for w in FRENCH_STOPWORDS | ENGLISH_STOPWORDS)


def _stemmer() -> Any:
    stemmer = getattr(_stemmers, "french", None)
    if stemmer is None:
        stemmer = _stemmers.french = Stemmer.Stemmer("french")
    return stemmer


# Words that talk about the articles rather than their content ("mentionné dans les articles"):
# rare in articles, so BM25 would weigh them heavily for no reason. Query side only.
_META_WORDS = re.compile(
    r"\b(?:articles?|textes?|documents?|passages?|sources?|mentionn[ée]e?s?|évoqu[ée]e?s?|"
    r"cit[ée]e?s?|mentioned|according|texts?)\b",
    re.IGNORECASE,
)


def query_terms(query: str) -> list[str]:
    """The normalised tokens of a question, without words about the articles themselves."""
    return normalize(_META_WORDS.sub(" ", query))


def normalize(text: str) -> list[str]:
    """Tokens for BM25: folded case and accents, no elisions or stopwords, French-stemmed."""
    text = _ELISION.sub(" ", _replace(text.casefold(), _APOSTROPHES))
    words = [w for w in _WORD.findall(_fold(text)) if w not in _STOPWORDS]
    return list(_stemmer().stemWords(words)) if words else []


class KeywordIndex:
    """BM25 over passages addressed by string ids; build it, search it, save and load it."""

    def __init__(self, ids: list[str], bm25: Any | None, stamp: str | None = None) -> None:
        self._ids = ids
        self._bm25 = bm25  # None when no passage has a single token
        self._stamp = stamp

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> KeywordIndex:
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        if len(set(ids)) != len(ids):
            raise ValueError("passage ids must be unique")
        tokens = [normalize(t) for t in texts]
        bm25 = None
        if any(tokens):  # bm25s fails on an empty vocabulary
            bm25 = _bm25s().BM25()
            bm25.index(tokens, show_progress=False)
        logger.info("Built keyword index over %d passages", len(ids))
        return cls(list(ids), bm25)

    def search(
        self, query: str, k: int, allowed: Callable[[str], bool] | None = None
    ) -> list[tuple[str, float]]:
        """(id, bm25 score) best first, only scores > 0, at most k; `allowed` filters ids."""
        if k <= 0 or self._bm25 is None:
            return []
        vocab: dict[str, int] = self._bm25.vocab_dict
        # Unknown tokens are dropped here: bm25s raises on ids outside its matrix.
        token_ids = list(dict.fromkeys(vocab[t] for t in query_terms(query) if t in vocab))
        if not token_ids:
            return []
        scores: np.ndarray = self._bm25.get_scores_from_ids(token_ids)
        hits = np.flatnonzero(scores > 0)
        hit_scores = scores[hits]
        done = np.zeros(hits.size, dtype=bool)  # hit positions already offered to `allowed`
        ids = self._ids
        results: list[tuple[str, float]] = []
        fetch = k if allowed is None else max(k * _OVERFETCH, _MIN_FETCH)
        while True:  # over-fetch, widening the window until k allowed hits or no hits left
            fetch = min(fetch, hits.size)
            if fetch < hits.size:
                window = np.argpartition(-hit_scores, fetch - 1)[:fetch]
                window = window[~done[window]]
            else:
                window = np.flatnonzero(~done)
            window = window[np.lexsort((hits[window], -hit_scores[window]))]  # best first
            done[window] = True
            for doc, score in zip(hits[window].tolist(), hit_scores[window].tolist(), strict=True):
                if allowed is None or allowed(ids[doc]):
                    results.append((ids[doc], score))
                    if len(results) == k:
                        return results
            if fetch == hits.size:
                return results
            fetch *= 8

    def term_weights(self, text: str) -> dict[str, float]:
        """The indexed tokens of question `text` with their inverse document frequency (rarer:
        heavier)."""
        if self._bm25 is None:
            return {}
        vocab: dict[str, int] = self._bm25.vocab_dict
        indptr = self._bm25.scores["indptr"]
        n = max(len(self._ids), 1)
        weights = {}
        for token in query_terms(text):
            if token in vocab:
                df = int(indptr[vocab[token] + 1] - indptr[vocab[token]])
                weights[token] = math.log(1.0 + n / max(df, 1))
        return weights

    def save(self, directory: Path, stamp: str) -> None:
        """Write the index and `stamp` to `directory`, replacing what was there atomically."""
        directory = Path(directory)
        parent = directory.parent
        parent.mkdir(parents=True, exist_ok=True)
        for stale in [
            *parent.glob(f".{directory.name}.tmp-*"),
            *parent.glob(f".{directory.name}.old-*"),
        ]:
            shutil.rmtree(stale, ignore_errors=True)  # left by a crashed save
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=parent))
        try:
            if self._bm25 is not None:
                self._bm25.save(str(tmp), show_progress=False)
            meta = {
                "format": _FORMAT,
                "normalizer": _NORMALIZER_VERSION,
                "bm25": self._bm25 is not None,
                "ids": self._ids,
            }
            (tmp / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            (tmp / _STAMP_FILE).write_text(stamp, encoding="utf-8")
            for path in tmp.iterdir():
                _fsync(path)
            _fsync(tmp)
            if directory.exists():
                old = parent / f".{directory.name}.old-{uuid.uuid4().hex}"
                os.replace(directory, old)
                try:
                    os.replace(tmp, directory)
                except BaseException:
                    os.replace(old, directory)
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, directory)
            _fsync(parent)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._stamp = stamp
        logger.info("Saved keyword index (%d passages) to %s", len(self._ids), directory)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex | None:
        """The index saved in `directory`; None if missing, unreadable or from an older format."""
        directory = Path(directory)
        if not directory.exists():
            logger.debug("No keyword index at %s", directory)
            return None
        error: Exception | None = None
        for _ in range(2):  # a second try in case a save swapped the directory mid-read
            try:
                return cls._load(directory)
            except Exception as exc:
                error = exc
        logger.warning("Keyword index at %s is unreadable, rebuild it: %s", directory, error)
        return None

    @classmethod
    def _load(cls, directory: Path) -> KeywordIndex:
        meta = json.loads((directory / _META_FILE).read_text(encoding="utf-8"))
        if meta["format"] != _FORMAT or meta["normalizer"] != _NORMALIZER_VERSION:
            raise ValueError(f"format {meta['format']}/{meta['normalizer']} is not current")
        ids = meta["ids"]
        if (
            not isinstance(ids, list)
            or len(set(ids)) != len(ids)
            or not all(isinstance(i, str) for i in ids)
        ):
            raise ValueError("bad passage ids")
        stamp = (directory / _STAMP_FILE).read_text(encoding="utf-8")
        bm25 = None
        if meta["bm25"]:
            bm25 = _bm25s().BM25.load(str(directory), mmap=False, show_progress=False)
            _check(bm25, len(ids))
        return cls(ids, bm25, stamp)

    @staticmethod
    def read_stamp(directory: Path) -> str | None:
        try:
            return (Path(directory) / _STAMP_FILE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    @property
    def stamp(self) -> str | None:
        """The stamp given to the last `save`, or read by `load`; None for a fresh build."""
        return self._stamp

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _bm25s() -> Any:
    """bm25s, imported on first build or load: an ingest with nothing to index never needs it,
    and the import costs about half a second."""
    import bm25s

    # bm25s sets its own logger to DEBUG on import: every build printed "Building index from
    # tokens", even with `--quiet`
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _check(bm25: Any, num_docs: int) -> None:
    """Cheap consistency checks so a damaged index fails at load, not at search time."""
    data, indices, indptr = (bm25.scores[n] for n in ("data", "indices", "indptr"))
    n_terms = len(indptr) - 1
    if bm25.scores["num_docs"] != num_docs:
        raise ValueError(f"index has {bm25.scores['num_docs']} passages, ids has {num_docs}")
    if len(data) != len(indices) or int(indptr[-1]) != len(data) or np.any(np.diff(indptr) < 0):
        raise ValueError("inconsistent score matrix")
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= num_docs):
        raise ValueError("score matrix points outside the passages")
    if any(v < 0 or v >= n_terms for t, v in bm25.vocab_dict.items() if t):  # "" is n_terms
        raise ValueError("vocabulary points outside the score matrix")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
