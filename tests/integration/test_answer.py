"""The answer chain's logic around the LLM, with a fake chat model over the real sample index."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest

from assistant.errors import IndexEmptyError, InvalidQuestionError, LLMUnavailableError
from assistant.schema import Answer, Filters
from assistant.service import Assistant, Passages, Token
from tests.fakes import RecordingChat

_BLOCK = r"^\[(\d+)\][^\n]*\n<<<\n(.*?)\n>>>"  # a passage as the prompt quotes it: (number, text)
QUESTION = "Qui a menacé de suspendre la coopération avec la Russie sur la Syrie ?"


def prompt_text(llm: RecordingChat, n: int) -> str:
    return str(llm.prompts[n][-1].content)


def with_llm(sample: Any, replies: list[str], **kwargs: Any) -> tuple[Any, RecordingChat]:
    """An assistant over the sample index (its settings, embedder and index) whose LLM is a
    fake giving `replies`, and that fake."""
    llm = RecordingChat(replies, **kwargs)
    return Assistant(sample.settings, llm=llm, embedder=sample.embedder, index=sample.index), llm


def in_rank_order(assistant: Any) -> None:
    """Excerpts written in rank order, so the prompt's [n] is the shown passage n."""
    assistant.settings.answer.skip_steps = ["best_passage_last"]


def test_stream_yields_passages_then_tokens_then_the_checked_answer(sample_assistant: Any) -> None:
    sample_assistant.settings.answer.evidence_tokens = 4000  # the model reads every passage
    in_rank_order(sample_assistant)
    assistant, _ = with_llm(sample_assistant, ["Kerry a menacé [1]. Voir [19]."])
    events = list(assistant.stream(QUESTION))
    assert isinstance(events[0], Passages) and events[0].passages
    assert all(isinstance(e, Token) for e in events[1:-1]) and len(events) > 3
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert "[19]" not in answer.text and "[1]" in answer.text
    assert [c.number for c in answer.citations] == [1]
    assert answer.citations[0].passage == events[0].passages[0]
    assert not answer.refused and not answer.uncited
    assert answer.timings.first_token_s is not None
    assert 0 < answer.timings.retrieval_s <= answer.timings.total_s


def test_prompt_numbers_passages_as_quoted_data(sample_assistant: Any) -> None:
    assistant, llm = with_llm(sample_assistant, ["Kerry [1]."])
    answer = assistant.ask(QUESTION)
    system, user = llm.prompts[-1]
    assert "only the numbered passages" in str(system.content)
    assert assistant.prompts.refusal("fr") in str(system.content)
    text = str(user.content)
    headers = re.findall(r"^\[(\d+)\] ?(.*)\n<<<\n", text, flags=re.M)
    assert [int(n) for n, _ in headers] == list(range(1, len(headers) + 1)), "numbered 1..m"
    shown = [p.title for p in answer.passages]
    sources = [source.removesuffix(" …") for _, source in headers if source]
    assert headers and all(any(t.startswith(s) for t in shown) for s in sources)
    assert text.count("<<<") == len(headers) == text.count(">>>")
    assert "in French" in text


def test_markers_are_renumbered_to_the_passages_as_shown(sample_assistant: Any) -> None:
    sample_assistant.settings.answer.evidence_tokens = 16  # evidence from one passage only
    assistant, llm = with_llm(sample_assistant, ["Kerry a menacé [1]. Lavrov [2][3]."])
    events = list(assistant.stream(QUESTION))
    answer = events[-1]
    read = re.findall(_BLOCK, prompt_text(llm, -1), flags=re.M | re.S)
    assert len(read) == 1 and len(answer.passages) > 1
    assert len(answer.citations) == 1, "markers to passages the model did not read are removed"
    cited = answer.citations[0]
    assert all(part in cited.passage.text for part in read[0][1].split(" … "))
    assert cited.passage == answer.passages[cited.number - 1]
    streamed = "".join(e.text for e in events if isinstance(e, Token))
    assert f"[{cited.number}]" in streamed, "the streamed text uses the shown numbers too"


