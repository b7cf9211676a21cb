from __future__ import annotations

from ingest.chunk import chunk_text, text_hash


def words(text: str) -> int:
    return len(text.split())


def test_offsets_point_into_the_text() -> None:
    text = (
        "Titre court\n\n" + "Une phrase assez longue pour compter. " * 12 + "\n\nFin du texte ici."
    )
    for chunk in chunk_text(text, words, max_tokens=30, min_tokens=5):
        assert text[chunk.start : chunk.end] == chunk.text


def test_short_heading_joins_the_next_paragraph() -> None:
    text = "Distinguer opposition\n\n" + "Le ministre a parlé longuement de la situation. " * 3
    chunks = chunk_text(text, words, max_tokens=100, min_tokens=5)
    assert len(chunks) == 1
    assert chunks[0].text.startswith("Distinguer opposition")


def test_each_normal_paragraph_is_its_own_chunk() -> None:
    para = "Le ministre russe a déclaré que la Russie poursuivra ses efforts de paix."
    text = "\n\n".join(f"{para} ({i})" for i in range(4))
    chunks = chunk_text(text, words, max_tokens=100, min_tokens=5)
    assert [c.text for c in chunks] == [f"{para} ({i})" for i in range(4)]


def test_long_paragraph_splits_on_sentences_with_overlap_and_budget() -> None:
    sentences = [f"Phrase numéro {i} avec quelques mots de plus." for i in range(20)]
    text = " ".join(sentences)
    chunks = chunk_text(text, words, max_tokens=25, min_tokens=0, overlap_sentences=1)
    assert len(chunks) > 1
    assert all(words(c.text) <= 25 for c in chunks)
    for a, b in zip(chunks, chunks[1:], strict=False):
        last_sentence_of_a = a.text.split(". ")[-1]
        assert b.text.startswith(last_sentence_of_a.rstrip(".")), "one sentence of overlap"
    covered = " ".join(c.text for c in chunks)
    assert all(s in covered for s in sentences)


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Selon M. Kerry, la trêve tient. " * 2 + "Le porte-parole J. Kirby a confirmé."
    chunks = chunk_text(text, words, max_tokens=8, min_tokens=0, overlap_sentences=0)
    assert not any(c.text.endswith("M.") or c.text.endswith("J.") for c in chunks)


def test_text_hash_ignores_spacing_and_case() -> None:
    assert text_hash("Alep  est\nbombardée") == text_hash("alep est bombardée")
    assert text_hash("Alep") != text_hash("Moscou")


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_text("", words) == []


def test_sentence_over_the_budget_is_cut_between_words() -> None:
    text = "Intro courte.\n\n" + " ".join(f"mot{i}" for i in range(300)) + "\n\nFin du texte ici."
    chunks = chunk_text(text, words, max_tokens=40, min_tokens=0)
    assert all(words(c.text) <= 40 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    long_words = [w for c in chunks for w in c.text.split() if w.startswith("mot")]
    assert long_words == [f"mot{i}" for i in range(300)], "every word kept once, in order"


def test_single_line_without_spaces_is_still_cut() -> None:
    text = "x" * 5000

    def chars(t: str) -> int:
        return len(t) // 4

    chunks = chunk_text(text, chars, max_tokens=100, min_tokens=0)
    assert len(chunks) > 1 and all(chars(c.text) <= 100 for c in chunks)
    assert "".join(c.text for c in chunks) == text


class WordCounter:
    """An embedder as chunking sees it: a name, a window, a token count (one per word)."""

    name = "words"

    def __init__(self, window: int) -> None:
        self.window = window

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_chunks_fit_a_window_smaller_than_the_budget() -> None:
    """MiniLM reads 256 tokens and cuts the rest: chunk.max_tokens (320) must not win."""
    from pathlib import Path

    from assistant.settings import Settings
    from ingest.loader import RawDocument
    from ingest.pipeline import prepare

    sentence = "Les ministres ont parlé longuement de la situation à Alep hier soir. "
    doc = RawDocument(Path("a.txt"), "a.txt", "Titre\n\n" + sentence * 40)
    settings = Settings()
    for window, most in ((60, 60), (0, settings.chunk.max_tokens)):
        prepared = prepare(doc, WordCounter(window), settings)
        assert not isinstance(prepared, str)
        sizes = [len(c.text.split()) for c in prepared.chunks]
        assert max(sizes) <= most and len(sizes) > 1
    assert max(sizes) > 60, "without a window, the budget alone applies"
