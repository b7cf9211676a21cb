"""The evaluation harness: pure scoring rules, then `python -m assistant.eval` over the real
sample index with a scripted fake chat model (the retrieval figures come from real retrieval)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.eval import metrics
from assistant.eval.cases import load_cases
from assistant.eval.report import summarize
from assistant.eval.runner import main
from assistant.service import Assistant

# --- scoring rules ------------------------------------------------------------------------


def test_fold_ignores_case_accents_and_typography() -> None:
    assert metrics.fold("Département d’État") == metrics.fold("departement d'etat")
    assert metrics.fold("SERGUEÏ  Choïgou") == "serguei choigou"
    assert metrics.fold("Œuvre porte‑parole") == "oeuvre porte-parole"


def test_every_group_needs_one_alternative() -> None:
    expect = [["fleurs"], ["nice", "ambassade"]]
    assert metrics.matches_expect("Ils ont déposé des FLEURS devant l'Ambassade.", expect)
    assert not metrics.matches_expect("Ils ont déposé des fleurs.", expect)
    assert not metrics.matches_expect("Ils sont allés à l'ambassade.", expect)
    assert metrics.matches_expect("Le ministre de la Défense.", [["defense", "défense"]])
    assert metrics.matches_expect("anything", [])


def test_answers_match_in_squad_form_articles_and_punctuation_aside() -> None:
    assert metrics.answer_form("L'armée du général Bugeaud.") == "armee general bugeaud"
    assert metrics.matches_expect("Il est né le 10 septembre 1844 [1].", [["10 septembre 1844"]])
    assert metrics.matches_expect("The Economist Intelligence Unit [2].", [["the Economist"]])
    assert metrics.matches_expect("À −11.7 °C.", [["−11.7 °C"]])
    assert not metrics.matches_expect("Kerryville", [["Kerry"]]), "whole words only"
    assert not metrics.matches_expect("Rien.", [["le"]]), "an article alone matches nothing"


def test_rank_and_reciprocal_rank_at_the_article_level() -> None:
    files = ["b.txt", "uploads/a.txt", "a.txt", "c.txt"]
    assert metrics.first_source_rank(files, ["a.txt"]) == 2
    assert metrics.first_source_rank(files, ["z.txt"]) is None
    assert metrics.reciprocal_rank(2, k=5) == 0.5
    assert metrics.reciprocal_rank(4, k=3) == 0.0
    assert metrics.reciprocal_rank(None, k=5) == 0.0


def test_citation_precision_edge_cases() -> None:
    assert metrics.citation_precision(["a.txt", "b.txt", "a.txt"], ["a.txt"]) == pytest.approx(
        2 / 3
    )
    assert metrics.citation_precision([], ["a.txt"]) is None


def test_percentile_interpolates_and_handles_few_values() -> None:
    assert metrics.percentile([], 50) is None
    assert metrics.percentile([3.0], 95) == 3.0
    assert metrics.percentile([4.0, 1.0, 2.0, 3.0], 50) == 2.5
    assert metrics.percentile([float(v) for v in range(1, 21)], 95) == pytest.approx(19.05)


def _case(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "x", "lang": "fr", "answerable": True, "multi_turn": False, "sources": ["a.txt"],
        "refused": False, "cited_files": [], "rank": 1, "hit": True, "reciprocal_rank": 1.0,
        "correct": True, "error": None, "retrieval_s": 0.1, "passages_s": 0.2,
        "first_token_s": 1.0, "total_s": 2.0, "turns": 1,
    }  # fmt: skip
    return {**base, **overrides}


def test_summary_counts_refusals_and_errors_against_the_scores() -> None:
    cases = [
        _case(id="ok", cited_files=["a.txt", "b.txt"]),
        _case(id="refused", refused=True, correct=False, rank=3, hit=True, reciprocal_rank=1 / 3),
        _case(
            id="unans",
            answerable=False,
            refused=True,
            sources=[],
            rank=None,
            hit=None,
            reciprocal_rank=None,
            first_token_s=None,
        ),  # fmt: skip
        _case(
            id="err",
            refused=None,
            correct=False,
            rank=None,
            hit=None,
            reciprocal_rank=None,
            error="boom",
            retrieval_s=None,
            passages_s=None,
            first_token_s=None,
            total_s=None,
        ),  # fmt: skip
    ]
    summary = summarize(cases, k=5)["summary"]
    assert summary["n"] == 4 and summary["errors"] == 1
    assert summary["hit_at_5"] == pytest.approx(2 / 3)  # the error counts as a miss
    assert summary["mrr"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert summary["answer_correct"] == 0.5
    assert summary["refusal_accuracy"] == 0.5  # "refused" wrongly refused, "err" unknown
    # only the answered answerable case counts; a refusal has no citations to judge
    assert summary["citation_precision"] == 0.5
    assert summary["citation_presence"] == 1.0
    assert summary["multiturn_correct"] is None
    assert summary["first_token_p50_s"] == 1.0 and summary["total_p95_s"] == 2.0


# --- the command on a temporary file -------------------------------------------------------


class ScriptedChat(GenericFakeChatModel):
    """A fake chat model whose reply is chosen from the prompt; records every prompt."""

    script: Callable[[list[BaseMessage]], str]
    prompts: list[list[BaseMessage]] = []

    def __init__(self, script: Callable[[list[BaseMessage]], str]) -> None:
        super().__init__(messages=iter(()), script=script, prompts=[])

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.prompts.append(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self.script(messages)))])


SOURCES_SYRIA = ["000_e1f7ea9abf238fdd.txt", "001_15df5f8cc0ffe991.txt", "002_ad97fbf99101d503.txt"]
Q_RIGHT = "Quel ministre américain veut arrêter de coopérer avec Moscou ?"
Q_UNCITED = "Qui dirige le ministère russe de la Défense ?"
Q_UNCITED_EN = "Who runs the ministry of defence in Russia?"  # searched with Q_UNCITED too
Q_NONE = "Combien coûte une baguette selon ces textes ?"
TURNS = ["Que déclare le président russe au sujet de la Syrie ?", "À qui parlait-il ?"]
STANDALONE = "À qui Vladimir Poutine parlait-il de la Syrie ?"


def _use(sample: Any, script: Callable[[list[BaseMessage]], str]) -> tuple[Assistant, ScriptedChat]:
    """An assistant over the sample index whose LLM is a fake following `script`."""
    llm = ScriptedChat(script)
    # the fake model decides refusals here, not the pre-LLM similarity threshold
    sample.settings.retrieval.min_dense_score = -1.0
    return Assistant(sample.settings, llm=llm, embedder=sample.embedder, index=sample.index), llm


def _write(tmp_path: Path, cases: list[dict[str, Any]]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n", "utf-8")
    return path


def test_eval_command_on_the_sample_index(
    sample_assistant: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refusal = sample_assistant.prompts.refusal("fr")

    def script(messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        if "Translate this text" in prompt:  # the English question, to search French articles
            assert Q_UNCITED_EN in prompt
            return Q_UNCITED
        if len(messages) == 1:  # the follow-up rewrite
            assert TURNS[1] in prompt
            return STANDALONE
        if Q_RIGHT in prompt:
            return "John Kerry a menacé de suspendre cette coopération [1]."
        if Q_UNCITED_EN in prompt:  # an English answer about French articles: flagged uncited
            return "He is a former cosmonaut."
        if TURNS[0] in prompt:
            return "Le président russe a parlé de la trêve [1]."
        if STANDALONE in prompt:
            return "Il parlait avec Angela Merkel [1]."
        return refusal

    assistant, llm = _use(sample_assistant, script)
    path = _write(
        tmp_path,
        [
            {
                "id": "right",
                "answerable": True,
                "sources": SOURCES_SYRIA,
                "expect": [["kerry"]],
                "question": Q_RIGHT,
            },
            {
                "id": "uncited",
                "lang": "en",
                "answerable": True,
                "sources": ["004_fa55918c37a99e94.txt"],
                "expect": [["choïgou", "choigou"]],
                "question": Q_UNCITED_EN,
            },
            {
                "id": "none",
                "lang": "fr",
                "answerable": False,
                "sources": [],
                "expect": [],
                "question": Q_NONE,
            },
            {
                "id": "turns",
                "answerable": True,
                "sources": ["000_e1f7ea9abf238fdd.txt"],
                "expect": [["merkel"]],
                "turns": TURNS,
            },
        ],  # fmt: skip
    )
    out = tmp_path / "results" / "eval.json"
    assert main([str(path), "--out", str(out)], assistant=assistant) == 0
    printed = capsys.readouterr().out
    assert "hit@5" in printed and "first token" in printed and "turns" in printed
    assert "load (1 min)" in printed

    report = json.loads(out.read_text("utf-8"))
    cases = {c["id"]: c for c in report["cases"]}
    summary = report["summary"]
    for key in ["n", "hit_at_5", "mrr", "answer_correct", "refusal_accuracy", "citation_precision",
                "citation_presence", "multiturn_correct", "first_token_p50_s"]:  # fmt: skip
        assert key in summary
    assert summary["n"] == 4 and summary["errors"] == 0
    assert report["k"] == 5 and report["startup_s"] >= 0
    assert report["machine"]["cpus"] >= 1 and report["machine"]["load_1m_after"] >= 0
    settings = report["settings"]  # what the numbers hold for, as `make eval` records it
    assert {"llm", "embedder", "min_dense_score", "evidence_embedder", "skip_steps"} <= set(
        settings
    )

    # retrieval figures equal an independent retrieval with the same (standalone) question
    # (a follow-up is searched with its rewrite and with the two questions together)
    answerable = {
        "right": [Q_RIGHT],
        "uncited": [Q_UNCITED_EN, Q_UNCITED],
        "turns": [STANDALONE, " ".join(TURNS)],
    }
    ranks = {}
    for case_id, queries in answerable.items():
        files = [p.file for p in assistant.retriever.retrieve(queries, k=5)]
        ranks[case_id] = metrics.first_source_rank(files, cases[case_id]["sources"])
        assert cases[case_id]["retrieved_files"] == files
        assert cases[case_id]["rank"] == ranks[case_id]
    assert summary["hit_at_5"] == metrics.share(r is not None for r in ranks.values())
    assert summary["mrr"] == pytest.approx(
        sum(metrics.reciprocal_rank(r, 5) for r in ranks.values()) / 3
    )

    # answers, refusals, citations as the scripted model gave them
    assert [cases[i]["correct"] for i in ["right", "uncited", "none", "turns"]] == [
        True, False, True, True,
    ]  # fmt: skip
    assert summary["answer_correct"] == 0.75 and summary["refusal_accuracy"] == 1.0
    assert cases["none"]["refused"] and cases["none"]["cited_files"] == []
    assert cases["right"]["cited_files"] == cases["right"]["shown_files"][:1]
    assert cases["uncited"]["cited_files"] == [] and cases["uncited"]["uncited"]
    assert summary["citation_presence"] == pytest.approx(2 / 3)
    cited = [(cases[i]["cited_files"][0], cases[i]["sources"]) for i in ["right", "turns"]]
    assert summary["citation_precision"] == metrics.share(metrics.is_source(f, s) for f, s in cited)

    # the follow-up went through the chat with the first exchange as its history
    assert summary["multiturn_correct"] == 1.0
    assert cases["turns"]["standalone_question"] == STANDALONE
    assert cases["turns"]["earlier_replies"][0].startswith("Le président russe a parlé")
    rewrite = next(str(m[0].content) for m in llm.prompts if TURNS[1] in str(m[0].content))
    assert TURNS[0] in rewrite and "Le président russe a parlé de la trêve" in rewrite

    assert summary["first_token_p50_s"] > 0
    for name in ["retrieval", "passages", "first_token", "total"]:
        assert 0 < summary[f"{name}_p50_s"] <= summary[f"{name}_p95_s"]
    assert summary["passages_p95_s"] <= summary["total_p95_s"]
    assert set(report["splits"]) == {"answerable", "unanswerable", "multi-turn", "single-turn",
                                     "lang=fr", "lang=en"}  # fmt: skip
    assert report["splits"]["unanswerable"]["refusal_accuracy"] == 1.0


def test_an_added_article_opening_does_not_count_as_retrieved(
    sample_assistant: Any, tmp_path: Path
) -> None:
    """A who-is question is shown its best article's opening too; hit@k and MRR score what
    retrieval found, not that added passage."""
    question = "Qui est Chris Bambery ?"
    assistant, _ = _use(sample_assistant, lambda messages: "C'est un analyste [1].")
    found = assistant.retrieve(question, k=10)
    assert assistant.retriever.with_opening(found)[1] == 0, "the opening is added"
    source = next(p.file for p in found if p.article_id != found[0].article_id)
    case = {
        "id": "who",
        "answerable": True,
        "sources": [source],
        "expect": [],
        "question": question,
    }
    out = tmp_path / "eval.json"
    assert main([str(_write(tmp_path, [case])), "--out", str(out)], assistant=assistant) == 0
    (result,) = json.loads(out.read_text("utf-8"))["cases"]
    assert result["shown_files"][0] == found[0].file and len(result["shown_files"]) == 11
    assert result["retrieved_files"] == [p.file for p in found[:5]]
    assert result["rank"] == metrics.first_source_rank([p.file for p in found], [source])


def test_a_failing_case_is_recorded_and_the_run_goes_on(
    sample_assistant: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def script(messages: list[BaseMessage]) -> str:
        if Q_UNCITED in str(messages[-1].content):
            raise ConnectionError("connection reset by peer")
        return "John Kerry a menacé de suspendre cette coopération [1]."

    assistant, _ = _use(sample_assistant, script)
    path = _write(
        tmp_path,
        [
            {
                "id": "fails",
                "answerable": True,
                "sources": ["004_fa55918c37a99e94.txt"],
                "question": Q_UNCITED,
            },
            {
                "id": "works",
                "answerable": True,
                "sources": SOURCES_SYRIA,
                "expect": [["kerry"]],
                "question": Q_RIGHT,
            },
        ],  # fmt: skip
    )
    out = tmp_path / "eval.json"
    assert main([str(path), "--out", str(out)], assistant=assistant) == 1
    cases = json.loads(out.read_text("utf-8"))["cases"]
    assert "connection reset by peer" in cases[0]["error"] and not cases[0]["correct"]
    assert cases[1]["error"] is None and cases[1]["correct"]
    assert "connection reset" in capsys.readouterr().out


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"answerable": false, "question": "a ?"}\n{"answerable": tru', "line 2: not valid JSON"),
        ('{"answerable": false, "question": "a ?", "expected": []}', 'unknown field "expected"'),
        ('{"answerable": false, "sources": []}', 'exactly one of "question"'),
        ('{"answerable": false, "question": "a ?", "turns": ["b ?"]}', 'exactly one of "question"'),
        ('{"question": "a ?"}', 'missing field "answerable"'),
        ('{"answerable": true, "question": "a ?"}', "needs at least one article file"),
        ('{"answerable": "yes", "question": "a ?"}', 'field "answerable"'),
        ('{"answerable": false, "question": "a ?", "expect": [[]]}', 'field "expect.0"'),
        ('["a ?"]', "line 1: expected a JSON object"),
        ("\n\n", "no cases"),
        (
            '{"id": "a", "answerable": false, "question": "a ?"}\n'
            '{"id": "a", "answerable": false, "question": "b ?"}',
            'id "a" is already used on line 1',
        ),
    ],  # fmt: skip
)
def test_bad_file_gives_a_clear_message_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, "utf-8")
    assert main([str(path)], assistant=object()) == 2  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert message in err and str(path) in err and "Traceback" not in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_ids_and_languages_are_filled_in(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"answerable": false, "question": "Who is the spokesman of the State Department?"}\n'
        '\n{"answerable": false, "lang": "de", "turns": ["Qui est-ce ?", "Et lui ?"]}\n',
        "utf-8",
    )
    first, second = load_cases(path)
    assert (first.id, first.lang, first.multi_turn) == ("line1", "en", False)
    assert (second.id, second.lang, second.multi_turn) == ("line3", "de", True)
    assert second.questions == ["Qui est-ce ?", "Et lui ?"]


def test_k_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "c.jsonl"), "--k", "0"])
    assert exit_info.value.code == 2 and "must be at least 1" in capsys.readouterr().err