def test_the_best_passage_is_written_last_nearest_the_question(sample_assistant: Any) -> None:
    """The small model answers from what it read last: the excerpts go in reverse rank order,
    and the model's numbers still lead to the passages as shown."""
    sample_assistant.settings.answer.evidence_tokens = 4000  # the model reads every passage
    assistant, llm = with_llm(sample_assistant, ["Kerry a menacé [1]."])
    answer = assistant.ask(QUESTION)
    read = re.findall(_BLOCK, prompt_text(llm, -1), flags=re.M | re.S)
    assert len(read) == len(answer.passages) > 2
    assert read[-1][1] == answer.passages[0].text, "the best passage is the last one read"
    assert read[0][1] == answer.passages[-1].text
    assert [int(n) for n, _ in read] == list(range(1, len(read) + 1)), "still numbered 1..m"

    assistant, llm = with_llm(sample_assistant, [f"Kerry a menacé [{len(read)}]."] * 2)
    answer = assistant.ask(QUESTION)
    assert [c.number for c in answer.citations] == [1], "prompt [m] is the passage shown first"

    in_rank_order(assistant)
    assistant.ask(QUESTION)
    ranked = re.findall(_BLOCK, prompt_text(llm, -1), flags=re.M | re.S)
    assert [text for _, text in ranked] == [text for _, text in reversed(read)]


def test_english_question_searches_in_the_articles_language_and_answers_in_english(
    sample_assistant: Any,
) -> None:
    in_rank_order(sample_assistant)
    assistant, llm = with_llm(
        sample_assistant,
        ["Qui est John Kirby ?", "John Kirby is the State Department spokesman [1]."],
    )
    answer = assistant.ask("Who is John Kirby?")
    translate_prompt = str(llm.prompts[0][0].content)
    assert "into French" in translate_prompt and "Who is John Kirby?" in translate_prompt
    assert "in English" in str(llm.prompts[1][1].content)
    assert answer.text == "John Kirby is the State Department spokesman [1]."
    assert any("Kirby" in p.text for p in answer.passages)


def test_answer_in_the_wrong_language_is_translated(sample_assistant: Any) -> None:
    assistant, llm = with_llm(
        sample_assistant,
        [
            "John Kerry threatened to suspend the cooperation with Russia [1].",
            "John Kerry a menacé de suspendre la coopération avec la Russie [1].",
        ],
    )
    answer = assistant.ask(QUESTION)
    translate_prompt = str(llm.prompts[-1][0].content)
    assert "into French" in translate_prompt and "John Kerry threatened" in translate_prompt
    assert answer.text.startswith(
        "John Kerry a menacé de suspendre la coopération avec la Russie ["
    )
    assert answer.citations and not answer.uncited


def test_off_topic_question_is_refused_before_the_llm(sample_assistant: Any) -> None:
    assistant, llm = with_llm(sample_assistant, [])
    answer = assistant.ask("Quelle est la recette de la tarte Tatin aux pommes ?")
    assert answer.refused and answer.citations == []
    assert answer.text == assistant.prompts.refusal("fr")
    assert llm.prompts == [], "the LLM was not called"


def test_question_about_someone_no_passage_mentions_is_refused_before_the_llm(
    sample_assistant: Any,
) -> None:
    translation = "Qu'a dit Barack Obama sur la coopération avec la Russie ?"
    assistant, llm = with_llm(sample_assistant, ["Kerry a menacé [1].", translation])
    answer = assistant.ask("Qu'a dit Barack Obama sur la coopération avec la Russie ?")
    assert answer.refused and answer.citations == [] and llm.prompts == []
    answer = assistant.ask("Qu'a dit John Kerry sur la coopération avec la Russie ?")
    assert not answer.refused and len(llm.prompts) == 1
    asked = len(llm.prompts)
    answer = assistant.ask("What did Barack Obama say about the cooperation with Russia?")
    assert answer.refused and answer.language == "en"
    assert all("<<<" not in str(m.content) for p in llm.prompts[asked:] for m in p), (
        "at most the search query was translated; no answer was asked for"
    )


