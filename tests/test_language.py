from __future__ import annotations

import pytest

from assistant.language import detect_language


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Qui a menacé de suspendre la coopération avec la Russie ?", "fr"),
        ("Pourquoi les États-Unis envisagent-ils de suspendre leur collaboration ?", "fr"),
        ("Et Lavrov, qu'en a-t-il pensé ?", "fr"),
        ("Who is John Kirby?", "en"),
        ("What did Kerry and Lavrov do during their break in Moscow?", "en"),
        ("Why would the US suspend talks with Russia?", "en"),
    ],
)
def test_detects_question_language(question: str, expected: str) -> None:
    assert detect_language(question) == expected


def test_unclear_text_uses_the_default() -> None:
    assert detect_language("Kerry ?", default="en") == "en"
    assert detect_language("Kerry ?", default="fr") == "fr"
