"""Article-level retrieval quality on an eval file (the `../shared/eval/dev.jsonl` format).

A case is found at rank r when the r-th passage returned comes from one of its `sources`
articles; hit@k is the share of cases found within k, MRR the mean of 1/r (0 if not found).
Only answerable single-turn cases count: retrieval for a follow-up depends on the LLM's rewrite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Case = dict[str, Any]


def load_cases(path: Path) -> list[Case]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def retrieval_cases(cases: list[Case]) -> list[Case]:
    return [c for c in cases if c.get("answerable") and "question" in c and c.get("sources")]


def article_rank(files: list[str], sources: list[str]) -> int | None:
    """1-based rank of the first passage from a source article (by file name)."""
    names = {Path(s).name for s in sources}
    return next((n for n, f in enumerate(files, start=1) if Path(f).name in names), None)


def retrieval_quality(
    cases: list[Case], search: Callable[[str], list[str]], k: int
) -> dict[str, Any]:
    """hit@k and MRR@k of `search` (question → file names of the passages, best first)."""
    ranks = {c["id"]: article_rank(search(c["question"])[:k], c["sources"]) for c in cases}
    n = len(ranks)
    return {
        "k": k,
        "n": n,
        "hit_at_k": round(sum(r is not None for r in ranks.values()) / n, 3) if n else None,
        "mrr": round(sum(1 / r for r in ranks.values() if r) / n, 3) if n else None,
        "ranks": ranks,
    }
