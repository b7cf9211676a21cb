"""Evidence selection: the sentences of the retrieved passages closest to the question."""

from __future__ import annotations

import math
from typing import Any

import pytest

from assistant.answer.evidence import EvidencePicker, _distinctive, _lede
from assistant.index.keywords import KeywordIndex
from assistant.schema import Passage
from assistant.text.sentences import sentence_spans


def passage(n: int, text: str) -> Passage:
    return Passage(f"c{n}", f"a{n}", f"Titre {n}", f"{n}.txt", None, 0, len(text), text, 1.0 / n)


HEADING = "Sommet à Genève\n\nLes ministres se sont retrouvés lundi. M. Kerry est arrivé en retard."
FLOWERS = (
    "Les négociations ont duré douze heures au Kremlin. "
    "Pendant une pause, les deux ministres ont déposé des fleurs devant l'ambassade de France. "
    "Ils ont ensuite repris les discussions."
)
OTHER = "Le ministre de la Défense a parlé d'une phase active. Le pétrole a baissé à Londres."


def test_sentence_spans_split_headings_and_keep_abbreviations() -> None:
    spans = sentence_spans(HEADING)
    assert [HEADING[a:b] for a, b in spans] == [
        "Sommet à Genève",
        "Les ministres se sont retrouvés lundi.",
        "M. Kerry est arrivé en retard.",
    ]


def test_best_sentences_within_budget_in_article_order(embedder: Any) -> None:
    picker = EvidencePicker(embedder, embedder.count_tokens, max_tokens=40, per_passage=2)
    passages = [passage(1, OTHER), passage(2, FLOWERS)]
    excerpts = picker.pick("Qu'ont fait les ministres pendant la pause ?", passages)
    assert excerpts, "some evidence is always chosen"
    flowers = next(e for e in excerpts if e.passage is passages[1])
    assert "fleurs" in flowers.text
    assert sum(embedder.count_tokens(e.text) for e in excerpts) <= 40 + 5  # the gap marks
    for e in excerpts:  # whole sentences of the passage, in order
        parts = e.text.split(" … ")
        positions = [e.passage.text.index(p) for p in parts]
        assert positions == sorted(positions)
    assert [e.passage for e in excerpts] == [
        p for p in passages if p in {e.passage for e in excerpts}
    ]


def test_per_passage_cap_and_unused_passages_left_out(embedder: Any) -> None:
    picker = EvidencePicker(embedder, embedder.count_tokens, max_tokens=500, per_passage=1)
    passages = [passage(1, FLOWERS), passage(2, HEADING)]
    excerpts = picker.pick("Qu'ont déposé les ministres devant l'ambassade ?", passages)
    assert all(len(sentence_spans(e.text)) == 1 for e in excerpts)
    small = EvidencePicker(embedder, embedder.count_tokens, max_tokens=1, per_passage=3)
    one = small.pick("Qu'ont déposé les ministres devant l'ambassade ?", passages)
    assert len(one) == 1 and "fleurs" in one[0].text, "the best sentence even over budget"


def test_rare_question_words_pull_their_sentence_in(embedder: Any) -> None:
    texts = [FLOWERS, OTHER] + [
        f"Les ministres ont discuté de la Syrie au Kremlin {i}." for i in range(8)
    ]
    keyword = KeywordIndex.build([f"k{i}" for i in range(len(texts))], texts)
    weights = keyword.term_weights("Où est la pause des ministres au Kremlin ?")
    assert weights["paus"] > weights["ministr"] > 0 and "ou" not in weights
    question = "Que s'est-il passé à la pause des ministres au Kremlin ?"
    passages = [passage(1, FLOWERS)]
    plain = EvidencePicker(embedder, embedder.count_tokens, max_tokens=1, per_passage=1)
    lexical = EvidencePicker(
        embedder, embedder.count_tokens, max_tokens=1, per_passage=1, keyword_weight=1.0
    )
    chosen = lexical.pick(question, passages, keyword.term_weights)[0].text
    assert "pause" in chosen
    # by embeddings alone the sentence sharing "ministres … Kremlin" wins
    assert "pause" not in plain.pick(question, passages, keyword.term_weights)[0].text


def test_favoured_sentences_win_a_close_call(embedder: Any) -> None:
    """A follow-up's evidence favours what the last answer cited: with room for one sentence,
    the favoured one is read although another matches the question as well or better."""
    picker = EvidencePicker(embedder, embedder.count_tokens, max_tokens=1, per_passage=1)
    passages = [passage(1, FLOWERS), passage(2, OTHER)]
    question = "Qu'ont fait les ministres ?"
    plain = picker.pick(question, passages)[0].text
    other = next(
        s
        for p in passages
        for a, b in sentence_spans(p.text)
        if (s := p.text[a:b]) != plain and len(s.split()) >= 5
    )
    favouring = EvidencePicker(
        embedder, embedder.count_tokens, max_tokens=1, per_passage=1, favour=1.0
    )
    assert favouring.pick(question, passages, favoured=[f"… {other} …"])[0].text == other
    assert favouring.pick(question, passages)[0].text == plain, "no favour without a text"


