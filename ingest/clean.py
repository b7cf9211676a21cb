"""Turn the raw text of a scraped news article into clean article text plus metadata.

Scraped articles carry web furniture (section labels, log-in walls, cookie banners, "Lire
aussi" links, embedded tweets, comment forms) that would pollute retrieval and answers.
``clean_article`` keeps the article's own paragraphs, drops that furniture, and reports the
title and the publication date its dateline states (`dates`). It is a pure function: the ingest
hashes the cleaned text to detect changed articles, so the same input must always give the
same output, and cleaning an already cleaned text changes nothing.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

from ingest.dates import publication_date

__all__ = ["CleanedArticle", "clean_article"]


@dataclass(frozen=True)
class CleanedArticle:
    title: str
    text: str
    published: datetime.date | None
    removed: list[str]


_ODD_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile(r"[\u00ad\u180e\u200b-\u200d\u2060\ufeff]")
_SPACE_RUN = re.compile(r" {2,}")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})

# Matched against the folded line (lower case, no accents, straight apostrophes).
_AUTH_RULES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^s'inscrire(?: (?:ou|et) se connecter| pour continuer)?\W*$",
        r"^se connecter(?: avec\b.*| pour continuer| ou s'inscrire)?\W*$",
        r"^en vous inscrivant,? vous acceptez\b",
        r"^veuillez utiliser le format suivant\b",
        r"^consultez vos (?:e-?)?mails?\b",
        r"^nous vous avons envoye un (?:e-?)?mail\b",
        r"^il contient un lien qui vous permettra de vous connecter\b",
        r"^(?:sign|log) ?(?:in|up)(?: (?:or|and) (?:sign|log) ?(?:in|up))?"
        r"(?: with\b.*| to continue)?\W*$",
        r"^by (?:signing up|registering),? you agree\b",
        r"^check your (?:e-?mail|inbox)\b",
        r"^we(?: have|'ve)? sent you an? (?:e-?mail|link)\b",
    )
)
_BOILERPLATE_RULES: tuple[re.Pattern[str], ...] = _AUTH_RULES + tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # cookie banners
        r"^(?:ce|notre) site(?: web| internet)? utilise des (?:cookies|traceurs)\b",
        r"^(?:nous utilisons|en poursuivant votre navigation)\b.*\bcookies\b",
        r"^(?:this|our) (?:web)?site uses cookies\b",
        r"^we use cookies\b",
        r"^(?:j'accepte|tout accepter|accepter(?: les cookies)?|i accept|accept(?: all)?"
        r"(?: cookies)?)\W*$",
        # links to other articles
        r"^(?:a )?lire (?:aussi|egalement)\b",
        r"^voir aussi\b",
        r"^en savoir plus(?: sur)?\s*(?::.*)?$",
        r"^read (?:more|also)\b",
        r"^related(?: articles?| stories)?\s*:",
        # comment forms
        r"^laisser un commentaire\W*$",
        r"^votre adresse (?:e-?mail|de messagerie) ne sera pas publiee\b",
        r"^leave a (?:comment|reply)\W*$",
        r"^your email address will not be published\b",
        # single navigation words
        r"^(?:rechercher|recherche|search|menu|partager|share|imprimer|print|accueil|home)"
        r"\W*$",
        # embedded tweets: a line with a tweet link, and the "— Name (@handle) date" line
        r"\b(?:t\.co|x\.com|twitter\.com)/",
        r"^[\u2014\u2013-]\s*[^()]{0,80}\(@\w{1,15}\)(?:\s.*)?$",
    )
)
# Inside a trailing log-in block, these lines are furniture too.
_TAIL_RULES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\[email protected\]|\b[\w.+-]+@[\w-]+\.[\w.]+\b",
        r"\b(?:e-?mail|mails?|mot de passe|password|newsletter|compte|account)\b",
        r"\b(?:connecter|connexion|inscri\w*|abonne\w*|subscribe|register)\b",
        r"^\S+(?: \S+){0,2}$",
    )
)
_TAIL_WINDOW = 20
_LABEL_MAX_WORDS = 2
_HEADING_MAX_WORDS = 30
_FINAL_PUNCT = '.!?:;,…»"”)]'


def _normalise_line(line: str) -> str:
    line = _ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", line))
    return unicodedata.normalize("NFC", _SPACE_RUN.sub(" ", line).strip())


def _normalise(raw: str) -> list[str]:
    """NFC, one entry per line, odd spaces and zero-width characters handled."""
    return [_normalise_line(line) for line in raw.splitlines()]


def _fold(text: str) -> str:
    """Matching key: lower case, accents stripped, straight apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _matches(rules: tuple[re.Pattern[str], ...], folded: str) -> bool:
    return any(rule.search(folded) for rule in rules)


def _is_label(line: str) -> bool:
    return len(line.split()) <= _LABEL_MAX_WORDS and not line.endswith(tuple(_FINAL_PUNCT))


def _looks_like_heading(line: str) -> bool:
    return len(line.split()) <= _HEADING_MAX_WORDS and not line.endswith(".")


def _boilerplate_indices(lines: list[str]) -> set[int]:
    folded = [_fold(line) for line in lines]
    window_start = max(0, len(lines) - _TAIL_WINDOW)
    tail_start = next(
        (i for i in range(window_start, len(lines)) if _matches(_AUTH_RULES, folded[i])),
        len(lines),
    )
    dropped: set[int] = set()
    previous = ""
    for i, (line, key) in enumerate(zip(lines, folded, strict=True)):
        if (
            _matches(_BOILERPLATE_RULES, key)
            or (i > tail_start and _matches(_TAIL_RULES, key))
            or line == previous
        ):
            dropped.add(i)
        else:
            previous = line
    return dropped


def _leading_label_indices(lines: list[str], kept: list[int]) -> set[int]:
    labels: set[int] = set()
    for current, following in pairwise(kept):
        if not (_is_label(lines[current]) and _looks_like_heading(lines[following])):
            break
        labels.add(current)
    return labels


def clean_article(raw: str, fallback_title: str = "") -> CleanedArticle:
    """Clean scraped article text; the title is the first kept line."""
    lines = [line for line in _normalise(raw) if line]
    dropped = _boilerplate_indices(lines)
    dropped |= _leading_label_indices(lines, [i for i in range(len(lines)) if i not in dropped])
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    removed = [line for i, line in enumerate(lines) if i in dropped]
    published = publication_date(raw)
    if not kept:
        return CleanedArticle(fallback_title, "", published, removed)
    return CleanedArticle(kept[0], "\n\n".join(kept), published, removed)
