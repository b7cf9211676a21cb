"""The Gradio web chat: a thin layer over the `Assistant` facade (no second code path).

Passages show as soon as retrieval finishes, then the answer streams in; a question waiting for
the model shows its place in the queue. Errors a user can fix appear as a message in the chat.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import gradio as gr

from assistant.errors import AssistantError, InvalidQuestionError
from assistant.schema import Answer, Filters
from assistant.service import Assistant, Passages, Token, Waiting
from assistant.steps import WITHHELD
from assistant.web.articles import ArticlesUI, build_articles_tab
from assistant.web.render import sources_html

logger = logging.getLogger(__name__)

Outputs = tuple[list[dict[str, str]], str, str]
PERIOD_NOTE = "Searched only the articles published in"
EMPTY_PERIOD_NOTE = "No article is dated in {}: searched all dates."
_NOTES = re.compile(r"(?:\s*\*\([^\n]*\)\*)+\s*$")  # "*(stopped…)*" after an answer: ours
WRITING = " ▌"  # ends an answer while the model writes it; never a finished one
STOPPED = "*(stopped: the answer was not finished)*"
FILTERS_NOTE = "Searched only the articles your Filters keep: clear them to search all."


def parse_date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidQuestionError(
            f"{field} must be a date like 2016-09-28 (got {value!r})."
        ) from exc


# Square brackets as entities: a Markdown image or link ("![](https://tracker/p.png)") that an
# article holds, and the model quotes, stays text; the page would load a remote image otherwise.
_LINK_SYNTAX = str.maketrans({"[": "&#91;", "]": "&#93;"})


def _chat_text(text: str) -> str:
    """Untrusted text (a question, an answer quoting articles) for a chat message: shown as
    written, never as HTML, an image or a link."""
    return html.escape(text, quote=False).translate(_LINK_SYNTAX)


def _plain(content: Any) -> str:
    """A chat message's text: Gradio 6 hands earlier messages back as lists of typed parts."""
    if isinstance(content, list):
        return " ".join(filter(None, (_plain(part) for part in content)))
    if isinstance(content, dict):
        return str(content.get("text") or "")  # a file part has no text
    return str(content)


