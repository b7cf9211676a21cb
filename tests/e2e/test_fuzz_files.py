"""Bad files through the real `python -m ingest`: each one gets a one-line message or is ingested,
nothing crashes, and the articles indexed before are untouched."""

from __future__ import annotations

import codecs
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import load_settings
from assistant.text.untrusted import printable
from assistant.web.articles import safe_name
from tests import crashkit
from tests.conftest import MemoEmbeddings

pytestmark = pytest.mark.slow  # ingests a fuzzed folder in a child process: not in `make test-fast`

MB = 1_000_000


def _prose(topic: str) -> str:
    return (
        f"Dépêche sur {topic}.\n\nLe conseil municipal a examiné le dossier de {topic} lors "
        f"d'une séance publique mardi soir, et plusieurs élus ont demandé un nouveau vote sur "
        f"{topic} avant la fin du mois.\n"
    )


@dataclass(frozen=True)
class Case:
    name: str | bytes  # bytes: a name that is not valid UTF-8
    data: bytes
    outcome: str  # "added", "ignored" (not picked up at all) or a piece of the skip reason


def _cases() -> list[Case]:
    rng = random.Random(6)
    noise = bytes(rng.randrange(1, 256) for _ in range(4096))
    line = ("Le ministre annonce un accord sur le prix du grain, lundi soir. " * 160_000)[: 10 * MB]
    big = (_prose("la grande gare") * 200_000).encode()[: 50 * MB]
    nested = "<html><body>" + "<div>" * 100_000 + _prose("la forêt profonde") + "</div>" * 100_000
    return [
        Case("empty.txt", b"", "empty file"),
        Case("blank.md", b"  \n\n\t \r\n   ", "empty file"),
        Case("unicode-blank.txt", "\u00a0\u3000\n\u2003\n".encode(), "no text content"),
        Case("zero-width.txt", "\u200b\u2060\ufeff\n".encode() * 20, "nothing left"),
        Case("binary.txt", bytes(range(256)) * 16, "binary file"),
        Case("noise.txt", noise, "binary file"),
        Case("latin1.txt", _prose("la trêve à Alep").encode("cp1252"), "added"),
        Case("stray-byte.txt", _prose("l'été à Genève").encode() + b"\xff\n", "added"),
        Case("utf16le.txt", codecs.BOM_UTF16_LE + _prose("le pont").encode("utf-16-le"), "added"),
        Case("utf16be.txt", codecs.BOM_UTF16_BE + _prose("le port").encode("utf-16-be"), "added"),
        Case("utf16-broken.txt", codecs.BOM_UTF16_LE + b"A\x00B", "not valid UTF-16"),
        Case("utf32.txt", _prose("le tramway").encode("utf-32"), "added"),
        Case("control.txt", (_prose("la digue") + "\x1b[2J\x07\x08 fin.\n").encode(), "added"),
        Case("huge.txt", big, "too large"),
        Case("one-line.txt", line.encode(), "text too long"),
        Case("nested.html", nested.encode(), "added"),
        Case("script-only.html", b"<script>alert(1)</script><style>p{}</style>", "no text"),
        Case("x\\..\\..\\evil.txt", _prose("la traversée").encode(), "added"),
        # a leading dot is a hidden file (.DS_Store, macOS ._ copies): ignored, like git does
        Case("..\\..\\hidden.txt", _prose("la cachette").encode(), "ignored"),
        Case("nom avec  espaces .txt", _prose("le marché couvert").encode(), "added"),
        Case("été à Genève – dépêche.md", _prose("le jet d'eau").encode(), "added"),
        Case("مقال عن المدينة.txt", _prose("la médina").encode(), "added"),
        Case("新闻 📰.txt", _prose("le nouveau musée").encode(), "added"),
        Case("line\nbreak\tname.txt", _prose("la passerelle").encode(), "added"),
        Case("-rf --reset.txt", _prose("le téléphérique").encode(), "added"),
        Case("a" * 251 + ".txt", _prose("le long canal").encode(), "added"),  # 255 bytes
        Case("é" * 125 + ".txt", _prose("la longue avenue").encode(), "added"),  # 254 bytes
        Case(b"caf\xe9-latin1-name.txt", _prose("le café").encode(), "not valid UTF-8"),
    ]


CASES = _cases()


def _key(case: Case) -> str:
    name = case.name if isinstance(case.name, str) else os.fsdecode(case.name)
    return f"fuzz/{name}"


