from __future__ import annotations

import pytest

from assistant.text.language import detect_language, majority_language


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wer hat mit der Aussetzung der Zusammenarbeit mit Russland gedroht?", "de"),
        ("¿Quién amenazó con suspender la cooperación con Rusia?", "es"),
        ("Chi ha minacciato di sospendere la cooperazione con la Russia?", "it"),
        ("Who is Sergei Lavrov?", "en"),  # names only: the function words decide
        ("Qui est Victor Poznikhir ?", "fr"),
        ("Quand Ferdinand se proclame tsar des Bulgares ?", "fr"),
    ],
)
def test_other_languages_and_questions_made_of_names(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_the_corpus_language_comes_from_the_article_text_not_titles() -> None:
    english = [
        "Normans (part 2/5)\n\nThe Normans were the people who in the 10th and 11th centuries "
        "gave their name to Normandy, a region in France.",
        "Warsaw (part 1/5)\n\nWarsaw is the capital and largest city of Poland. It stands on "
        "the Vistula River in east-central Poland.",
        "Kerry\n\nLe secrétaire d'État américain a menacé de suspendre la coopération.",
    ]
    assert majority_language(english) == "en"
    assert majority_language([], default="fr") == "fr"
