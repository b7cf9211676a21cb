"""The checks before the LLM: the answer steps that refuse a question from what the search
found, so the small model is never asked to answer from passages about something else (see
`assistant.steps` for their order and names)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from assistant.answer.grounding import missing_names, missing_numbers, missing_people
from assistant.schema import Passage
from assistant.settings import AnswerSettings
from assistant.text.periods import without_days

logger = logging.getLogger(__name__)


def refused_before_llm(
    question: str,
    language: str,
    corpus_language: str,
    found: Sequence[Passage],
    steps: AnswerSettings,
    min_score: float,
    article_text: Callable[[str], str | None],
) -> str:
    """The step that refuses `question` before the LLM is asked, or "". `min_score` is the
    least dense similarity a passage must have; `article_text` gives an article's whole text
    by its id (None when not stored)."""
    across = corpus_language != language  # the articles are in another language
    best = max((p.dense_score for p in found if p.dense_score is not None), default=-1.0)
    if steps.on("min_score_refusal") and best < min_score:
        return "min_score_refusal"
    if steps.on("unknown_name_refusal") and _unmentioned(question, language, across, found):
        return "unknown_name_refusal"
    if steps.on("unknown_number_refusal") and _unstated(
        question, {language, corpus_language}, found, article_text
    ):
        return "unknown_number_refusal"
    return ""


def _unstated(
    question: str,
    languages: set[str],
    found: Sequence[Passage],
    article_text: Callable[[str], str | None],
) -> bool:
    """Whether the question states a number that none of the found passages' articles
    states (in their text, title or date): a premise the articles do not share. The days
    it names are left to `question_dates`."""
    articles = {p.article_id: p for p in found}
    texts = (  # read only when the question states a number
        f"{p.title} {p.published or ''} {article_text(a) or p.text}" for a, p in articles.items()
    )
    missing = missing_numbers(without_days(question), texts, languages)
    if missing:
        logger.info("Refused before the LLM: no article found states %s", sorted(missing))
    return bool(missing)


def _unmentioned(question: str, language: str, across: bool, found: Sequence[Passage]) -> bool:
    """Whether the question names someone or somewhere no found passage mentions: any
    name, for a French question about French articles; the full names of people ("Barack
    Obama"), for an English one, which capitalises more than names ("Swiss",
    "Secretary"). Not for a French question about articles in another language."""
    texts = [f"{p.title} {p.text}" for p in found]
    if language == "fr" and not across:
        missing = next(missing_names(question, texts), None)
    elif language == "en":
        missing = next(missing_people(question, texts), None)
    else:
        missing = None
    if missing is not None:
        logger.info("Refused before the LLM: no passage mentions %r", missing)
    return missing is not None
