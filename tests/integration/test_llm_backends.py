"""The LLM factory and model provisioning: clear messages when the model is missing or broken."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ModelNotFoundError
from assistant.models import provision
from assistant.models.llm import make_llm


def test_missing_model_file_names_the_provision_command(make_settings: Any) -> None:
    settings = make_settings(copy_samples=False)
    with pytest.raises(ModelNotFoundError, match="missing. Run make models"):
        make_llm(settings)


def test_a_missing_model_of_ones_own_names_the_setting_not_the_provisioning(
    make_settings: Any,
) -> None:
    settings = make_settings(copy_samples=False)
    settings.llm.model_file = "my-model.gguf"
    with pytest.raises(ModelNotFoundError, match="Check llm.model_file") as err:
        make_llm(settings)
    assert "make models" not in str(err.value), "that provisions only the default model"


def test_corrupted_model_file_names_the_provision_command(make_settings: Any) -> None:
    settings = make_settings(copy_samples=False)
    path = settings.models_dir / settings.llm.model_file
    path.parent.mkdir(parents=True)
    path.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ModelNotFoundError, match="corrupted or unverified.*make models"):
        make_llm(settings)


def _parts(tmp_path: Path, data: bytes, n: int = 3) -> list[Path]:
    size = -(-len(data) // n)
    paths = []
    for i in range(n):
        part = tmp_path / f"part{i}"
        part.write_bytes(data[i * size : (i + 1) * size])
        paths.append(part)
    return paths


def test_assemble_concatenates_in_order_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bytes(range(256)) * 40
    monkeypatch.setattr(provision, "EXPECTED_SIZE", len(data))
    monkeypatch.setattr(provision, "EXPECTED_SHA256", hashlib.sha256(data).hexdigest())
    target = tmp_path / "models" / "m.gguf"
    provision.assemble(target, _parts(tmp_path, data))
    assert target.read_bytes() == data
    assert provision.is_provisioned(target)
    provision.verify(target)
    target.write_bytes(data[::-1])  # same size, different bytes
    with pytest.raises(ModelNotFoundError, match="corrupted"):
        provision.verify(target)


def test_assemble_refuses_a_bad_checksum_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"x" * 1000
    monkeypatch.setattr(provision, "EXPECTED_SIZE", len(data))
    monkeypatch.setattr(provision, "EXPECTED_SHA256", "0" * 64)
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ModelNotFoundError, match="corrupted"):
        provision.assemble(target, _parts(tmp_path, data))
    assert list(target.parent.iterdir()) == [], "no partial file is left behind"


def test_ollama_helper_calls_share_the_answer_client(make_settings: Any) -> None:
    from assistant.models.llm import make_helper_llm

    settings = make_settings(copy_samples=False, LLM__PROVIDER="ollama")
    answer_llm = make_llm(settings)
    assert make_helper_llm(settings, answer_llm) is answer_llm
