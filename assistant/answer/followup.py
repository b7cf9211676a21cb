"""Follow-up questions: a third-person pronoun replaced by the person it refers to.

The 1.5B default model often fails to rewrite a follow-up ("Avec qui parlait-il ?"): it answers
it, drops words, or keeps the pronoun. The common case, a pronoun standing for the person the
last exchange was about, is resolved here by rule, instantly: the person is the first name in
the previous question, else the first one in the previous answer ("Qui a menacé… ?" → "John
Kerry a menacé…"). French and English only; anything else is left to the LLM rewrite.
"""

from __future__ import annotations

import re

from assistant.text.names import is_territory, name_spans, people

_CLITICS = frozenset("ne n' en y le la les l' lui leur se s' me m' te t' nous vous".split())
_INVERSION = re.compile(r"\b([^\W\d_]+)-(t-)?(il|elle|ils|elles)\b", re.IGNORECASE)
_SUBJECT_FR = re.compile(r"(?<![-\w'’])(qu['’])?(il|elle|ils|elles)\b", re.IGNORECASE)
_AFTER_PREPOSITION = re.compile(
    r"\b(selon|avec|pour|par|contre|chez|sans|envers|d['’]après)\s+(lui|elle|eux|elles)\b",
    re.IGNORECASE,
)
# "faut-il", "s'agit-il", "y a-t-il": an impersonal "il" that stands for nobody
_IMPERSONAL = frozenset(
    "faut fallait faudra faudrait agit agissait semble semblait paraît pleut".split()
)
_SUBJECT_EN = re.compile(r"\b(he|she|him)\b", re.IGNORECASE)
_PLURAL_EN = re.compile(r"\b(they|them)\b", re.IGNORECASE)
_POSSESSIVE_EN = re.compile(r"\bhis\b", re.IGNORECASE)
_ENGLISH_PRONOUN = re.compile(r"\b(he|she|him|his|they|them)\b", re.IGNORECASE)


def resolve_follow_up(question: str, previous_question: str, previous_answer: str) -> str | None:
    """`question` with its first third-person pronoun replaced by the person it refers to,
    or None when it has no such pronoun, names someone before it ("Et Lavrov, qu'en
    a-t-il pensé ?": the pronoun is that person), or no person is found."""
    named = [n.start for n in name_spans(question)]
    found = _people(previous_question) or _people(previous_answer)
    if not found:
        return None
    one = found[0]
    several = " et ".join(found[:2]) if len(found) > 1 else one
    for match in _INVERSION.finditer(question):
        if _impersonal(question, match):
            continue
        if any(start < match.start() for start in named):
            return None
        plural = match.group(3).lower() in {"ils", "elles"}
        return _invert(question, match, several if plural else one)
    english = " and ".join(found[:2]) if len(found) > 1 else one
    subject = _SUBJECT_FR.search(question)
    after_preposition = _AFTER_PREPOSITION.search(question)
    first = subject or after_preposition or _ENGLISH_PRONOUN.search(question)
    if first is None or any(start < first.start() for start in named):
        return None
    if subject is not None:
        name = several if subject.group(2).lower() in {"ils", "elles"} else one
        lead = "que " if subject.group(1) else ""
        return _capitalise(question[: subject.start()] + lead + name + question[subject.end() :])
    if after_preposition is not None:
        name = several if after_preposition.group(2).lower() in {"eux", "elles"} else one
        return question[: after_preposition.start(2)] + name + question[after_preposition.end(2) :]
    resolved = _POSSESSIVE_EN.sub(f"{one}'s", question)
    resolved = _SUBJECT_EN.sub(one, resolved)
    return _capitalise(_PLURAL_EN.sub(english, resolved))


def _people(text: str) -> list[str]:
    """The names in `text` that may be the person a pronoun stands for: not a country's
    ("Why would the US suspend talks with Russia?" names nobody "he" can be)."""
    return [n for n in people(text) if not is_territory(n)]


def _impersonal(question: str, match: re.Match[str]) -> bool:
    verb = match.group(1).lower()
    there_is = re.search(r"\by\s*$", question[: match.start()], re.IGNORECASE) is not None
    return verb in _IMPERSONAL or (there_is and verb in {"a", "avait", "aura", "aurait"})


def _invert(question: str, match: re.Match[str], name: str) -> str:
    """French inverted subject: "Avec qui parlait-il ?" → "Avec qui Vladimir Poutine
    parlait-il ?"; after que, the name follows the verb: "Qu'a-t-il dit ?" → "Qu'a dit V. P. ?"."""
    before = question[: match.start()]
    verb = match.group(1)
    rest = question[match.end() :]
    words = before.split(" ")
    clitics: list[str] = []
    while words and words[-1] == "":
        words.pop()
    while words:
        last = words[-1]
        bare = re.sub(r"^(qu['’])", "", last, flags=re.IGNORECASE)
        if bare.lower().replace("’", "'") in _CLITICS and bare:
            clitics.insert(0, bare)
            if bare != last:  # "Qu'en": keep the "Qu'" and stop
                words[-1] = last[: len(last) - len(bare)]
                break
            words.pop()
            continue
        if last.lower().replace("’", "'") in _CLITICS:
            clitics.insert(0, last)
            words.pop()
            continue
        break
    head = " ".join(words)
    if re.search(r"(?:\bque|qu['’])$", head, re.IGNORECASE):
        tail = re.match(r"\s*([^\W\d_][\w’'-]*)?(.*)", rest, re.DOTALL)
        assert tail is not None
        participle, after = tail.group(1), tail.group(2)
        verb_group = _attach([*clitics, verb])
        joined = head + verb_group if head.endswith(("'", "’")) else f"{head} {verb_group}"
        if participle:
            return f"{joined} {participle} {name}{after}"
        return f"{joined} {name}{rest}"
    verb = verb if head else verb[:1].lower() + verb[1:]
    inverted = f"{_attach([*clitics, verb])}-{match.group(2) or ''}{match.group(3)}"
    return _capitalise(" ".join(p for p in (head, name, inverted) if p) + rest)


def _attach(words: list[str]) -> str:
    """Words joined by spaces, except after an elided one: ["l'", "a"] → "l'a"."""
    out = ""
    for word in words:
        out += word if not out or out.endswith(("'", "’")) else " " + word
    return out


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
