"""`Assistant`: the one facade the web chat, the CLIs, the tests and the benchmarks all use."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant import inputs
from assistant.answer.chain import AnswerChain, Checked, Message, last_said
from assistant.answer.evidence import EvidencePicker, Excerpt
from assistant.answer.followup import resolve_follow_up
from assistant.answer.prechecks import refused_before_llm
from assistant.answer.prompts import Prompts
from assistant.answer.recall import AnswerMemory
from assistant.answer.turns import FairLock
from assistant.components import Components
from assistant.errors import (
    AssistantError,
    IndexEmptyError,
    ModelCrashError,
)
from assistant.index.articles import ArticleIndex, index_exists
from assistant.index.manifest import ArticleRow
from assistant.library import ArticleLibrary, Fetcher, Ingester
from assistant.models.embeddings import Embedder
from assistant.models.llm import explain
from assistant.models.llmcheck import Check
from assistant.models.llmcheck import check as check_model
from assistant.retrieval.dating import Dated, dated_filters
from assistant.retrieval.retriever import ArticleRetriever, Retriever
from assistant.schema import Answer, Filters, Passage, Timings
from assistant.settings import Settings, load_settings
from assistant.text.language import detect_language
from assistant.text.names import asks_who
from assistant.text.periods import topic

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Passages:
    """Stream event: the passages the answer will use (shown before the first token)."""

    passages: list[Passage]
    standalone_question: str
    searched_period: str = ""  # the period of publication searched alone, from the question
    empty_period: str = ""  # the period of publication named, in which no article was published


@dataclass(frozen=True)
class Token:
    """Stream event: a piece of the answer text."""

    text: str


@dataclass(frozen=True)
class Waiting:
    """Stream event: the question waits for the LLM; `position` 1 is next."""

    position: int


Event = Passages | Token | Waiting | Answer


@dataclass(frozen=True)
class Generated:
    """What the model wrote, checked, and how the generation went."""

    checked: Checked
    first_token_s: float | None
    incomplete: bool = False
    stop_reason: str = ""


class Assistant:
    """Question answering over the indexed articles: the facade the web chat, the command
    lines, the tests and the benchmarks use. Its parts (`Components`) load on first use, once;
    `llm` (any LangChain chat model), `embedder` and `index` may be passed in instead, e.g.
    fakes in logic tests or an embedder shared between assistants.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        llm: BaseChatModel | None = None,
        model_check: Check = check_model,
        embedder: Embedder | None = None,
        index: ArticleIndex | None = None,
        ingester: Ingester | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        """`model_check` tells whether the embedded model runs on this CPU (see `llmcheck`);
        `ingester` and `fetcher` let `library` add articles from this process (see
        `ArticleLibrary`)."""
        self.settings = settings or load_settings()
        self.parts = Components(self.settings, llm, model_check, embedder, index)
        self.prompts: Prompts = self.parts.prompts
        self.library = ArticleLibrary(self.settings, self.parts, ingester, fetcher)
        self.generation = FairLock()  # one generation at a time, first come first served
        self._corpus_language: tuple[str, str] | None = None  # (index generation, language)
        self.memory = AnswerMemory()  # what recent answers cited, for their follow-ups
        self._answering = 0  # questions being answered now (background work waits for them)
        self._answering_lock = threading.Lock()

    @property
    def llm(self) -> BaseChatModel:
        return self.parts.llm

    @property
    def helper_llm(self) -> BaseChatModel:
        return self.parts.helper_llm

    def model_problem(self) -> AssistantError | None:
        """Why the embedded model cannot answer here, or None (see `Components`)."""
        return self.parts.model_problem()

    @property
    def chain(self) -> AnswerChain:
        return self.parts.chain

    @property
    def evidence(self) -> EvidencePicker:
        return self.parts.evidence

    @property
    def embedder(self) -> Embedder:
        return self.parts.embedder

    @property
    def index(self) -> ArticleIndex:
        return self.parts.index

    @property
    def retriever(self) -> Retriever:
        return self.parts.retriever

    def as_retriever(
        self, k: int | None = None, filters: Filters | None = None
    ) -> ArticleRetriever:
        """The hybrid retriever as a LangChain `BaseRetriever`."""
        return ArticleRetriever(
            search=self.retrieve,
            k=inputs.passage_count(k) or self.settings.retrieval.k,
            filters=inputs.filters_given(filters),
        )

    def retrieve(
        self, question: str, k: int | None = None, filters: Filters | None = None
    ) -> list[Passage]:
        """Ranked passages (best first) for a question; a period of publication or an event's
        date the question names applies as in `stream` (unless `filters.question_dates` is
        False). The question is checked as `ask` checks it."""
        k = inputs.passage_count(k)
        question = self.check_question(question)
        checked = inputs.filters_given(filters)
        language = detect_language(question, default=self.corpus_language())
        dated = self._dated(question, language, checked)
        return self.retriever.retrieve(
            self._queries([question], question, dated, language), k, dated.filters
        )

    def check_question(self, question: str) -> str:
        """The question to use: stripped, control characters removed, length-capped."""
        return inputs.question_text(question, self.settings.answer.max_question_chars)

    def stream(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Event]:
        """Passages first, then answer tokens, then the checked `Answer` (always last).

        Errors a user can fix raise `AssistantError` with the message to show."""
        with self._answering_lock:
            self._answering += 1
        try:
            yield from self._stream(question, history, filters)
        finally:
            with self._answering_lock:
                self._answering -= 1

    def warm_up(self, max_passages: int | None = None) -> int:
        """Load the LLM, have it read the answer prompt's static start (in its turn, like a
        question), and embed the sentences of the last ingested passages (up to
        `answer.warm_passages`; questions being answered meanwhile go first), so the first
        questions pay for none of it. The web chat runs it in the background at start.
        Returns how many sentences were embedded."""
        limit = self.settings.answer.warm_passages if max_passages is None else max_passages
        if self.model_problem() is None:
            chain = self.chain  # loads the model outside the queue: questions need not wait
            language = self.corpus_language()  # the language most questions come in
            with self.generation.hold() as waits:
                for _ in waits:
                    pass
                try:
                    chain.prime(language)
                except Exception as exc:
                    raise explain(exc, self.settings) from exc
        if limit <= 0 or self.index.vector_count() == 0:
            return 0
        texts = self.index.manifest.recent_chunk_texts(limit)
        return self.evidence.warm(texts, wait=self._wait_for_questions)

    def _wait_for_questions(self) -> None:
        while self._answering:
            time.sleep(0.2)

    def _stream(
        self,
        question: str,
        history: Sequence[Message] | None,
        filters: Filters | None,
    ) -> Iterator[Event]:
        started = time.perf_counter()
        question = self.check_question(question)
        given = inputs.filters_given(filters)
        history = inputs.conversation(history)
        problem = self.model_problem()
        if problem is not None and not isinstance(problem, ModelCrashError):
            raise problem
        corpus_language = self.corpus_language()
        # a question with no language of its own ("???", a bare name) is in the articles'
        language = detect_language(question, default=corpus_language)
        last_answer = last_said(history, "assistant")
        standalone, asked, queries = yield from self._follow_up(question, history, last_answer)
        if self.index.vector_count() == 0:
            raise IndexEmptyError(
                "No articles are indexed yet. Add files to the articles folder and run "
                "`python -m ingest` (or upload them in the Articles tab)."
            )
        translated = None
        cfg = self.settings.answer
        if corpus_language != language and problem is None and cfg.on("translate_question"):
            translated = yield from self._exclusive(
                lambda: self.chain.translate(standalone, corpus_language)
            )
            queries.append(translated)
        dated = self._dated(standalone, language, given)
        queries = self._queries(queries, standalone, dated, language)
        found = self.retriever.retrieve(queries, k=cfg.context_passages, filters=dated.filters)
        shown = Passages([], standalone, dated.label, dated.empty)
        retrieval_s = time.perf_counter() - started
        refused_by = refused_before_llm(
            standalone,
            language,
            corpus_language,
            found,
            cfg,
            self.parts.min_dense_score,
            self.index.manifest.article_text,
        )
        generated: Generated | None = None
        if refused_by:
            found = []
            yield replace(shown, passages=found)
            checked = Checked(self.prompts.refusal(language), refused_by=refused_by)
        elif problem is not None:  # the model cannot run here: the passages, no written answer
            yield replace(shown, passages=found)
            checked = Checked(str(problem))
        else:
            lead = None
            if cfg.article_opening and cfg.on("article_opening") and asks_who(standalone):
                found, lead = self.retriever.with_opening(found)
            yield replace(shown, passages=found)  # on screen before the evidence is read
            keyword = self.index.keyword()
            weights = keyword.term_weights if keyword is not None else None
            # a follow-up favours what the last answer cited (known if this process gave it)
            recalled = self.memory.recall(last_answer)
            excerpts = self.evidence.pick(standalone, found, weights, recalled, lead)
            excerpts = self.chain.fit_passages(excerpts, asked, language)
            if cfg.on("best_passage_last"):
                excerpts = excerpts[::-1]
            generated = yield from self._generate(asked, found, excerpts, language, started)
            checked = generated.checked
            cited = {c.number for c in checked.citations}
            self.memory.remember(checked.text, [e.text for e in excerpts if e.number in cited])
        yield Answer(
            text=checked.text,
            citations=checked.citations,
            refused=checked.refused,
            standalone_question=standalone,
            passages=found,
            timings=Timings(
                retrieval_s=retrieval_s,
                first_token_s=generated.first_token_s if generated else None,
                total_s=time.perf_counter() - started,
            ),
            uncited=checked.uncited and generated is not None,
            incomplete=generated.incomplete if generated else False,
            stop_reason=generated.stop_reason if generated else "",
            language=language,
            retrieval_only=problem is not None and not refused_by,
            refused_by=checked.refused_by,
            searched_period=dated.label,
            empty_period=dated.empty,
            dropped=checked.dropped,
        )

    def _dated(self, question: str, language: str, filters: Filters) -> Dated:
        """The filters with the dates the question names (see `dated_filters`)."""
        if not self.settings.answer.on("question_dates"):
            return Dated(filters)
        return dated_filters(question, language, filters, self._published)

    @staticmethod
    def _queries(queries: list[str], question: str, dated: Dated, language: str) -> list[str]:
        """With a period of publication searched alone, its topic is searched too: the words
        naming the period match no passage of it better than another (`periods.topic`)."""
        if dated.period is None:
            return queries
        extra = topic(question, dated.period, language)
        return [*queries, extra] if extra and extra not in queries else queries

    def _published(self) -> list[str]:
        return [a.published for a in self.articles() if a.published]

    def _follow_up(
        self, question: str, history: Sequence[Message], last_answer: str
    ) -> Generator[Event, None, tuple[str, str, list[str]]]:
        """(what is searched for, what the LLM is asked, the search queries) for a question.

        A follow-up is made standalone with the last exchange: by rule when it only needs its
        pronoun replaced by the person just talked about, else by the LLM; the first question
        is used as is."""
        previous = [str(t["content"]) for t in history if t["role"] == "user"]
        if not previous:
            return question, question, [question]
        joined = f"{previous[-1]} {question}"
        if self.model_problem() is not None:  # no model, and the last reply was its notice
            return joined, question, [joined]
        steps = self.settings.answer
        resolved = (
            resolve_follow_up(question, previous[-1], last_answer)
            if steps.on("follow_up_rule")
            else None
        )
        if resolved is not None:  # a pronoun for the person just talked about: no LLM call
            return resolved, resolved, [resolved, joined]
        if not steps.on("follow_up_rewrite"):
            return joined, question, [joined]
        rewritten = yield from self._exclusive(lambda: self.chain.condense(question, history))
        if rewritten.rstrip().endswith("?"):
            return rewritten, rewritten, [rewritten, joined]
        # The small local model sometimes answers instead of rewriting: then the follow-up is
        # searched together with the previous question, and asked as it was typed.
        return joined, question, [joined]

    def _exclusive(self, call: Callable[[], str]) -> Generator[Event, None, str]:
        """Run one short LLM call in its turn, reporting the queue position while waiting."""
        with self.generation.hold() as waits:
            yield from (Waiting(p) for p in waits)
            try:
                return call()
            except Exception as exc:
                raise explain(exc, self.settings) from exc

    def _generate(
        self,
        question: str,
        passages: list[Passage],
        excerpts: list[Excerpt],
        language: str,
        started: float,
    ) -> Generator[Event, None, Generated]:
        parts: list[str] = []
        first: float | None = None
        incomplete = False
        stop_reason = ""
        with self.generation.hold() as waits:
            yield from (Waiting(p) for p in waits)
            try:
                for piece in self.chain.stream(question, excerpts, language):
                    if not piece:
                        continue
                    if first is None:
                        first = time.perf_counter() - started
                    parts.append(piece)
                    yield Token(piece)
            except GeneratorExit:
                raise
            except Exception as exc:
                error = explain(exc, self.settings)
                if not parts:
                    raise error from exc
                logger.warning("Generation failed after %d pieces: %s", len(parts), error)
                incomplete, stop_reason = True, str(error)
            text = "".join(parts)
            if (
                not incomplete
                and self.settings.answer.on("answer_translation")
                and detect_language(text, default=language) != language
            ):
                # small models drift into the passages' language: translate the answer back
                try:
                    text = self.chain.translate(text, language)
                except Exception as exc:
                    logger.warning(
                        "Could not translate the answer: %s", explain(exc, self.settings)
                    )
        skip = frozenset(self.settings.answer.skip_steps)
        checked = self.chain.finish(text, passages, excerpts, language, question, skip=skip)
        return Generated(checked, first, incomplete, stop_reason)

    def ask(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """The checked answer to `question` (see `stream` for the token-by-token version)."""
        for event in self.stream(question, history, filters):
            if isinstance(event, Answer):
                return event
        raise AssistantError("The answer stream ended without an answer.")  # pragma: no cover

    def corpus_language(self) -> str:
        """The language most articles are written in (stored with the index by ingest)."""
        meta = self.index.manifest
        stamp = f"{meta.get_meta('generation')} {meta.get_meta('language')}"
        if self._corpus_language is None or self._corpus_language[0] != stamp:
            self._corpus_language = (stamp, self.index.language())
        return self._corpus_language[1]

    def articles(self) -> list[ArticleRow]:
        return [a for a in self.index.manifest.articles() if a.state == "done"]

    def article_text(self, article_id: str) -> str | None:
        return self.index.manifest.article_text(article_id)

    def stats(self) -> dict[str, int]:
        return self.index.stats()


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant(*, existing_index: bool = False) -> Assistant:
    """A process-wide assistant built from config.toml and the environment, made on first use.
    With `existing_index`, refuses to make one over an index no ingest made (opening it would
    create it, empty): the shell reads an index, it does not start one."""
    global _default
    with _default_lock:
        if _default is None:
            settings = load_settings()
            if existing_index and not index_exists(settings.index_dir):
                raise AssistantError(
                    f"There is no index at {settings.index_dir} yet: put articles in "
                    f"{settings.articles_dir} and run `python -m ingest` "
                    "(or set paths.index_dir)."
                )
            _default = Assistant(settings)
        return _default


def retrieve(question: str, k: int = 5, filters: Filters | None = None) -> list[Passage]:
    """Ranked passages for `question` from the default index (see `Assistant.retrieve`)."""
    return default_assistant().retrieve(question, k, filters)


def ask(
    question: str, history: Sequence[Message] | None = None, filters: Filters | None = None
) -> Answer:
    """A checked, cited answer from the default assistant (see `Assistant.ask`)."""
    return default_assistant().ask(question, history, filters)