def test_model_refusal_carries_no_citations(sample_assistant: Any) -> None:
    assistant, _ = with_llm(
        sample_assistant, ["Les articles ne contiennent pas la réponse à cette question. [1]"]
    )
    answer = assistant.ask("Quel est le prix du pétrole mentionné dans les articles ?")
    assert answer.refused and answer.citations == []
    assert "[1]" not in answer.text


def test_a_refusal_naming_what_was_asked_is_a_refusal(sample_assistant: Any) -> None:
    said = "Les articles sur Alep et la Syrie ne contiennent pas la réponse à cette question."
    assistant, _ = with_llm(sample_assistant, [said])
    answer = assistant.ask("Que disent les articles sur Alep et la Syrie ?")
    assert answer.refused and answer.refused_by == "refusal_detection"


def test_an_answer_that_only_repeats_the_question_is_a_refusal(sample_assistant: Any) -> None:
    assistant, _ = with_llm(
        sample_assistant, ["Quel temps faisait-il à Moscou pendant les négociations ? [2]"]
    )
    answer = assistant.ask("Quel temps faisait-il à Moscou pendant les négociations ?")
    assert answer.refused and answer.citations == []
    assert answer.text == assistant.prompts.refusal("fr")


def test_answer_tied_to_no_passage_is_shown_flagged_as_uncited(sample_assistant: Any) -> None:
    """An answer no sentence of which ties to a passage (no valid marker, too few shared
    words) is shown with the uncited flag, in the passages' language as across languages."""
    assistant, _ = with_llm(
        sample_assistant, ["Le président a gagné les élections de novembre [0]."]
    )
    answer = assistant.ask(QUESTION)
    assert answer.uncited and answer.citations == [] and not answer.refused
    assert answer.text.startswith("Le président a gagné")
    assistant, _ = with_llm(
        sample_assistant,
        [
            "Qui a menacé de suspendre la coopération avec la Russie sur la Syrie ?",
            "The president won the November elections [0].",
        ],
    )
    answer = assistant.ask("Who threatened to suspend cooperation with Russia on Syria?")
    assert answer.uncited and answer.citations == [] and not answer.refused
    assert answer.text.startswith("The president won")


def test_first_question_is_not_rewritten(sample_assistant: Any) -> None:
    assistant, llm = with_llm(sample_assistant, ["Kerry [1]."])
    answer = assistant.ask(QUESTION, history=[])
    assert answer.standalone_question == QUESTION
    assert len(llm.prompts) == 1


def test_follow_up_is_made_standalone_before_retrieval(sample_assistant: Any) -> None:
    assistant, llm = with_llm(
        sample_assistant,
        ["Qu'a pensé Sergueï Lavrov des menaces de John Kerry ?", "Lavrov a répondu [1]."],
    )
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "John Kerry a menacé de geler la coopération [1]."},
    ]
    answer = assistant.ask("Et Lavrov, qu'en a-t-il pensé ?", history=history)
    assert answer.standalone_question == "Qu'a pensé Sergueï Lavrov des menaces de John Kerry ?"
    condense_prompt = str(llm.prompts[0][0].content)
    assert QUESTION in condense_prompt and "Et Lavrov" in condense_prompt
    assert "[1]" not in condense_prompt, "old citation markers are not fed back"
    assert any("Lavrov" in p.text for p in answer.passages)


def test_follow_up_pronoun_is_resolved_without_an_llm_rewrite(sample_assistant: Any) -> None:
    assistant, llm = with_llm(sample_assistant, ["Il parlait avec Angela Merkel [1]."])
    history = [
        {"role": "user", "content": "Qu'a dit Vladimir Poutine sur la Syrie ?"},
        {
            "role": "assistant",
            "content": "Vladimir Poutine a déclaré que la Russie poursuivra [1].",
        },
    ]
    answer = assistant.ask("Avec qui parlait-il ?", history=history)
    assert answer.standalone_question == "Avec qui Vladimir Poutine parlait-il ?"
    assert len(llm.prompts) == 1, "only the answer was generated"
    assert "Avec qui Vladimir Poutine parlait-il ?" in str(llm.prompts[0][-1].content)
    assert any("Merkel" in p.text for p in answer.passages), "searched with the previous question"


