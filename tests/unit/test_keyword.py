"""Keyword index: what a user notices searching names, words and numbers, plus persistence."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from assistant.index.keywords import KeywordIndex, normalize, query_terms

DOCS = {
    "alep": "Les bombardements sur ALÉP ont repris lundi, selon l'Observatoire syrien.",
    "lavrov": "Sergueï Lavrov a rencontré son homologue américain à Genève en 2016.",
    "escalade": "L’escalade militaire inquiète les diplomates européens.",
    "climat": "The climate summit ended without an agreement on coal.",
    "budget": "Le budget 2024 prévoit 12 milliards d'économies.",
    "oeuvre": "Une œuvre de Goethe a été retrouvée à Straße Allee.",
}


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    return KeywordIndex.build(list(DOCS), list(DOCS.values()))


def top_ids(index: KeywordIndex, query: str, k: int = 3) -> list[str]:
    return [doc_id for doc_id, _ in index.search(query, k)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Alep", "alep"),  # case and accent folding: ALÉP
        ("alép", "alep"),
        ("Serguei", "lavrov"),  # Sergueï
        ("SERGUEÏ LAVROV", "lavrov"),
        ("escalade", "escalade"),  # elision with a typographic apostrophe in the text
        ("l'escalade", "escalade"),
        ("d’Alep", "alep"),  # elision with a typographic apostrophe in the query
        ("bombardement", "alep"),  # singular finds plural
        ("2016", "lavrov"),  # numbers are kept
        ("12 milliards", "budget"),
        ("oeuvre", "oeuvre"),  # œ -> oe
        ("strasse", "oeuvre"),  # ß -> ss
        ("climate agreement", "climat"),
    ],
)
def test_query_finds_document(index: KeywordIndex, query: str, expected: str) -> None:
    assert top_ids(index, query)[0] == expected


def test_normalize_folds_elides_and_stems() -> None:
    assert normalize("ALÉP") == normalize("Alep") == normalize("d’Alep") == normalize("l'Alep")
    assert normalize("Sergueï") == normalize("Serguei")
    assert normalize("bombardements") == normalize("bombardement")
    assert normalize("En 2016, 12 morts") == ["2016", "12", *normalize("morts")]
    assert normalize("jusqu’à ce qu'il le fasse, the end")[-1:] == normalize("end")


@pytest.mark.parametrize("query", ["le la les de", "the of and", "", "   ", "!!! ?"])
def test_stopwords_or_nothing_return_no_hit(index: KeywordIndex, query: str) -> None:
    assert normalize(query) == []
    assert index.search(query, 5) == []


def test_words_about_the_articles_are_not_searched_for() -> None:
    """ "Cité dans les articles" is true of every passage: it must not pull in the ones that
    happen to say "article" or "cité"."""
    texts = {
        "a": "Un article de loi cité par le ministre.",
        "b": "Les bombardements sur la ville d'Alep.",
    }
    index = KeywordIndex.build(list(texts), list(texts.values()))
    question = "Quelle ville est citée dans les articles ?"
    assert query_terms(question) == normalize("Quelle ville est dans les ?")
    assert top_ids(index, question) == ["b"]
    assert "articl" not in index.term_weights(question)
    assert normalize("cité dans les articles"), "the passages' own words are still indexed"


def test_unknown_words_return_no_hit(index: KeywordIndex) -> None:
    assert index.search("zzyzx quokka", 5) == []


def test_unknown_words_do_not_hide_known_ones(index: KeywordIndex) -> None:
    assert top_ids(index, "zzyzx Alep")[0] == "alep"


def test_scores_positive_best_first_and_only_matches(index: KeywordIndex) -> None:
    hits = index.search("Alep Genève", 10)
    assert {doc_id for doc_id, _ in hits} == {"alep", "lavrov"}
    scores = [score for _, score in hits]
    assert all(score > 0 for score in scores)
    assert scores == sorted(scores, reverse=True)


def test_rare_term_ranks_first() -> None:
    texts = ["Le conflit en Syrie continue."] * 8 + ["Le conflit en Syrie et la ville de Homs."]
    ids = [f"d{i}" for i in range(len(texts))]
    idx = KeywordIndex.build(ids, texts)
    hits = idx.search("conflit Homs", 3)
    assert hits[0][0] == "d8"
    assert hits[0][1] > hits[1][1]


def test_k_limits_results(index: KeywordIndex) -> None:
    assert len(index.search("Alep Lavrov budget climate", 2)) == 2
    assert index.search("Alep", 0) == []


def test_allowed_filter_still_returns_k_hits() -> None:
    # 500 passages mention Alep, only the odd ones are allowed, and the best ones are even.
    texts = [("Alep " * (3 if i % 2 == 0 else 1)) + f"texte {i}" for i in range(500)]
    ids = [f"p{i}" for i in range(500)]
    idx = KeywordIndex.build(ids, texts)

    def allowed(doc_id: str) -> bool:
        return int(doc_id[1:]) % 2 == 1

    hits = idx.search("Alep", 10, allowed=allowed)
    assert len(hits) == 10
    assert all(allowed(doc_id) for doc_id, _ in hits)
    assert all(int(doc_id[1:]) % 2 == 0 for doc_id, _ in idx.search("Alep", 10))


def test_allowed_filter_with_few_matches_returns_all_of_them() -> None:
    texts = [f"Alep rapport {i}" for i in range(300)]
    ids = [f"p{i}" for i in range(300)]
    idx = KeywordIndex.build(ids, texts)
    hits = idx.search("Alep", 10, allowed=lambda doc_id: doc_id in {"p7", "p299"})
    assert sorted(doc_id for doc_id, _ in hits) == ["p299", "p7"]
    assert idx.search("Alep", 10, allowed=lambda doc_id: False) == []


def test_empty_index() -> None:
    idx = KeywordIndex.build([], [])
    assert len(idx) == 0 and idx.ids == []
    assert idx.search("Alep", 5) == []


def test_index_of_stopwords_only() -> None:
    idx = KeywordIndex.build(["a", "b"], ["le la les", ""])
    assert len(idx) == 2
    assert idx.search("le", 5) == []


def test_build_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        KeywordIndex.build(["a", "a"], ["x", "y"])
    with pytest.raises(ValueError):
        KeywordIndex.build(["a"], ["x", "y"])


def test_save_load_round_trip(index: KeywordIndex, tmp_path: Path) -> None:
    target = tmp_path / "keyword"
    index.save(target, "gen-42")
    assert index.stamp == "gen-42"
    assert KeywordIndex.read_stamp(target) == "gen-42"
    loaded = KeywordIndex.load(target)
    assert loaded is not None
    assert loaded.stamp == "gen-42"
    assert loaded.ids == index.ids and len(loaded) == len(index)
    for query in ["Alep", "Serguei 2016", "climate", "d’Alep bombardements", "zzyzx"]:
        assert loaded.search(query, 5) == index.search(query, 5)


def test_save_load_empty_index(tmp_path: Path) -> None:
    KeywordIndex.build([], []).save(tmp_path / "kw", "empty")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded is not None and len(loaded) == 0 and loaded.stamp == "empty"
    assert loaded.search("Alep", 3) == []


def test_load_missing_returns_none(tmp_path: Path) -> None:
    assert KeywordIndex.load(tmp_path / "nothing") is None
    assert KeywordIndex.read_stamp(tmp_path / "nothing") is None


@pytest.mark.parametrize(
    "damage", ["truncate_matrix", "garbage_meta", "drop_vocab", "ids_count", "old_normalizer"]
)
def test_load_corrupted_returns_none(
    index: KeywordIndex, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    target = tmp_path / "keyword"
    index.save(target, "s1")
    if damage == "truncate_matrix":
        path = target / "data.csc.index.npy"
        path.write_bytes(path.read_bytes()[:40])
    elif damage == "garbage_meta":
        (target / "keyword.json").write_text("{not json", encoding="utf-8")
    elif damage == "drop_vocab":
        (target / "vocab.index.json").unlink()
    else:
        meta = json.loads((target / "keyword.json").read_text(encoding="utf-8"))
        if damage == "ids_count":
            meta["ids"] = meta["ids"][:-1]
        else:  # an index built with different tokens would silently miss every query
            meta["normalizer"] = 0
        (target / "keyword.json").write_text(json.dumps(meta), encoding="utf-8")
    assert KeywordIndex.load(target) is None
    assert "unreadable" in caplog.text


def test_save_replaces_existing_index_atomically(index: KeywordIndex, tmp_path: Path) -> None:
    target = tmp_path / "keyword"
    index.save(target, "gen-1")
    newer = KeywordIndex.build(["x"], ["Kharkiv sous les bombes"])
    newer.save(target, "gen-2")
    loaded = KeywordIndex.load(target)
    assert loaded is not None
    assert loaded.stamp == "gen-2" and loaded.ids == ["x"]
    assert loaded.search("Alep", 5) == []
    assert loaded.search("Kharkiv", 5)[0][0] == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyword"]  # no temp dirs left


def test_failed_save_keeps_previous_index(
    index: KeywordIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "keyword"
    index.save(target, "gen-1")
    newer = KeywordIndex.build(["x"], ["Kharkiv"])

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(newer._bm25, "save", fail)
    with pytest.raises(OSError):
        newer.save(target, "gen-2")
    loaded = KeywordIndex.load(target)
    assert loaded is not None and loaded.stamp == "gen-1" and loaded.ids == index.ids
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyword"]


def test_twenty_thousand_passages(tmp_path: Path) -> None:
    rng = random.Random(0)
    vocab = [f"mot{i}" for i in range(3000)]
    texts = [" ".join(rng.choices(vocab, k=60)) for _ in range(20_000)]
    texts[12_345] += " Zaporijia"
    ids = [f"doc-{i}" for i in range(20_000)]
    idx = KeywordIndex.build(ids, texts)
    assert len(idx) == 20_000
    assert [doc_id for doc_id, _ in idx.search("Zaporijia", 5)] == ["doc-12345"]
    hits = idx.search("mot1 mot2 mot3", 50, allowed=lambda d: d.endswith("7"))
    assert len(hits) == 50 and all(d.endswith("7") for d, _ in hits)
    idx.save(tmp_path / "kw", "big")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded is not None
    assert loaded.search("mot1 mot2 mot3", 20) == idx.search("mot1 mot2 mot3", 20)
