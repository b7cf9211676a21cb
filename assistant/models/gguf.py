"""GGUF model files: which one is the provisioned default, whether a file is a GGUF at all, and
what its metadata says (architecture, quantisation, context length)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"  # assembled by `make models`
DEFAULT_ROPE_FREQ_BASE = 10_000.0  # measured best for the default model (docs/evaluation.md)
_MAGIC = b"GGUF"


def is_default(path: Path) -> bool:
    """Whether `path` is the default model, the one file checked against its checksum."""
    return path.name == DEFAULT_MODEL_FILE


def is_gguf(path: Path) -> bool:
    """Whether `path` is a readable file that starts like a GGUF model."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == _MAGIC
    except OSError:
        return False


def rope_freq_base(path: Path, setting: float | None) -> float:
    """The RoPE base to give llama.cpp: the setting if set; else the measured best for the
    default model, and 0 (the file's own) for any other."""
    if setting is not None:
        return setting
    return DEFAULT_ROPE_FREQ_BASE if is_default(path) else 0.0


def trained_context(path: Path) -> int | None:
    """The context length the model was trained for, read once per file (a vocabulary load,
    ~0.5 s: the answer and helper contexts both ask)."""
    stat = path.stat()
    return _trained_context(path, stat.st_size, stat.st_mtime_ns)


@cache
def _trained_context(path: Path, size: int, mtime_ns: int) -> int | None:
    return describe(path).context_length


def context_window(wanted: int, trained: int | None) -> int:
    """The context to give llama.cpp: the one configured, but no longer than the model was
    trained for (beyond it, a model's answers fall apart)."""
    return min(wanted, trained) if trained else wanted


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    size_bytes: int
    name: str
    architecture: str
    quantisation: str
    context_length: int | None
    chat_template: bool


def describe(path: Path) -> ModelInfo:
    """What the file's metadata says, read with llama.cpp's own reader (vocabulary only)."""
    import llama_cpp
    from llama_cpp._utils import suppress_stdout_stderr

    with suppress_stdout_stderr(disable=False):  # llama.cpp prints notes on stderr
        llama = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    meta: dict[str, Any] = dict(llama.metadata)
    architecture = str(meta.get("general.architecture", "unknown"))
    context = meta.get(f"{architecture}.context_length")
    return ModelInfo(
        path=path,
        size_bytes=path.stat().st_size,
        name=str(meta.get("general.name", path.stem)),
        architecture=architecture,
        quantisation=_file_type(meta.get("general.file_type")),
        context_length=int(context) if context is not None else None,
        chat_template="tokenizer.chat_template" in meta,
    )


def _file_type(value: object) -> str:
    """llama.cpp's name for a `general.file_type` number, e.g. "Q4_K_M"."""
    import llama_cpp

    if value is None:
        return "unknown"
    names = {
        getattr(llama_cpp, attr): attr.removeprefix("LLAMA_FTYPE_MOSTLY_").removeprefix(
            "LLAMA_FTYPE_"
        )
        for attr in dir(llama_cpp)
        if attr.startswith("LLAMA_FTYPE_") and isinstance(getattr(llama_cpp, attr), int)
    }
    return names.get(int(str(value)), f"type {value}")