@dataclass
class FuzzRun:
    root: Path
    before: dict[str, Any]
    after: dict[str, Any]
    stdout: str
    stderr: str
    returncode: int
    explicit: Any


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory: pytest.TempPathFactory, sample_index: Path) -> FuzzRun:
    root = tmp_path_factory.mktemp("fuzz") / "copy"
    shutil.copytree(sample_index, root)
    articles, index = root / "data" / "articles", root / "data" / "index"
    before = crashkit.dump(index)
    folder = os.fsencode(articles / "fuzz")
    os.makedirs(folder)
    for case in CASES:
        name = case.name if isinstance(case.name, bytes) else os.fsencode(case.name)
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(case.data)
    env = crashkit.ingest_env(articles, index)
    run = crashkit.run_cli(env)
    # A path spelled with ../ is the same article as the one found in the folder.
    explicit = crashkit.run_cli(env, str(articles / "fuzz" / ".." / "fuzz" / "latin1.txt"))
    return FuzzRun(
        root, before, crashkit.dump(index), run.stdout, run.stderr, run.returncode, explicit
    )


def test_no_crash_and_one_line_per_bad_file(fuzz_run: FuzzRun) -> None:
    assert fuzz_run.returncode == 0, fuzz_run.stderr
    assert "Traceback" not in fuzz_run.stderr and "error" not in fuzz_run.stderr.lower()
    lines = fuzz_run.stdout.splitlines()
    skipped = {
        line.split(": ", 1)[0].removeprefix("  skipped "): line.split(": ", 1)[1]
        for line in lines
        if line.startswith("  skipped ")
    }
    for case in CASES:
        shown = printable(_key(case))
        if case.outcome in ("added", "ignored"):
            assert shown not in skipped, (shown, skipped.get(shown))
        else:
            assert case.outcome in skipped.get(shown, ""), (shown, skipped.get(shown))
    assert len(skipped) == sum(c.outcome not in ("added", "ignored") for c in CASES)
    notes = [line for line in lines if line.startswith("  note ")]
    assert any("latin1.txt: not valid UTF-8" in n and "cp1252" in n for n in notes)
    assert any("stray-byte.txt: 1 invalid UTF-8" in n for n in notes)
    assert any("control.txt: 3 control character(s) removed" in n for n in notes)


def test_good_files_are_ingested_with_their_text(fuzz_run: FuzzRun) -> None:
    articles = fuzz_run.after["articles"]
    added = [c for c in CASES if c.outcome == "added"]
    assert {_key(c) for c in added} <= set(articles)
    assert not {_key(c) for c in CASES if c.outcome != "added"} & set(articles)
    assert len(articles) == 5 + len(added)
    texts = " ".join(c["text"] for c in fuzz_run.after["chroma"].values())
    for word in ("trêve à Alep", "l'été à Genève", "le pont", "le port", "le tramway", "la médina"):
        assert word in texts, word
    assert "la forêt profonde" in texts, "deeply nested HTML is converted"
    assert not any(c in texts for c in "\x1b\x07\x08")
    assert "Ã©" not in texts, "a UTF-8 file with one bad byte is not read as cp1252"


def test_earlier_articles_are_intact(fuzz_run: FuzzRun, embedder: MemoEmbeddings) -> None:
    before, after = fuzz_run.before["articles"], fuzz_run.after["articles"]
    assert len(before) == 5
    for key, article in before.items():
        assert after[key]["chunk_ids"] == article["chunk_ids"]
        for chunk_id in article["chunk_ids"]:
            assert (
                fuzz_run.after["chroma"][chunk_id]["text"]
                == (fuzz_run.before["chroma"][chunk_id]["text"])
            )
    settings = load_settings(fuzz_run.root / "none.toml", environ={}, root=fuzz_run.root)
    expected = crashkit.expected_index(settings.articles_dir, settings, embedder)
    assert crashkit.problems(fuzz_run.after, expected) == []


def test_earlier_articles_are_still_retrieved(fuzz_run: FuzzRun, embedder: MemoEmbeddings) -> None:
    from assistant import Assistant

    settings = load_settings(fuzz_run.root / "none.toml", environ={}, root=fuzz_run.root)
    assistant = Assistant(settings, embedder=embedder)
    passages = assistant.retrieve("John Kerry menace de suspendre la coopération avec la Russie")
    ids = {c for a in fuzz_run.before["articles"].values() for c in a["chunk_ids"]}
    assert passages and passages[0].chunk_id in ids


def test_a_path_with_dot_dot_is_the_same_article(fuzz_run: FuzzRun) -> None:
    assert fuzz_run.explicit.returncode == 0, fuzz_run.explicit.stderr
    assert "unchanged 1" in fuzz_run.explicit.stdout and "added 0" in fuzz_run.explicit.stdout


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.txt",
        "..\\..\\windows\\win.ini.txt",
        "/abs/path/article.md",
        "..",
        ".hidden.txt",
        "nom avec  espaces .txt",
        "新闻" * 200 + ".txt",
        "📰" * 120 + ".html",
        "é" * 300 + ".md",
        "line\nbreak\x00nul.txt",
        "a" * 251 + ".txt",
    ],
)
def test_upload_names_are_safe_to_write(name: str, tmp_path: Path) -> None:
    safe = safe_name(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert safe.isprintable() and len(safe.encode("utf-8")) <= 255
    (tmp_path / safe).write_text("x", encoding="utf-8")  # the filesystem accepts it
    assert (tmp_path / safe).parent == tmp_path
