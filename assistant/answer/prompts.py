"""Prompt files from `prompts/`, loaded and checked once at start-up.

Templates use named `{placeholders}`; each file must use exactly the names the code fills in, so
a typo in a prompt fails at start-up with the file's name rather than mid-answer.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import PromptError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
LANGUAGES = {"fr": "French", "en": "English"}

_EXPECTED: dict[str, set[str]] = {
    "system": {"refusals"},
    "answer": {"passages", "question", "language"},
    "condense": {"previous", "answer", "question"},
    "translate": {"language", "text"},
    "passage": {"number", "source", "text"},
    **{f"refusal.{code}": set() for code in LANGUAGES},
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@dataclass(frozen=True)
class Prompts:
    system: str
    answer: str
    condense: str
    translate: str
    passage: str
    refusals: dict[str, str]

    def refusal(self, language: str) -> str:
        return self.refusals.get(language, self.refusals["en"])

    def refusal_list(self) -> str:
        """Every language's refusal, for a system prompt that is the same for all of them."""
        return "; ".join(f'in {LANGUAGES[code]}, "{text}"' for code, text in self.refusals.items())


def load_prompts(directory: Path = PROMPTS_DIR) -> Prompts:
    texts: dict[str, str] = {}
    for name, expected in _EXPECTED.items():
        path = directory / f"{name}.md"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PromptError(f"Prompt file {path} cannot be read ({exc}). Restore it.") from exc
        try:
            found = placeholders(text)
        except ValueError as exc:
            raise PromptError(f"Prompt file {path} has a broken placeholder: {exc}.") from exc
        if found != expected:
            raise PromptError(
                f"Prompt file {path} must use the placeholders {sorted(expected)}, "
                f"but uses {sorted(found)}."
            )
        texts[name] = text
    return Prompts(
        system=texts["system"],
        answer=texts["answer"],
        condense=texts["condense"],
        translate=texts["translate"],
        passage=texts["passage"],
        refusals={code: texts[f"refusal.{code}"] for code in LANGUAGES},
    )
