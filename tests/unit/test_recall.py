"""The memory of what recent answers cited, looked up from the chat's copy of the answer."""

from __future__ import annotations

from assistant.answer.recall import AnswerMemory


def test_answer_is_recalled_from_the_text_the_chat_shows() -> None:
    memory = AnswerMemory(size=2)
    memory.remember(
        "Poutine a parlé avec Angela Merkel [1].", ["Dans une conversation avec Merkel…"]
    )
    assert memory.recall("Poutine a parlé  avec Angela Merkel [1].") == (
        "Dans une conversation avec Merkel…",
    )
    shown = "Poutine a parlé avec Angela Merkel [1].\n\n*(incomplete: the answer was cut off.)*"
    assert memory.recall(shown), "a note the chat added after the answer"
    assert memory.recall("Poutine a parlé avec Angela Merkel.") == (
        "Dans une conversation avec Merkel…",
    ), "markers do not matter"
    assert memory.recall("Poutine a parlé avec John Kerry [1].") == ()
    assert memory.recall("") == ()


def test_memory_is_bounded_and_skips_uncited_answers() -> None:
    memory = AnswerMemory(size=2)
    memory.remember("Réponse sans citation.", [])
    assert memory.recall("Réponse sans citation.") == ()
    for n in range(3):
        memory.remember(f"Réponse {n} [1].", [f"passage {n}"])
    assert memory.recall("Réponse 0 [1].") == ()
    assert memory.recall("Réponse 2 [1].") == ("passage 2",)


def test_a_short_answer_does_not_match_a_longer_one() -> None:
    memory = AnswerMemory()
    memory.remember("Oui [1].", ["Kerry a dit oui."])
    assert memory.recall("Oui. Poutine a appelé Merkel [2].") == ()
    assert memory.recall("Oui [1].\n\n*(incomplete: the answer was cut off.)*") == (
        "Kerry a dit oui.",
    )
