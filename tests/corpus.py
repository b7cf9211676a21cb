"""A seeded generator of short French-like news articles, for crash and scale tests.

Every article is unique (its number and a seeded mix of names, places and events) and has a few
paragraphs long enough to be passages of their own, so an ingest of n articles writes about
`paragraphs * n` chunks. Edits change one paragraph, so a re-ingest re-embeds only that one.
"""

from __future__ import annotations

import random
from pathlib import Path

_PEOPLE = (
    "Jean Dupont|Marie Lefèvre|Sergueï Ivanov|Ahmed Benali|Claire Martin|Olivier Moreau|"
    "Sophie Girard|Karim Haddad|Hélène Rousseau|Luc Bernard|Anne Petit|Youssef Amrani"
).split("|")
_PLACES = (
    "Lyon|Marseille|Genève|Bruxelles|Alep|Damas|Moscou|Berlin|Tunis|Dakar|Montréal|Lausanne|"
    "Strasbourg|Bordeaux|Lille|Nantes"
).split("|")
_ROLES = (
    "le ministre des affaires étrangères|la maire|le porte-parole du gouvernement|"
    "la présidente du conseil régional|le chef de la diplomatie|la directrice de l'agence|"
    "le secrétaire général du syndicat|le procureur"
).split("|")
_EVENTS = (
    "un accord sur le prix de l'énergie|une réforme des retraites|un cessez-le-feu fragile|"
    "la reprise des négociations|une grève des transports|un plan d'aide aux agriculteurs|"
    "la construction d'un nouveau pont|des élections anticipées|une enquête sur la corruption|"
    "la fermeture d'une usine"
).split("|")
_VERBS = (
    "a annoncé|a dénoncé|a confirmé|a démenti|a salué|a critiqué|a défendu|a remis en cause"
).split("|")
_DETAILS = (
    "selon plusieurs sources proches du dossier|lors d'une conférence de presse|"
    "dans un entretien accordé à la radio|devant les élus réunis en séance|"
    "à l'issue d'une longue réunion nocturne|dans un communiqué publié mardi"
).split("|")
_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"


def _sentence(rng: random.Random, n: int) -> str:
    who = rng.choice(_PEOPLE)
    return (
        f"{who}, {rng.choice(_ROLES)}, {rng.choice(_VERBS)} {rng.choice(_EVENTS)} à "
        f"{rng.choice(_PLACES)} {rng.choice(_DETAILS)}, et le dossier {n} reste ouvert."
    )


def _paragraph(rng: random.Random, n: int, sentences: int = 1) -> str:
    return " ".join(_sentence(rng, n * 100 + i) for i in range(sentences))


def article_text(n: int, seed: int = 0, paragraphs: int = 2, version: int = 0) -> str:
    """The text of article `n`; `version` changes its last paragraph only."""
    rng = random.Random(f"{seed}-{n}")
    day, month = rng.randint(1, 28), rng.choice(_MONTHS.split())
    title = f"{rng.choice(_PLACES)} : {rng.choice(_EVENTS)} (dépêche {n})"
    body = [_paragraph(rng, n * 10 + p) for p in range(paragraphs)]
    if version:
        body[-1] = _paragraph(random.Random(f"{seed}-{n}-v{version}"), n * 10 + 9)
    return f"{title}\n\nPublié le {day} {month} 2016\n\n" + "\n\n".join(body) + "\n"


def article_name(n: int) -> str:
    return f"depeche_{n:05d}.txt"


def write_corpus(folder: Path, count: int, seed: int = 0, start: int = 0) -> list[Path]:
    """Write articles `start … start+count-1` to `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / article_name(n)
        path.write_text(article_text(n, seed), encoding="utf-8")
        paths.append(path)
    return paths
