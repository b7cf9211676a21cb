"""Bylines of plain-text articles: the names after the word for "by", nothing from prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.byline import byline_author
from ingest.loader import RawDocument, load_file
from ingest.pipeline import clean_document


@pytest.mark.parametrize(
    ("text", "author"),
    [
        ("Storm cuts power\n\nBy Jane Smith, Reuters\n\nThe storm swept…", "Jane Smith"),
        ("Alep : vers un accord\nPar Jean Dupont\nLe ministre russe…", "Jean Dupont"),
        ("Von Anna Müller und Peter Schmidt\n\nDer Sturm…", "Anna Müller und Peter Schmidt"),
        ("By JANE SMITH | 12 March 2024\nText", "JANE SMITH"),
        (
            "Par Marie-Hélène d'Arc et Luc Van der Berg, envoyés spéciaux",
            ("Marie-Hélène d'Arc et Luc Van der Berg"),
        ),
        ("Por María García\nEl temporal…", "María García"),
    ],
)
def test_a_byline_names_the_author(text: str, author: str) -> None:
    assert byline_author(text) == author


@pytest.mark.parametrize(
    "text",
    [
        "Par ailleurs, la ville a décidé de fermer l'école",
        "By Monday the storm had reached the coast",
        "By the numbers",
        "Par Jean Dupont Publié le 12/03/2016 à 10h",  # the names run into more text
        "By Jane Smith.",  # a sentence
        "Title\nOne\nTwo\nThree\nFour\nFive\nBy Jane Smith",  # too far down to be a byline
        "",
    ],
)
def test_prose_and_late_lines_are_not_bylines(text: str) -> None:
    assert byline_author(text) == ""


def test_the_ingest_reads_the_byline_unless_the_front_matter_names_the_author(
    tmp_path: Path,
) -> None:
    story = "Storm cuts power\n\nBy Jane Smith, Reuters\n\n" + "The storm swept the coast. " * 20
    plain, stated = tmp_path / "plain.txt", tmp_path / "stated.md"
    plain.write_text(story)
    stated.write_text(f"---\nauthor: Tom Hughes\n---\n{story}")
    authors = []
    for path in (plain, stated):
        doc = load_file(path, path.name, 2**20)
        assert isinstance(doc, RawDocument)
        cleaned = clean_document(doc, "embedder")
        assert not isinstance(cleaned, str)
        authors.append(cleaned.meta.author)
    assert authors == ["Jane Smith", "Tom Hughes"]
