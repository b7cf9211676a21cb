"""Tests for ingest.clean, mostly on the real scraped sample articles."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ingest.clean import CleanedArticle, clean_article
from ingest.dates import parse_date, publication_date

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"
SAMPLE_NAMES = sorted(p.name for p in ARTICLES.glob("*.txt"))


def _raw(prefix: str) -> str:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _clean(prefix: str) -> CleanedArticle:
    return clean_article(_raw(prefix), fallback_title=prefix)


def _lines(article: CleanedArticle) -> list[str]:
    return article.text.split("\n\n")


def test_samples_present() -> None:
    assert [name[:3] for name in SAMPLE_NAMES] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_boilerplate_gone(name: str) -> None:
    article = clean_article((ARTICLES / name).read_text(encoding="utf-8"))
    text = article.text
    for needle in (
        "S'inscrire",
        "S’inscrire",
        "Se connecter",
        "cookies",
        "J'accepte",
        "Lire aussi",
        "En savoir plus",
        "t.co/",
        "twitter.com",
        "Laisser un commentaire",
        "ne sera pas publiée",
        "protected]",
        "Consultez vos mails",
    ):
        assert needle not in text, needle
    assert "Rechercher" not in _lines(article)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_text_is_normalised(name: str) -> None:
    article = clean_article((ARTICLES / name).read_text(encoding="utf-8"))
    text = article.text
    for odd in ("\u00a0", "\u202f", "\u2009", "\u200b", "\r", "  ", "\n\n\n"):
        assert odd not in text, repr(odd)
    assert all(line and line == line.strip() for line in _lines(article))
    assert article.title == _lines(article)[0]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_idempotent_and_pure(name: str) -> None:
    raw = (ARTICLES / name).read_text(encoding="utf-8")
    first = clean_article(raw)
    assert clean_article(raw) == first
    again = clean_article(first.text)
    assert again.text == first.text
    assert again.title == first.title
    assert again.removed == []


def test_000_label_title_and_content() -> None:
    article = _clean("000")
    assert article.title == (
        "Syrie : Washington tout proche de suspendre ses discussions avec Moscou, menace John Kerry"
    )
    lines = _lines(article)
    assert "International" not in lines
    assert "International" in article.removed
    assert "Distinguer opposition et groupes terroristes" in lines
    assert (
        "Moscou n'entend pas arrêter la coopération et souhaite poursuivre les négociations"
        in lines
    )
    assert "«Nous sommes sur le point de suspendre les discussions" in article.text
    assert "«A un moment donné, il nous faut trouver d'autres solutions», a-t-il ajouté." in (
        article.text
    )
    assert "peut-être même des villes russes»." in article.text
    assert lines[-1].startswith("Le ministre russe a de plus indiqué")
    assert any(line.startswith("Lire aussi : Lavrov à l’ONU") for line in article.removed)
    assert article.published is None


def test_001_tweets_removed_and_no_date_taken_from_them() -> None:
    article = _clean("001")
    assert article.title == (
        "Moscou accuse Washington de ne pas distinguer rebelles et terroristes, "
        "suite à l'ultimatum américain"
    )
    assert article.published is None, "28 September 2016 is an embedded tweet's date"
    assert "RT France" not in article.text
    assert "(@RT_com)" not in article.text
    assert "Al-Nusra commander" not in article.text
    assert "#Kerry" not in article.text
    lines = _lines(article)
    assert len(lines) == 9
    assert (
        "Récemment des dirigeants du groupe terroristes avaient ouvertement affirmé recevoir "
        "une aide militaire de la part de Washington." in lines
    )
    assert "«Le secrétaire d'Etat américain et ses partenaires tiennent clairement" in (
        article.text
    )
    assert "signé par les deux pays à Genève le 9 septembre." in article.text
    assert lines[-1].endswith("avaient profité pour agir de concert.")


def test_002_content_kept() -> None:
    article = _clean("002")
    lines = _lines(article)
    assert article.removed == []
    assert len(lines) == 9
    assert article.title.startswith("Les ministères russes des Affaires étrangères")
    assert "«Les USA ont besoin de la Russie en Syrie»" in lines
    assert "«La guerre civile peut seulement avoir une solution politique" in article.text
    assert "qui est derrière les attentats du 11 septembre»." in article.text
    assert article.published is None


def test_003_nav_duplicate_caption_and_login_tail() -> None:
    article = _clean("003")
    assert article.title == "Moscou et Washington d’accord sur une coopération accrue en Syrie"
    lines = _lines(article)
    assert "Rechercher" in article.removed
    caption = [line for line in lines if line.startswith("Le secrétaire d'Etat américain John")]
    assert len(caption) == 1
    assert caption[0].endswith("(Crédit : AFP/Christof Stache)")
    assert "‘Foyer et incubateur des terroristes’" in lines
    assert lines[1].startswith("\"Il n'y a nulle part de plus grand foyer")
    assert (
        "« Il n’y a nulle part de plus grand foyer et d’incubateur pour ces terroristes "
        "qu’en Syrie », avait souligné M. Kerry." in lines
    )
    assert "Mais ces « mesures concrètes », annoncées par John Kerry" in article.text
    assert lines[-1] == (
        "Mais Washington accuse Moscou de viser également, au cours de ses raids aériens, "
        "les rebelles soutenus par les Etats-Unis, ce que la Russie dément."
    )
    assert "Il contient un lien qui vous permettra de vous connecter." in article.removed
    assert "check your email" not in article.text
    assert article.published is None, "12 February 2016 is the photo caption's date"


def test_004_comments_cookies_and_credit() -> None:
    article = _clean("004")
    assert article.title == "Alep : vers un accord militaire entre les États-Unis et la Russie"
    lines = _lines(article)
    assert "« Pause humanitaire » insuffisante" in lines
    assert lines[-1] == "(Avec AFP)"
    assert "des négociations étaient dans une phase “active”" in article.text
    assert "« Nous n’avons rien à annoncer à l’heure actuelle », a dit la porte-parole" in (
        article.text
    )
    assert "Votre adresse email ne sera pas publiée." in article.removed
    assert article.published is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Publié le 28 septembre 2016 à 10h", datetime.date(2016, 9, 28)),
        ("le 1er août 2016", datetime.date(2016, 8, 1)),
        ("le 1er aout 2016", datetime.date(2016, 8, 1)),
        ("le 12 février 2016.", datetime.date(2016, 2, 12)),
        ("le 12 fevrier 2016", datetime.date(2016, 2, 12)),
        ("LE 3 DÉCEMBRE 2015", datetime.date(2015, 12, 3)),
        ("le 28\u00a0septembre\u00a02016", datetime.date(2016, 9, 28)),
        ("Posted September 28, 2016", datetime.date(2016, 9, 28)),
        ("on 28 September 2016", datetime.date(2016, 9, 28)),
        ("Sept. 1st, 2016", datetime.date(2016, 9, 1)),
        ("updated 2016-09-28T10:00:00Z", datetime.date(2016, 9, 28)),
        ("le 9 septembre, puis le 28 septembre 2016", datetime.date(2016, 9, 28)),
        ("2016-02-30 then 5 May 2017", datetime.date(2017, 5, 5)),
        ("Publié le 1er octobre 2016 à 10h", datetime.date(2016, 10, 1)),
        ("Am 3. Oktober 2016 in Berlin", datetime.date(2016, 10, 3)),
        ("el 28 de septiembre de 2016", datetime.date(2016, 9, 28)),
        ("Sept. 1, 2016", datetime.date(2016, 9, 1)),
        ("28/09/2016", datetime.date(2016, 9, 28)),
    ],
)
def test_parse_date(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "le 28 septembre",
        "depuis le 11 septembre, 300 morts",
        "le 9 septembre\n2016 fut une année",
        "en juillet 2016",
        "",
        "chapitre 12 sur 2016 pages",
    ],
)
def test_parse_date_none(text: str) -> None:
    assert parse_date(text) is None


def test_the_publication_date_is_the_datelines_not_a_tweets_or_a_captions() -> None:
    tweet = "— RT France (@RTenfrancais) 28 septembre 2016"
    caption = "Kerry et Lavrov à Genève, le 9 septembre 2016. Photo REUTERS/Denis Balibouse"
    body = "\n".join(["Titre de l'article", "Un paragraphe.", tweet, caption, "Un autre."])
    assert publication_date(body) is None
    assert publication_date("Titre\nPar Anne Roux, le 3 octobre 2016\n" + body) == (
        datetime.date(2016, 10, 3)
    )
    late = "Titre\n" + "Paragraphe.\n" * 20 + "Mis à jour le 4 octobre 2016 à 12h00"
    assert publication_date(late) == datetime.date(2016, 10, 4)


@pytest.mark.parametrize(
    "raw", ["", "   \n\n\t \u00a0\n", "Rechercher\n\nS'inscrire ou se connecter"]
)
def test_empty_input_uses_fallback_title(raw: str) -> None:
    article = clean_article(raw, fallback_title="fallback")
    assert article.title == "fallback"
    assert article.text == ""
    assert article.published is None


def test_normalisation() -> None:
    raw = "Titre\u00a0\u00a0 du\u202fjour\r\n\r\nUn\u200b  paragraphe\u2009d’essai « cité ».  \r\n"
    article = clean_article(raw)
    assert article.text == "Titre du jour\n\nUn paragraphe d’essai « cité »."
    assert clean_article("Cafe\u0301 noir\n\nSuite.").title == "Caf\u00e9 noir"
    assert clean_article("Cafe\u200b\u0301 noir\n\nSuite.").title == "Caf\u00e9 noir"


def test_single_word_title_before_paragraph_is_kept() -> None:
    article = clean_article("Brexit\n\nLe Royaume-Uni a voté pour quitter l'Union européenne.")
    assert article.title == "Brexit"


def test_synthetic_english_article() -> None:
    raw = (
        "World\n"
        "Menu\n\n"
        "Kerry and Lavrov agree on closer cooperation in Syria\n\n"
        "We use cookies to improve your experience on our site. Accept\n"
        "Accept all cookies\n\n"
        "By Jane Doe, September 28, 2016\n\n"
        "The two ministers met in Geneva on Friday.\n\n"
        "Read more: Syria ceasefire collapses\n\n"
        "“We are close to an agreement,” Kerry said.\n"
        "“We are close to an agreement,” Kerry said.\n\n"
        "Share\n"
        "Leave a comment\n"
        "Sign up or log in\n"
        "Log in with\n"
        "Email\n"
        "Check your email for a link.\n"
    )
    article = clean_article(raw)
    assert article.title == "Kerry and Lavrov agree on closer cooperation in Syria"
    assert article.published == datetime.date(2016, 9, 28)
    assert _lines(article) == [
        "Kerry and Lavrov agree on closer cooperation in Syria",
        "By Jane Doe, September 28, 2016",
        "The two ministers met in Geneva on Friday.",
        "“We are close to an agreement,” Kerry said.",
    ]
    assert "World" in article.removed
    assert "Read more: Syria ceasefire collapses" in article.removed
    assert clean_article(article.text).text == article.text


def test_digits_only_dates_follow_the_articles_language() -> None:
    english = "Markets rally\nPosted 10/03/2016\nShares rose on Monday as investors bought."
    french = "Les marchés montent\nPublié le 10/03/2016\nLes actions ont progressé lundi."
    assert publication_date(english) == datetime.date(2016, 10, 3)
    assert publication_date(french) == datetime.date(2016, 3, 10)
