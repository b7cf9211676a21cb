"""Ingest against the real Chroma and the real E5 embedder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.errors import IngestLockedError
from assistant.index.articles import ArticleIndex, ingest_lock
from assistant.settings import Settings
from ingest.pipeline import run_ingest
from tests.conftest import ROOT, MemoEmbeddings
from tests.crashkit import assert_consistent


def test_full_then_unchanged_reingest(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings()
    first = run_ingest(settings, embedder)
    assert len(first.added) == 5 and not first.skipped
    assert first.chunks_embedded == first.chunks_total > 10
    second = run_ingest(settings, embedder)
    assert len(second.unchanged) == 5
    assert second.chunks_embedded == 0 and not second.changed
    index = ArticleIndex(settings, embedder.name)
    assert_consistent(index)
    rows = {r.file: r for r in index.manifest.articles()}
    assert rows["001_15df5f8cc0ffe991.txt"].published is None, "only a tweet's date"
    assert rows["000_e1f7ea9abf238fdd.txt"].title.startswith("Syrie : Washington")


def _recorded(monkeypatch: pytest.MonkeyPatch, embedder: MemoEmbeddings) -> list[list[str]]:
    """The texts of each `embed_documents` call from now on."""
    calls: list[list[str]] = []
    original = embedder.embed_documents

    def record(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        return original(texts)

    monkeypatch.setattr(embedder, "embed_documents", record)
    return calls


@pytest.mark.parametrize("budget", [8192, 1000])
def test_new_chunks_of_several_articles_are_embedded_together(
    make_settings: Callable[..., Settings],
    embedder: MemoEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
    budget: int,
) -> None:
    """Articles wait until their new chunks reach the token budget, then are embedded in calls
    of at most that many tokens (or one chunk) and written; progress counts written files."""
    settings = make_settings()
    calls = _recorded(monkeypatch, embedder)
    seen: list[tuple[int, int, str]] = []
    report = run_ingest(
        settings, embedder, progress=lambda *step: seen.append(step), embed_tokens=budget
    )
    index = ArticleIndex(settings, embedder.name)
    texts = index.collection.get(include=["documents"])["documents"] or []
    assert sorted(t for call in calls for t in call) == sorted(texts)
    assert report.chunks_embedded == len(texts)
    assert report.tokens_embedded == sum(embedder.count_tokens(t) for t in texts)
    sizes = [sum(embedder.count_tokens(t) for t in call) for call in calls]
    assert all(size <= budget or len(call) == 1 for size, call in zip(sizes, calls, strict=True))
    done = [n for n, _, _ in seen]
    assert done == sorted(done) and seen[-1] == (5, 5, "")
    flushes = [(n, label) for n, _, label in seen if label.startswith("embedding")]
    if budget == 8192:  # the five samples hold ~4,000 tokens: one call for all
        assert len(calls) == 1
        assert flushes == [
            (0, f"embedding {len(texts)} passages of 5 articles ({report.tokens_embedded} tokens)")
        ]
    else:  # ~650-1,200 tokens an article: two or three a flush, cut into several calls
        assert 1 < len(flushes) < 5 and len(calls) > len(flushes)
        assert any(" articles (" in label for _, label in flushes)
    assert_consistent(index)


def test_edited_article_replaces_its_chunks(
    make_settings: Callable[..., Settings],
    embedder: MemoEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the edited paragraph is embedded, and only it counts towards the batch."""
    settings = make_settings()
    run_ingest(settings, embedder)
    path = settings.articles_dir / "004_fa55918c37a99e94.txt"
    added = (
        "Un paragraphe ajouté sur les pourparlers de Lausanne, "
        "qui ont duré toute la nuit sans accord final."
    )
    path.write_text(path.read_text(encoding="utf-8") + f"\n\n{added}\n", encoding="utf-8")
    calls = _recorded(monkeypatch, embedder)
    seen: list[str] = []
    report = run_ingest(settings, embedder, progress=lambda *step: seen.append(step[2]))
    assert report.updated == ["004_fa55918c37a99e94.txt"] and len(report.unchanged) == 4
    assert 0 < report.chunks_embedded <= 2, "only new or changed paragraphs are embedded"
    assert len(calls) == 1 and report.chunks_embedded == len(calls[0])
    assert any(added in text for text in calls[0])
    tokens = sum(embedder.count_tokens(t) for t in calls[0])
    assert report.tokens_embedded == tokens
    assert f"embedding {len(calls[0])} passages of 1 article ({tokens} tokens)" in seen
    index = ArticleIndex(settings, embedder.name)
    assert_consistent(index)
    texts = index.collection.get(include=["documents"])["documents"]
    assert any("Lausanne" in t for t in texts)


