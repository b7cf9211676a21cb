"""Articles from the web (`python -m ingest --url/--feed`) against a real HTTP server on
127.0.0.1: pages are fetched, extracted and saved in the articles folder, then indexed; a feed's
items already saved are neither fetched nor indexed again; every bad item (unreachable host,
404, not a page, too large, too slow) gets one clear line and nothing else is lost."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from ingest.__main__ import main
from ingest.extract import split_front_matter
from ingest.fetch import feed_items, save_urls, saved_path
from tests.served import free_port, local_site

TOPICS = ["le port de Marseille", "la récolte des vins d'Alsace", "le tramway de Nantes",
          "les forêts des Vosges", "le festival d'Avignon"]  # fmt: skip


def article_page(n: int) -> str:
    topic = TOPICS[n % len(TOPICS)]
    paragraphs = "".join(
        f"<p>Paragraphe {i} de l'article {n} sur {topic} : les élus locaux ont présenté "
        f"mardi un plan de {n * 10 + i} millions d'euros, discuté pendant trois heures par le "
        "conseil, qui doit encore être voté avant la fin de l'année selon la préfecture.</p>"
        for i in range(3)
    )
    return (
        "<html><head><meta charset='utf-8'>"
        f"<title>Article {n} : {topic}</title>"
        "<meta property='og:site_name' content='La Gazette Locale'>"
        "<meta name='author' content='Anne Leroy'>"
        "<meta property='article:published_time' content='2016-09-2" + str(n % 10) + "'>"
        "</head><body><nav><a href='/'>Accueil</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Article {n} : {topic}</h1>{paragraphs}</article>"
        "<footer>Tous droits réservés</footer></body></html>"
    )


class Site(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        type(self).hits.append(self.path)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path.startswith("/article/"):
            self._send(200, "text/html; charset=utf-8", article_page(int(self.path[9:-5])))
        elif self.path == "/feed.xml":
            items = "".join(
                f"<item><title>Article {n}</title><link>{base}/article/{n}.html</link></item>"
                for n in range(50)
            )
            channel = f"<channel><title>Gazette</title>{items}</channel>"
            rss = f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>"
            self._send(200, "application/rss+xml", rss)
        elif self.path == "/doc.pdf":
            self._send(200, "application/pdf", "%PDF-1.4 not a page")
        elif self.path == "/huge.html":
            self._send(200, "text/html", "<p>" + "x" * 50_000 + "</p>")
        elif self.path == "/slow.html":
            time.sleep(2)
            self._send(200, "text/html", article_page(1))
        elif self.path == "/brief.html":
            brief = "<p>Le conseil municipal a voté mardi le budget du port.</p>"
            self._send(200, "text/html", f"<html><body><article>{brief}</article></body></html>")
        elif self.path == "/nav.html":
            self._send(200, "text/html", "<html><body><nav>Accueil</nav></body></html>")
        else:
            self._send(404, "text/html", "<h1>Not found</h1>")

    def _send(self, status: int, kind: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)


@pytest.fixture
def site() -> Iterator[str]:
    Site.hits = []
    with local_site(Site) as url:
        yield url


@pytest.fixture
def project(make_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    settings = make_settings(copy_samples=False)
    monkeypatch.setenv("ASSISTANT__PATHS__ARTICLES_DIR", str(settings.articles_dir))
    monkeypatch.setenv("ASSISTANT__PATHS__INDEX_DIR", str(settings.index_dir))
    return settings


def test_a_page_is_saved_with_its_metadata(site: str, project: Any) -> None:
    (result,) = save_urls(project, [f"{site}/article/7.html"])
    assert result.new and result.path == saved_path(project.articles_dir, result.url)
    saved = split_front_matter(result.path.read_text(encoding="utf-8"))
    assert saved.meta.title == "Article 7 : le tramway de Nantes"
    assert (saved.meta.author, saved.meta.site) == ("Anne Leroy", "La Gazette Locale")
    assert saved.meta.url == f"{site}/article/7.html" and str(saved.meta.published) == "2016-09-27"
    assert "72 millions" in saved.text and "Accueil" not in saved.text


def test_a_feed_with_three_items_already_indexed_adds_the_other_47(
    site: str, project: Any, capsys: Any
) -> None:
    first = [f"{site}/article/{n}.html" for n in (3, 10, 42)]
    assert main(["--url", *first, "--quiet"]) == 0
    Site.hits = []
    assert main(["--feed", f"{site}/feed.xml", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"{site}/feed.xml: 50 items" in out
    assert out.count("already saved as web/") == 3 and out.count(": saved “Article") == 50
    assert not {f"/article/{n}.html" for n in (3, 10, 42)} & set(Site.hits), "not fetched again"
    assert "added 47 / updated 0 / unchanged 3" in out, "the 3 are not indexed twice"

    from assistant import Assistant

    assistant = Assistant(project)
    assert len(assistant.articles()) == 50
    found = assistant.retrieve("plan de 422 millions d'euros")
    assert found[0].site == "La Gazette Locale" and found[0].author == "Anne Leroy"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.html", "the server answered HTTP 404."),
        ("/doc.pdf", "not a web page (application/pdf)."),
        ("/huge.html", "larger than the 0.01 MB limit (ingest.max_file_mb)."),
        ("/slow.html", "no answer within 0.5 s."),
        ("/nav.html", "the page holds only 7 characters of article text (fewer than 250)"),
        ("/brief.html", "the page holds only 5"),
    ],
)
def test_a_bad_page_gets_one_clear_line_and_saves_nothing(
    site: str, project: Any, path: str, message: str
) -> None:
    project.ingest.max_file_mb = 0.01
    project.ingest.fetch_timeout_s = 0.5
    good, bad = save_urls(project, [f"{site}/article/1.html", f"{site}{path}"])
    assert good.new, "the good page next to it is saved"
    assert bad.message.startswith(f"{site}{path}: {message}") and bad.path is None
    assert sorted(p.name for p in (project.articles_dir / "web").iterdir()) == [good.path.name]


def test_unreachable_host_and_a_feed_that_is_not_one(site: str, project: Any, capsys: Any) -> None:
    port = free_port()
    (down,) = save_urls(project, [f"http://127.0.0.1:{port}/a.html"])
    assert down.message.startswith(f"http://127.0.0.1:{port}/a.html: cannot reach 127.0.0.1 (")
    assert main(["--feed", f"{site}/article/1.html", "--url", "ftp://x/y"]) == 1
    out = capsys.readouterr().out
    assert f"skipped {site}/article/1.html: not an RSS or Atom feed (text/html)." in out
    assert "ftp://x/y: not a web address (http:// or https://)." in out
    assert "Nothing new to index." in out


def test_a_failed_address_beside_a_good_one_exits_non_zero(
    site: str, project: Any, capsys: Any
) -> None:
    """The good page is indexed; the exit status tells a script that one address failed."""
    assert main(["--url", f"{site}/article/2.html", f"{site}/missing.html", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "added 1 / updated 0" in captured.out
    assert "error: 1 address(es) could not be saved (see above)." in captured.err


def test_feed_items_are_the_links_in_order(site: str, project: Any) -> None:
    links = feed_items(project, f"{site}/feed.xml")
    assert len(links) == 50 and links[0].endswith("/article/0.html")
