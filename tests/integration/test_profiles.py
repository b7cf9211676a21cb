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
