"""Dates a question names, read by `dateparser` (month names in any language):

- a *period of publication* ("les articles de la semaine dernière", "what was reported in
  September 2016?"): searched as a filter, which the user sees and can lift;
- an *event's date* ("Que s'est-il passé le 28 septembre ?"): articles published on that day
  or in the week after are favoured, none excluded (news reports an event after it happens).

A month, a year or a relative period (last week, today: counted from `today`) is a period of
publication when the question talks about articles or reporting (the words below); otherwise
it is favoured like an event's date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

REPORTED_WITHIN_DAYS = 7  # an event is reported on its day or in the week after
DATE_LANGUAGES = ["fr", "en", "de", "es", "it", "pt", "nl"]  # month names read

# Words saying that the question is about what was published. One list per language.
PUBLICATION_WORDS = {
    "fr": "article articles publié publiés publiée publiées paru parus parue parues presse "
    "journaux écrit écrits rapporté rapportés nouvelles actualité actualités couverture",
    "en": "article articles published reported report reports news coverage stories story "
    "written wrote press",
}
# Relative periods, per language: (words, unit, offset): unit day/week/month/year, offset 0 =
# the current one, -1 = the previous one.
RELATIVE = {
    "fr": [
        ("la semaine dernière|la semaine passée", "week", -1),
        ("cette semaine", "week", 0),
        ("le mois dernier|le mois passé", "month", -1),
        ("ce mois-ci|ce mois ci", "month", 0),
        ("l'année dernière|l’année dernière|l'an dernier|l’an dernier", "year", -1),
        ("cette année", "year", 0),
        ("hier", "day", -1),
        ("aujourd'hui|aujourd’hui", "day", 0),
    ],
    "en": [
        ("last week|past week", "week", -1),
        ("this week", "week", 0),
        ("last month|past month", "month", -1),
        ("this month", "month", 0),
        ("last year|past year", "year", -1),
        ("this year", "year", 0),
        ("yesterday", "day", -1),
        ("today", "day", 0),
    ],
}

_WORD = r"[^\W\d_]{3,12}\.?"
_YEAR = r"(?:19|20)\d\d"
_DAY_MONTH = re.compile(
    rf"(?<![\d.])(?P<a>\d{{1,2}}(?:er|ᵉʳ|st|nd|rd|th|\.|º)?\s+(?:(?:de|of)\s+)?{_WORD}"
    rf"(?:,?\s+(?:de\s+)?{_YEAR})?)(?![\d])"
    rf"|\b(?P<b>{_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?)(?!\d)"
    rf"|(?<![\d/])(?P<c>\d{{1,2}}/\d{{1,2}}(?:/{_YEAR})?)(?![\d/])",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"\b{_WORD}\s+{_YEAR}\b", re.IGNORECASE)
_IN = "en|in|im|de|del|of"  # the words before a period ("en 2016", "in January 2025")
_YEAR_ALONE = re.compile(rf"\b(?:{_IN})\s+({_YEAR})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """Dates from `start` to `end`, inclusive; `label` is what the user is shown."""

    start: date
    end: date
    label: str
    phrase: str = ""  # the question's words naming it ("in September 2016", "last week")


@dataclass(frozen=True)
class Dates:
    """What a question says about dates: a filter (`within`) or a preference (`near`); a day
    named without its year (`yearless`: month, day) is placed by the caller, who knows which
    years the articles cover."""

    within: Period | None = None
    near: Period | None = None
    yearless: tuple[int, int] | None = None


def days_after(day: date) -> Period:
    """An event's day and the week after it, when news reports it."""
    end = day + timedelta(days=REPORTED_WITHIN_DAYS)
    return Period(day, end, f"{day.isoformat()} and the week after")


def question_dates(question: str, language: str, today: date) -> Dates:
    about_publication = _talks_about_publication(question, language)
    relative = _relative(question, language, today)
    if relative is not None:  # "today" is often not about publication ("its name today")
        return Dates(within=relative) if about_publication else Dates(near=relative)
    for match in _DAY_MONTH.finditer(question):
        span = next(g for g in match.groups() if g)
        value = read_date(span, ("day", "month"))
        if value is None:
            continue
        if re.search(_YEAR, span) is None:
            return Dates(yearless=(value.month, value.day))
        return Dates(near=days_after(value.date()))
    month = _month(question)
    if month is not None:
        return Dates(within=month) if about_publication else Dates(near=month)
    year = _YEAR_ALONE.search(question)
    if year is not None:
        y = int(year.group(1))
        period = Period(date(y, 1, 1), date(y, 12, 31), str(y), year.group())
        return Dates(within=period) if about_publication else Dates(near=period)
    return Dates()