class ChatUI:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    # --- chat -----------------------------------------------------------------------------

    def _texts(self, passages: list[Any]) -> dict[str, str | None]:
        return {p.article_id: self.assistant.article_text(p.article_id) for p in passages}

    def respond(
        self,
        message: str,
        history: list[dict[str, str]] | None,
        article_ids: list[str] | None,
        date_from: str,
        date_to: str,
        question_dates: bool = True,
    ) -> Iterator[Outputs]:
        """The chat handler: yields (chat messages, sources panel, note) as the answer grows.
        `question_dates` False: a period the question names is not searched alone."""
        history = [dict(m) for m in history or []]
        prior = [
            {"role": m["role"], "content": _NOTES.sub("", html.unescape(_plain(m["content"])))}
            for m in history
        ]
        chat = [
            *history,
            {"role": "user", "content": _chat_text(message or "")},
            {"role": "assistant", "content": "…"},
        ]
        sources, note, text = "", "", ""
        yield chat, sources, note
        try:
            filters = Filters(
                article_ids=tuple(article_ids or ()),
                date_from=parse_date(date_from, "From date"),
                date_to=parse_date(date_to, "To date"),
                question_dates=question_dates,
            )
            for event in self.assistant.stream(message, prior, filters):
                if isinstance(event, Waiting):
                    chat[-1]["content"] = (
                        f"⏳ Waiting for the model: position {event.position} in the queue…"
                    )
                elif isinstance(event, Passages):
                    sources = sources_html(event.passages, None, self._texts(event.passages))
                    notes = []
                    limit = self.assistant.settings.answer.max_question_chars
                    if len(" ".join((message or "").split())) > limit:
                        notes.append(f"Your question was cut to its first {limit:,} characters.")
                    if event.standalone_question != self.assistant.check_question(message):
                        notes.append(f"Searched for: *{_chat_text(event.standalone_question)}*")
                    if event.searched_period:
                        notes.append(f"{PERIOD_NOTE} {_chat_text(event.searched_period)}.")
                    if event.empty_period:
                        notes.append(EMPTY_PERIOD_NOTE.format(_chat_text(event.empty_period)))
                    if not filters.is_empty():
                        notes.append(FILTERS_NOTE)
                    note = " · ".join(notes)
                    chat[-1]["content"] = "…"
                elif isinstance(event, Token):
                    text += event.text
                    chat[-1]["content"] = _chat_text(text) + WRITING
                elif isinstance(event, Answer):
                    chat[-1]["content"] = self._final_text(event)
                    if event.passages or not event.refused:
                        sources = sources_html(
                            event.passages,
                            None if event.retrieval_only else event.citations,
                            self._texts(event.passages),
                        )
                yield chat, sources, note
        except AssistantError as exc:
            chat[-1]["content"] = f"⚠️ {_chat_text(str(exc))}"
            yield chat, sources, note
        except Exception:
            logger.exception("Unexpected error while answering")
            chat[-1]["content"] = (
                "⚠️ Something went wrong while answering. The error is in the server log; "
                "try again, or ask another question."
            )
            yield chat, sources, note

    def respond_all_dates(
        self,
        history: list[dict[str, str]] | None,
        article_ids: list[str] | None,
        date_from: str,
        date_to: str,
    ) -> Iterator[Outputs]:
        """The last question asked again, over articles of every date."""
        history = list(history or [])
        asked = [i for i, m in enumerate(history) if m.get("role") == "user"]
        if not asked:
            return
        last = asked[-1]
        question = html.unescape(_plain(history[last]["content"]))
        yield from self.respond(
            question, history[:last], article_ids, date_from, date_to, question_dates=False
        )

    @staticmethod
    def unasked(typed: str | None, history: list[dict[str, Any]] | None) -> str:
        """The question box once an answer is done: emptied if it holds the question just
        asked; kept if it holds one typed while the answer was written (the chat takes one
        question at a time, and that one was not sent)."""
        users = [m for m in history or [] if m.get("role") == "user"]
        asked = _plain(users[-1]["content"]) if users else None
        return "" if typed is None or _chat_text(typed) == asked else typed

    @staticmethod
    def stopped(history: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """The chat after Stop: an answer still being written (or waited for) says it was
        stopped; a finished one is left as it is."""
        chat = [dict(m) for m in history or []]
        if chat and chat[-1].get("role") == "assistant":
            shown = _plain(chat[-1]["content"])
            if shown.endswith(WRITING) or shown == "…" or shown.startswith("⏳"):
                kept = shown.removesuffix(WRITING) if shown.endswith(WRITING) else ""
                chat[-1]["content"] = f"{kept}\n\n{STOPPED}".strip()
        return chat

    @staticmethod
    def _final_text(answer: Answer) -> str:
        text = _chat_text(answer.text)
        if answer.retrieval_only:
            return (
                f"⚠️ {text}\n\n**No written answer.** The passages that match your question "
                "are in the Sources panel."
            )
        if answer.refused and answer.refused_by in WITHHELD:
            withheld = WITHHELD[answer.refused_by]
            text += f"\n\n*({withheld}, so it is not shown: the passages found are in the"
            text += " Sources panel)*"
        elif answer.incomplete:
            reason = _chat_text(answer.stop_reason or "the model stopped early.")
            text += f"\n\n*(incomplete: the answer was cut off. {reason})*"
        elif answer.uncited:
            text += "\n\n*(no passage supports this answer: check it against the articles)*"
        return text


def example_questions(assistant: Assistant, n: int = 3) -> list[str]:
    """A few questions taken from the corpus, one per article title, in a form the default
    model answers (docs/architecture.md, "The web chat's examples")."""
    titles = [a.title for a in assistant.articles()][:n]
    return [
        f"Que dit l'article « {t} » ?"
        if assistant.corpus_language() == "fr"
        else f"What does the article “{t}” say?"
        for t in titles
    ]


def build_demo(assistant: Assistant) -> gr.Blocks:
    """The web chat's page. Building it reads nothing: the index is opened, and the models
    loaded, when a page is first loaded or a question asked (see `demo.load` below)."""
    ui = ChatUI(assistant)
    shelf = ArticlesUI(assistant)
    # no telemetry: a private assistant does not report its launches to gradio.app
    with gr.Blocks(title="News assistant", analytics_enabled=False) as demo:
        gr.Markdown("## News assistant\nAnswers only from the indexed articles, with sources.")
        with gr.Tab("Chat"), gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=460, elem_id="chat")
                note = gr.Markdown(elem_id="note")
                all_dates = gr.Button(
                    "Search all dates", size="sm", visible=False, elem_id="all-dates"
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask a question about the articles…",
                        show_label=False,
                        scale=6,
                        elem_id="question",
                        max_length=20_000,
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Row():
                    stop = gr.Button("Stop", elem_id="stop")
                    clear = gr.Button("Clear conversation", elem_id="clear")
                examples = gr.Dataset(
                    components=[question], samples=[], label="Examples", elem_id="examples"
                )
                with gr.Accordion("Filters", open=False):
                    articles = gr.Dropdown(
                        choices=[],
                        multiselect=True,
                        label="Only these articles",
                        elem_id="filter-articles",
                    )
                    with gr.Row():
                        date_from = gr.Textbox(label="From date (YYYY-MM-DD)")
                        date_to = gr.Textbox(label="To date (YYYY-MM-DD)")
            with gr.Column(scale=2):
                sources = gr.HTML(elem_id="sources")
        with gr.Tab("Articles"):
            table, picked = build_articles_tab(shelf, articles)

        inputs = [question, chatbot, articles, date_from, date_to]
        outputs = [chatbot, sources, note]
        # one listener for both: a second question while one is answered is not taken (its
        # text stays in the box), rather than answered at once against a stale conversation
        submit = gr.on([ask.click, question.submit], ui.respond, inputs, outputs, api_name="chat")

        def period_shown(shown: str | None) -> Any:
            """The "Search all dates" button, shown when a period was searched alone."""
            return gr.update(visible=PERIOD_NOTE in (shown or ""))

        submit.then(ui.unasked, [question, chatbot], question, api_visibility="private")
        submit.then(period_shown, note, all_dates, api_visibility="private")
        again = all_dates.click(
            ui.respond_all_dates,
            [chatbot, articles, date_from, date_to],
            outputs,
            api_visibility="private",
        )
        again.then(period_shown, note, all_dates, api_visibility="private")
        stop.click(ui.stopped, chatbot, chatbot, cancels=[submit, again], api_visibility="private")
        clear.click(
            lambda: ([], "", "", gr.update(visible=False)),
            None,
            [*outputs, all_dates],
            api_visibility="private",
        )

        examples.click(lambda sample: sample[0], examples, question, api_visibility="private")
        demo.load(
            lambda: (
                shelf.rows(),
                gr.update(choices=shelf.choices()),
                gr.update(choices=shelf.choices()),
                gr.Dataset(samples=[[q] for q in example_questions(assistant)]),
            ),
            None,
            [table, articles, picked, examples],
            api_visibility="private",
        )
    return demo
