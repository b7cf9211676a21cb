"""Check the `[n]` markers of a generated answer against the passages actually given.

Unknown numbers are removed, never shifted to a neighbour: a wrong citation is worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from assistant.text.names import WORD, close_to_any, people
from assistant.text.sentences import sentence_spans

# a citation marker, [3] or [1, 2]; group 1: the numbers
MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([.,;:!?)])")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")
_LONGEST_MARKER = 16  # "[12, 13, 14]"


@dataclass(frozen=True)
class CheckedText:
    text: str  # the answer with only valid markers left, each as [n]
    numbers: list[int]  # valid cited numbers, in order of first appearance
    removed: list[int]  # numbers that pointed to no passage


_LEADING_MARKER = re.compile(r"^\s*((?:\[\d+\])+)\s*:?\s*([^.!?\n]+[.!?]?)")
_REPEATED_MARKER = re.compile(r"(\[\d+\])([.!?]?)\s*\1(?!\w)")


def tidy_markers(text: str) -> str:
    """`[1]: Kerry a menacé.` → `Kerry a menacé [1].`; `menacé [1]. [1]` → `menacé [1].`"""
    match = _LEADING_MARKER.match(text)
    if match:
        sentence = match.group(2).rstrip()
        end = sentence[-1] if sentence[-1] in ".!?" else ""
        text = f"{sentence.rstrip('.!?')} {match.group(1)}{end}" + text[match.end() :]
    return _REPEATED_MARKER.sub(r"\1\2", text)


def renumber(text: str, numbers: dict[int, int]) -> str:
    """Markers rewritten from the prompt's numbering to the user's; unknown ones become [0]
    (removed by `check_markers`)."""

    def replace(match: re.Match[str]) -> str:
        raw = re.split(r"\s*[,;]\s*", match.group(1))
        return "".join(f"[{numbers.get(int(n), 0)}]" for n in raw)

    return MARKER.sub(replace, text)


def renumber_stream(pieces: Iterable[str], numbers: dict[int, int]) -> Iterator[str]:
    """`renumber` over streamed text: a piece ending inside a possible marker waits for the rest."""
    held = ""
    for piece in pieces:
        held += piece
        cut = held.rfind("[")
        if cut == -1 or "]" in held[cut:] or len(held) - cut > _LONGEST_MARKER:
            out, held = held, ""
        else:
            out, held = held[:cut], held[cut:]
        if out:
            yield renumber(out, numbers)
    if held:
        yield renumber(held, numbers)


def check_markers(text: str, n_passages: int, given: Collection[int] | None = None) -> CheckedText:
    """Markers to passages 1..n_passages kept (only those in `given`, when set), others removed."""
    allowed = set(range(1, n_passages + 1)) if given is None else set(given)
    numbers: list[int] = []
    removed: list[int] = []

    def replace(match: re.Match[str]) -> str:
        kept = []
        for raw in re.split(r"\s*[,;]\s*", match.group(1)):
            n = int(raw)
            if n in allowed:
                kept.append(n)
                if n not in numbers:
                    numbers.append(n)
            else:
                removed.append(n)
        return "".join(f"[{n}]" for n in dict.fromkeys(kept))

    checked = MARKER.sub(replace, text)
    if removed:
        checked = _MULTI_SPACE.sub(" ", _SPACE_BEFORE_PUNCT.sub(r"\1", checked))
    return CheckedText(checked.strip(), numbers, removed)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


def is_refusal(text: str, refusals: list[str], question: str = "") -> bool:
    """The model said the passages do not contain the answer (in any supported language),
    and said little else: at most a few words around the refusal sentence. Words of the
    `question` may follow the sentence's subject: the model names what was asked ("Les
    articles de septembre 2016 ne contiennent pas la réponse…")."""
    folded = _fold(MARKER.sub(" ", text))
    asked = set(_fold(question).split())
    patterns = [_refusal_pattern(_fold(r)) for r in refusals if r.strip()]
    found = [m for p in patterns for m in p.finditer(folded) if set(m["gap"].split()) <= asked]
    if not found:
        return False
    for m in sorted(found, key=lambda m: m.start(), reverse=True):  # maybe several languages
        folded = folded[: m.start()] + " " + folded[m.end() :]
    return len(folded.split()) <= 6


