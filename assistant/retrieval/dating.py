"""The dates a question names, as search filters (the `question_dates` answer step): "Que
s'est-il passé en septembre 2016 ?" searches the articles published then; an event's day
favours the articles published in the week after it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from assistant.schema import Filters
from assistant.text.periods import Period, days_after, question_dates


@dataclass(frozen=True)
class Dated:
    """What the dates a question names change in its search."""

    filters: Filters
    period: Period | None = None  # the period of publication now searched alone
    empty: str = ""  # the period of publication named, in which no article was published

    @property
    def label(self) -> str:
        return self.period.label if self.period is not None else ""


def dated_filters(
    question: str,
    language: str,
    filters: Filters,
    published: Callable[[], Sequence[str]],
    today: date | None = None,
) -> Dated:
    """The filters with the dates the question names (`text.periods`). `published` gives the
    articles' dates of publication (ISO, those known). Dates the user set win; a day named
    without its year is the last one the articles were published around."""
    if not filters.question_dates or filters.date_from is not None or filters.date_to is not None:
        return Dated(filters)
    named = question_dates(question, language, today or date.today())
    within = named.within
    if within is None and named.near is None and named.yearless is None:
        return Dated(filters)
    days = published()  # read once, and only when the question names a date
    if within is not None and _published_in(days, within.start, within.end):
        return Dated(replace(filters, date_from=within.start, date_to=within.end), within)
    # no article published then (or none dated): searching the period alone would find
    # nothing, so it is only favoured
    near = within or named.near or _reported_around(days, named.yearless)
    empty = within.label if within is not None else ""
    if near is not None:
        return Dated(replace(filters, prefer_from=near.start, prefer_to=near.end), empty=empty)
    return Dated(filters, empty=empty)


def _published_in(published: Sequence[str], start: date, end: date) -> bool:
    lo, hi = start.isoformat(), end.isoformat()
    return any(lo <= day <= hi for day in published)


def _reported_around(published: Sequence[str], day: tuple[int, int] | None) -> Period | None:
    """For a day named without its year: the latest year in which articles were published
    on that day or in the week after."""
    if day is None:
        return None
    for year in sorted({int(d[:4]) for d in published}, reverse=True):
        try:
            window = days_after(date(year, *day))
        except ValueError:  # 29 February
            continue
        if _published_in(published, window.start, window.end):
            return window
    return None
