"""The embedders are real models loaded from installed packages, never from a hub."""

from __future__ import annotations

import math
import os

import pytest

from assistant.errors import ModelNotFoundError
from assistant.models import profiles
from assistant.models.embeddings import SentenceTransformerEmbeddings, make_embedder
from assistant.settings import EmbeddingSettings
from tests.conftest import MemoEmbeddings, minilm_folder


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_e5_vectors_are_normalised_and_rank_french_paraphrase(embedder: MemoEmbeddings) -> None:
    docs = embedder.embed_documents(
        [
            "Kerry et Lavrov ont déposé des fleurs devant l'ambassade de France.",
            "Le prix du blé a augmenté en Ukraine.",
        ]
    )
    assert len(docs[0]) == 384
    assert math.isclose(sum(x * x for x in docs[0]), 1.0, rel_tol=1e-3)
    q = embedder.embed_query("Qu'ont fait les deux ministres pendant leur pause ?")
    assert cos(q, docs[0]) > cos(q, docs[1])
    assert embedder.count_tokens("Bonjour à tous") > 2


@pytest.mark.slow  # loads a second embedder through sentence-transformers and torch
def test_sentence_transformers_provider_loads_a_local_folder_offline() -> None:
    folder = minilm_folder()
    embedder = make_embedder(EmbeddingSettings(provider="sentence-transformers", model=str(folder)))
    assert isinstance(embedder, SentenceTransformerEmbeddings)
    docs = embedder.embed_documents(["The cat sits on the mat.", "Stock markets fell sharply."])
    q = embedder.embed_query("Where is the cat?")
    assert len(q) == embedder.dim == 384
    assert cos(q, docs[0]) > cos(q, docs[1])
    assert embedder.name.startswith("sentence-transformers:")
    # the values measured for the shipped MiniLM (assistant/models/profiles.py) reach it
    assert embedder.profile in profiles.MIN_DENSE_SCORE
    assert embedder.profile in profiles.EVIDENCE_KEYWORD_WEIGHT


@pytest.mark.slow  # imports sentence-transformers and torch
def test_sentence_transformers_hub_id_offline_gives_clear_error() -> None:
    with pytest.raises(ModelNotFoundError, match="offline"):
        SentenceTransformerEmbeddings("some-org/not-a-cached-model")


def test_sentence_transformers_without_model_is_explained() -> None:
    with pytest.raises(ModelNotFoundError, match="embedding.model"):
        make_embedder(EmbeddingSettings(provider="sentence-transformers"))


def test_e5_load_makes_openmp_threads_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenMP threads sleep rather than spin (see assistant/models/openmp.py); the user's
    choice wins."""
    from assistant.models.embeddings import E5Embeddings

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    E5Embeddings()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    E5Embeddings()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
