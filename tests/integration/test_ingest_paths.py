"""Files and folders named to `python -m ingest`: those outside the articles folder are copied
into it (else a later `--prune` or `--watch` would take their articles for gone); a type the
folder scan does not read is refused with a reason, not indexed as text; other files in a
folder are counted, not silently passed over."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.index.manifest import Manifest
from assistant.settings import Settings
from ingest.__main__ import main
from ingest.pipeline import run_ingest
from tests.conftest import MemoEmbeddings

ARTICLE = (
    "Lindenfeld : la boulangerie centrale ferme ses portes\n\n"
    "La plus ancienne boulangerie de Lindenfeld a fermé mardi après quatre-vingts ans "
    "d'activité, faute de repreneur, a annoncé la mairie dans un communiqué.\n"
)


@pytest.fixture
def project(make_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings: Settings = make_settings(copy_samples=False)
    monkeypatch.setenv("ASSISTANT__PATHS__ARTICLES_DIR", str(settings.articles_dir))
    monkeypatch.setenv("ASSISTANT__PATHS__INDEX_DIR", str(settings.index_dir))
    return settings


def keys(settings: Settings) -> set[str]:
    return {row.key for row in Manifest(settings.index_dir / "manifest.sqlite").articles()}


def test_a_file_from_elsewhere_is_copied_in_and_survives_a_prune(
    project: Settings, tmp_path: Path, capsys: Any
) -> None:
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    (elsewhere / "boulangerie.txt").write_text(ARTICLE, encoding="utf-8")
    (project.articles_dir / "boulangerie.txt").write_text("Un autre article.\n\n" + "mot " * 30)
    assert main([str(elsewhere / "boulangerie.txt"), "--quiet"]) == 0
    out = capsys.readouterr().out
    copy = project.articles_dir / "boulangerie-2.txt"
    assert f"copied 1 file(s) of {elsewhere / 'boulangerie.txt'} into {project.articles_dir}" in out
    assert copy.read_text(encoding="utf-8") == ARTICLE, "the other file of that name is kept"
    assert "added 1" in out
    assert main(["--prune", "--quiet"]) == 0
    assert "boulangerie-2.txt" in keys(project), "the copy is in the folder: not pruned"
    assert main([str(elsewhere / "boulangerie.txt"), "--quiet"]) == 0
    assert "copied 0 file(s)" in (out := capsys.readouterr().out) and "(1 there already)" in out


def test_a_folder_from_elsewhere_is_copied_into_a_folder_of_its_name(
    project: Settings, tmp_path: Path, capsys: Any
) -> None:
    folder = tmp_path / "revue de presse"
    (folder / "mardi").mkdir(parents=True)
    (folder / "mardi" / "a.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "vide.txt").write_text("")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    assert main([str(folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "copied 2 file(s)" in out
    assert "skipped revue de presse/vide.txt: empty file" in out
    assert "; 1 file(s) of other types not copied (.pdf)" in out
    assert (project.articles_dir / "revue de presse" / "mardi" / "a.md").is_file()
    assert not (project.articles_dir / "revue de presse" / "vide.txt").exists(), "refused copy"
    assert keys(project) == {"revue de presse/mardi/a.md"}


def test_dry_run_copies_nothing(project: Settings, tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main([str(tmp_path / "a.txt"), "--dry-run", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"would copy 1 file(s) of {tmp_path / 'a.txt'} into {project.articles_dir}" in out
    assert "added would be 1" in out
    assert not any(project.articles_dir.iterdir())


def test_a_named_file_of_a_type_not_read_is_refused_with_a_reason(
    make_settings: Any, embedder: MemoEmbeddings
) -> None:
    settings = make_settings(copy_samples=False)
    folder = settings.articles_dir
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 20)
    (folder / "NOTES").write_text(ARTICLE, encoding="utf-8")
    (folder / "long.markdown").write_text("# " + ARTICLE, encoding="utf-8")
    report = run_ingest(settings, embedder, paths=[folder / "report.pdf", folder / "NOTES"])
    reasons = dict(report.skipped)
    assert reasons["report.pdf"].startswith(".pdf files are not read (supported: .txt, .md,")
    assert reasons["NOTES"].startswith("files without an extension are not read")
    assert not report.added
    report = run_ingest(settings, embedder)
    assert report.added == ["long.markdown"]
    assert report.ignored == Counter({".pdf": 1, "": 1})
    assert "ignored 2 file(s) of other types (1 .pdf, 1 without extension)" in report.summary()
