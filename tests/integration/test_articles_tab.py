"""The Articles tab's actions, through the same handlers the page calls: the list with its
metadata and search, removing one article (file and index entries), indexing one again, and
adding pages and feeds from the web (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.web.articles import ArticlesUI
from ingest.fetch import save_from_web
from ingest.pipeline import run_ingest
from tests.served import local_site

EVIL = "![](http://tracker.invalid/x) &lt;b&gt;gras&lt;/b&gt;"
PAGE = (
    "<html><head><title>Le viaduc de Millau fermé par le vent</title>"
    "<meta name='author' content='Paul Roux'><meta property='og:site_name' content='Midi Info'>"
    "<meta property='article:published_time' content='2016-10-05'></head><body><article>"
    "<h1>Le viaduc de Millau fermé par le vent</h1>"
    "<p>Des rafales de 140 km/h ont conduit la préfecture de l'Aveyron à fermer mercredi le "
    "viaduc de Millau aux poids lourds, puis à tous les véhicules en fin de journée.</p>"
    "<p>Les automobilistes ont été déviés par la vallée du Tarn, ce qui a créé des bouchons "
    "de plusieurs kilomètres à l'entrée de la ville jusqu'à la nuit.</p>"
    "<p>Le viaduc a rouvert jeudi matin après une inspection des haubans par les équipes "
    "de la société concessionnaire.</p></article></body></html>"
)


class Site(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/feed.xml":
            body = (
                "<?xml version='1.0'?><rss version='2.0'><channel><title>Midi</title>"
                f"<item><title>Viaduc</title><link>{base}/viaduc.html</link></item>"
                "</channel></rss>"
            )
            kind = "application/rss+xml"
        elif self.path == "/evil.html":
            body, kind = PAGE.replace("Le viaduc de", f"{EVIL} Le viaduc de"), "text/html"
        else:
            body, kind = PAGE, "text/html; charset=utf-8"
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def site() -> Iterator[str]:
    with local_site(Site) as url:
        yield url


@pytest.fixture
def shelf(sample_assistant: Any) -> ArticlesUI:
    assistant = Assistant(
        sample_assistant.settings,
        embedder=sample_assistant.embedder,
        ingester=run_ingest,
        fetcher=save_from_web,
    )
    return ArticlesUI(assistant)


def test_the_list_is_searched_by_title_file_or_date(shelf: ArticlesUI) -> None:
    rows = shelf.rows()
    assert len(rows) == 5 and all(len(r) == 7 for r in rows)
    kerry = shelf.rows("kerry washington")
    assert kerry and all("kerry" in r[0].lower() and "washington" in r[0].lower() for r in kerry)
    assert shelf.rows("zzz-nothing") == []


def test_removing_an_article_takes_its_file_and_its_passages(shelf: ArticlesUI) -> None:
    assistant = shelf.assistant
    article = assistant.articles()[0]
    path = assistant.settings.articles_dir / article.key
    message = shelf.remove(article.article_id)
    assert message.startswith("✅ Removed “") and ".trash/" in message
    trashed = list((assistant.settings.articles_dir / ".trash").glob(f"*/{article.key}"))
    assert not path.exists() and len(trashed) == 1
    assert article.article_id not in {a.article_id for a in assistant.articles()}
    assert len(assistant.articles()) == 4, "only that one"
    assert all(p.article_id != article.article_id for p in assistant.retrieve(article.title))
    assert shelf.remove(article.article_id).startswith("❌ That article is no longer")
    assert shelf.remove(None) == "Choose an article first."


def test_a_file_moved_away_before_a_crash_is_pruned_by_the_next_run(shelf: ArticlesUI) -> None:
    """Remove's first step done, the second lost: the next ingest with prune finishes it."""
    assistant = shelf.assistant
    article = assistant.articles()[1]
    folder = assistant.settings.articles_dir
    (folder / ".trash").mkdir()
    (folder / article.key).rename(folder / ".trash" / article.key)
    report = assistant.library.ingest(prune=True)
    assert report.removed == [article.key] and len(assistant.articles()) == 4


def test_pruning_one_file_leaves_the_other_articles(shelf: ArticlesUI) -> None:
    assistant = shelf.assistant
    one = assistant.settings.articles_dir / assistant.articles()[0].key
    report = assistant.library.ingest(paths=[one], prune=True)
    assert report.unchanged == [assistant.articles()[0].key] and not report.removed
    assert len(assistant.articles()) == 5


def test_indexing_one_again_writes_it_even_unchanged(shelf: ArticlesUI) -> None:
    article = shelf.assistant.articles()[2]
    assert shelf.reindex(article.article_id).startswith("✅ Indexed again: added 0 / updated 1")


