from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answer.chain import AnswerChain, source_line
from assistant.answer.evidence import Excerpt
from assistant.answer.prompts import LANGUAGES, PROMPTS_DIR, load_prompts
from assistant.errors import PromptError
from assistant.schema import Passage
from tests.fakes import RecordingChat


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


def test_system_prompt_is_the_same_in_every_language() -> None:
    """The model keeps the prompt it read last evaluated: with one system prompt for every
    language, naming each language's refusal, a question in another language than the
    previous one does not make it read the system prompt again."""
    chain = AnswerChain(RecordingChat([]), load_prompts(), len, 4096, 256)
    values = {"passages": [], "question": "?"}
    systems = {
        str(chain._answer_messages({**values, "language": code})[0].content) for code in LANGUAGES
    }
    assert len(systems) == 1
    (system,) = systems
    assert all(f'"{chain.prompts.refusal(code)}"' in system for code in LANGUAGES)


def _excerpt(title: str, text: str, published: str | None = None) -> Excerpt:
    passage = Passage("c", "a", title, "a.txt", published, 0, len(text), text, 1.0)
    return Excerpt(1, passage, text)


def test_passage_header_is_short() -> None:
    """Every header token delays the first answer token: long titles are cut, a title the
    excerpt already quotes is left out, and an unknown date is not written at all."""
    long = "Les ministères russes des Affaires étrangères et de la Défense se sont dits prêts"
    assert source_line(_excerpt(long, "Kerry a menacé Moscou.")) == (
        "Les ministères russes des Affaires étrangères et de la Défense …"
    )
    eleven = "Alep : vers un accord militaire entre les États-Unis et la Russie"
    assert source_line(_excerpt(eleven, "Kerry a menacé Moscou.", "2016-08-09")) == (
        f"{eleven} (2016-08-09)"
    )
    title = "Syrie : Washington tout proche de suspendre ses discussions"
    assert source_line(_excerpt(title, f"{title}\n\nSuite au regain de violence…")) == ""
    assert source_line(_excerpt(title, title, "2016-09-29")) == "(2016-09-29)"
    assert source_line(_excerpt("", "Kerry a menacé Moscou.")) == ""
    assert source_line(_excerpt("Syrie", "La guerre syrienne continue.")) == "Syrie"
