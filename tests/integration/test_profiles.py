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
    monkeypatch.setattr(sample_assistant.settings.answer, "evidence_keyword_weight", 0.7)
    assert parts.evidence_keyword_weight == 0.7


def test_an_embedder_without_a_profile_gets_the_defaults() -> None:
    assert profiles.evidence_keyword_weight("openai:some-model") == profiles.DEFAULT_KEYWORD_WEIGHT
    assert profiles.min_dense_score("openai:some-model") == profiles.NO_THRESHOLD


@pytest.mark.slow  # loads MiniLM through sentence-transformers and torch
def test_evidence_is_ranked_by_e5_whatever_embedder_built_the_index(make_settings: Any) -> None:
    """An English-only index embedder leaves the choice of evidence sentences to the bundled
    multilingual E5, with E5's keyword weight, unless its own ranking is asked for."""
    from assistant.components import Components
    from assistant.models.embeddings import E5Embeddings
    from tests.conftest import minilm_folder

    minilm = {
        "embedding__provider": "sentence-transformers",
        "embedding__model": str(minilm_folder()),
    }
    parts = Components(make_settings(**minilm))
    assert isinstance(parts.evidence_embedder, E5Embeddings)
    assert parts.evidence.embedder is parts.evidence_embedder
    assert parts.evidence_keyword_weight == profiles.EVIDENCE_KEYWORD_WEIGHT[E5Embeddings.profile]

    own = Components(make_settings(**minilm, answer__evidence_embedder="index"))
    assert own.evidence.embedder is own.embedder
    assert not isinstance(own.embedder, E5Embeddings)
    assert own.evidence_keyword_weight == profiles.EVIDENCE_KEYWORD_WEIGHT[own.embedder.profile]
    assert own.evidence_keyword_weight != parts.evidence_keyword_weight
