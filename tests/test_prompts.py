from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import PromptError
from assistant.prompts import PROMPTS_DIR, load_prompts


def test_project_prompts_load() -> None:
    prompts = load_prompts()
    assert "{passages}" in prompts.answer
    assert prompts.refusal("fr").startswith("Les articles")
    assert prompts.refusal("de") == prompts.refusal("en")


def test_wrong_placeholder_is_reported_with_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, folder)
    (folder / "answer.md").write_text("{passages}\n{questoin}\n{language}")
    with pytest.raises(PromptError, match=r"answer\.md.*questoin"):
        load_prompts(folder)


def test_missing_prompt_file_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, folder)
    (folder / "refusal.en.md").unlink()
    with pytest.raises(PromptError, match=r"refusal\.en\.md"):
        load_prompts(folder)
