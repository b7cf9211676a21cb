"""The values the facade hands out: passages, filters and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk of an article, with where it sits in the cleaned article text."""

    chunk_id: str
    article_id: str
    title: str
    file: str
    published: str | None  # ISO date stated in the article, if any
    start: int
    end: int
    text: str
    score: float  # fused rank score (higher is better)
    dense_score: float | None = None  # cosine similarity, when the dense index found it
    keyword_score: float | None = None  # BM25, when the keyword index found it
    opening: bool = False  # the article's opening, added for context: retrieval did not find it
    author: str = ""  # as the page or the file's front matter states them
    site: str = ""
    url: str = ""


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on retrieval; dates are inclusive."""

    article_ids: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    # favoured, not required: articles published in this window rank higher
    prefer_from: date | None = None
    prefer_to: date | None = None
    question_dates: bool = True  # read the dates a question names (see text/periods.py)

    def is_empty(self) -> bool:
        return not self.article_ids and self.date_from is None and self.date_to is None


@dataclass(frozen=True)
class Citation:
    """A passage the answer cites as `[number]`."""

    number: int
    passage: Passage


@dataclass
class Timings:
    retrieval_s: float = 0.0
    first_token_s: float | None = None
    total_s: float = 0.0


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    standalone_question: str = ""
    passages: list[Passage] = field(default_factory=list)  # what the LLM was given
    timings: Timings = field(default_factory=Timings)
    uncited: bool = False  # claims without a valid citation
    incomplete: bool = False  # generation stopped early (error or stop)
    stop_reason: str = ""  # why an incomplete answer stopped (the backend's message)
    language: str = "fr"
    retrieval_only: bool = False  # the model could not run: `text` says why, passages follow
    refused_by: str = ""  # the answer step that refused (see assistant/steps.py), if refused
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (step, sentence dropped)
    searched_period: str = ""  # the publication period the question named, searched alone
    empty_period: str = ""  # the publication period the question named, with no article in it
