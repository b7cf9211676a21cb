"""Values measured per embedder (assistant/models/profiles.py) apply to the embedder in use,
and a configured value wins over them."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.models import profiles


def test_e5_gets_its_measured_values_and_a_setting_wins(
    sample_assistant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = sample_assistant.parts
    profile = sample_assistant.embedder.profile
    assert parts.evidence_keyword_weight == profiles.EVIDENCE_KEYWORD_WEIGHT[profile]
    assert parts.evidence.keyword_weight == parts.evidence_keyword_weight
    assert parts.evidence.embedder is parts.embedder  # E5 builds the index: no second one
    monkeypatch.setattr(sample_assistant.settings.answer, "evidence_keyword_weight", 0.7)
    assert parts.evidence_keyword_weight == 0.7


def test_an_embedder_without_a_profile_gets_the_defaults() -> None:
    assert profiles.evidence_keyword_weight("openai:some-model") == profiles.DEFAULT_KEYWORD_WEIGHT
    assert profiles.min_dense_score("openai:some-model") == profiles.NO_THRESHOLD


def test_evidence_is_ranked_by_e5_whatever_embedder_built_the_index(make_settings: Any) -> None:
    """An embedder server's index leaves the choice of evidence sentences to the bundled
    multilingual E5, unless the index's own ranking is asked for (nothing is sent to the
    server here)."""
    from assistant.components import Components
    from assistant.models.embeddings import E5Embeddings

    server = {"embedding__provider": "openai", "embedding__model": "some-model"}
    parts = Components(make_settings(**server))
    assert isinstance(parts.evidence_embedder, E5Embeddings)
    assert parts.evidence.embedder is parts.evidence_embedder
    assert parts.evidence.count_tokens == parts.evidence_embedder.count_tokens
    own = Components(make_settings(**server, answer__evidence_embedder="index"))
    assert own.evidence.embedder is own.embedder
    assert own.embedder.name == "openai:some-model"


@pytest.mark.slow  # loads MiniLM through sentence-transformers and torch
def test_an_index_embedder_ranking_its_evidence_gets_its_own_keyword_weight(
    make_settings: Any,
) -> None:
    """MiniLM ranking its own passages' sentences keeps its measured keyword weight; ranked
    by E5 (the default), they get E5's."""
    from assistant.components import Components
    from assistant.models.embeddings import E5Embeddings
    from tests.conftest import minilm_folder

    minilm = {
        "embedding__provider": "sentence-transformers",
        "embedding__model": str(minilm_folder()),
    }
    parts = Components(make_settings(**minilm))
    assert isinstance(parts.evidence_embedder, E5Embeddings)
    assert parts.evidence_keyword_weight == profiles.EVIDENCE_KEYWORD_WEIGHT[E5Embeddings.profile]
    own = Components(make_settings(**minilm, answer__evidence_embedder="index"))
    assert own.evidence.embedder is own.embedder
    assert own.evidence_keyword_weight == profiles.EVIDENCE_KEYWORD_WEIGHT[own.embedder.profile]
    assert own.evidence_keyword_weight != parts.evidence_keyword_weight
