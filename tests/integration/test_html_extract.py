"""Saved web pages (tests/data/pages, modelled on the sample articles' sites: menus, cookie
banners, "Lire aussi", photo captions, embedded tweets, comments, footers) through the ingest's
reader: trafilatura's main text and metadata, then the text cleaning. html2text, the former
reader, is measured on the same pages: the extractor must keep as much article text and let
less boilerplate through."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ingest.clean import clean_article
from ingest.loader import RawDocument, html_to_text, load_file
from ingest.pipeline import clean_document
from tests.conftest import ROOT

PAGES = ROOT / "tests" / "data" / "pages"

EXPECTED = {
    "fr_alep_cessez_le_feu.html": {
        "title": "Alep : Moscou et Washington s'accusent mutuellement",
        "author": "Claire Martin",
        "site": "Le Quotidien du Monde",
        "date": datetime.date(2016, 9, 29),
        "body": ["menacé mercredi de suspendre", "au moins 96 civils",
                 "poursuivre les discussions à Genève", "couloir humanitaire"],
        "boilerplate": ["cookies", "Accueil", "S'abonner", "Partager sur", "Sur le même sujet",
                        "Jeanpierre75", "très partial", "Mentions légales", "Newsletter",
                        "3 juillet 2014", "Lire aussi"],
    },
    "en_markets_brexit.html": {
        "title": "Pound slides as markets weigh Brexit timetable",
        "author": "Tom Hughes",
        "site": "Daily Ledger",
        "date": datetime.date(2016, 10, 3),
        "body": ["31-year low", "$1.2844", "so-called hard Brexit", "0.25 per cent"],
        "boilerplate": ["privacy", "Accept all", "Sign in", "Morning Briefing", "Told you so",
                        "All rights reserved", "READ MORE"],
    },
    "fr_meteo_tempete.html": {
        "title": "Tempête : vigilance orange dans six départements",
        "author": "",
        "site": "",
        "date": datetime.date(2016, 10, 14),
        "body": ["six départements de l'ouest", "120 à 130 km/h", "bord de mer",
                 "lignes régionales de Bretagne"],
        "boilerplate": ["cookies", "Mon compte", "Vidéos", "Réagissez", "Momo29",
                        "Tous droits réservés", "Lire aussi"],
    },
}  # fmt: skip


def score(text: str, expected: dict) -> tuple[int, int]:
    """(article phrases kept, boilerplate phrases let through)."""
    kept = sum(phrase in text for phrase in expected["body"])
    leaked = sum(phrase.lower() in text.lower() for phrase in expected["boilerplate"])
    return kept, leaked


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_saved_page_gives_its_article_and_metadata(name: str) -> None:
    expected = EXPECTED[name]
    doc = load_file(PAGES / name, name, 10 * 2**20)
    assert isinstance(doc, RawDocument)
    cleaned = clean_document(doc, "embedder")
    assert not isinstance(cleaned, str)
    article = cleaned.article
    assert score(article.text, expected) == (len(expected["body"]), 0)
    assert article.title == expected["title"] and article.published == expected["date"]
    assert (doc.meta.author, doc.meta.site) == (expected["author"], expected["site"])


def test_the_extractor_beats_the_whole_page_conversion() -> None:
    """The measurement behind the choice (docs/architecture.md has the numbers)."""
    totals = {"trafilatura": [0, 0], "html2text": [0, 0]}
    for name, expected in EXPECTED.items():
        doc = load_file(PAGES / name, name, 10 * 2**20)
        assert isinstance(doc, RawDocument)
        cleaned = clean_document(doc, "embedder")
        assert not isinstance(cleaned, str)
        whole = clean_article(html_to_text((PAGES / name).read_text(encoding="utf-8")))
        for method, text in (("trafilatura", cleaned.article.text), ("html2text", whole.text)):
            kept, leaked = score(text, expected)
            totals[method][0] += kept
            totals[method][1] += leaked
    assert totals["trafilatura"][0] >= totals["html2text"][0]
    assert totals["trafilatura"][1] < totals["html2text"][1]
    print(totals)


def test_a_page_without_an_article_still_gives_its_text(tmp_path: Path) -> None:
    page = tmp_path / "list.html"
    page.write_text("<html><body><ul><li>Un</li><li>Deux</li></ul></body></html>")
    doc = load_file(page, "list.html", 2**20)
    assert isinstance(doc, RawDocument) and "Deux" in doc.text


def test_a_text_between_two_rules_is_not_taken_for_metadata(tmp_path: Path) -> None:
    article = tmp_path / "rules.md"
    article.write_text("---\nLe titre de l'article\n---\nLe premier paragraphe.\n", "utf-8")
    doc = load_file(article, "rules.md", 2**20)
    assert isinstance(doc, RawDocument) and "Le titre de l'article" in doc.text
    assert doc.meta.title == ""
