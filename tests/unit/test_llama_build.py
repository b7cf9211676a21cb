"""The llama.cpp build the set-up makes: explicit and portable, never native, never AMX."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("llama_wheel", ROOT / "tools" / "llama_wheel.py")
assert _spec is not None and _spec.loader is not None
llama_wheel = importlib.util.module_from_spec(_spec)
sys.modules["llama_wheel"] = llama_wheel
_spec.loader.exec_module(llama_wheel)

ZEN4 = set("sse4_2 avx avx2 fma f16c bmi2 avx512f avx512bw avx512_vnni".split())
SAPPHIRE_RAPIDS = ZEN4 | {"amx_tile", "amx_int8", "amx_bf16"}
OLD = set("sse4_2 avx".split())


@pytest.mark.parametrize("flags", [ZEN4, SAPPHIRE_RAPIDS])
def test_avx2_cpus_get_the_portable_build_whatever_else_they_list(
    flags: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLAMA_CPU", raising=False)
    monkeypatch.setattr(llama_wheel, "cpu_flags", lambda: flags)
    monkeypatch.setattr(llama_wheel.platform, "machine", lambda: "x86_64")
    assert llama_wheel.level() == "avx2"
    args = llama_wheel.cmake_args("avx2").split()
    assert "-DGGML_NATIVE=OFF" in args and "-DGGML_AVX2=ON" in args
    for feature in ("AVX512", "AMX_TILE", "AMX_INT8", "AMX_BF16"):
        assert f"-DGGML_{feature}=OFF" in args


def test_a_cpu_without_avx2_gets_a_slower_build_and_a_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LLAMA_CPU", raising=False)
    monkeypatch.setattr(llama_wheel, "cpu_flags", lambda: OLD)
    monkeypatch.setattr(llama_wheel.platform, "machine", lambda: "x86_64")
    assert llama_wheel.level() == "sse42"
    assert "-DGGML_AVX2=OFF" in llama_wheel.cmake_args("sse42").split()
    assert 'provider = "ollama"' in llama_wheel.NO_AVX2


def test_a_cpu_without_sse42_gets_the_baseline_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLAMA_CPU", raising=False)
    monkeypatch.setattr(llama_wheel, "cpu_flags", lambda: {"sse2", "ssse3"})  # QEMU's qemu64
    monkeypatch.setattr(llama_wheel.platform, "machine", lambda: "x86_64")
    assert llama_wheel.level() == "generic"
    args = llama_wheel.cmake_args("generic").split()
    for feature in ("SSE42", "AVX", "AVX2", "FMA", "F16C", "BMI2", "AVX512", "AMX_TILE"):
        assert f"-DGGML_{feature}=OFF" in args, feature


def test_each_flag_set_has_its_own_wheel_folder() -> None:
    folders = {llama_wheel.wheel_dir(level) for level in llama_wheel.LEVELS}
    assert len(folders) == len(llama_wheel.LEVELS)
    assert all(llama_wheel.VERSION in f.name for f in folders)


def test_the_project_pins_the_version_the_set_up_builds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"llama-cpp-python=={llama_wheel.VERSION}" in project["dependencies"]


def test_the_installed_llama_cpp_is_the_portable_wheel() -> None:
    """What `make setup` installed: the library in the venv is the one built here."""
    import importlib.metadata

    dist = importlib.metadata.distribution("llama-cpp-python")
    assert dist.version == llama_wheel.VERSION
    installed = Path(str(dist.locate_file("llama_cpp/lib")))
    built = llama_wheel.wheel(llama_wheel.level())
    assert built is not None, "the set-up builds the wheel first"
    import zipfile

    with zipfile.ZipFile(built) as archive:
        sizes = {
            Path(i.filename).name: i.file_size
            for i in archive.infolist()
            if i.filename.startswith("llama_cpp/lib/")
        }
    assert sizes
    for name, size in sizes.items():
        assert (installed / name).stat().st_size == size, name
