"""Names in a question or an answer: its capitalised words, and the runs of them that name
people. French and English capitalise names and little else after a sentence's first word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

WORD = re.compile(r"[^\W\d_][\w’'-]*")
ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
# A capitalised word after these names a place, an institution or a title, not a person:
# "sur la Syrie", "à Moscou", "le ministre de la Défense", "in Syria", "the Kremlin".
_BEFORE_NON_PERSON = frozenset(
    "le la les l un une des du de d au aux à a en sur dans pour par vers entre chez contre "
    "the an of in on at to from into".split()
)
_NOT_NAMES = frozenset(
    "qui que quoi quel quelle quels quelles quand où comment pourquoi combien est et ou mais "
    "donc selon alors who what which when where why how whom whose did does do is are was "
    "were has have had can could will would should and but so".split()
)

# nor is an article opening a sentence ("Les États-Unis", "The Kremlin")
_NOT_A_NAME = _NOT_NAMES | _BEFORE_NON_PERSON


def capitalised(text: str) -> list[str]:
    """The capitalised words of `text` after its first word, elisions removed ("l'Iran" →
    "Iran"), without digits (codes, references): in French, names of people, places and
    bodies ("Barack", "Obama", "Alep", "ONU"). English also capitalises adjectives of
    nationality, titles and months ("Swiss", "Secretary", "March")."""
    words = [ELISION.sub("", m.group()) for m in WORD.finditer(text)][1:]
    return [w for w in words if w[:1].isupper() and not any(c.isdigit() for c in w)]


@cache
def _territories() -> frozenset[str]:
    """Country and region names in English and French, from the Unicode CLDR (Babel)."""
    from babel import Locale

    names = (n for code in ("en", "fr") for n in Locale(code).territories.values())
    return frozenset(n.casefold() for n in names)


def is_territory(name: str) -> bool:
    """Whether `name` is a country's or a region's ("Russia", "Syrie", "Europe"): capitalised
    like a person's name, but never the person a pronoun stands for."""
    return name.casefold() in _territories()


@dataclass(frozen=True)
class Name:
    text: str
    start: int


def people(text: str) -> list[str]:
    """The person-like names in `text`, in order: runs of capitalised words that do not follow
    an article or a preposition, and not a lone capitalised first word ("Qui", "Where")."""
    return [n.text for n in name_spans(text)]


def _capital(word: str) -> bool:
    """Capitalised, or a particle joined to a capitalised word: "al-Assad"."""
    return word[:1].isupper() or bool(re.match(r"^[a-z]{1,3}-[A-Z]", word))


def name_spans(text: str) -> list[Name]:
    names: list[Name] = []
    run: list[str] = []
    run_start = 0
    previous = ""
    skipping = False  # inside a capitalised run that follows an article: "la Maison Blanche"
    for match in WORD.finditer(text):
        word = ELISION.sub("", match.group())
        elided = word != match.group()
        capital = _capital(word)
        if capital and word and word.lower() not in _NOT_A_NAME:
            if skipping or (not run and (elided or previous in _BEFORE_NON_PERSON)):
                skipping = True
                continue
            if not run:
                run_start = match.start()
            run.append(word)
            continue
        skipping = False
        if run:
            names.append(Name(" ".join(run), run_start))
            run = []
        previous = match.group().lower().rstrip("'’")
    if run:
        names.append(Name(" ".join(run), run_start))
    first_word = WORD.search(text)
    begin = first_word.start() if first_word else 0
    return [n for n in names if n.start != begin or " " in n.text]


_END = r"\s*[?!.…]*\s*$"
_WHO_IS = re.compile(
    r"^\s*(?:(?:et|and)\s+)?(?:qui\s+(?:est|était)|who\s+(?:is|was)|who['’]s)\s+(?P<name>[^?!]+?)"
    + _END,
    re.IGNORECASE,
)
# "Qui John Kerry est-il ?": the form a follow-up "Qui est-il ?" takes once made standalone
_WHO_IS_INVERTED = re.compile(
    r"^\s*(?:(?:et|and)\s+)?qui\s+(?P<name>[^?!]+?)\s+(?:est|était)-(?:il|elle)" + _END,
    re.IGNORECASE,
)
# lower-case words inside a name: "Staffan de Mistura", "Ursula von der Leyen"
_PARTICLES = frozenset("de du des d le la van von der den da di dos ben bin ibn al el".split())
_MAX_NAME_WORDS = 5


def asks_who(question: str) -> bool:
    """Whether the question only asks who someone named is: "Qui est Sergueï Choïgou ?",
    "Who is Kirby?", "Qui M. Kirby est-il ?" (not "Who is negotiating with Russia?", "Qui est
    le ministre ?", "Who is Putin's spokesman?", nor "Qui sont Kerry et Lavrov ?")."""
    match = _WHO_IS.match(question) or _WHO_IS_INVERTED.match(question)
    return match is not None and _is_name(match.group("name"))


def _is_name(text: str) -> bool:
    """Capitalised words, with particles and initials inside ("M. Kirby", "John F. Kennedy",
    "Bachar al-Assad"), first and last capitalised, a few words at most, no possessive, no
    title-cased article or preposition ("Who is The Guardian?", "Who is Kerry Talking To?")."""
    words = text.split()
    if not 0 < len(words) <= _MAX_NAME_WORDS or re.search(r"['’]s\b", text):
        return False
    inner = words[1:-1]
    last = ELISION.sub("", words[-1])  # "Valéry Giscard d'Estaing"
    return (
        _capital(words[0])
        and not ELISION.match(words[0])  # "l'ONU": an article, a body
        and _capital(last)
        and all(_capital(w) or w.lower() in _PARTICLES for w in inner)
        and not any(
            w.lower().rstrip(".") in _NOT_A_NAME
            for w in [words[0], *(w for w in inner if w.lower() not in _PARTICLES), last]
        )
    )


def close_to_any(stem: str, known: set[str]) -> bool:
    """`stem` or a spelling of it a little different (Moscow/Moscou, Shoigu/Choïgou: up to
    2 edits, 1 in a stem of four letters) is among `known`."""
    if stem in known:
        return True
    limit = 1 if len(stem) <= 4 else 2
    return any(
        abs(len(stem) - len(token)) <= limit and _edits(stem, token, limit) <= limit
        for token in known
    )


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 as soon as it exceeds limit."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]