def test_pages_and_feeds_from_the_web_show_their_metadata(shelf: ArticlesUI, site: str) -> None:
    status = shelf.add_from_web(f"{site}/viaduc.html\n\n{site}/feed.xml\nnot a url\n")
    assert f"• {site}/viaduc.html: saved “Le viaduc de Millau fermé par le vent”" in status
    assert f"• {site}/feed.xml: a feed of 1 items." in status
    assert "already saved as web/" in status, "the feed's item is the page saved just before"
    assert "not a url: not a web address" in status and "✅ added 1 /" in status
    (row,) = shelf.rows("millau")
    assert row[1:4] == ["2016-10-05", "Paul Roux", "Midi Info"]
    assert shelf.add_from_web("  ").startswith("Paste the address")


def test_status_messages_escape_what_pages_say(shelf: ArticlesUI, site: str) -> None:
    status = shelf.add_from_web(f"{site}/evil.html\nhttp://127.0.0.1:1/<script>x</script>")
    assert "saved “" in status and "tracker.invalid" in status, "saved under its hostile title"
    assert "<script>" not in status and "&lt;script&gt;" in status
    assert "![](" not in status and r"\!\[\]\(" in status, "no remote image from a title"


def test_bad_addresses_get_a_line_each_and_the_rest_is_saved(shelf: ArticlesUI, site: str) -> None:
    status = shelf.add_from_web(f"https://[::1\nhttp://a..b/\n{site}/viaduc.html")
    assert "not a valid web address" in status and "✅ added 1 /" in status


ARTICLE = """Lyon : le tramway T7 ouvrira en 2027

Lyon, le 4 février 2026. La métropole de Lyon a voté lundi la construction du tramway T7, \
longue de 9 kilomètres, entre Vaulx-en-Velin et Décines. Les travaux commenceront en 2025.
"""


def test_a_refused_upload_is_not_left_in_the_folder(shelf: ArticlesUI, tmp_path: Path) -> None:
    """Otherwise every later ingest refuses it again; a refused file that replaced an upload
    of the same name gives that one back."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "empty.txt").write_text("", encoding="utf-8")
    (first / "binary.txt").write_bytes(b"\x00\x01 not text \x00" * 50)
    (first / "keep.txt").write_text(ARTICLE, encoding="utf-8")
    status = shelf.upload([str(p) for p in sorted(first.iterdir())])
    assert "❌ empty.txt" in status and "❌ binary.txt" in status and "✅ keep.txt" in status
    uploads = shelf.assistant.settings.articles_dir / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["keep.txt"]

    (second / "keep.txt").write_text("", encoding="utf-8")
    assert "❌ keep.txt" in shelf.upload([str(second / "keep.txt")])
    assert (uploads / "keep.txt").read_text(encoding="utf-8") == ARTICLE
    assert sorted(p.name for p in uploads.iterdir()) == ["keep.txt"]
    assert shelf.assistant.library.ingest().skipped == [], "nothing refused is left behind"


def test_an_upload_never_replaces_another_article_of_the_same_name(
    shelf: ArticlesUI, tmp_path: Path
) -> None:
    """Saved pages are often all "index.html": the second is kept beside the first, and an
    identical file is not saved twice."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "index.txt").write_text(ARTICLE, encoding="utf-8")
    other = ARTICLE.replace("Lyon : le tramway", "Grenoble : le téléphérique")
    (second / "index.txt").write_text(other, encoding="utf-8")
    assert "✅ index.txt: indexed." in shelf.upload([str(first / "index.txt")])
    status = shelf.upload([str(second / "index.txt")])
    assert "indexed as index-2.txt" in status, status
    uploads = shelf.assistant.settings.articles_dir / "uploads"
    assert (uploads / "index.txt").read_text(encoding="utf-8") == ARTICLE
    assert (uploads / "index-2.txt").read_text(encoding="utf-8") == other
    titles = [label for label, _ in shelf.choices()]
    assert any("Lyon" in t for t in titles) and any("Grenoble" in t for t in titles), titles
    assert "already indexed" in shelf.upload([str(first / "index.txt")])
    assert sorted(p.name for p in uploads.iterdir()) == ["index-2.txt", "index.txt"]


def test_articles_of_the_same_title_are_told_apart(shelf: ArticlesUI, tmp_path: Path) -> None:
    for name in ["tram.txt", "tram-copy.txt"]:
        (tmp_path / name).write_text(ARTICLE.replace("9 kilomètres", name), encoding="utf-8")
        shelf.upload([str(tmp_path / name)])
    labels = [label for label, _ in shelf.choices()]
    trams = [label for label in labels if label.startswith("Lyon : le tramway")]
    assert len(trams) == 2 and len(set(labels)) == len(labels), labels
