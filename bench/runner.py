"""One section per process, so memory figures and loaded models do not leak between sections.

`python -m bench.runner SECTION OPTIONS_JSON OUT_JSON` runs one section in a fresh interpreter and
writes `{"result": …, "seconds": …, "load": […]}` (or `{"error": …}`) to OUT_JSON.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import PROJECT_ROOT
from bench.measure import load_average
from bench.options import Options


def run_section(name: str, options: Options) -> dict[str, Any]:
    """The section's result, computed in this process."""
    match name:
        case "ingest":
            from bench import ingest

            return ingest.run(options)
        case "scale-build":
            from bench import scale

            return scale.build(options, options.sizes[0])
        case "scale":
            from bench import scale

            built = isolated("scale-build", options)  # a build's garbage is not the index's RSS
            if "error" in built:
                return built
            return scale.measure(options, options.sizes[0], built["result"])
        case "answer":
            from bench import answer

            return answer.run(options)
    raise ValueError(f"unknown section {name!r}")


def isolated(name: str, options: Options) -> dict[str, Any]:
    """`run_section` in a child process; errors come back as `{"error": message}`."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "out.json"
        proc = subprocess.run(
            [sys.executable, "-m", "bench.runner", name, options.to_json(), str(out)],
            cwd=PROJECT_ROOT,
            check=False,
        )
        if out.exists():
            data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
            return data
        return {"error": f"section {name} exited with status {proc.returncode} (see above)"}


def main(argv: list[str]) -> int:
    name, options_json, out = argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    options = Options.from_json(options_json)
    load = [load_average()]
    started = time.perf_counter()
    try:
        result: dict[str, Any] = {"result": run_section(name, options)}
        status = 0
    except AssistantError as exc:
        result, status = {"error": str(exc)}, 2
    load.append(load_average())
    result.update(seconds=round(time.perf_counter() - started, 1), load=load)
    Path(out).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
