"""The answer chain: condense a follow-up, number the passages, prompt the LLM, check citations.

Built from LangChain runnables (`prompt | llm | StrOutputParser()`), streaming token by token.
The static system prompt comes first so llama.cpp can reuse its cached prefix across questions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer.citations import (
    attribute,
    check_markers,
    has_claims,
    is_refusal,
    renumber_stream,
    tidy_markers,
)
from assistant.answer.evidence import Excerpt
from assistant.answer.grounding import drop_unsupported
from assistant.answer.prompts import Prompts
from assistant.models.llm import prime
from assistant.schema import Citation, Passage
from assistant.text.language import detect_language, language_name
from assistant.text.untrusted import neutralise_control_tokens

logger = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "user" | "assistant", "content": "..."}

_FAKE_MARKER = re.compile(r"\[(\s*\d+(?:\s*[,;]\s*\d+)*\s*)\]")
_DELIMITER = re.compile(r"<{3,}|>{3,}")
_HISTORY_CHARS = 600
_TITLE_WORDS = 10


def last_said(history: Sequence[Message], role: str) -> str:
    """The text of the conversation's last message from `role` ("user" or "assistant")."""
    return next((str(t["content"]) for t in reversed(history) if t["role"] == role), "")


def _flat(text: object) -> str:
    """One line of conversation text, without citation markers, cut to a short length."""
    text = neutralise_control_tokens(str(text))
    return " ".join(_FAKE_MARKER.sub("", text).split())[:_HISTORY_CHARS]


def quote(text: str) -> str:
    """Article text as inert quoted data: no delimiter look-alikes, no citation look-alikes,
    no chat-template control tokens."""
    text = neutralise_control_tokens(text)
    return _FAKE_MARKER.sub(r"(\1)", _DELIMITER.sub("«»", text))


def source_line(excerpt: Excerpt) -> str:
    """Where an excerpt comes from, in few tokens (each delays the first answer token): the
    article's title cut to `_TITLE_WORDS` words, left out when the excerpt already quotes it
    (a title line or a lede used as title), and the date when known."""
    title = " ".join(excerpt.passage.title.split())
    words = title.split()
    if len(words) > _TITLE_WORDS + 2:  # cutting one or two words saves nothing
        title = " ".join(words[:_TITLE_WORDS]) + " …"
    if len(words) >= 3 and " ".join(words[:_TITLE_WORDS]) in " ".join(excerpt.text.split()):
        title = ""  # a one-word title ("Syrie") would match inside any word ("Syrienne")
    date = excerpt.passage.published
    return f"{title} ({date})" if title and date else title or (f"({date})" if date else "")


