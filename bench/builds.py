"""`python -m bench.builds LEVEL…`: llama.cpp's raw speed with each build of `.wheels/`.

Each level's wheel (see tools/llama_wheel.py; build it first with `LLAMA_CPU=LEVEL python
tools/llama_wheel.py build .venv/bin/python`) is unpacked into a folder of its own and measured
in a child process that finds it first on its path: the default model, our n_ctx, n_batch and
threads, a 500-token prompt from an empty cache, then 128 greedy tokens. Rounds alternate the
builds (A B A B …), so a neighbour's load on this shared machine falls on both alike.
Writes bench/results/<date>-llama-builds.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.measure import machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from llama_wheel import wheel  # noqa: E402

PROMPT_TOKENS = 500
GENERATED_TOKENS = 128

_CHILD = """
import json, os, sys, time
from llama_cpp import Llama, __file__ as where
model, threads, n_prompt, n_gen = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
llm = Llama(model_path=model, n_ctx=4096, n_threads=threads, n_batch=512, verbose=False)
text = open(sys.argv[5], encoding="utf-8").read()
tokens = llm.tokenize(text.encode("utf-8"), add_bos=True)[:n_prompt]
llm.reset()
t = time.perf_counter(); llm.eval(tokens); prompt_s = time.perf_counter() - t
t = time.perf_counter()
for _ in range(n_gen):
    llm.eval([llm.sample(temp=0.0)])
gen_s = time.perf_counter() - t
print(json.dumps({"where": where, "prompt_tok_s": len(tokens) / prompt_s,
                  "generation_tok_s": n_gen / gen_s}))
"""


def unpack(level: str, into: Path) -> Path:
    found = wheel(level)
    if found is None:
        sys.exit(
            f"no {level} wheel in .wheels/: build it with `LLAMA_CPU={level} python "
            "tools/llama_wheel.py build .venv/bin/python`"
        )
    target = into / level
    with zipfile.ZipFile(found) as archive:
        archive.extractall(target)
    for lib in (target / "llama_cpp" / "lib").glob("*"):
        lib.chmod(0o755)
    return target


def measure(site: Path, model: Path, text: Path, threads: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(site), OMP_WAIT_POLICY="PASSIVE")
    args = [str(model), str(threads), str(PROMPT_TOKENS), str(GENERATED_TOKENS), str(text)]
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert str(site) in result.pop("where"), "the child did not load the build under test"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.builds", description=__doc__)
    parser.add_argument("levels", nargs="+", help="e.g. avx2 native")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    model = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    text = ROOT / "data" / "articles" / "000_e1f7ea9abf238fdd.txt"
    threads = os.cpu_count() or 2
    runs: dict[str, list[dict[str, float]]] = {level: [] for level in args.levels}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        sites = {level: unpack(level, Path(tmp)) for level in args.levels}
        for n in range(args.rounds):
            for level in args.levels:
                runs[level].append(measure(sites[level], model, text, threads))
                print(f"round {n + 1} {level}: {runs[level][-1]}", flush=True)
    summary = {
        level: {
            key: round(statistics.median(r[key] for r in rows), 1)
            for key in ("prompt_tok_s", "generation_tok_s")
        }
        for level, rows in runs.items()
    }
    first = args.levels[0]
    report: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "load_average": os.getloadavg(),
        "seconds": round(time.perf_counter() - started),
        "prompt_tokens": PROMPT_TOKENS,
        "generated_tokens": GENERATED_TOKENS,
        "median": summary,
        "runs": runs,
    }
    lines = [
        f"# llama.cpp builds, {report['date']}",
        "",
        f"{report['machine']['cpu_model']}, {threads} threads, {args.rounds} alternating rounds, "
        f"median; {PROMPT_TOKENS}-token prompt, {GENERATED_TOKENS} generated tokens.",
        "",
        f"| build | prompt tokens/s | generation tokens/s | prompt vs {first} | gen vs {first} |",
        "|---|---|---|---|---|",
    ]
    for level, med in summary.items():
        p = med["prompt_tok_s"] / summary[first]["prompt_tok_s"]
        g = med["generation_tok_s"] / summary[first]["generation_tok_s"]
        lines.append(
            f"| {level} | {med['prompt_tok_s']} | {med['generation_tok_s']} | {p:.2f}× | {g:.2f}× |"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{report['date']}-llama-builds"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
