"""The results as JSON (everything) and Markdown (the tables a reader needs), and the targets
of issue 5 checked against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Results = dict[str, Any]


def write(results: Results, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    results["targets"] = targets(results)
    json_path = out / f"{results['date']}.json"
    md_path = out / f"{results['date']}.md"
    json_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
    md_path.write_text(markdown(results), "utf-8")
    return json_path, md_path


def section_ok(section: Any) -> dict[str, Any] | None:
    """A section's result, or None when it was not run or failed."""
    if not isinstance(section, dict) or "result" not in section:
        return None
    result = section["result"]
    return result if isinstance(result, dict) and "error" not in result else None


def targets(results: Results) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(name: str, measured: float | None, met: bool | None, unit: str = "") -> None:
        rows.append({"target": name, "measured": measured, "unit": unit, "met": met})

    ingest = section_ok(results.get("ingest"))
    if ingest:
        largest = ingest["corpora"][-1]
        ours = largest["ours"]
        corpus = largest["corpus"]
        add(
            f"full ingest at least as fast as the tutorial, wall time ({corpus})",
            largest["speed_ratio"],
            largest["speed_ratio"] >= 1.0,
            "×",
        )
        add(
            f"full ingest at least as fast as the tutorial, CPU time ({corpus})",
            largest["cpu_ratio"],
            largest["cpu_ratio"] >= 1.0,
            "×",
        )
        add(
            f"unchanged re-ingest ≥ 50× faster than full, in-process ({corpus})",
            ours["full_over_unchanged"],
            ours["full_over_unchanged"] >= 50,
            "×",
        )
        add(
            f"unchanged re-ingest ≥ 50× faster than full, CLI wall time ({corpus})",
            ours["full_over_cli_unchanged"],
            ours["full_over_cli_unchanged"] >= 50,
            "×",
        )
    scale = [r for r in (section_ok(s) for s in results.get("scale", [])) if r]
    if scale:
        top = max(scale, key=lambda r: r["passages"])
        p95 = top["retrieve"]["p95_ms"]
        add(f"retrieval p95 < 100 ms at {top['passages']:,} passages", p95, p95 < 100, "ms")
    answer = section_ok(results.get("answer"))
    if answer:
        summary = answer["summary"]
        shown = summary["passages"].get("p50_ms")
        first = summary["first_token"].get("p50_ms")
        add("passages on screen < 0.5 s (p50)", shown, shown is not None and shown < 500, "ms")
        add("first answer token < 4 s (p50)", first, first is not None and first < 4000, "ms")
    return rows