def test_follow_up_reads_again_what_the_last_answer_cited(sample_assistant: Any) -> None:
    in_rank_order(sample_assistant)
    assistant, llm = with_llm(sample_assistant, ["Il veut un cessez-le-feu [1].", "Avec elle [1]."])
    first = assistant.ask("Qu'a dit Vladimir Poutine sur la Syrie ?")
    assert first.citations
    read = dict(re.findall(_BLOCK, prompt_text(llm, 0), re.M | re.S))
    history = [
        {"role": "user", "content": "Qu'a dit Vladimir Poutine sur la Syrie ?"},
        {"role": "assistant", "content": first.text},
    ]
    assert assistant.memory.recall(first.text) == (read["1"],)
    assistant.ask("Avec qui parlait-il ?", history=history)
    follow_up = prompt_text(llm, 1)
    assert all(s in follow_up for s in read["1"].split(" … ")), "the cited sentences again"


def test_who_is_question_reads_the_lede_of_the_best_articles_opening(
    sample_assistant: Any,
) -> None:
    """A "who is" question gets the opening of the best passage's article as a passage of its
    own (first, marked) and reads its lede, which the answer may cite; other questions, and
    who-is questions with the setting off, read only what retrieval found."""
    question = "Qui est Chris Bambery ?"
    k = sample_assistant.settings.answer.context_passages
    found = sample_assistant.retrieve(question, k=k)
    expected, lead = sample_assistant.retriever.with_opening(found)
    assert lead == 0 and expected[1:] == found, "the opening was not found: it is added"
    in_rank_order(sample_assistant)
    assistant, llm = with_llm(
        sample_assistant, ["C'est un analyste [1].", "Kerry [1].", "Lui [1]."]
    )
    answer = assistant.ask(question)
    assert answer.passages == expected and answer.passages[0].opening
    assert answer.citations[0].passage == answer.passages[0]
    read = dict(re.findall(_BLOCK, prompt_text(llm, 0), re.M | re.S))["1"]
    assert read.startswith("Les ministères russes des Affaires étrangères"), "002's lede"

    other = "Que dit Lavrov de la fenêtre de trois heures ?"  # its best passage: mid-article
    assert assistant.retriever.with_opening(assistant.retrieve(other, k=k))[1] == 0
    assert assistant.ask(other).passages == assistant.retrieve(other, k=k)
    assistant.settings.answer.article_opening = False
    assert assistant.ask(question).passages == found


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_is_rejected(sample_assistant: Any, question: str) -> None:
    with pytest.raises(InvalidQuestionError, match="empty"):
        sample_assistant.ask(question)


def test_very_long_question_is_truncated_and_prompt_fits(sample_assistant: Any) -> None:
    assistant, llm = with_llm(sample_assistant, ["Kerry [1]."])
    answer = assistant.ask("Kerry menace la Russie ? " * 800)  # 20,000 characters
    limit = assistant.settings.answer.max_question_chars
    assert len(answer.standalone_question) <= limit
    prompt = "\n".join(str(m.content) for m in llm.prompts[-1])
    budget = assistant.settings.llm.n_ctx - assistant.settings.llm.max_tokens
    assert assistant.chain.count_tokens(prompt) <= budget


def test_the_chat_says_a_long_question_was_cut_without_repeating_it(
    sample_assistant: Any,
) -> None:
    from assistant.web.chat import ChatUI

    assistant, _ = with_llm(sample_assistant, ["Kerry [1]."])
    question = "Kerry menace-t-il la Russie ? " * 200  # 6,000 characters
    *_, (chat, _sources, note) = ChatUI(assistant).respond(question, [], [], "", "")
    limit = assistant.settings.answer.max_question_chars
    assert f"cut to its first {limit:,} characters" in note
    assert "Searched for" not in note and "Kerry [1]" in html.unescape(chat[-1]["content"])