def test_removed_article_is_pruned(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings()
    run_ingest(settings, embedder)
    (settings.articles_dir / "002_ad97fbf99101d503.txt").unlink()
    kept = run_ingest(settings, embedder)
    assert not kept.removed, "without --prune nothing is removed"
    assert kept.gone == ["002_ad97fbf99101d503.txt"]
    assert "1 indexed file(s) no longer found (002_ad97fbf99101d503.txt)" in kept.summary()
    assert "python -m ingest --prune" in kept.summary()
    dry = run_ingest(settings, embedder, prune=True, dry_run=True)
    assert dry.removed == ["002_ad97fbf99101d503.txt"]
    pruned = run_ingest(settings, embedder, prune=True)
    assert pruned.removed == ["002_ad97fbf99101d503.txt"]
    index = ArticleIndex(settings, embedder.name)
    assert_consistent(index)
    assert "002_ad97fbf99101d503.txt" not in {r.file for r in index.manifest.articles()}


def test_crash_mid_article_is_completed_by_next_run(
    make_settings: Callable[..., Settings],
    embedder: MemoEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = make_settings()
    calls = {"n": 0}
    original = ArticleIndex.write_article

    def crash_on_third(self: ArticleIndex, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            self.collection.upsert(  # half the work done, then the process "dies"
                ids=[args[2][0].chunk_id],
                embeddings=[embedder.embed_documents([args[2][0].text])[0]],
                documents=[args[2][0].text],
            )
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ArticleIndex, "write_article", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(settings, embedder)
    monkeypatch.setattr(ArticleIndex, "write_article", original)
    report = run_ingest(settings, embedder)
    assert len(report.added) == 3 and len(report.unchanged) == 2
    index = ArticleIndex(settings, embedder.name)
    assert_consistent(index)
    assert len(index.manifest.articles()) == 5


def test_crash_during_pending_write_leaves_recoverable_state(
    make_settings: Callable[..., Settings],
    embedder: MemoEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = make_settings()
    run_ingest(settings, embedder)
    path = settings.articles_dir / "003_f31da141555cd608.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Munich", "Berlin"), encoding="utf-8")

    def die(self: ArticleIndex, article_id: str) -> None:
        raise KeyboardInterrupt

    from assistant.index.manifest import Manifest

    monkeypatch.setattr(Manifest, "mark_done", die)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(settings, embedder)
    monkeypatch.undo()
    index = ArticleIndex(settings, embedder.name)
    assert not index.keyword_in_sync(), "the keyword index is marked stale before the first write"
    run_ingest(settings, embedder)
    assert_consistent(index)
    texts = index.collection.get(include=["documents"])["documents"]
    assert any("Berlin" in t for t in texts) and not any("Munich" in t for t in texts)


def test_bad_files_are_skipped_with_a_reason(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings(ingest__max_file_mb="0.01")
    folder = settings.articles_dir
    (folder / "empty.txt").write_text("")
    (folder / "blank.md").write_text("  \n\n \t\n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "latin1.txt").write_bytes(
        "Un article écrit en Latin-1 sur la trêve à Alep.".encode("cp1252")
    )
    (folder / "big.txt").write_text("mot " * 5000)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    report = run_ingest(settings, embedder)
    reasons = dict(report.skipped)
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "too large" in reasons["big.txt"]
    assert "notes.pdf" not in reasons, "other file types are not picked up"
    assert "latin1.txt" in report.added
    assert any(name == "latin1.txt" and "cp1252" in note for name, note in report.notes)
    assert len(report.added) == 6


def test_html_article_is_converted(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings(copy_samples=False)
    (settings.articles_dir / "page.html").write_text(
        "<html><head><title>x</title><script>alert(1)</script></head><body>"
        "<h1>Genève : reprise des pourparlers</h1>"
        "<p>Les experts russes sont arrivés à Genève lundi.</p></body></html>"
    )
    report = run_ingest(settings, embedder)
    assert report.added == ["page.html"]
    index = ArticleIndex(settings, embedder.name)
    row = index.manifest.articles()[0]
    assert row.title == "Genève : reprise des pourparlers"
    assert "alert(1)" not in (index.manifest.article_text(row.article_id) or "")


def test_markdown_article_is_read_as_text(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    """Markdown's syntax is not the article's text: no "#" in the title, no emphasis marks,
    no link targets; lines stay lines, as in a text file. A file the parser cannot read
    (nested past its limit) keeps its text as written."""
    settings = make_settings(copy_samples=False)
    (settings.articles_dir / "strike.md").write_text(
        "# Bakers in Lindenfeld go on strike\n\n*Published 12 April 2025, by Tom Hesse*\n\n"
        "**Workers** at the three largest bakeries walked out on Tuesday,\n"
        "the union [said](https://example.com/union) in a statement.\n\n"
        "- bread supplies fell by half\n- talks are set for Friday\n"
    )
    (settings.articles_dir / "deep.md").write_text(">" * 200 + " Talks resumed in Geneva.\n")
    report = run_ingest(settings, embedder)
    assert sorted(report.added) == ["deep.md", "strike.md"]
    assert any(name == "deep.md" and "plain text" in note for name, note in report.notes)
    index = ArticleIndex(settings, embedder.name)
    rows = {row.file: row for row in index.manifest.articles()}
    strike = rows["strike.md"]
    assert strike.title == "Bakers in Lindenfeld go on strike"
    assert strike.published == "2025-04-12"
    text = index.manifest.article_text(strike.article_id) or ""
    assert "Workers at the three largest bakeries walked out on Tuesday," in text
    assert "the union said in a statement." in text
    assert "- talks are set for Friday" in text
    assert not any(mark in text for mark in ("#", "*", "](", "https://"))
    deep = index.manifest.article_text(rows["deep.md"].article_id) or ""
    assert "Talks resumed in Geneva." in deep


def test_second_ingest_is_refused_while_one_runs(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings()
    with ingest_lock(settings.index_dir), pytest.raises(IngestLockedError, match="already running"):
        run_ingest(settings, embedder)


def test_reset_rebuilds(make_settings: Callable[..., Settings], embedder: MemoEmbeddings) -> None:
    settings = make_settings()
    run_ingest(settings, embedder)
    report = run_ingest(settings, embedder, reset=True)
    assert len(report.added) == 5
    assert_consistent(ArticleIndex(settings, embedder.name))


def test_cli_builds_a_separate_index_from_env(tmp_path: Path) -> None:
    """`ASSISTANT__PATHS__INDEX_DIR=/tmp/x python -m ingest FILE` writes only under /tmp/x."""
    env = {**os.environ, "ASSISTANT__PATHS__INDEX_DIR": str(tmp_path / "idx")}
    sample = ROOT / "data" / "articles" / "002_ad97fbf99101d503.txt"
    run = subprocess.run(
        [sys.executable, "-m", "ingest", str(sample), "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "added 1" in run.stdout
    assert (tmp_path / "idx" / "manifest.sqlite").exists()
    assert (tmp_path / "idx" / "chroma").is_dir()
    missing = subprocess.run(
        [sys.executable, "-m", "ingest", str(tmp_path / "nope.txt")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: No such file") and "Traceback" not in missing.stderr
    no_folder = subprocess.run(
        [sys.executable, "-m", "ingest"],
        cwd=ROOT,
        env={**env, "ASSISTANT__PATHS__ARTICLES_DIR": str(tmp_path / "no-such-folder")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert no_folder.returncode == 2 and "Traceback" not in no_folder.stderr
    assert no_folder.stderr.startswith(
        f"error: The articles folder {tmp_path / 'no-such-folder'} does not exist"
    )