def markdown(results: Results) -> str:
    m = results["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    load = results.get("load_range")
    lines = [
        f"# Benchmarks, {results['date']}",
        "",
        f"Machine: {m['cores']} cores ({m['cpu_model']}), {m['ram_gb']} GB RAM, no GPU, "
        f"{m['os']}, Python {m['python']}; {libs}.",
        f"Command: `{results['command']}` ({results['seconds']:.0f} s).",
    ]
    if load:
        lines.append(
            f"1-minute load average during the run: {load[0]}–{load[1]} on {m['cores']} cores "
            "(other jobs shared the CPU; every figure is one run under that load)."
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    for t in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "–"}[t["met"]]
        lines.append(f"| {t['target']} | {_fmt(t['measured'])} {t['unit']} | {met} |")
    for name, render in (("ingest", _ingest), ("answer", _answer)):
        section = results.get(name)
        if section is not None:
            lines += [
                "",
                *(render(section["result"]) if section_ok(section) else _failed(name, section)),
            ]
    if results.get("scale"):
        lines += ["", *_scale(results["scale"])]
    return "\n".join(lines) + "\n"


def _failed(name: str, section: dict[str, Any]) -> list[str]:
    error = section.get("error") or section.get("result", {}).get("error")
    return [f"## {name}", "", f"Failed: {error}"]


def _ingest(r: dict[str, Any]) -> list[str]:
    lines = [
        "## Ingest",
        "",
        f"Embedder `{r['embedder']}` for both pipelines. Tutorial: files → "
        "`RecursiveCharacterTextSplitter(1000, 200)` → `Chroma.from_documents` → "
        "`as_retriever(k=4)`. Ours: `run_ingest` (clean, chunk, embed, Chroma + ledger + BM25).",
        "",
        "| corpus | pipeline | articles | chunks | tokens embedded | full ingest s | CPU s "
        "| articles/s | chunks/s | tokens/s | ours/tutorial: wall, CPU |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in r["corpora"]:
        for who in ("ours", "tutorial"):
            x = c[who]
            ratio = f"{_fmt(c['speed_ratio'])}×, {_fmt(c['cpu_ratio'])}×" if who == "ours" else ""
            lines.append(
                f"| {c['corpus']} | {who} | {x['articles']} | {x['chunks']} | "
                f"{x['tokens_embedded']} | {_fmt(x['full_s'])} | {_fmt(x['full_cpu_s'])} | "
                f"{_fmt(x['articles_per_s'])} | "
                f"{_fmt(x['chunks_per_s'])} | {_fmt(x['tokens_per_s'])} | {ratio} |"
            )
    lines += [
        "",
        "| corpus | unchanged re-ingest (in-process) | full ÷ unchanged | CLI `python -m ingest` "
        "unchanged | full ÷ CLI | CLI imports alone | one article edited: s, chunks embedded |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in r["corpora"]:
        o = c["ours"]
        lines.append(
            f"| {c['corpus']} | {_fmt(o['unchanged_s'])} s ({o['unchanged_embedded']} embedded) | "
            f"{_fmt(o['full_over_unchanged'])}× | {_fmt(o['cli_unchanged_s'])} s | "
            f"{_fmt(o['full_over_cli_unchanged'])}× | {_fmt(o['cli_import_s'])} s | "
            f"{_fmt(o['edited_s'])} s, {o['edited_embedded']} |"
        )
    q = r.get("quality", {})
    if "ours" in q:
        lines += [
            "",
            f"Retrieval quality on `{Path(q['eval_file']).name}` (answerable single-turn "
            "questions, article level, samples corpus):",
            "",
            "| retriever | k | hit@k | MRR |",
            "| --- | --- | --- | --- |",
        ]
        for who in ("ours", "tutorial"):
            x = q[who]
            lines.append(f"| {who} | {x['k']} | {_fmt(x['hit_at_k'])} | {_fmt(x['mrr'])} |")
    return lines


def _scale(sections: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Retrieval at scale",
        "",
        "`Assistant.retrieve(question, k=5)`, real query embedding, after warm-up; parts timed "
        "separately on the same questions. Scale indexes: the 5 samples + synthetic French-like "
        "passages (real Chroma, ledger and BM25 entries; vectors = sample vectors + noise).",
        "",
        "| passages | articles | p50 ms | p95 ms | p95 ms, date filter | embed p50 | Chroma p50 "
        "| BM25 p50 | dev hit@5 | disk MB (Chroma / BM25 / ledger) | RSS MB | build s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for section in sections:
        r = section_ok(section)
        if r is None:
            lines.append(f"| failed: {section.get('error') or section.get('result')} |")
            continue
        d = r["disk_mb"]
        built = r["index"]
        build = f"{built['build_s']}" + (" (cached)" if built.get("cached") else "")
        lines.append(
            f"| {r['passages']:,} | {r['articles']:,} | {r['retrieve']['p50_ms']} | "
            f"{r['retrieve']['p95_ms']} | {r['retrieve_filtered']['p95_ms']} | "
            f"{r['embed_query']['p50_ms']} | {r['chroma_query']['p50_ms']} | "
            f"{r['keyword_search']['p50_ms']} | {_fmt(r['hit_at_5'])} | "
            f"{d['chroma']} / {d['keyword']} / {d['ledger']} | {r['rss_mb']} | {build} |"
        )
    return lines


def _answer(r: dict[str, Any]) -> list[str]:
    s = r["summary"]
    ref = r.get("reference", {})
    over = r.get("overhead", {})
    st = r["settings"]
    lines = [
        "## Answers",
        "",
        f"Default embedded LLM (`{Path(str(st.get('model_path'))).name}`, n_ctx {st.get('n_ctx')}, "
        f"{st.get('n_threads')} threads, n_batch {st.get('n_batch')}), loaded in "
        f"{r['llm_load_s']} s; {s['n']} answers to the eval file's questions through "
        "`Assistant.stream` after one warm-up question; times from the question.",
        "",
        "| | p50 | p95 | max |",
        "| --- | --- | --- | --- |",
    ]
    for label, key in (
        ("passages shown", "passages"),
        ("first token", "first_token"),
        ("total", "total"),
    ):
        x = s[key]
        lines.append(
            f"| {label} | {_s(x.get('p50_ms'))} | {_s(x.get('p95_ms'))} | {_s(x.get('max_ms'))} |"
        )
    lines += [
        "",
        f"Generation {_fmt(s['generation_tok_s_median'])} tokens/s (median), "
        f"{_fmt(s['prompt_tokens_median'])} prompt tokens and "
        f"{_fmt(s['generated_tokens_median'])} generated tokens per answer (median), "
        f"{_fmt(s['llm_calls_median'])} LLM calls per question (median), {s['refused']} refused; "
        f"peak RSS {r['peak_rss_mb']} MB. Cold first question: passages "
        f"{_fmt(r['cold']['passages_s'])} s, first token {_fmt(r['cold']['first_token_s'])} s.",
    ]
    if "warm_up" in r:  # the web chat's start-up warm-up, run before the questions
        lines[-1] += (
            f" Before them, the start-up warm-up (as the web chat runs it in the background) "
            f"embedded {r['warm_up']['sentences']} sentences in {_fmt(r['warm_up']['s'])} s."
        )
    if "prompt_tok_s" in ref:
        lines += [
            "",
            f"llama.cpp alone, same model and settings: {ref['prompt_tok_s']} tokens/s prompt "
            f"processing ({ref['prompt_tokens']}-token prompt), {ref['generation_tok_s']} tokens/s "
            f"generation (median of {ref['runs']}). Ours: generation at "
            f"{_fmt(over.get('generation_ratio'))}× that speed; first token "
            f"{_fmt(over.get('first_token_over_floor_median'))}× the time llama.cpp alone needs "
            f"to read the same prompt and emit a token (median floor "
            f"{_fmt(over.get('first_token_floor_s_median'))} s).",
        ]
    lines += [
        "",
        "| question | turn | passages s | first token s | total s | prompt tokens | "
        "generated | gen tok/s | LLM calls | refused |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in r["answers"]:
        lines.append(
            f"| {a['id']} | {a['turn']} | {_fmt(a['passages_s'])} | {_fmt(a['first_token_s'])} | "
            f"{_fmt(a['total_s'])} | {_fmt(a.get('prompt_tokens'))} | "
            f"{_fmt(a.get('generated_tokens'))} | {_fmt(a.get('generation_tok_s'))} | "
            f"{a['llm_calls']} | {'yes' if a['refused'] else ''} |"
        )
    return lines


def _s(ms: float | None) -> str:
    return "–" if ms is None else f"{ms / 1000:.2f} s"


def _fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)