def _refusal_pattern(refusal: str, subject_words: int = 2, inserted: int = 6) -> re.Pattern[str]:
    """A folded refusal sentence, with up to `inserted` words (the group "gap") allowed after
    its subject."""
    words = refusal.split()
    subject, rest = words[:subject_words], words[subject_words:]
    gap = rf"(?P<gap>(?: \S+){{0,{inserted}}})" if rest else "(?P<gap>)"
    return re.compile(
        " ".join(map(re.escape, subject)) + gap + " " + " ".join(map(re.escape, rest))
    )


def has_claims(text: str) -> bool:
    """Some words beyond citation markers and punctuation."""
    return bool(re.search(r"\w{2,}", MARKER.sub(" ", text)))


def attribute(
    text: str,
    passages: list[str],
    min_overlap: float = 0.6,
    max_wrong: float = 0.3,
    by_names: bool = False,
    question: str = "",
) -> str:
    """Tie each sentence to the passage it comes from, using the words it shares with them.

    The small local model often copies a sentence without citing it, or cites a neighbour of the
    passage it copied. A sentence without a marker gets the passage that contains most of its
    content words (`min_overlap`); a sentence whose cited passages contain almost none of its
    words (`max_wrong`) while another passage contains most of them is re-cited to that one.
    With `by_names` (an answer in another language than the passages: its words are not
    theirs), a sentence without a marker that no passage shares the words of gets the one
    passage that mentions most of its names, at least two ("General Victor Poznikhir"). A
    sentence no passage supports keeps what it has, so the answer can still be flagged.
    Words of the `question` an unmarked sentence repeats ("La ville la plus touchée … est
    Alep") are its framing, not its claim: only the other words are looked for, when any (a
    tie goes to the passage sharing most of all its words)."""
    from assistant.index.keywords import normalize

    vocab = [set(normalize(p)) for p in passages]
    asked = set(normalize(question))
    out: list[str] = []
    pos = 0
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        out.append(text[pos:start])
        pos = end
        words = set(normalize(MARKER.sub(" ", sentence)))
        if len(words) < 3 or not vocab:
            out.append(sentence)
            continue
        cited = [int(n) for m in MARKER.findall(sentence) for n in re.split(r"\D+", m) if n]
        cited = [n for n in cited if 1 <= n <= len(passages)]
        every = [len(words & v) / len(words) for v in vocab]
        claim = set() if cited else words - asked  # a marked sentence is judged on all its words
        scores = [len(claim & v) / len(claim) for v in vocab] if claim else every
        best = max(range(len(scores)), key=lambda i: (scores[i], every[i]))
        if scores[best] < min_overlap and by_names and not cited:
            named = _naming_most(sentence, vocab)
            if named is not None:
                best, scores[named] = named, min_overlap
        if scores[best] < min_overlap or (cited and max(scores[n - 1] for n in cited) >= max_wrong):
            out.append(sentence)
            continue
        body = MARKER.sub("", sentence).rstrip()
        body = _MULTI_SPACE.sub(" ", _SPACE_BEFORE_PUNCT.sub(r"\1", body))
        end = len(body.rstrip(".!?"))
        trail = sentence[len(sentence.rstrip()) :]
        out.append(f"{body[:end]} [{best + 1}]{body[end:]}{trail}")
    out.append(text[pos:])
    return "".join(out)


def _naming_most(sentence: str, vocab: list[set[str]]) -> int | None:
    """The index of the one passage mentioning most of the sentence's names (capitalised
    words, the first one too), other spellings allowed; None below two, on a tie, or when the
    sentence names a person that passage does not ("Putin invited Obama": no Obama)."""
    from assistant.index.keywords import normalize

    def stems(words: Iterable[str]) -> set[str]:
        return {stem for w in words if len(w) >= 4 for stem in normalize(w)}

    names = stems(m.group() for m in WORD.finditer(sentence) if m.group()[:1].isupper())
    counts = [sum(close_to_any(stem, v) for stem in names) for v in vocab]
    top = max(counts, default=0)
    if top < 2 or counts.count(top) > 1:
        return None
    best = counts.index(top)
    persons = stems(w for person in people(sentence) for w in person.split())
    return best if all(close_to_any(stem, vocab[best]) for stem in persons) else None
