"""Dates named in questions, over dated articles (tests/data/dated: eight reports of a town
council's meetings, alike but for their decision, each published the day after): a period of
publication becomes a filter the answer reports; an event's date favours the articles published
on it or in the week after, without excluding the others. Measured against the same questions
with question dates turned off."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant import Assistant
from assistant.errors import InvalidQuestionError
from assistant.schema import Filters
from tests.conftest import ROOT, indexed

DATED = ROOT / "tests" / "data" / "dated"
EVENTS = [
    ("Qu'a décidé le conseil municipal de Villeneuve le 12 octobre ?", "2016-10-13"),
    ("Que s'est-il passé au conseil municipal le 7 septembre ?", "2016-09-08"),
    ("Quel projet le conseil de Villeneuve a-t-il adopté le 9 novembre ?", "2016-11-10"),
    ("Combien a coûté le projet voté par le conseil municipal le 23 novembre 2016 ?", "2016-11-24"),
    ("Qu'a réclamé une élue au conseil municipal du 7 décembre ?", "2016-12-08"),
    ("What did the Villeneuve town council decide on October 26, 2016?", "2016-10-27"),
    ("What happened at the Villeneuve council meeting on 21 September 2016?", "2016-09-22"),
    ("How much did the project the council approved on October 5, 2016 cost?", "2016-10-06"),
]
PERIODS = [
    ("Quels articles publiés en novembre 2016 parlent du conseil municipal ?", "2016-11"),
    ("What was reported about the Villeneuve council in September 2016?", "2016-09"),
    ("Les articles d'octobre 2016 sur le conseil municipal de Villeneuve", "2016-10"),
]


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Assistant:
    return Assistant(indexed(DATED, tmp_path_factory.mktemp("dated"), embedder), embedder=embedder)


def test_an_events_date_favours_the_report_published_after_it(dated: Assistant) -> None:
    off = Filters(question_dates=False)
    with_dates = sum(dated.retrieve(q, k=1)[0].published == day for q, day in EVENTS)
    without = sum(dated.retrieve(q, k=1, filters=off)[0].published == day for q, day in EVENTS)
    print(f"event date: top article right {with_dates}/8 with, {without}/8 without")
    assert with_dates == len(EVENTS) and without < with_dates
    others = {p.published for p in dated.retrieve(EVENTS[0][0], k=5)}
    assert len(others) > 1, "favoured, not filtered: other articles still come"


def test_a_period_of_publication_is_searched_alone(dated: Assistant) -> None:
    share_with = share_without = 0.0
    for question, month in PERIODS:
        found = dated.retrieve(question, k=5)
        unfiltered = dated.retrieve(question, k=5, filters=Filters(question_dates=False))
        share_with += sum(p.published.startswith(month) for p in found) / len(found)
        share_without += sum(
            bool(p.published and p.published.startswith(month)) for p in unfiltered
        ) / len(unfiltered)
    print(f"period: share of passages in it {share_with / 3:.2f} with, {share_without / 3:.2f}")
    assert share_with == len(PERIODS) and share_without < share_with


def test_the_answer_reports_the_period_and_dates_set_by_the_user_win(dated: Assistant) -> None:
    from datetime import date

    from assistant.service import Passages
    from tests.fakes import RecordingChat

    chatty = Assistant(dated.settings, llm=RecordingChat(["Trois bus électriques [1]."] * 3),
                       embedder=dated.embedder)  # fmt: skip
    question = PERIODS[0][0]
    events = list(chatty.stream(question))
    shown = next(e for e in events if isinstance(e, Passages))
    assert shown.searched_period == "2016-11" and events[-1].searched_period == "2016-11"
    again = list(chatty.stream(question, filters=Filters(question_dates=False)))
    assert again[-1].searched_period == "", "lifted in one click: the chat's button sends this"
    mine = Filters(date_from=date(2016, 9, 1), date_to=date(2016, 9, 30))
    assert all(p.published.startswith("2016-09") for p in dated.retrieve(question, filters=mine))


def test_filter_dates_may_be_iso_text_and_wrong_ones_are_named(dated: Assistant) -> None:
    question = "Qu'a décidé le conseil municipal ?"
    as_dates = Filters(date_from=date(2016, 10, 1), date_to=date(2016, 10, 31))
    as_text = Filters(date_from="2016-10-01", date_to=" 2016-10-31 ")
    expected = [p.chunk_id for p in dated.retrieve(question, k=3, filters=as_dates)]
    assert expected and {p.published[:7] for p in dated.retrieve(question, filters=as_text)} == {
        "2016-10"
    }
    assert [p.chunk_id for p in dated.retrieve(question, k=3, filters=as_text)] == expected
    with pytest.raises(InvalidQuestionError, match=r"Filters.date_from must be a date, e\.g\."):
        dated.retrieve(question, filters=Filters(date_from="28/09/2016"))
    with pytest.raises(InvalidQuestionError, match="filters must be an assistant.Filters"):
        dated.retrieve(question, filters={"date_from": "2016-09-28"})


ENGLISH = {
    "storm-2025-01-14.md": (
        "2025-01-14",
        "Storm Eowyn cuts power to thousands along the coast",
        "Storm Eowyn swept across the northern coast on Monday night, bringing gusts of up to "
        "150 kilometres an hour. The regional grid operator said 48,000 homes were left without "
        "electricity by Tuesday morning, and engineers expected to restore most of them within "
        "two days. Ferries between the islands were cancelled and two schools stayed closed "
        "after trees fell on their roofs. The weather service had issued a red warning on "
        "Sunday, its first in six years.",
    ),
    "budget-2025-01-22.md": (
        "2025-01-22",
        "City council adopts a budget with more money for libraries",
        "The city council adopted its annual budget on Tuesday by 31 votes to 14. Spending on "
        "public libraries rises by 12 percent, paying for longer opening hours on Sundays, "
        "while road maintenance is cut. The opposition said the plan raised property taxes "
        "for the third year in a row; the mayor answered that the increase stayed below "
        "inflation. The budget takes effect on the first of February.",
    ),
    "bridge-2025-03-05.md": (
        "2025-03-05",
        "Old harbour bridge reopens after two years of repairs",
        "The old harbour bridge reopened to traffic on Wednesday after two years of repairs "
        "that cost 85 million euros. Engineers replaced the steel cables and the deck, which "
        "had been damaged by a storm in 2022 and by decades of salt. Cyclists get a separate "
        "lane, and lorries over 19 tonnes remain banned. Shopkeepers on both banks said the "
        "closure had cost them a third of their customers.",
    ),
}


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Assistant:
    folder = tmp_path_factory.mktemp("english-articles")
    for name, (day, title, body) in ENGLISH.items():
        (folder / name).write_text(f"---\ntitle: {title}\ndate: {day}\n---\n\n{body}\n")
    return Assistant(indexed(folder, tmp_path_factory.mktemp("english"), embedder),
                     embedder=embedder)  # fmt: skip


def test_a_period_questions_topic_is_searched_without_the_period(english: Assistant) -> None:
    """The words naming the period match no passage of it better than another: the topic is
    searched too, so the passage that answers is found, and scored, as without the period."""
    question = "What do the articles published in January 2025 say about the storm?"
    found = english.retrieve(question, k=3)
    filters = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    alone = english.retriever.retrieve([question], k=3, filters=filters)
    best, best_alone = (max(p.dense_score or 0.0 for p in ps) for ps in (found, alone))
    print(f"best dense score {best:.3f} with the topic, {best_alone:.3f} without")
    assert found[0].file == "storm-2025-01-14.md" and best > best_alone
    assert all(p.published.startswith("2025-01") for p in found)


def test_a_named_period_with_no_article_is_said_and_all_dates_searched(english: Assistant) -> None:
    from assistant.service import Passages
    from assistant.web.chat import EMPTY_PERIOD_NOTE, PERIOD_NOTE, ChatUI
    from tests.fakes import RecordingChat

    chatty = Assistant(english.settings, llm=RecordingChat(["Gusts reached 150 km/h [1]."] * 2),
                       embedder=english.embedder)  # fmt: skip
    question = "What did the articles published in June 2025 say about the storm?"
    events = list(chatty.stream(question))
    shown = next(e for e in events if isinstance(e, Passages))
    assert shown.empty_period == "2025-06" == events[-1].empty_period
    assert shown.searched_period == "" and shown.passages[0].file == "storm-2025-01-14.md"
    *_, (_chat, _sources, note) = ChatUI(chatty).respond(question, [], [], "", "")
    assert EMPTY_PERIOD_NOTE.format("2025-06") in note and PERIOD_NOTE not in note
