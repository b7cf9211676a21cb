"""Aggregate evaluation results into the summary, the splits and the printed tables.

Works on the per-case dicts of the JSON report (`assistant.eval.runner.CaseResult` as a dict), so a
saved report can be summarised again. Shares are floats in 0..1, None when no case qualifies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.eval import metrics

CaseDict = dict[str, Any]

# summary key prefix -> (case field, label in the table)
LATENCIES = {
    "retrieval": ("retrieval_s", "retrieval"),
    "passages": ("passages_s", "passages shown"),
    "first_token": ("first_token_s", "first token"),
    "total": ("total_s", "total"),
}


def _ok(case: CaseDict) -> bool:
    return case["error"] is None


def split_metrics(cases: Sequence[CaseDict], k: int) -> dict[str, Any]:
    """The metrics of one group of cases (see the module docstring of `assistant.eval.runner`)."""
    answerable = [c for c in cases if c["answerable"]]
    answered = [c for c in answerable if _ok(c) and not c["refused"]]
    cited = [(f, c["sources"]) for c in answered for f in c["cited_files"]]
    out: dict[str, Any] = {
        "n": len(cases),
        "errors": sum(not _ok(c) for c in cases),
        "hit_at_5": metrics.share(c["rank"] is not None and c["rank"] <= 5 for c in answerable),
        "hit_at_k": metrics.share(bool(c["hit"]) for c in answerable),
        "mrr": metrics.mean(c["reciprocal_rank"] or 0.0 for c in answerable),
        "answer_correct": metrics.share(c["correct"] for c in cases),
        "refusal_accuracy": metrics.share(
            _ok(c) and c["refused"] != c["answerable"] for c in cases
        ),
        "citation_precision": metrics.share(metrics.is_source(f, s) for f, s in cited),
        "citation_presence": metrics.share(bool(c["cited_files"]) for c in answered),
        "multiturn_correct": metrics.share(c["correct"] for c in cases if c["multi_turn"]),
    }
    for name, (key, _label) in LATENCIES.items():
        values = [c[key] for c in cases if c[key] is not None]
        out[f"{name}_p50_s"] = metrics.percentile(values, 50)
        out[f"{name}_p95_s"] = metrics.percentile(values, 95)
    return out


def splits(cases: Sequence[CaseDict]) -> dict[str, list[CaseDict]]:
    """The groups reported next to the overall figures; empty groups are left out."""
    groups = {
        "answerable": [c for c in cases if c["answerable"]],
        "unanswerable": [c for c in cases if not c["answerable"]],
        "multi-turn": [c for c in cases if c["multi_turn"]],
        "single-turn": [c for c in cases if not c["multi_turn"]],
    }
    for lang in sorted({c["lang"] for c in cases}):
        groups[f"lang={lang}"] = [c for c in cases if c["lang"] == lang]
    return {name: group for name, group in groups.items() if group}


def summarize(cases: Sequence[CaseDict], k: int) -> dict[str, Any]:
    """`summary` (all cases, with `k`) and `splits` for the JSON report."""
    return {
        "summary": {**split_metrics(cases, k), "k": k},
        "splits": {name: split_metrics(group, k) for name, group in splits(cases).items()},
    }


def _cell(value: Any, width: int) -> str:
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = str(value)
    return text.rjust(width) if width > 0 else text.ljust(-width)


def _table(headers: list[tuple[str, int]], rows: list[list[Any]]) -> list[str]:
    lines = [" ".join(_cell(h, w) for h, w in headers)]
    lines += [
        " ".join(_cell(v, w) for v, (_h, w) in zip(row, headers, strict=True)) for row in rows
    ]
    return lines


def format_report(report: dict[str, Any]) -> str:
    """The tables printed at the end of a run: per case, per split, latency."""
    k = report["k"]
    cases: list[CaseDict] = report["cases"]
    machine = report["machine"]
    id_width = -max(4, *(len(c["id"]) for c in cases))
    lines = [
        f"Evaluation of {report['file']}: {len(cases)} cases, k={k}, "
        f"{report['settings']['llm']}, start-up {report['startup_s']:.1f} s",
        f"machine: {machine['cpus']} CPUs, load (1 min) {machine['load_1m_before']:.1f} before, "
        f"{machine['load_1m_after']:.1f} after",
        "",
    ]
    lines += _table(
        [
            ("case", id_width),
            ("lang", -4),
            ("kind", -12),
            ("turns", 5),
            ("rank", 4),
            ("correct", 7),
            ("refused", 7),
            ("cited", 5),
            ("1st tok", 7),
            ("total", 6),
            ("error", -1),
        ],
        [
            [
                c["id"],
                c["lang"],
                "answerable" if c["answerable"] else "unanswerable",
                c["turns"],
                c["rank"],
                c["correct"],
                c["refused"],
                len(c["cited_files"]),
                c["first_token_s"],
                c["total_s"],
                (c["error"] or "")[:60],
            ]
            for c in cases
        ],
    )
    metric_cols = [("hit_at_5", "hit@5")] + ([("hit_at_k", f"hit@{k}")] if k != 5 else [])
    metric_cols += [
        ("mrr", "MRR"),
        ("answer_correct", "correct"),
        ("refusal_accuracy", "refusal"),
        ("citation_precision", "cit.prec"),
        ("citation_presence", "cit.pres"),
    ]
    groups = {"all": report["summary"], **report["splits"]}
    name_width = -max(len(name) for name in groups)
    lines += [
        "",
        *_table(
            [("split", name_width), ("n", 4), ("errors", 6)]
            + [(label, max(len(label), 5)) for _key, label in metric_cols],
            [
                [name, m["n"], m["errors"], *(m[key] for key, _label in metric_cols)]
                for name, m in groups.items()
            ],
        ),
    ]
    summary = report["summary"]
    lines += [
        "",
        *_table(
            [("latency (s)", -14), ("p50", 6), ("p95", 6)],
            [
                [label, summary[f"{name}_p50_s"], summary[f"{name}_p95_s"]]
                for name, (_key, label) in LATENCIES.items()
            ],
        ),
    ]
    return "\n".join(lines)
