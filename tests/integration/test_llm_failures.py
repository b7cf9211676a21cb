"""LLM backend failures, as the user sees them: the Ollama backend against a stand-in server
that is down, dies or stalls mid-answer, is slow, sends garbage or fails with HTTP 500; and the
embedded model file missing or damaged. Each gives a clear message in the chat (and the CLI),
a partial answer is kept and marked incomplete, and the next question works once the backend
is back."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.models.provision import EXPECTED_SHA256, EXPECTED_SIZE
from assistant.schema import Answer
from assistant.web.chat import ChatUI
from tests.served import Conversation, free_port
from tests.standin_ollama import StandInOllama

QUESTION = "(réf. K5eed5eed) Qui a menacé de suspendre la coopération avec la Russie sur la Syrie ?"
TIMEOUT_S = 2


def ollama_assistant(sample_assistant: Any, url: str) -> Assistant:
    settings = sample_assistant.settings
    settings.llm.provider = "ollama"
    settings.llm.ollama_base_url = url
    settings.llm.ollama_model = "stand-in"
    settings.llm.timeout_s = TIMEOUT_S
    assistant = Assistant(settings, embedder=sample_assistant.embedder)
    return assistant


def chat_reply(assistant: Assistant, question: str = QUESTION) -> str:
    """The last chat message once the web chat's handler is done."""
    *_, (chat, _sources, _note) = ChatUI(assistant).respond(question, [], [], "", "")
    return str(chat[-1]["content"])


def final_answer(assistant: Assistant) -> Answer:
    return assistant.ask(QUESTION)


def test_down_at_start_then_back_in_the_served_chat(sample_assistant: Any) -> None:
    """The app starts and keeps serving with the server down; once it is up, answers come."""
    from tests.served import serve

    port = free_port()
    assistant = ollama_assistant(sample_assistant, f"http://127.0.0.1:{port}")
    demo, url = serve(assistant)
    try:
        conversation = Conversation(url)
        down = conversation.ask(QUESTION)
        assert down.text == (
            f"⚠️ Cannot reach Ollama at http://127.0.0.1:{port}; start it with `ollama serve`."
        )
        with StandInOllama(port):
            conversation.history = []
            back = conversation.ask(QUESTION)
        assert "K5eed5eed" in back.text and "⚠️" not in back.text
        conversation.close()
    finally:
        demo.close()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("die", "closed the connection before the answer was complete; check that it is still "
         "running (`ollama serve`), then ask again."),
        ("stall", f"did not answer within {TIMEOUT_S} s; try again, or raise llm.timeout_s."),
    ],
)  # fmt: skip
def test_cut_off_mid_answer_keeps_the_partial_answer_marked_incomplete(
    sample_assistant: Any, mode: str, message: str
) -> None:
    with StandInOllama() as server:
        assistant = ollama_assistant(sample_assistant, server.url)
        server.mode, server.fail_after, server.stall_s = mode, 4, 10  # type: ignore[assignment]
        answer = final_answer(assistant)
        assert answer.incomplete and message in answer.stop_reason
        assert answer.text.startswith("Selon les passages, John"), "the partial text is kept"
        assert "K5eed5eed" not in answer.text, "only what arrived before the failure"
        shown = chat_reply(assistant)
        assert shown.startswith("Selon les passages, John")
        assert "*(incomplete: the answer was cut off." in shown and message in shown

        server.mode = "ok"
        again = final_answer(assistant)
        assert not again.incomplete and "K5eed5eed" in again.text


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("slow", f"did not answer within {TIMEOUT_S} s; try again, or raise llm.timeout_s."),
        ("garbage", "sent a reply that is not Ollama's protocol; check that "
         "llm.ollama_base_url points to an Ollama server, then ask again."),
        ("error500", "failed (HTTP 500: llama runner process has terminated: signal: killed); "
         "check its log, then ask again."),
    ],
)  # fmt: skip
def test_no_answer_gives_a_clear_message_then_the_next_question_works(
    sample_assistant: Any, mode: str, message: str
) -> None:
    with StandInOllama() as server:
        assistant = ollama_assistant(sample_assistant, server.url)
        server.mode, server.stall_s = mode, 10  # type: ignore[assignment]
        started = time.monotonic()
        shown = chat_reply(assistant)
        assert shown.startswith(
            f"⚠️ {'The Ollama server at' if mode == 'error500' else 'Ollama at'}"
        )
        assert shown.endswith(message) and "Traceback" not in shown
        assert time.monotonic() - started < 9, "gave up after the timeout, not the stall"
        server.mode = "ok"
        assert "K5eed5eed" in chat_reply(assistant)


# --- the embedded model ---------------------------------------------------------------------


def embedded_assistant(sample_assistant: Any, models_dir: Path) -> Assistant:
    settings = sample_assistant.settings
    settings.llm.provider = "llamacpp"
    settings.paths.models_dir = models_dir
    assistant = Assistant(settings, embedder=sample_assistant.embedder)
    return assistant


def cli_ask(served: Assistant, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> tuple[int, str]:
    """`python -m assistant ask QUESTION` with `served` as the default assistant."""
    from assistant import service
    from assistant.__main__ import main

    monkeypatch.setattr(service, "_default", served)
    code = main(["ask", QUESTION])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def damaged_model(models_dir: Path, stamped: bool) -> Path:
    """A model file of the right size whose bytes are wrong; `stamped`: with a checksum stamp
    that matches it (as if the bytes changed on disk after provisioning)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    path = models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    with path.open("wb") as fh:
        fh.truncate(EXPECTED_SIZE)  # sparse: no disk space used
    if stamped:
        stamp = path.with_name(path.name + ".sha256")
        stamp.write_text(f"{EXPECTED_SHA256} {int(path.stat().st_mtime)}\n")
    return path


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "is missing. Run make models (or `python -m assistant provision`)."),
        ("unstamped", "is corrupted or unverified"),
        ("stamped", "is corrupted (checksum mismatch). Delete it and run make models"),
    ],
)
def test_missing_or_damaged_model_file_names_the_command_that_fixes_it(
    sample_assistant: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    case: str,
    message: str,
) -> None:
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    if case != "missing":
        damaged_model(models_dir, stamped=case == "stamped")
    assistant = embedded_assistant(sample_assistant, models_dir)

    shown = chat_reply(assistant)
    assert shown.startswith("⚠️ ") and message in shown and "make models" in shown

    code, output = cli_ask(assistant, monkeypatch, capsys)
    assert code == 2 and output.startswith("error: ") and message in output
    assert "Traceback" not in output
    shutil.rmtree(models_dir)
