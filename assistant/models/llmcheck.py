"""Does the embedded llama.cpp model run on this CPU? Asked once, in a child process.

A llama.cpp build that uses instructions the CPU does not allow (AMX listed by a virtual
machine that forbids it, AVX-512 on a CPU without it) kills its process with SIGILL at the first
decode: no Python exception, nothing to catch. So before the model is loaded in the app's own
process, a child loads it and decodes a few tokens. The outcome is remembered in a stamp next to
the model, keyed by the llama.cpp build, the model file and the CPU, so the check runs again
only when one of them changes (a rebuild, another model, a VM moved to another host).

`python -m assistant.models.llmcheck MODEL THREADS` is the child.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError, ModelCrashError, ModelNotFoundError
from assistant.models.gguf import is_default
from assistant.models.openmp import passive_waits
from assistant.models.provision import verify

logger = logging.getLogger(__name__)

REBUILD_COMMAND = "make rebuild-llm"
STAMP_SUFFIX = ".runs-here.json"
TIMEOUT_S = 300.0
# A prompt long enough to go through the batched matrix kernels, then a few generated tokens
# through the single-token ones: the two paths a question takes.
_PROMPT = " ".join(["The quick brown fox jumps over the lazy dog."] * 6)
_SIGNALS = {
    "SIGILL": "an illegal instruction: this llama.cpp build uses CPU instructions this machine "
    "does not allow",
    "SIGSEGV": "a memory access error inside llama.cpp",
    "SIGBUS": "a bus error inside llama.cpp (often a damaged or truncated model file)",
    "SIGKILL": "it was killed, often by the kernel when memory runs out",
}


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str = ""  # what went wrong, for the user
    seconds: float = 0.0
    cached: bool = False


def build_key(model: Path) -> str:
    """Identity of what the check depends on: the llama.cpp libraries as installed, the model
    file and this CPU. Found without importing llama_cpp (importing loads the library)."""
    parts: list[str] = []
    spec = importlib.util.find_spec("llama_cpp")
    if spec is not None and spec.origin:
        package = Path(spec.origin).parent
        for lib in sorted((package / "lib").glob("*.so*")) + sorted(package.glob("lib/*.dylib")):
            stat = lib.stat()
            parts.append(f"{lib.name}:{stat.st_size}:{stat.st_mtime_ns}")
    try:
        parts.append(importlib.metadata.version("llama-cpp-python"))
    except importlib.metadata.PackageNotFoundError:
        parts.append("no llama-cpp-python")
    stat = model.stat()
    parts.append(f"{model.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    parts.append(_cpu_identity())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _cpu_identity() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "unknown cpu"
    keep = [ln for ln in lines if ln.startswith(("model name", "flags", "vendor_id"))]
    return "\n".join(dict.fromkeys(keep))  # the first core's lines; the others repeat them


def stamp_path(model: Path) -> Path:
    return model.with_name(model.name + STAMP_SUFFIX)


def check(
    model: Path,
    threads: int,
    timeout_s: float = TIMEOUT_S,
    command: Sequence[str] | None = None,
) -> CheckResult:
    """Whether `model` loads and decodes in a child process; a success is remembered.

    `command` replaces the child (tests simulate a crash with it)."""
    key = build_key(model)
    stamp = stamp_path(model)
    try:
        if json.loads(stamp.read_text()).get("key") == key:
            return CheckResult(True, cached=True)
    except (OSError, ValueError, AttributeError):
        pass
    started = time.perf_counter()
    child = list(
        command or [sys.executable, "-m", "assistant.models.llmcheck", str(model), str(threads)]
    )
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))
    try:
        done = subprocess.run(
            child,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return CheckResult(False, f"it did not load and answer within {timeout_s:.0f} s", timeout_s)
    seconds = time.perf_counter() - started
    if done.returncode < 0:
        name = _signal_name(-done.returncode)
        why = _SIGNALS.get(name, "a crash inside llama.cpp")
        logger.info("Model check child died with %s; stderr: %s", name, done.stderr[-2000:])
        return CheckResult(False, f"it crashed with {name} ({why})", seconds)
    if done.returncode != 0:
        last = next((ln for ln in reversed(done.stderr.splitlines()) if ln.strip()), "")
        logger.info("Model check child failed (exit %d): %s", done.returncode, done.stderr[-2000:])
        return CheckResult(False, f"it failed to load or decode ({last[:300]})", seconds)
    tmp = stamp.with_name(f".{stamp.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"key": key, "checked_s": round(seconds, 1)}) + "\n")
        os.replace(tmp, stamp)
    except OSError as exc:  # a read-only models folder: checked again at the next start
        logger.warning("Cannot record the model check in %s: %s", stamp, exc)
    return CheckResult(True, seconds=seconds)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


Check = Callable[[Path, int], CheckResult]


def diagnose(model: Path, threads: int, run_check: Check = check) -> AssistantError | None:
    """Why the model cannot answer here, as the error to show: a damaged default model (the
    full checksum tells) names the command that provisions it again; anything else is a
    `ModelCrashError` naming the rebuild. None when it runs."""
    result = run_check(model, threads)
    if result.ok:
        return None
    if is_default(model):
        try:
            verify(model)
        except ModelNotFoundError as damaged:
            return damaged
    return ModelCrashError(crash_message(model, result.detail))


def ensure_runs(model: Path, threads: int) -> None:
    """Raise the error `diagnose` gives, unless the model runs here."""
    problem = diagnose(model, threads)
    if problem is not None:
        raise problem


def crash_message(model: Path, detail: str) -> str:
    if "SIGILL" in detail:
        fix = (
            f"Rebuild llama.cpp for this CPU with `{REBUILD_COMMAND}`, then restart (if the "
            f"rebuilt model crashes too: `LLAMA_CPU=generic {REBUILD_COMMAND}`)"
        )
    else:
        fix = (
            "Check that the machine has free memory (the model needs about 2 GB) and restart; "
            f"if it happens again, rebuild llama.cpp with `{REBUILD_COMMAND}`"
        )
    return (
        f"The local model {model.name} cannot run on this machine: in its start-up check, "
        f"{detail}. {fix}; or use an Ollama server (README, Models). Until then, questions get "
        "the matching passages without a written answer."
    )


def _child(model: str, threads: int) -> int:
    passive_waits()
    from llama_cpp import Llama

    llm = Llama(model_path=model, n_ctx=512, n_threads=threads, n_batch=512, verbose=False)
    out = llm.create_completion(_PROMPT, max_tokens=4, temperature=0.0, stream=False)
    print(json.dumps({"text": out["choices"][0]["text"]}))  # type: ignore[index]
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], int(sys.argv[2])))
