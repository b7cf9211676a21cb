"""Retrieval on the real sample index: the right article first, filters, duplicates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from assistant.errors import InvalidQuestionError
from assistant.schema import Filters
from tests.conftest import dev_cases

SINGLE_TURN = [c for c in dev_cases() if c["answerable"] and "question" in c]


def article_rank(passages: list[Any], sources: list[str]) -> int | None:
    return next((n for n, p in enumerate(passages, start=1) if p.file in sources), None)


def test_right_article_first_for_dev_questions(sample_assistant: Any) -> None:
    """Every answerable dev question finds a source article in the top 5, and nearly always
    first (MRR at the article level)."""
    ranks = {}
    for case in SINGLE_TURN:
        ranks[case["id"]] = article_rank(
            sample_assistant.retrieve(case["question"], k=5), case["sources"]
        )
    assert all(r is not None for r in ranks.values()), ranks
    mrr = sum(1 / r for r in ranks.values() if r) / len(ranks)
    assert mrr >= 0.8, ranks


def test_passages_carry_offsets_into_the_cleaned_article(sample_assistant: Any) -> None:
    for p in sample_assistant.retrieve("Kerry et Lavrov ont déposé des fleurs", k=5):
        article = sample_assistant.article_text(p.article_id)
        assert article[p.start : p.end] == p.text
        assert p.title and p.file.endswith(".txt")
    best = sample_assistant.retrieve("Kerry et Lavrov ont déposé des fleurs", k=3)
    assert any("fleurs" in p.text for p in best)


def test_english_question_finds_french_article(sample_assistant: Any) -> None:
    best = sample_assistant.retrieve("What did the Russian defence minister say about Aleppo?", k=3)
    assert any(p.file.startswith("004") for p in best)


def test_syndicated_paragraph_appears_once(sample_assistant: Any) -> None:
    passages = sample_assistant.retrieve(
        "bombardement des troupes syriennes par la coalition et convoi humanitaire de l'ONU", k=5
    )
    texts = [" ".join(p.text.split()).casefold() for p in passages]
    assert len(texts) == len(set(texts))
    assert sum("convoi humanitaire" in t for t in texts) == 1


def test_filter_by_article(sample_assistant: Any) -> None:
    target = next(a for a in sample_assistant.articles() if a.file.startswith("004"))
    passages = sample_assistant.retrieve(
        "Kerry", k=5, filters=Filters(article_ids=(target.article_id,))
    )
    assert passages and {p.article_id for p in passages} == {target.article_id}


def test_filter_by_date_range(make_settings: Any, embedder: Any) -> None:
    """The samples state no publication date; two dated articles join them."""
    from assistant import Assistant
    from ingest.pipeline import run_ingest

    settings = make_settings()
    for day in (28, 2):
        (settings.articles_dir / f"kerry-{day}.txt").write_text(
            f"Kerry menace Moscou ({day})\n\nPublié le {day} septembre 2016\n\n"
            f"John Kerry a menacé de suspendre la coopération avec la Russie, le {day}.",
            encoding="utf-8",
        )
    run_ingest(settings, embedder)
    assistant = Assistant(settings, embedder=embedder)
    late = Filters(date_from=date(2016, 9, 15), date_to=date(2016, 9, 30))
    passages = assistant.retrieve("Kerry menace", k=5, filters=late)
    assert passages and {p.file for p in passages} == {"kerry-28.txt"}
    assert all(p.published == "2016-09-28" for p in passages)
    none = assistant.retrieve("Kerry", k=5, filters=Filters(date_from=date(2020, 1, 1)))
    assert none == []


def test_langchain_retriever_interface(sample_assistant: Any) -> None:
    docs = sample_assistant.as_retriever(k=3).invoke("Qui est Sergueï Choïgou ?")
    assert len(docs) == 3
    assert docs[0].metadata["file"].startswith("004")
    assert docs[0].page_content


def test_keyword_index_finds_a_rare_name(sample_assistant: Any) -> None:
    passages = sample_assistant.retrieve("Poznikhir", k=3)
    assert "Poznikhir" in passages[0].text
    assert passages[0].keyword_score is not None


def test_empty_index_returns_nothing(make_settings: Any, embedder: Any) -> None:
    from assistant import Assistant

    assistant = Assistant(make_settings(copy_samples=False), embedder=embedder)
    assert assistant.retrieve("Kerry") == []


def test_the_best_passage_comes_with_its_articles_opening(sample_assistant: Any) -> None:
    """A passage from the middle of an article is preceded by the article's first passage
    (title and lede); an opening already found is only pointed at."""
    retriever = sample_assistant.retriever
    found = sample_assistant.retrieve("fenêtre de trois heures pas suffisante", k=1)
    assert found[0].start > 0
    with_opening, lead = retriever.with_opening(found)
    assert lead == 0 and with_opening[1:] == found
    opening = with_opening[0]
    assert opening.article_id == found[0].article_id and opening.start == 0
    article = sample_assistant.article_text(opening.article_id)
    assert article[: opening.end] == opening.text and opening.text.startswith(opening.title)
    assert opening.opening and not any(p.opening for p in found)
    assert retriever.with_opening([found[0], opening]) == ([found[0], opening], 1)
    copy = replace(opening, chunk_id="copy", article_id="other", opening=False)  # syndicated
    assert retriever.with_opening([found[0], copy]) == ([found[0], copy], 1)
    assert retriever.with_opening([]) == ([], None)


@pytest.mark.parametrize("k", [0, -1, 2.5, "5", True])
def test_a_count_of_passages_that_is_not_one_or_more_is_refused(
    sample_assistant: Any, k: Any
) -> None:
    with pytest.raises(InvalidQuestionError, match="1 or more"):
        sample_assistant.retrieve("Kerry", k=k)
    with pytest.raises(InvalidQuestionError, match="1 or more"):
        sample_assistant.as_retriever(k=k)


@pytest.mark.parametrize("question", [None, "", "   \n", "?", " ¿ … ! "])
def test_retrieve_checks_the_question_as_ask_does(sample_assistant: Any, question: Any) -> None:
    with pytest.raises(InvalidQuestionError):
        sample_assistant.retrieve(question, k=3)
    with pytest.raises(InvalidQuestionError):
        sample_assistant.as_retriever().invoke(question)


def test_the_langchain_retriever_checks_what_invoke_is_given(sample_assistant: Any) -> None:
    retriever = sample_assistant.as_retriever(k=3)
    with pytest.raises(InvalidQuestionError, match="1 or more"):
        retriever.invoke("Kerry", k=0)
    backwards = Filters(date_from=date(2017, 1, 1), date_to=date(2016, 1, 1))
    with pytest.raises(InvalidQuestionError, match="after the To date"):
        retriever.invoke("Kerry", filters=backwards)
    with pytest.raises(InvalidQuestionError, match="after the To date"):
        sample_assistant.as_retriever(filters=backwards)


def test_a_long_question_is_searched_cut_to_the_limit(sample_assistant: Any) -> None:
    limit = sample_assistant.settings.answer.max_question_chars
    asked = ("Kerry et Lavrov ont déposé des fleurs. " * limit)[:limit]
    cut = sample_assistant.retrieve(asked, k=3)
    longer = sample_assistant.retrieve(asked + " Poznikhir, Choïgou, Kirby" * 500, k=3)
    assert [p.chunk_id for p in longer] == [p.chunk_id for p in cut]
