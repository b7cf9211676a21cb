"""Follow-up pronouns resolved by rule (assistant/answer/followup.py)."""

from __future__ import annotations

import pytest

from assistant.answer.followup import resolve_follow_up
from assistant.text.names import people

PUTIN_Q = "Qu'a dit Vladimir Poutine sur la Syrie ?"
PUTIN_A = "Vladimir Poutine a déclaré que la Russie poursuivra ses efforts [1]."


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ("Avec qui parlait-il ?", "Avec qui Vladimir Poutine parlait-il ?"),
        ("Quand a-t-il dit cela ?", "Quand Vladimir Poutine a-t-il dit cela ?"),
        ("Pourquoi l'a-t-il fait ?", "Pourquoi Vladimir Poutine l'a-t-il fait ?"),
        ("A-t-il parlé de l'Ukraine ?", "Vladimir Poutine a-t-il parlé de l'Ukraine ?"),
        ("Qu'a-t-il ajouté ?", "Qu'a ajouté Vladimir Poutine ?"),
        ("Qu'en a-t-il pensé ?", "Qu'en a pensé Vladimir Poutine ?"),
        ("Que veut-il ?", "Que veut Vladimir Poutine ?"),
        ("Il a parlé avec qui ?", "Vladimir Poutine a parlé avec qui ?"),
        ("Est-ce qu'il a cité Alep ?", "Est-ce que Vladimir Poutine a cité Alep ?"),
        ("Selon lui, que faut-il faire ?", "Selon Vladimir Poutine, que faut-il faire ?"),
        ("Who was he talking to?", "Who was Vladimir Poutine talking to?"),
        ("Did he mention Aleppo?", "Did Vladimir Poutine mention Aleppo?"),
        ("What did his government say?", "What did Vladimir Poutine's government say?"),
    ],
)
def test_pronoun_becomes_the_person_of_the_previous_question(follow_up: str, expected: str) -> None:
    assert resolve_follow_up(follow_up, PUTIN_Q, PUTIN_A) == expected


@pytest.mark.parametrize(
    "follow_up",
    [
        "Et Lavrov, qu'en a-t-il pensé ?",  # names its own person: left to the LLM rewrite
        "Y a-t-il eu une réponse ?",  # impersonal "il"
        "De quoi s'agit-il ?",
        "Et ensuite ?",  # no pronoun
        "S'agissait-il d'une trêve ?",
    ],
)
def test_follow_ups_without_a_personal_pronoun_are_left_alone(follow_up: str) -> None:
    assert resolve_follow_up(follow_up, PUTIN_Q, PUTIN_A) is None


def test_person_comes_from_the_answer_when_the_question_names_nobody() -> None:
    resolved = resolve_follow_up(
        "Avec qui a-t-il négocié ?",
        "Qui a menacé de suspendre la coopération avec la Russie ?",
        "John Kerry a menacé de suspendre la coopération [2].",
    )
    assert resolved == "Avec qui John Kerry a-t-il négocié ?"


def test_a_country_is_not_the_person_a_pronoun_stands_for() -> None:
    """English names countries without an article: "he" is the person of the answer."""
    resolved = resolve_follow_up(
        "When did he say that?",
        "Why would the US suspend talks with Russia over Syria?",
        "John Kerry said the US was about to suspend talks with Moscow [1].",
    )
    assert resolved == "When did John Kerry say that?"
    assert resolve_follow_up("Qu'a-t-il dit ?", "Que veut Israël en Syrie ?", "") is None


def test_plural_pronoun_names_both_people() -> None:
    question = "Qu'ont fait Kerry et Lavrov à Moscou ?"
    assert (
        resolve_follow_up("Où se sont-ils vus ?", question, "")
        == "Où Kerry et Lavrov se sont-ils vus ?"
    )
    assert resolve_follow_up("What did they agree on?", question, "") == (
        "What did Kerry and Lavrov agree on?"
    )


def test_no_person_to_refer_to_leaves_the_follow_up_to_the_llm() -> None:
    assert resolve_follow_up("Que dit-il ?", "Quel est le prix du pétrole ?", "") is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("le secrétaire d'Etat américain John Kerry et la Maison Blanche", ["John Kerry"]),
        ("Sergueï Lavrov et John Kerry se sont vus à Moscou", ["Sergueï Lavrov", "John Kerry"]),
        ("Qui est Sergueï Choïgou ?", ["Sergueï Choïgou"]),
        ("Que pensent les États-Unis de la Russie ?", []),
    ],
)
def test_people_are_capitalised_runs_not_after_an_article(text: str, names: list[str]) -> None:
    assert people(text) == names
