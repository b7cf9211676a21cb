"""Recovery cases the kill loop cannot reach by itself: the files change between the crash and
the next run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.index.articles import ArticleIndex
from assistant.index.manifest import Manifest
from assistant.settings import Settings
from ingest.pipeline import run_ingest
from tests.conftest import MemoEmbeddings
from tests.crashkit import assert_consistent

EDITED = "003_f31da141555cd608.txt"


def _crash_while_writing(settings: Settings, embedder: MemoEmbeddings) -> None:
    path = settings.articles_dir / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("Munich", "Berlin"), "utf-8")
    with pytest.MonkeyPatch.context() as patch:

        def die(self: Manifest, article_id: str) -> None:
            raise KeyboardInterrupt

        patch.setattr(Manifest, "mark_done", die)
        with pytest.raises(KeyboardInterrupt):
            run_ingest(settings, embedder)
    states = {a.key: a.state for a in ArticleIndex(settings, embedder.name).manifest.articles()}
    assert states[EDITED] == "pending"


@pytest.mark.parametrize(
    ("damage", "reason"),
    [(b"", "empty file"), (b"\x00\x01binary\x00", "binary file")],
)
def test_pending_article_whose_file_became_unusable_is_rolled_back(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings, damage: bytes, reason: str
) -> None:
    settings = make_settings()
    run_ingest(settings, embedder)
    _crash_while_writing(settings, embedder)
    (settings.articles_dir / EDITED).write_bytes(damage)
    report = run_ingest(settings, embedder)
    assert any(k == EDITED and reason in r for k, r in report.skipped)
    assert report.removed == [EDITED], "the half-written version is not left pending"
    index = ArticleIndex(settings, embedder.name)
    assert_consistent(index)
    assert EDITED not in {a.key for a in index.manifest.articles()}
    assert len(index.manifest.articles()) == 4


def test_done_article_whose_file_became_unusable_is_kept(
    make_settings: Callable[..., Settings], embedder: MemoEmbeddings
) -> None:
    settings = make_settings()
    run_ingest(settings, embedder)
    (settings.articles_dir / EDITED).write_bytes(b"")
    report = run_ingest(settings, embedder, prune=True)
    assert (EDITED, "empty file") in report.skipped and not report.removed
    assert report.stale == [EDITED]
    assert f"1 indexed file(s) now skipped ({EDITED}): their earlier version is still searched" in (
        report.summary()
    )
    index = ArticleIndex(settings, embedder.name)
    assert_consistent(index)
    assert EDITED in {a.key for a in index.manifest.articles()}, "nothing lost"
