"""Grounding: what an answer may rest on.

Names, before the model is asked: a question about someone or somewhere that none of the
retrieved passages mentions ("Qu'a dit Barack Obama… ?") is refused — the small model would
otherwise answer it from the passages about other people.

Numbers and people, after it answered: a 1.5B model asked about something the articles do
not say sometimes answers from its own memory ("about 2,000 soldiers", "le président turc,
Recep Tayyip Erdogan"), with a citation. Numbers and people's names are the claims that can be
checked without understanding the sentence, in any language: a sentence of the answer stating
a number, or naming a person in full, that appears neither in the passages the model read
(text, title, date) nor in the question is dropped, as is a sentence asking a question
instead of answering one; when the number is only in an aside of the sentence (a parenthesis,
a relative clause), only the aside is. An answer left with nothing is a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from assistant.answer.citations import MARKER
from assistant.index.keywords import normalize
from assistant.text.names import capitalised, close_to_any, people
from assistant.text.numbers import DOTTED_DATE, at_least, numbers
from assistant.text.sentences import sentence_spans

_LEADING_MARKERS = re.compile(r"^((?:" + MARKER.pattern + r"\s*)+)")
_ENUMERATOR = re.compile(r"^\s*\d{1,2}[.)](?=\s|$)", re.MULTILINE)  # "1." opening a list item
_POSSESSIVE = re.compile(r"['’]s?$")
_IDENTIFIER = re.compile(r"\b[^\W\d_]+\d\w*")  # "G7", "A320", "K5eed5eed"
# An aside of a sentence: a parenthesis, or a relative clause after a comma up to the next
# comma (taken with it), a marker or the sentence's end ("Puyi, qui abdiqua le 14 février
# 1912."), on one line. Not ", que": after a comma it mostly opens reported speech
# ("a affirmé, mardi, que 2 000 soldats…"), the claim itself.
_ASIDE = re.compile(
    r"[ \t]*\([^()\n]*\)"
    r"|,[ \t]*(?:qui|dont|où|lequel|laquelle|lesquels|lesquelles"
    r"|which|who|whom|whose|where)\b[^,;()\[\n]*?"
    r"(?:,(?=\s)|(?=\s*(?:;|\[|[.!?…]*\s*$)))",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
# English nouns that end the name of a body or a place, not of a person
_INSTITUTIONS = frozenset(
    "house army department office council ministry forces government nations union states "
    "kingdom republic committee party court agency command center centre coalition front "
    "guard police embassy organization organisation alliance brigade brigades movement "
    "commission service services times post news press".split()
)


def _sentences(answer: str) -> list[str]:
    """The answer's sentences as the articles' are split (not inside « Pourquoi attendre ? »,
    dit-il, nor after "M."), each with the markers written after its end ("… ? [2]")."""
    out: list[str] = []
    for a, b in sentence_spans(answer):
        piece = answer[a:b]
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:
            out[-1] += " " + lead.group(1).rstrip()
            piece = piece[lead.end() :]
        if piece:
            out.append(piece)
    return out


def _is_question(sentence: str) -> bool:
    """A sentence asking a question, not one quoting a question cut by the sentence split
    ("Kerry asked \"Why wait?" has an open quote)."""
    balanced = (
        sentence.count('"') % 2 == 0
        and sentence.count("«") == sentence.count("»")
        and sentence.count("“") == sentence.count("”")
    )
    return balanced and MARKER.sub("", sentence).rstrip().endswith("?")


def missing_names(question: str, texts: Iterable[str]) -> Iterator[str]:
    """The names of `question` that no text mentions, even spelled a little differently
    (Moscow/Moscou, Shoigu/Choïgou: up to 2 edits in the stem, 1 in a four-letter one),
    lazily: one is enough to refuse."""
    known = _vocabulary(texts)
    for name in dict.fromkeys(w for w in capitalised(question) if len(w) >= 4):  # not US, EI
        if not _mentioned(name, known):
            yield name


def missing_numbers(question: str, texts: Iterable[str], languages: Iterable[str] = ()) -> set[str]:
    """The numbers `question` states (a year, a rank, a count; in words too, in `languages`)
    that no text states: "Who ranked Warsaw 22nd…?" when the articles say 32nd. A two-digit
    number may stand for a year ("les années 30", "en 98"). Digits after letters are part of
    a name or a code ("G7", "A320", "réf. K5eed"), not a number; numbers under 10 (0,5 too) are
    not checked, as they are often what is asked for, not what is assumed ("en 3 phrases"),
    nor dates written with dots ("1.10.2016"), which `question_dates` reads."""
    languages = set(languages)
    plain = DOTTED_DATE.sub(" ", _IDENTIFIER.sub(" ", question))  # dates: question_dates'
    asked = {n for n in stated_numbers(plain, languages) if at_least(n, 10)}
    if not asked:
        return asked
    stated: set[str] = set()
    for text in texts:
        stated |= stated_numbers(text, languages)
    years = {n[2:] for n in stated if len(n) == 4 and n.isdigit()}  # "années 30": 1930
    return {n for n in asked - stated if len(n) != 2 or n not in years}


def missing_people(question: str, texts: Iterable[str]) -> Iterator[str]:
    """The people named in full in `question` ("Barack Obama": two capitalised words or more,
    not after an article or a preposition) whose surname no text mentions, other spellings
    allowed (Shoigu/Choïgou). Only the last word is checked: titles and nationalities before
    it ("Russian President Vladimir Putin") are translated in the passages, and a surname is
    how articles name people after the first time; runs ending in an institution's noun
    ("White House officials") are not people. For English, which capitalises more than
    names: a lone capitalised word is not checked ("Which Swiss city")."""
    return _unread_people(question, _vocabulary(texts))


def _unread_person(text: str, known: set[str]) -> bool:
    return next(_unread_people(text, known), None) is not None


def _unread_people(text: str, known: set[str]) -> Iterator[str]:
    for name in dict.fromkeys(people(text)):
        words = [_POSSESSIVE.sub("", w) for w in name.split()]
        surname = words[-1]
        checked = len(words) >= 2 and len(surname) >= 4 and not any(c.isdigit() for c in name)
        if checked and surname.lower() not in _INSTITUTIONS and not _mentioned(surname, known):
            yield name


def _vocabulary(texts: Iterable[str]) -> set[str]:
    return {token for text in texts for token in normalize(text)}


def _mentioned(word: str, known: set[str]) -> bool:
    """Every stem of `word` is among `known`, or close to one of them."""
    return all(close_to_any(stem, known) for stem in normalize(word))


def stated_numbers(text: str, languages: Iterable[str] = ()) -> set[str]:
    """The numbers `text` states (see `assistant.text.numbers`), its citation markers aside."""
    return numbers(MARKER.sub(" ", text), languages)


def drop_unsupported(
    answer: str,
    sources: Iterable[str],
    articles: Iterable[str] | None = None,
    numbers_step: bool = True,
    questions_step: bool = True,
    languages: Iterable[str] = (),
) -> tuple[str, list[tuple[str, str]]]:
    """(the answer without its unsupported sentences, [(step, sentence dropped)]).

    - "drop_unread_numbers" (`numbers_step`): a sentence stating a number absent from
      `sources` (what the model read), where a number written in words in one of
      `languages` counts as read ("neuf enfants" supports "9 enfants"). The numbers of a
      numbered list (two lines or more opening with "1.", "2)") are not claims. When every
      such number is in an aside (a parenthesis, a relative clause), only the asides are
      dropped: "Puyi, qui abdiqua le 14 février 1912." keeps "Puyi".
    - "drop_unread_people" (when `articles` is given): a sentence naming a person (see
      `missing_people`) absent from `sources` and `articles`: a name may also come from the
      whole passage or title the read sentences belong to (a title cut short in the prompt
      still names its man). Only for answers in the passages' language: a translation may
      rename bodies ("Red Cross" for "Croix-Rouge").
    - "drop_questions" (`questions_step`): a sentence asking a question: the small model
      sometimes repeats the one it was asked ("Quel temps faisait-il à Moscou ? [2]")."""
    sources = list(sources)
    listed = len(_ENUMERATOR.findall(answer)) >= 2  # a lone "84." is a claim, not a list
    known: set[str] = set()
    for source in sources:
        known |= stated_numbers(source, languages)
    vocabulary = None if articles is None else _vocabulary([*sources, *articles])
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []

    def unread(text: str) -> set[str]:
        """The numbers `text` claims that were not read (a list's numbering is no claim)."""
        return stated_numbers(_ENUMERATOR.sub(" ", text) if listed else text) - known

    for sentence in _sentences(answer):
        if numbers_step and unread(sentence):
            rest, asides = _without_unread_asides(sentence, known)
            if not rest or unread(rest):
                dropped.append(("drop_unread_numbers", sentence))
                continue
            sentence = rest
            dropped.extend(("drop_unread_numbers", aside) for aside in asides)
        if questions_step and _is_question(sentence):
            dropped.append(("drop_questions", sentence))
        elif vocabulary is not None and _unread_person(sentence, vocabulary):
            dropped.append(("drop_unread_people", sentence))
        else:
            kept.append(sentence)
    return (" ".join(kept) if dropped else answer), dropped


def _without_unread_asides(sentence: str, known: set[str]) -> tuple[str, list[str]]:
    """(`sentence` without its asides that state a number not in `known`, those asides); ""
    when nothing but markers and punctuation would be left."""
    asides = [m for m in _ASIDE.finditer(sentence) if stated_numbers(m.group()) - known]
    rest = sentence
    for m in reversed(asides):
        rest = rest[: m.start()] + rest[m.end() :]
    rest = re.sub(r"[ \t]+([.,;])", r"\1", re.sub(r"[ \t]{2,}", " ", rest)).strip()
    rest = re.sub(r"(?<=\w)\[", " [", rest)  # "empereur (1912)[1]" → "empereur [1]"
    if asides and not _LETTER.search(MARKER.sub(" ", rest)):
        rest = ""
    return rest, [m.group().strip(" ,") for m in asides]
