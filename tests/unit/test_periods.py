"""Dates named in questions: periods of publication, events' days, relative periods."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.text.periods import question_dates, topic, without_days

TODAY = date(2026, 11, 30)  # a Monday


@pytest.mark.parametrize(
    ("question", "language", "label"),
    [
        ("What was reported in September 2016?", "en", "2016-09"),
        ("Quels articles publiés en novembre 2016 parlent d'Alep ?", "fr", "2016-11"),
        ("Les articles de 2016 sur la Syrie", "fr", "2016"),
        (
            "Quels articles de la semaine dernière parlent d'Alep ?",
            "fr",
            "2026-11-23 to 2026-11-29",
        ),
        ("What did the news say yesterday?", "en", "2026-11-29"),
        ("Qu'ont écrit les journaux le mois dernier ?", "fr", "2026-10"),
    ],
)
def test_a_period_of_publication_is_a_filter(question: str, language: str, label: str) -> None:
    named = question_dates(question, language, TODAY)
    assert named.within is not None and named.within.label == label and named.near is None


@pytest.mark.parametrize(
    ("question", "language", "start", "end"),
    [
        ("Que s'est-il passé le 28 septembre 2016 ?", "fr", date(2016, 9, 28), date(2016, 10, 5)),
        ("What happened on September 28, 2016?", "en", date(2016, 9, 28), date(2016, 10, 5)),
        ("Was geschah am 3. Oktober 2016?", "de", date(2016, 10, 3), date(2016, 10, 10)),
        ("Qu'a dit Kerry en septembre 2016 ?", "fr", date(2016, 9, 1), date(2016, 9, 30)),
        ("What is the city called today?", "en", TODAY, TODAY),
    ],
)
def test_an_events_date_is_favoured(question: str, language: str, start: date, end: date) -> None:
    named = question_dates(question, language, TODAY)
    assert named.within is None and named.near is not None
    assert (named.near.start, named.near.end) == (start, end)


def test_a_day_without_its_year_is_left_to_the_caller() -> None:
    named = question_dates("Que s'est-il passé le 1er octobre ?", "fr", TODAY)
    assert named.yearless == (10, 1) and named.near is None and named.within is None


@pytest.mark.parametrize(
    "question",
    [
        "Qui est Sergueï Choïgou ?",
        "Combien de civils sont morts à Alep ?",
        "What did the article 7 say?",
        "Les 3 ministres ont-ils parlé ?",
        "Who ruled Normandy in 1066?",
    ],
)
def test_questions_without_dates_name_none(question: str) -> None:
    named = question_dates(question, "fr", TODAY)
    assert named.within is None and named.near is None and named.yearless is None


@pytest.mark.parametrize(
    "question", ["Que s'est-il passé il y a 3 jours ?", "Was he elected within 48 hours?"]
)
def test_a_duration_is_not_a_date(question: str) -> None:
    named = question_dates(question, "fr", TODAY)
    assert named.within is None and named.near is None and named.yearless is None


@pytest.mark.parametrize(
    ("question", "left"),
    [
        ("Que s'est-il passé le 19 septembre 2016 à Alep ?", "Que s'est-il passé le   à Alep ?"),
        ("What happened on September 19 in Aleppo?", "What happened on   in Aleppo?"),
        ("Qu'a dit Kerry le 19/09 ?", "Qu'a dit Kerry le   ?"),
        ("Who ranked Warsaw 22nd most liveable?", "Who ranked Warsaw 22nd most liveable?"),
        ("Combien de morts en 2016 ?", "Combien de morts en 2016 ?"),
    ],
)
def test_the_days_a_question_names_are_blanked(question: str, left: str) -> None:
    assert without_days(question) == left


@pytest.mark.parametrize(
    ("question", "language", "left"),
    [
        (
            "What do the articles published in January 2025 say about the storm?",
            "en",
            "What do the say about the storm?",
        ),
        (
            "Quels articles publiés en novembre 2016 parlent d'Alep ?",
            "fr",
            "Quels parlent d'Alep ?",
        ),
        ("Les articles de la semaine dernière sur la Syrie", "fr", "Les sur la Syrie"),
        ("What was reported in 2016 about Aleppo?", "en", "What was about Aleppo?"),
    ],
)
def test_the_topic_of_a_period_question_leaves_out_the_period(
    question: str, language: str, left: str
) -> None:
    period = question_dates(question, language, TODAY).within
    assert period is not None and topic(question, period, language) == left