@dataclass(frozen=True)
class Checked:
    """The model's text after the answer checks (`AnswerChain.finish`): what is shown, what it
    cites, and the step that refused it or the sentences the steps dropped."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    refused_by: str = ""  # the answer step that refused it; "" when it stands
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (step, sentence dropped)

    @property
    def refused(self) -> bool:
        return bool(self.refused_by)

    @property
    def uncited(self) -> bool:
        """A standing answer none of whose sentences could be tied to a passage."""
        return not self.refused and not self.citations


class AnswerChain:
    def __init__(
        self,
        llm: BaseChatModel,
        prompts: Prompts,
        count_tokens: Callable[[str], int],
        n_ctx: int,
        max_answer_tokens: int,
        helper: Callable[[], BaseChatModel] | None = None,
    ) -> None:
        """`helper()` gives the model for follow-up rewrites and translations, made on first
        use; the answer model when not given."""
        self.llm = llm
        self._helper = helper or (lambda: llm)
        self.prompts = prompts
        self.count_tokens = count_tokens
        self.n_ctx = n_ctx
        self.max_answer_tokens = max_answer_tokens
        self.answer_runnable: Runnable[dict[str, Any], str] = (
            RunnableLambda(self._answer_messages) | llm | StrOutputParser()
        )

    @cached_property
    def condense_runnable(self) -> Runnable[dict[str, Any], str]:
        model = self._helper()
        return RunnableLambda(self._condense_messages) | model | StrOutputParser()

    @cached_property
    def translate_runnable(self) -> Runnable[dict[str, Any], str]:
        model = self._helper()
        return RunnableLambda(self._translate_messages) | model | StrOutputParser()

    # --- prompts -------------------------------------------------------------------------

    def format_passages(self, excerpts: Sequence[Excerpt]) -> str:
        return "\n\n".join(
            self.prompts.passage.format(
                number=n, source=quote(source_line(e)), text=quote(e.text)
            ).replace(" \n", "\n")
            for n, e in enumerate(excerpts, start=1)
        )

    def _answer_messages(self, values: dict[str, Any]) -> list[BaseMessage]:
        language = values["language"]
        user = self.prompts.answer.format(
            passages=self.format_passages(values["passages"]),
            question=values["question"],
            language=language_name(language),
        )
        # The same system prompt for every language: the model's cache of it then serves
        # questions in every language (see `prime`).
        system = self.prompts.system.format(refusals=self.prompts.refusal_list())
        return [SystemMessage(system), HumanMessage(user)]

    def _condense_messages(self, values: dict[str, Any]) -> list[BaseMessage]:
        """The follow-up with the last exchange only: a small model rewrites that reliably,
        and the instructions and examples before it stay a cacheable prefix."""
        history = values["history"]
        previous, answer = last_said(history, "user"), last_said(history, "assistant")
        return [
            HumanMessage(
                self.prompts.condense.format(
                    previous=_flat(previous),
                    answer=_flat(answer) or "-",
                    question=values["question"],
                )
            )
        ]

    def _translate_messages(self, values: dict[str, Any]) -> list[BaseMessage]:
        text = self.prompts.translate.format(
            language=language_name(values["language"]), text=values["text"]
        )
        return [HumanMessage(text)]

    def fit_passages(self, excerpts: list[Excerpt], question: str, language: str) -> list[Excerpt]:
        """As many excerpts (best first) as fit in the context window with room for the answer."""
        budget = self.n_ctx - self.max_answer_tokens - 64
        kept: list[Excerpt] = []
        for excerpt in excerpts:
            messages = self._answer_messages(
                {"passages": [*kept, excerpt], "question": question, "language": language}
            )
            if self.count_tokens("\n".join(str(m.content) for m in messages)) > budget:
                break
            kept.append(excerpt)
        return kept

    # --- running -------------------------------------------------------------------------

    def prime(self, language: str) -> bool:
        """Have the answer model read the prompt's static start (its system turn) before the
        first question, which then reads only its own turn (instruction in `language`, passages,
        question). True if the model keeps such a cache (embedded llama.cpp)."""
        values = {"passages": [], "question": "", "language": language}
        return prime(self.llm, self._answer_messages(values))

    def condense(self, question: str, history: Sequence[Message]) -> str:
        """A follow-up made standalone with the conversation; the first question is used as is."""
        if not any(t.get("role") == "user" for t in history):
            return question
        rewritten = self.condense_runnable.invoke({"question": question, "history": list(history)})
        rewritten = " ".join(rewritten.strip().strip('"«»').split())
        rewritten = rewritten.removeprefix("Rewritten:").strip()
        if not rewritten or len(rewritten) > 4 * len(question) + 200:
            return question
        return rewritten

    def translate(self, text: str, language: str) -> str:
        """`text` in another language: a question in the articles' language (to search with),
        or an answer the model wrote in the wrong language. The original if the output is off."""
        out = self.translate_runnable.invoke({"text": text, "language": language})
        out = " ".join(out.strip().strip('"«»').removeprefix("Text:").split())
        return out if out and len(out) <= 3 * len(text) + 100 else text

    def stream(self, question: str, excerpts: list[Excerpt], language: str) -> Iterator[str]:
        """The answer's text as it is generated. The model sees the excerpts numbered 1..m;
        its markers are rewritten to the numbers of the passages as the user sees them."""
        values = {"question": question, "passages": excerpts, "language": language}
        numbers = {n: e.number for n, e in enumerate(excerpts, start=1)}
        yield from renumber_stream(self.answer_runnable.stream(values), numbers)

    def finish(
        self,
        text: str,
        passages: list[Passage],
        excerpts: list[Excerpt],
        language: str,
        question: str = "",
        skip: frozenset[str] = frozenset(),
    ) -> Checked:
        """The checked answer, through the answer-policy steps that act on the model's text
        (see `assistant.steps`; those in `skip` do not run), in this order:

        1. drop sentences stating numbers the model did not read, naming people the articles
           do not mention (in the passages' language only), or asking a question;
        2. keep only markers to the passages the LLM read (always);
        3. tie uncited or mis-cited sentences to the passage they come from;
        4. the model's refusal sentence, or nothing left, makes a refusal.

        An answer none of whose sentences can be tied to a passage is shown flagged as uncited:
        refusing it cost more answers than it saved on the development sets (see
        docs/evaluation.md)."""
        refusals = list(self.prompts.refusals.values())
        given = [e.number for e in excerpts]
        read = {e.number: e.text for e in excerpts}
        read_language = detect_language(" ".join(read.values()), default=language)
        across = read_language != language
        people_step = "drop_unread_people" not in skip and not across
        articles = (
            [f"{e.passage.title}\n{e.passage.text}" for e in excerpts] if people_step else None
        )
        text, dropped = drop_unsupported(
            text,
            [question, self.format_passages(excerpts)],
            articles,
            numbers_step="drop_unread_numbers" not in skip,
            questions_step="drop_questions" not in skip,
            languages={language, read_language},
        )
        if dropped:
            logger.info("Dropped answer sentences: %s", dropped)
        text = check_markers(tidy_markers(text), len(passages), given).text
        if "citation_repair" not in skip:
            texts = [read.get(n, "") for n in range(1, len(passages) + 1)]
            text = tidy_markers(attribute(text, texts, by_names=across, question=question))
        checked = check_markers(text, len(passages), given)
        refused_by = ""
        if "refusal_detection" not in skip and is_refusal(checked.text, refusals, question):
            refused_by = "refusal_detection"
        elif not has_claims(checked.text):
            refused_by = dropped[-1][0] if dropped else "refusal_detection"
        if refused_by:
            return Checked(self.prompts.refusal(language), refused_by=refused_by, dropped=dropped)
        citations = [Citation(n, passages[n - 1]) for n in checked.numbers]
        return Checked(checked.text, citations, dropped=dropped)
