"""Untrusted article text renders as text in the sources panel."""

from __future__ import annotations

from dataclasses import replace

from assistant.index.folder import safe_name
from assistant.schema import Citation, Passage
from assistant.web.render import highlighted, sources_html

ARTICLE = (
    "Titre <b>gras</b>\n\nAvant le passage.\n\n"
    "Le passage <script>alert('x')</script> et <img src=x onerror=alert(1)>.\n\nAprès."
)


def passage() -> Passage:
    start = ARTICLE.index("Le passage")
    end = ARTICLE.index("\n\nAprès")
    return Passage(
        chunk_id="a-1",
        article_id="a",
        title="<i>Titre</i>",
        file="<x>.txt",
        published=None,
        start=start,
        end=end,
        text=ARTICLE[start:end],
        score=1.0,
    )


def test_passage_is_highlighted_in_context_and_escaped() -> None:
    p = passage()
    out = highlighted(ARTICLE, p.start, p.end)
    assert "Avant le passage." in out and "Après." in out
    assert "<mark>Le passage &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "<script>" not in out and "<img" not in out


def test_sources_panel_escapes_titles_files_and_text() -> None:
    p = passage()
    html = sources_html([p], [Citation(1, p)], {"a": ARTICLE})
    assert "<script>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;i&gt;Titre&lt;/i&gt;" in html and "&lt;x&gt;.txt" in html
    assert "Open the whole article" in html and "<b>" not in html


def test_upload_names_are_sanitised() -> None:
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\evil.md") == "evil.md"
    assert safe_name("mon article été 2016.HTML") == "mon article été 2016.html"
    assert safe_name("<script>.txt") == "script.txt"
    assert len(safe_name("a" * 500 + ".txt")) == 100
    assert safe_name("....txt") == "article.txt"


def test_an_added_opening_says_so() -> None:
    p = passage()
    opening = replace(p, chunk_id="a-0", start=0, end=17, text=ARTICLE[:17], opening=True)
    html = sources_html([opening, p], None, {"a": ARTICLE})
    assert html.count("the article's opening, added for context") == 1
    assert html.index("added for context") < html.index('id="source-2"')