def test_warm_up_embeds_sentences_before_the_questions(embedder: Any) -> None:
    calls: list[int] = []

    class Counting:
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            calls.append(len(texts))
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    picker = EvidencePicker(Counting(), embedder.count_tokens, max_tokens=60, per_passage=2)  # type: ignore[arg-type]
    waits: list[int] = []
    warmed = picker.warm([FLOWERS, OTHER, HEADING], batch=2, wait=lambda: waits.append(1))
    assert warmed == sum(calls) >= 5 and len(waits) == len(calls) >= 3, "in batches, waiting first"
    calls.clear()
    picker.pick("Qu'ont fait les ministres pendant la pause ?", [passage(1, FLOWERS)])
    assert calls == [], "the question found every sentence embedded"
    assert picker.warm([FLOWERS]) == 0


def test_question_words_in_most_candidates_weigh_less() -> None:
    """Names in every candidate sentence tell them apart less than a word found in one."""
    sentences = [{"kerry", "lavrov", "accord"}, {"kerry", "lavrov"}, {"kerry", "paus", "fleur"}]
    weights = _distinctive({"kerry": 2.0, "paus": 2.0, "absent": 1.0}, sentences)
    assert weights["paus"] == 2.0 and weights["absent"] == 1.0, "in one sentence or none: kept"
    assert weights["kerry"] == pytest.approx(2.0 * math.log(2.0) / math.log(4.0))
    assert _distinctive({"kerry": 2.0}, [{"kerry"}]) == {"kerry": 2.0}, "one candidate: kept"


def test_a_keyword_in_one_candidate_beats_a_name_in_all_of_them(embedder: Any) -> None:
    """Archive-wide, "Kerry" weighs more than "pause" here; among these candidates every
    sentence but one names Kerry, so the one holding "pause" is the one the keywords single
    out (without the candidate scaling the Kerry sentences would win the keyword share)."""
    texts = [
        "Kerry a parlé à Genève lundi matin.",
        "Kerry a rencontré Lavrov à Moscou hier soir.",
        "Kerry est arrivé au Kremlin avec du retard.",
        "Pendant la pause, les ministres ont déposé des fleurs.",
    ]
    passages = [passage(i + 1, t) for i, t in enumerate(texts)]
    picker = EvidencePicker(
        embedder, embedder.count_tokens, max_tokens=1, per_passage=1, keyword_weight=10.0
    )
    (chosen,) = picker.pick(
        "Qu'a fait Kerry pendant la pause ?", passages, lambda q: {"kerry": 2.0, "paus": 1.5}
    )
    assert "fleurs" in chosen.text


def test_the_lede_is_read_on_top_of_the_budget(embedder: Any) -> None:
    """The lead passage's first sentence after its title is read whatever its score, and the
    best sentences still get the whole budget; a lede longer than the budget is not."""
    title = "Syrie. Les ministres se retrouvent à Genève"  # a full stop inside the title
    lede = "Les ministres des Affaires étrangères se sont retrouvés lundi à Genève."
    text = f"{title}\n\n{lede} M. Kerry est arrivé en retard à la réunion."
    opening = Passage("c0", "a0", title, "0.txt", None, 0, len(text), text, 0.0, opening=True)
    passages = [opening, passage(1, FLOWERS)]
    question = "Qu'ont déposé les ministres devant l'ambassade ?"
    picker = EvidencePicker(embedder, embedder.count_tokens, max_tokens=1, per_passage=2)
    plain = picker.pick(question, passages)
    assert [e.passage for e in plain] == [passages[1]], "one sentence fits: the flowers"
    wide = EvidencePicker(embedder, embedder.count_tokens, max_tokens=40, per_passage=1)
    led = wide.pick(question, passages, lead=0)
    assert [e.number for e in led] == [1, 2]
    assert led[0].text == lede, "the lede, not the title's end"
    assert "fleurs" in led[1].text
    assert picker.pick(question, passages, lead=0) == plain, "a lede over the budget: not read"
    assert picker.pick(question, passages, lead=5) == plain, "no such passage: no lede"


def test_the_lede_follows_the_title_however_it_is_spaced() -> None:
    title = "Syrie. Kerry et Lavrov se mettent d'accord"
    text = "# Syrie.  Kerry et Lavrov\nse mettent d'accord\n\nLes deux ministres ont parlé lundi."
    p = Passage("c0", "a0", title, "0.txt", None, 0, len(text), text, 0.0)
    spans = sentence_spans(text)
    assert text[slice(*spans[_lede(p, spans) or 0])] == "Les deux ministres ont parlé lundi."
    untitled = Passage("c1", "a1", "Autre titre", "1.txt", None, 0, len(text), text, 0.0)
    assert _lede(untitled, spans) == 0, "no title at the start: the first sentence"
