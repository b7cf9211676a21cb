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
