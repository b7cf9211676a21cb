"""The benchmark harness at tiny sizes: it runs end to end through the project's own modules and
writes its report. Nothing here is timed; only the shape and the counts are checked."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from bench import answer, report
from bench.corpus import Vocabulary, copy_with_edits, queries, synthetic_articles
from bench.measure import machine, percentile
from tests.conftest import ROOT, SAMPLES, MemoEmbeddings
from tests.fakes import RecordingChat

pytestmark = pytest.mark.slow  # runs the benchmarks: not in `make test-fast`


def test_bench_writes_json_and_markdown(tmp_path: Path) -> None:
    samples = tmp_path / "samples"  # two short articles keep the embedding work small
    samples.mkdir()
    for name in ("001_15df5f8cc0ffe991.txt", "004_fa55918c37a99e94.txt"):
        shutil.copy(SAMPLES / name, samples / name)
    out = tmp_path / "results"
    args = ["--sections", "ingest,scale", "--sizes", "200", "--queries", "3", "--warmup", "1"]
    args += ["--articles", "0", "--samples", str(samples), "--out", str(out)]
    args += ["--cache", str(tmp_path / "cache")]
    proc = subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    day = datetime.date.today().isoformat()
    results = json.loads((out / f"{day}.json").read_text(encoding="utf-8"))
    assert results["machine"]["cores"] >= 1 and results["machine"]["cpu_model"]
    assert results["machine"]["libraries"]["chromadb"]

    ingest = results["ingest"]["result"]
    samples_run = ingest["corpora"][0]
    ours, theirs = samples_run["ours"], samples_run["tutorial"]
    assert ours["articles"] == theirs["articles"] == 2
    assert ours["unchanged_embedded"] == 0 and ours["edited_updated"] == 1
    assert 1 <= ours["edited_embedded"] < ours["chunks"]
    assert ours["tokens_per_s"] > 0 and theirs["tokens_per_s"] > 0
    assert samples_run["speed_ratio"] > 0 and samples_run["cpu_ratio"] > 0
    assert ours["cli_unchanged_s"] > 0
    assert ingest["quality"]["ours"]["n"] == ingest["quality"]["tutorial"]["n"] > 0

    scale = [s["result"] for s in results["scale"]]
    assert [s["passages"] for s in scale] == [13, 200]  # the samples' 13 passages, then 200
    for s in scale:
        assert s["retrieve"]["n"] == 3 and s["retrieve"]["p95_ms"] >= s["retrieve"]["p50_ms"]
        assert s["disk_mb"]["chroma"] > 0 and s["rss_mb"] > 0
    assert scale[1]["index"]["synthetic_passages"] == 187

    assert {t["target"].split(" (")[0] for t in results["targets"]} >= {
        "full ingest at least as fast as the tutorial, wall time",
        "full ingest at least as fast as the tutorial, CPU time",
        "retrieval p95 < 100 ms at 200 passages",
    }
    md = (out / f"{day}.md").read_text(encoding="utf-8")
    for heading in ("## Targets", "## Ingest", "## Retrieval at scale"):
        assert heading in md
    assert "| 200 | " in md and results["machine"]["cpu_model"] in md


def test_answer_measurements_follow_the_stream(
    sample_assistant: Assistant, embedder: MemoEmbeddings
) -> None:
    """Every LLM call the pipeline makes is seen, including a follow-up's rewrite."""
    fake = RecordingChat(
        [
            "Kerry a menacé de suspendre la coopération [1].",
            "Vladimir Poutine a parlé de la Syrie [1].",
            "Avec qui Vladimir Poutine parlait-il ?",
            "Il parlait avec Angela Merkel [2].",
        ]
    )
    assistant = Assistant(sample_assistant.settings, llm=fake, embedder=embedder)
    cases = [
        {"id": "one", "question": "Qui a menacé de suspendre la coopération avec la Russie ?"},
        {"id": "two", "turns": ["Qu'a dit Vladimir Poutine sur la Syrie ?", "Avec qui ?"]},
    ]
    records = answer.measure_answers(assistant, cases)
    assert [(r["id"], r["turn"], r["llm_calls"]) for r in records] == [
        ("one", 1, 1),
        ("two", 1, 1),
        ("two", 2, 2),
    ]
    for r in records:
        assert 0 < r["passages_s"] <= r["first_token_s"] <= r["total_s"]
        assert r["answer_call_start_s"] <= r["first_token_s"]
        assert r["passages"] >= 1 and r["generated_tokens"] >= 5
        assert r["prompt_tokens"] > 100  # the passages are in the prompt, not just the question
    assert len(fake.prompts) == 4
    result = answer.section(fake, 0.0, records[0], records, {"skipped": "fake model"})
    assert result["summary"]["n"] == 3 and result["summary"]["first_token"]["n"] == 3
    md = report.markdown(
        {
            "date": "2026-01-01",
            "command": "test",
            "seconds": 1.0,
            "machine": machine(),
            "answer": {"result": result},
        }
    )
    assert "## Answers" in md and "| two | 2 |" in md


def test_corpora_are_derived_from_the_samples(tmp_path: Path) -> None:
    copies = copy_with_edits(SAMPLES, tmp_path / "copies", 12, seed=3)
    texts = [p.read_text(encoding="utf-8") for p in copies]
    assert len(copies) == 12 and len(set(texts)) == 12
    for n, (path, text) in enumerate(zip(copies, texts, strict=True)):
        source = (SAMPLES / path.name[5:]).read_text(encoding="utf-8")
        title = next(line for line in text.splitlines() if len(line) > 40)
        assert title.endswith(f" ({n + 1})") and len(text) > len(source)
    vocab = Vocabulary(SAMPLES)
    _, text = next(synthetic_articles(vocab, seed=1))
    words = {w.casefold() for w in vocab.words}
    assert all(w.strip(".:").casefold() in words for w in text.split() if w.strip(".:"))
    asked = queries(vocab, 6, seed=2, fixed=["Une question ?"])
    assert asked[0] == "Une question ?" and len(set(asked)) == 6


def test_percentile_interpolates_like_numpy() -> None:
    values: list[Any] = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == 4.8
    assert percentile([7.0], 95) == 7.0
