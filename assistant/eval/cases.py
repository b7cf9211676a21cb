"""The evaluation file: one JSON case per line, read and checked before anything runs.

    {"id": "d01", "lang": "fr", "answerable": true, "sources": ["000_….txt"],
     "expect": [["kerry"], ["alep", "aleppo"]], "question": "…"}

A multi-turn case has `"turns": ["first question", "follow-up"]` instead of `"question"`.
`sources` are article file names; `expect` is a list of groups, each a list of alternatives.
Required: `answerable` and one of `question`/`turns`; `id` defaults to the line number and
`lang` to the language detected in the (last) question. Unknown fields are an error, so a typo
is not silently ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    model_validator,
)

from assistant.errors import EvalFileError
from assistant.text.language import detect_language

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]


class Case(BaseModel):
    """One evaluation case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Text | None = None
    lang: Text | None = None
    answerable: StrictBool
    sources: list[Text] = Field(default_factory=list)
    expect: list[Annotated[list[Text], Field(min_length=1)]] = Field(default_factory=list)
    question: Text | None = None
    turns: Annotated[list[Text], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one_question(self) -> Case:
        if (self.question is None) == (self.turns is None):
            raise ValueError('give exactly one of "question" (text) or "turns" (list of texts)')
        if self.answerable and not self.sources:
            raise ValueError('an answerable case needs at least one article file in "sources"')
        return self

    @property
    def questions(self) -> list[str]:
        """The questions to ask in order; the last one is scored."""
        return list(self.turns) if self.turns is not None else [str(self.question)]

    @property
    def multi_turn(self) -> bool:
        return len(self.questions) > 1


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        if item["type"] == "extra_forbidden":
            allowed = ", ".join(Case.model_fields)
            parts.append(f'unknown field "{where}" (allowed: {allowed})')
        elif item["type"] == "missing":
            parts.append(f'missing field "{where}"')
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            parts.append(f'field "{where}": {message}' if where else message)
    return "; ".join(parts)


def load_cases(path: Path) -> list[Case]:
    """All cases of a JSONL file, with `id` and `lang` filled in.

    Raises `EvalFileError` naming the file and line for anything wrong."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EvalFileError(f"{path}: no such file. Give the path of a .jsonl file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot be read as UTF-8 text ({exc}).") from None
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(
                f"{path} line {number}: not valid JSON ({exc.msg} at column {exc.colno})."
            ) from None
        if not isinstance(data, dict):
            raise EvalFileError(f"{path} line {number}: expected a JSON object {{…}}.")
        try:
            case = Case.model_validate(data)
        except ValidationError as exc:
            raise EvalFileError(f"{path} line {number}: {_describe(exc)}.") from None
        case_id = case.id or f"line{number}"
        if case_id in seen:
            raise EvalFileError(
                f'{path} line {number}: id "{case_id}" is already used on line {seen[case_id]}.'
            )
        seen[case_id] = number
        lang = case.lang or detect_language(case.questions[-1])
        cases.append(case.model_copy(update={"id": case_id, "lang": lang}))
    if not cases:
        raise EvalFileError(f"{path}: no cases. Write one JSON object per line.")
    return cases