@pytest.mark.parametrize(
    "history",
    ["Kerry ?", {"role": "user", "content": "Kerry ?"}, [("Kerry ?", "Oui [1].")], [{"role": 1}]],
)
def test_a_malformed_history_is_named_before_the_model_runs(
    sample_assistant: Any, history: Any
) -> None:
    assistant, llm = with_llm(sample_assistant, ["Kerry [1]."])
    with pytest.raises(InvalidQuestionError, match="history"):
        assistant.ask(QUESTION, history=history)
    assert llm.prompts == []


def test_history_may_be_langchain_messages_or_gradio_parts(sample_assistant: Any) -> None:
    """The same conversation in three shapes gives the same standalone question."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    said = "Sergueï Choïgou est le ministre russe de la Défense [1]."
    shapes = [
        [{"role": "user", "content": "Qui est Sergueï Choïgou ?"},
         {"role": "assistant", "content": said}],
        [SystemMessage("Be brief."), HumanMessage("Qui est Sergueï Choïgou ?"), AIMessage(said)],
        [{"role": "user", "content": [{"type": "text", "text": "Qui est Sergueï Choïgou ?"}]},
         {"role": "assistant", "content": [{"type": "text", "text": said}]}],
    ]  # fmt: skip
    searched = set()
    for history in shapes:
        assistant, _ = with_llm(sample_assistant, ["Il est ministre [1]."] * 3)
        searched.add(assistant.ask("Quel âge a-t-il ?", history=history).standalone_question)
    assert len(searched) == 1 and "Choïgou" in searched.pop()


def test_dates_no_article_can_match_are_refused_and_filters_are_named(
    sample_assistant: Any,
) -> None:
    from assistant.web.chat import FILTERS_NOTE, ChatUI

    assistant, llm = with_llm(sample_assistant, ["Kerry [1]."])
    ui = ChatUI(assistant)
    *_, (chat, _, _) = ui.respond(QUESTION, [], [], "2016-10-01", "2016-09-01")
    assert "is after the To date" in chat[-1]["content"] and llm.prompts == []
    with pytest.raises(InvalidQuestionError, match="after the To date"):
        assistant.retrieve(
            QUESTION, filters=Filters(date_from=date(2017, 1, 1), date_to=date(2016, 1, 1))
        )
    *_, (_, _, note) = ui.respond(QUESTION, [], [], "2016-09-01", "2016-10-31")
    assert FILTERS_NOTE in note
    *_, (_, _, note) = ui.respond(QUESTION, [], [], "", "")
    assert FILTERS_NOTE not in note


@pytest.mark.parametrize("corpus", ["fr", "en"])
def test_a_question_with_no_language_of_its_own_gets_the_articles(
    sample_assistant: Any, corpus: str
) -> None:
    assistant, _ = with_llm(sample_assistant, ["Kerry [1]."])
    assistant.index.manifest.set_meta("language", corpus)
    answer = assistant.ask("2016 ?")
    assert answer.language == corpus
    if answer.refused:
        assert answer.text == assistant.prompts.refusal(corpus)


def test_llm_failure_before_any_token_is_a_clear_error(sample_assistant: Any) -> None:
    assistant, _ = with_llm(sample_assistant, ["Kerry a menacé [1]."], fail_after=0)
    with pytest.raises(LLMUnavailableError):
        assistant.ask(QUESTION)


def test_llm_failure_mid_answer_marks_it_incomplete(sample_assistant: Any) -> None:
    assistant, _ = with_llm(
        sample_assistant, ["John Kerry a menacé de geler la coopération [1]."], fail_after=3
    )
    answer = assistant.ask(QUESTION)
    assert answer.incomplete and not answer.refused
    assert answer.text.startswith("John"), "the partial text is kept, though it has no marker"


def test_empty_index_says_how_to_fill_it(make_settings: Any, embedder: Any) -> None:
    from assistant import Assistant

    assistant = Assistant(
        make_settings(copy_samples=False), llm=RecordingChat([]), embedder=embedder
    )
    with pytest.raises(IndexEmptyError, match="python -m ingest"):
        assistant.ask(QUESTION)


def test_chat_history_in_gradio_parts_reaches_the_rewrite_as_plain_text(
    sample_assistant: Any,
) -> None:
    from assistant.web.chat import ChatUI

    assistant, llm = with_llm(
        sample_assistant, ["Qu'a répondu Sergueï Lavrov à John Kerry ?", "Lavrov [1]."]
    )
    history = [  # what Gradio 6 hands back to the handler for earlier turns
        {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
        {"role": "assistant", "content": [{"type": "text", "text": "John Kerry a menacé [1]."}]},
    ]
    list(ChatUI(assistant).respond("Et Lavrov ?", history, [], "", ""))
    condense_prompt = str(llm.prompts[0][0].content)
    assert f"Earlier question: {QUESTION}" in condense_prompt
    assert "Earlier answer: John Kerry a menacé ." in condense_prompt
    assert "'type'" not in condense_prompt


def test_the_chats_own_notes_are_not_part_of_the_conversation_the_model_reads(
    sample_assistant: Any,
) -> None:
    from assistant.web.chat import STOPPED, ChatUI

    uncited = "*(no passage supports this answer: check it against the articles)*"
    for note in [STOPPED, uncited]:
        assistant, llm = with_llm(
            sample_assistant, ["Qu'a répondu Sergueï Lavrov à John Kerry ?", "Lavrov [1]."]
        )
        history = [
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": f"John Kerry a menacé [1].\n\n{note}"},
        ]
        list(ChatUI(assistant).respond("Et Lavrov ?", history, [], "", ""))
        condense_prompt = str(llm.prompts[0][0].content)
        assert "Earlier answer: John Kerry a menacé ." in condense_prompt
        assert note.strip("*()")[:12] not in condense_prompt


def test_sentences_with_numbers_the_model_did_not_read_are_dropped(sample_assistant: Any) -> None:
    assistant, _ = with_llm(
        sample_assistant, ["Kerry a menacé [1]. Environ 2 000 soldats sont en Syrie [1]."]
    )
    answer = assistant.ask(QUESTION)
    assert not answer.refused and "2 000" not in answer.text and "Kerry" in answer.text
    assistant, _ = with_llm(
        sample_assistant, ["Environ 2 000 soldats américains sont en Syrie [1]."]
    )
    answer = assistant.ask("Combien de soldats américains sont en Syrie ?")
    assert answer.refused and answer.citations == []
    assert answer.text == assistant.prompts.refusal("fr")


def test_the_chat_says_when_a_check_withheld_the_models_answer(sample_assistant: Any) -> None:
    from assistant.web.chat import ChatUI

    assistant, _ = with_llm(sample_assistant, ["Environ 2 000 soldats sont en Syrie [1]."])
    question = "Combien de soldats américains sont en Syrie ?"
    *_, (chat, sources, _) = ChatUI(assistant).respond(question, [], [], "", "")
    shown = chat[-1]["content"]
    assert shown.startswith(assistant.prompts.refusal("fr")) and "stated numbers" in shown
    assert sources, "the passages found stay on screen"
    assistant, _ = with_llm(sample_assistant, [assistant.prompts.refusal("fr")])
    *_, (chat, _, _) = ChatUI(assistant).respond(question, [], [], "", "")
    assert chat[-1]["content"] == assistant.prompts.refusal("fr"), "the model's own: no note"


def test_stop_marks_an_answer_being_written_and_leaves_a_finished_one(
    sample_assistant: Any,
) -> None:
    from assistant.web.chat import STOPPED, WRITING, ChatUI

    assistant, _ = with_llm(sample_assistant, ["John Kerry a menacé de suspendre [1]."])
    shown = [
        chat[-1]["content"] for chat, _, _ in ChatUI(assistant).respond(QUESTION, [], [], "", "")
    ]
    writing = [s for s in shown if s.endswith(WRITING)]
    assert writing and not shown[-1].endswith(WRITING), shown
    partial = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": writing[0]}]
    stopped = ChatUI.stopped(partial)[-1]["content"]
    assert stopped.endswith(STOPPED) and WRITING not in stopped
    assert stopped.startswith(writing[0].removesuffix(WRITING))
    for waiting in ["…", "⏳ Waiting for the model: position 2 in the queue…"]:
        assert ChatUI.stopped([{"role": "assistant", "content": waiting}])[-1]["content"] == STOPPED
    finished = [*partial[:1], {"role": "assistant", "content": shown[-1]}]
    assert ChatUI.stopped(finished) == finished
    assert ChatUI.stopped([]) == [] and ChatUI.stopped(None) == []


def test_a_number_the_articles_write_in_words_may_be_answered_in_digits(
    sample_assistant: Any,
) -> None:
    """An article's "trois heures" supports the model's "3 heures"; "5 heures" it never read."""
    question = "Combien d'heures dure la pause humanitaire proposée par la Russie à Alep ?"
    reply = "La Russie a proposé une pause quotidienne de 3 heures [1]."
    assistant, _ = with_llm(sample_assistant, [reply])
    answer = assistant.ask(question)
    assert not answer.refused and "3 heures" in answer.text
    assistant, _ = with_llm(sample_assistant, [reply.replace("3", "5")])
    assert assistant.ask(question).refused


def test_a_question_stating_a_number_no_article_states_is_refused_before_the_llm(
    sample_assistant: Any,
) -> None:
    """The articles say Kerry and Lavrov negotiated for over 12 hours: a question about their
    47 hours rests on a premise they do not share; one about 12 hours, in digits or in words
    of another language, does not."""
    reply = "Ils ont trouvé un accord [1]."
    wrong_question = "Sur quoi Kerry et Lavrov se sont-ils accordés après 47 heures à Moscou ?"
    assistant, llm = with_llm(sample_assistant, [reply] * 3)
    wrong = assistant.ask(wrong_question)
    assert wrong.refused and wrong.refused_by == "unknown_number_refusal"
    assert llm.prompts == [] and wrong.citations == []
    for question in (
        "Sur quoi Kerry et Lavrov se sont-ils accordés après 12 heures à Moscou ?",
        "What did Kerry and Lavrov agree on after twelve hours in Moscow?",
    ):
        assert assistant.ask(question).refused_by != "unknown_number_refusal", question
    assistant.settings.answer.skip_steps = ["unknown_number_refusal"]
    assistant, llm = with_llm(sample_assistant, [reply])
    assert not assistant.ask(wrong_question).refused


def test_warm_up_embeds_the_passages_and_lets_questions_go_first(sample_assistant: Any) -> None:
    import threading

    assistant, _ = with_llm(sample_assistant, ["Kerry a menacé [1]."])
    stream = assistant.stream(QUESTION)
    assert isinstance(next(stream), Passages)  # a question is being answered
    waited = threading.Thread(target=assistant._wait_for_questions)
    waited.start()
    waited.join(0.5)
    assert waited.is_alive(), "background work waits while a question is answered"
    stream.close()
    waited.join(5)
    assert not waited.is_alive()
    assistant, llm = with_llm(sample_assistant, ["Kerry a menacé [1]."])
    assert assistant.warm_up() > 0
    assert assistant.warm_up() == 0, "nothing left to embed"
    assert llm.prompts == [], "only a llama.cpp model is primed: a fake one is not called"
    assert assistant.ask(QUESTION).text.startswith("Kerry a menacé")


def test_the_step_that_refused_is_named(sample_assistant: Any) -> None:
    assistant, _ = with_llm(
        sample_assistant, ["Les articles ne contiennent pas la réponse à cette question."]
    )
    assert assistant.ask(QUESTION).refused_by == "refusal_detection"
    off_topic = assistant.ask("Quelle est la recette de la tarte Tatin ?")
    assert off_topic.refused_by == "min_score_refusal"
    assistant.settings.answer.skip_steps = ["min_score_refusal"]
    assistant, _ = with_llm(sample_assistant, ["La tarte Tatin se fait avec des pommes [1]."])
    assert assistant.ask("Quelle est la recette de la tarte Tatin ?").refused_by != (
        "min_score_refusal"
    )
