"""`python -m bench [--sections ingest,scale,answer] [--sizes 1000,10000,100000] [--out DIR]`.

Runs each section in its own process and writes `<out>/<YYYY-MM-DD>.json` and `.md`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import sys
import time
from pathlib import Path
from typing import Any

from bench.measure import load_average, machine
from bench.options import SECTIONS, Options
from bench.report import section_ok, write
from bench.runner import isolated


def _list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def parse(argv: list[str] | None) -> Options:
    defaults = Options()
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "--sections",
        type=_list,
        default=defaults.sections,
        help=f"comma-separated, of {','.join(SECTIONS)} (default: all)",
    )
    p.add_argument(
        "--sizes",
        type=lambda t: [int(x) for x in _list(t)],
        default=defaults.sizes,
        help="passages in the scale indexes, besides the 5 samples",
    )
    p.add_argument("--queries", type=int, default=defaults.queries, help="timed queries per size")
    p.add_argument("--warmup", type=int, default=defaults.warmup, help="untimed queries first")
    p.add_argument(
        "--articles",
        type=int,
        default=defaults.articles,
        help="articles in the larger ingest corpus (copies of the samples; 0: none)",
    )
    p.add_argument("--samples", type=Path, default=defaults.samples, help="sample articles")
    p.add_argument(
        "--eval",
        dest="eval_file",
        type=Path,
        default=defaults.eval_file,
        help="eval questions (JSONL)",
    )
    p.add_argument("--out", type=Path, default=defaults.out, help="results folder")
    p.add_argument("--cache", type=Path, default=defaults.cache, help="scale index cache")
    args = p.parse_args(argv)
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {SECTIONS}")
    if not args.samples.is_dir():
        p.error(f"no sample articles at {args.samples}")
    return Options(
        **{
            f.name: getattr(args, f.name)
            for f in dataclasses.fields(Options)
            if hasattr(args, f.name)
        }
    )


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    started = time.perf_counter()
    loads = [load_average()]
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "options": {k: str(v) for k, v in dataclasses.asdict(options).items()},
    }
    for section in options.sections:
        print(f"bench: {section}", file=sys.stderr, flush=True)
        if section == "scale":
            results["scale"] = [
                isolated("scale", dataclasses.replace(options, sizes=[size]))
                for size in [0, *options.sizes]
            ]
            loads += [x for s in results["scale"] for x in s.get("load", [])]
        else:
            results[section] = isolated(section, options)
            loads += results[section].get("load", [])
    loads.append(load_average())
    results["load_range"] = [min(loads), max(loads)]
    results["seconds"] = round(time.perf_counter() - started, 1)
    json_path, md_path = write(results, options.out)
    print(md_path.read_text(encoding="utf-8"))
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)
    errors = [
        name
        for name in SECTIONS
        if name in results and not all(section_ok(s) for s in _as_list(results[name]))
    ]
    if errors:
        print(f"bench: failed sections: {', '.join(errors)}", file=sys.stderr)
    return 1 if errors else 0


def _as_list(section: Any) -> list[Any]:
    return section if isinstance(section, list) else [section]


if __name__ == "__main__":
    sys.exit(main())