def topic(question: str, period: Period, language: str) -> str:
    """What a question asks about a period of publication, without the words naming the
    period or publication ("What do the articles published in January 2025 say about the
    storm?" → "What do the say about the storm?"): searched beside the question, as those
    words match no passage of the period better than another."""
    text = question
    if period.phrase:
        text = re.sub(rf"(?:\b(?:{_IN})\s+)?{re.escape(period.phrase)}", " ", text, flags=re.I)
    words = PUBLICATION_WORDS.get(language, PUBLICATION_WORDS["en"]).split()
    text = re.sub(rf"\b(?:{'|'.join(map(re.escape, words))})\b", " ", text, flags=re.I)
    return " ".join(text.split())


def without_days(text: str) -> str:
    """`text` with the days it names blanked ("le 19 septembre 2016", "Sept. 19", "19/09"):
    what `question_dates` reads, not numbers to look for in the articles (news reports an
    event days later, as "lundi")."""
    for match in reversed(list(_DAY_MONTH.finditer(text))):
        span = next(g for g in match.groups() if g)
        if read_date(span, ("day", "month")) is not None:
            text = text[: match.start()] + " " + text[match.end() :]
    return text


def _talks_about_publication(question: str, language: str) -> bool:
    words = set(re.findall(r"[^\W\d_]+", question.casefold()))
    return bool(words & set(PUBLICATION_WORDS.get(language, PUBLICATION_WORDS["en"]).split()))


def _relative(question: str, language: str, today: date) -> Period | None:
    for words, unit, offset in RELATIVE.get(language, []):
        match = re.search(rf"\b(?:{words})\b", question, re.IGNORECASE)
        if match:
            return replace(_calendar_period(unit, offset, today), phrase=match.group())
    return None


def _calendar_period(unit: str, offset: int, today: date) -> Period:
    if unit == "day":
        day = today + timedelta(days=offset)
        return Period(day, day, day.isoformat())
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        end = min(monday + timedelta(days=6), today)
        return Period(monday, end, f"{monday.isoformat()} to {end.isoformat()}")
    if unit == "month":
        year, month = today.year, today.month + offset
        if month < 1:
            year, month = year - 1, 12
        last = calendar.monthrange(year, month)[1]
        return Period(date(year, month, 1), date(year, month, last), f"{year}-{month:02d}")
    year = today.year + offset
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


def _month(question: str) -> Period | None:
    for match in _MONTH_YEAR.finditer(question):
        value = read_date(match.group(), ("month", "year"))
        if value is not None and str(value.year) in match.group():
            last = calendar.monthrange(value.year, value.month)[1]
            return Period(
                date(value.year, value.month, 1),
                date(value.year, value.month, last),
                f"{value.year}-{value.month:02d}",
                match.group(),
            )
    return None


def read_date(span: str, parts: tuple[str, ...], order: str = "DMY") -> Any:
    """The date (a datetime) a span names by itself with the given `parts`, read by
    dateparser, or None. A relative span ("3 jours", "48 heures") names no date: read from two
    different days, it gives two different answers. `order` reads digits-only dates."""
    import dateparser

    values = [
        dateparser.parse(span, languages=DATE_LANGUAGES, settings=_settings(parts, order, base))
        for base in _BASES
    ]
    if any(v is None for v in values):
        return None
    if len({tuple(getattr(v, part) for part in parts) for v in values}) > 1:
        return None
    return values[0]


_BASES = (datetime(2001, 2, 3), datetime(2003, 8, 17))


@cache
def _settings(parts: tuple[str, ...], order: str, base: datetime) -> dict[str, Any]:
    return {
        "REQUIRE_PARTS": list(parts),
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": order,
        "RELATIVE_BASE": base,
    }
