"""What a caller hands the facade, checked: the question, how many passages, the filters and
the conversation. Each mistake raises `InvalidQuestionError` saying what to pass instead."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from assistant.answer.chain import Message
from assistant.errors import InvalidQuestionError
from assistant.schema import Filters
from assistant.text.untrusted import neutralise_control_tokens

logger = logging.getLogger(__name__)

_ROLES = {"user": "user", "human": "user", "assistant": "assistant", "ai": "assistant"}


def question_text(question: object, limit: int) -> str:
    """The question to use: stripped, control characters removed, cut at `limit` characters."""
    if not isinstance(question, str):
        raise InvalidQuestionError(f"The question must be text (got {type(question).__name__}).")
    cleaned = "".join(c if c.isprintable() or c in "\n\t" else " " for c in question)
    cleaned = neutralise_control_tokens(" ".join(cleaned.split()))
    if not cleaned:
        raise InvalidQuestionError("The question is empty. Type a question about the articles.")
    if not any(c.isalnum() for c in cleaned):
        raise InvalidQuestionError("The question has no words. Type a question about the articles.")
    if len(cleaned) > limit:
        logger.info("Question truncated from %d to %d characters", len(cleaned), limit)
        cleaned = cleaned[:limit].rstrip()
    return cleaned


def passage_count(k: object) -> int | None:
    """`k` if it is a count of passages (None: the setting's)."""
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        raise InvalidQuestionError(f"k is how many passages to return: 1 or more (got {k!r}).")
    return k


def filters_given(filters: object) -> Filters:
    """The filters (none: `Filters()`), with dates given as ISO text or datetimes read as
    dates; refuses a From date after the To date, which no article can match."""
    if filters is None:
        return Filters()
    if not isinstance(filters, Filters):
        raise InvalidQuestionError(
            f"filters must be an assistant.Filters (got {type(filters).__name__})."
        )
    ids = filters.article_ids
    if isinstance(ids, str) or not all(isinstance(i, str) for i in ids):
        raise InvalidQuestionError(
            f"Filters.article_ids must be a tuple of article ids (text), got {ids!r}."
        )
    filters = replace(
        filters,
        article_ids=tuple(ids),
        date_from=_date("date_from", filters.date_from),
        date_to=_date("date_to", filters.date_to),
        prefer_from=_date("prefer_from", filters.prefer_from),
        prefer_to=_date("prefer_to", filters.prefer_to),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidQuestionError(
            f"The From date ({filters.date_from}) is after the To date ({filters.date_to}): "
            "swap them, or clear one."
        )
    return filters


def _date(name: str, value: object) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidQuestionError(
        f"Filters.{name} must be a date, e.g. date(2016, 9, 28) or '2016-09-28' (got {value!r})."
    )


def conversation(history: object) -> list[Message]:
    """The earlier turns as {"role": "user" | "assistant", "content": text}: dicts with a text
    content (or a list of text parts, as Gradio's) or LangChain messages; turns of other
    roles (system, tool) are left out."""
    if history is None:
        return []
    if isinstance(history, str | bytes | Mapping) or not isinstance(history, Sequence):
        raise InvalidQuestionError(
            'history must be a list of messages such as {"role": "user", "content": "…"} '
            f"(got {type(history).__name__})."
        )
    turns: list[Message] = []
    for n, message in enumerate(history, 1):
        if isinstance(message, Mapping):
            role, content = message.get("role"), message.get("content")
        else:  # a LangChain message
            role, content = getattr(message, "type", None), getattr(message, "content", None)
        text = _text(content)
        if not isinstance(role, str) or text is None:
            raise InvalidQuestionError(
                f'history item {n} is not a message such as {{"role": "user", "content": "…"}} '
                f"(got {message!r:.80})."
            )
        if role in _ROLES:
            turns.append({"role": _ROLES[role], "content": text})
    return turns


def _text(content: object) -> str | None:
    """A message's text: a string, or the text parts of a list of parts (others, such as a
    file, count for nothing); None: neither."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list | tuple):
        return None
    parts = [
        p if isinstance(p, str) else p.get("text", "") if isinstance(p, Mapping) else None
        for p in content
    ]
    if not all(isinstance(p, str) for p in parts):
        return None
    return " ".join(p for p in parts if p)
