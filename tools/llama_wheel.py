"""Build llama-cpp-python once, for a portable instruction set, into a wheel folder of our own.

`pip install llama-cpp-python` compiles llama.cpp with `-march=native`: the build then uses
every instruction the build machine lists, AMX included on recent Intel hosts, and a virtual
machine that lists AMX without allowing it kills the process with SIGILL at the first decode.
Here the CPU features are explicit, and the wheel lands in `.wheels/<version>-<level>-<hash of
the flags>/`, so pip's own cache (keyed by version only) can never hand back a native build,
and a re-run of `make` reuses the wheel instead of compiling again.

Standard library only: it runs before the virtual environment has anything in it.

    python tools/llama_wheel.py path            # the wheel this machine needs (may not exist)
    python tools/llama_wheel.py build PYTHON    # build it with PYTHON's pip unless present
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

VERSION = "0.3.36"
ROOT = Path(__file__).resolve().parent.parent
WHEELS = ROOT / ".wheels"

_OFF = (
    "GGML_NATIVE GGML_AVX512 GGML_AVX512_VBMI GGML_AVX512_VNNI GGML_AVX512_BF16 GGML_AVX_VNNI "
    "GGML_AMX_TILE GGML_AMX_INT8 GGML_AMX_BF16 GGML_CPU_ALL_VARIANTS LLAMA_BUILD_TESTS "
    "LLAMA_BUILD_EXAMPLES"
).split()
# The x86-64 level every AMD and Intel CPU of the last ten years has (Haswell, Excavator, Zen).
_AVX2 = ["GGML_SSE42", "GGML_AVX", "GGML_AVX2", "GGML_FMA", "GGML_F16C", "GGML_BMI2"]
LEVELS: dict[str, list[str]] = {
    "avx2": [f"-D{f}=OFF" for f in _OFF] + [f"-D{f}=ON" for f in _AVX2],
    # An x86-64 CPU without AVX2 (old, or emulated): SSE4.2 only, several times slower.
    "sse42": [f"-D{f}=OFF" for f in _OFF + _AVX2[1:]] + ["-DGGML_SSE42=ON"],
    # Not x86-64 (ARM), or an x86-64 CPU without SSE4.2 (QEMU's default models): the
    # compiler's baseline for the architecture, every optional instruction set off.
    "generic": [f"-D{f}=OFF" for f in _OFF + _AVX2],
    # Opt-in, never the default: fastest on this machine, may crash on any other.
    "native": ["-DGGML_NATIVE=ON"],
}

NO_AVX2 = """\
note: this CPU has no AVX2 (an old or emulated x86-64 CPU), which the embedded model is fast with.
      llama.cpp is built without it: it works, but answers will be several times slower.
      For usable speed, run Ollama on a faster machine and set in config.toml:
          [llm]
          provider = "ollama"
          ollama_base_url = "http://<that machine>:11434"
"""


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def level() -> str:
    """The instruction-set level to build for: LLAMA_CPU if set, else from this machine."""
    chosen = os.environ.get("LLAMA_CPU", "").strip()
    if chosen:
        if chosen not in LEVELS:
            sys.exit(f"error: LLAMA_CPU={chosen!r}; choose one of {', '.join(LEVELS)}")
        return chosen
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return "generic"
    flags = cpu_flags()
    if not flags or {"avx2", "fma", "f16c", "bmi2"} <= flags:
        return "avx2"  # no /proc/cpuinfo (macOS): assume a modern CPU
    return "sse42" if "sse4_2" in flags else "generic"


def cmake_args(chosen: str) -> str:
    return " ".join(LEVELS[chosen])


def wheel_dir(chosen: str) -> Path:
    key = hashlib.sha256(f"{VERSION} {cmake_args(chosen)}".encode()).hexdigest()[:10]
    return WHEELS / f"llama-cpp-python-{VERSION}-{chosen}-{key}"


def wheel(chosen: str) -> Path | None:
    found = sorted(wheel_dir(chosen).glob("llama_cpp_python-*.whl"))
    return found[-1] if found else None


def build(python: str, chosen: str) -> Path:
    existing = wheel(chosen)
    if existing is not None:
        return existing
    if chosen in {"sse42", "generic"} and platform.machine().lower() in {"x86_64", "amd64"}:
        print(NO_AVX2, file=sys.stderr)
    target = wheel_dir(chosen)
    tmp = target.with_name(target.name + ".partial")
    print(
        f"Compiling llama.cpp (llama-cpp-python {VERSION}) for {chosen} CPUs, so the same build "
        "runs on any such AMD or Intel CPU: about 5-10 minutes on 2 cores, once per machine.",
        flush=True,
    )
    started = time.monotonic()
    env = dict(os.environ, CMAKE_ARGS=cmake_args(chosen))
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = str(os.cpu_count() or 2)
    command = [python, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir"]
    command += ["--no-binary", "llama-cpp-python", f"llama-cpp-python=={VERSION}"]
    command += ["-w", str(tmp), "-v"]
    WHEELS.mkdir(parents=True, exist_ok=True)
    log = WHEELS / "build.log"
    returncode = _run_showing_progress(command, env, log)
    if returncode != 0:
        sys.exit(
            f"error: compiling llama-cpp-python {VERSION} failed (exit {returncode}); the full "
            f"output is in {log}. It needs gcc, g++ and cmake (Debian: "
            "`apt-get install build-essential cmake`)."
        )
    if not list(tmp.glob("llama_cpp_python-*.whl")):
        sys.exit(f"error: pip reported success but left no wheel in {tmp}; see {log}")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    built = wheel(chosen)
    assert built is not None
    print(f"llama.cpp compiled in {time.monotonic() - started:.0f} s: {built}", flush=True)
    return built


_COMPILE_STEP = re.compile(r"^\s*\[(\d+)/(\d+)\]\s.*?(?:-c\s+(\S+))?\s*$")


def _run_showing_progress(command: list[str], env: dict[str, str], log: Path) -> int:
    """Run pip verbosely, the whole output to `log`; on screen, pip's own lines and one short
    line per compile step ("[42/193] ggml-cpu.c") instead of the full compiler command."""
    with (
        log.open("w") as out,
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            step = _COMPILE_STEP.match(line)
            if step:
                source = Path(step.group(3)).name if step.group(3) else "linking"
                print(f"  [{step.group(1)}/{step.group(2)}] {source}", flush=True)
            elif not line.startswith("  "):  # pip's own messages; the build's are indented
                print(line, end="", flush=True)
    return process.returncode


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "path":
        print(wheel_dir(level()))
        return 0
    if len(argv) == 2 and argv[0] == "build":
        print(build(argv[1], level()))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
