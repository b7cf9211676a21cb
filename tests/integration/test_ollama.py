"""The Ollama backend against a stand-in server on localhost that speaks Ollama's /api/chat
streaming protocol (no Ollama server can be installed here)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assistant import Assistant
from assistant.errors import LLMUnavailableError
from assistant.service import Token
from tests.served import free_port

REPLY = ["Kerry ", "a menacé ", "[1]."]


class FakeOllama(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    models = {"qwen-test"}
    delay_s = 0.0

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        # a client that gave up (the timeout test) is not an error
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._chat()

    def _chat(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        if self.path not in ("/api/chat", "/api/embed"):
            self.send_error(404)
            return
        if body["model"] not in self.models:
            payload = json.dumps({"error": f"model '{body['model']}' not found"}).encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.path == "/api/embed":
            self._embed(body["input"])
            return
        time.sleep(self.delay_s)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for piece in REPLY:
            line = {
                "model": body["model"],
                "created_at": "2026-11-21T00:00:00Z",
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
            self.wfile.write((json.dumps(line) + "\n").encode())
            self.wfile.flush()
        done = {
            "model": body["model"],
            "created_at": "2026-11-21T00:00:01Z",
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1,
            "prompt_eval_count": 10,
            "eval_count": 3,
        }
        self.wfile.write((json.dumps(done) + "\n").encode())

    def _embed(self, texts: list[str]) -> None:
        """A bag of letters: texts sharing words get close vectors (not normalised)."""
        vectors = [[1.0 + t.lower().count(c) for c in "abcdefghijklmnopqrstuvwxyz"] for t in texts]
        payload = json.dumps({"model": "qwen-test", "embeddings": vectors}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def ollama_port() -> Iterator[int]:
    FakeOllama.requests = []
    FakeOllama.delay_s = 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOllama)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()


def ollama_assistant(sample_assistant: Any, port: int, model: str = "qwen-test") -> Any:
    settings = sample_assistant.settings
    settings.llm.provider = "ollama"
    settings.llm.ollama_base_url = f"http://127.0.0.1:{port}"
    settings.llm.ollama_model = model
    settings.llm.n_ctx = 3072
    settings.llm.timeout_s = 2
    assistant = Assistant(settings, embedder=sample_assistant.embedder)
    return assistant


QUESTION = "Qui a menacé de suspendre la coopération avec la Russie sur la Syrie ?"


def test_chat_request_and_streamed_reply(sample_assistant: Any, ollama_port: int) -> None:
    assistant = ollama_assistant(sample_assistant, ollama_port)
    assistant.settings.answer.evidence_tokens = 4000  # reads every passage: numbers unchanged
    assistant.settings.answer.skip_steps = ["best_passage_last"]  # in rank order, too
    events = list(assistant.stream(QUESTION))
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert "".join(tokens) == "".join(REPLY)
    answer = events[-1]
    assert answer.text == "Kerry a menacé [1]."
    assert [c.number for c in answer.citations] == [1]
    (request,) = FakeOllama.requests
    body = request["body"]
    assert request["path"] == "/api/chat" and body["stream"] is True
    assert body["model"] == "qwen-test"
    assert body["options"]["num_ctx"] == 3072, "num_ctx is always sent explicitly"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "[1]" in body["messages"][1]["content"] and QUESTION in body["messages"][1]["content"]


def test_unreachable_server_says_how_to_start_it(sample_assistant: Any) -> None:
    port = free_port()
    assistant = ollama_assistant(sample_assistant, port)
    with pytest.raises(LLMUnavailableError) as err:
        assistant.ask(QUESTION)
    assert str(err.value) == (
        f"Cannot reach Ollama at http://127.0.0.1:{port}; start it with `ollama serve`."
    )


def test_missing_model_says_how_to_pull_it(sample_assistant: Any, ollama_port: int) -> None:
    assistant = ollama_assistant(sample_assistant, ollama_port, model="mistral-x")
    with pytest.raises(LLMUnavailableError) as err:
        assistant.ask(QUESTION)
    assert "Model mistral-x not found" in str(err.value)
    assert "run `ollama pull mistral-x`" in str(err.value)


def test_slow_server_times_out_with_a_message(sample_assistant: Any, ollama_port: int) -> None:
    FakeOllama.delay_s = 4
    assistant = ollama_assistant(sample_assistant, ollama_port)
    with pytest.raises(LLMUnavailableError, match="did not answer within 2 s"):
        assistant.ask(QUESTION)


def test_embeddings_come_from_the_server_in_batches(ollama_port: int) -> None:
    from assistant.models.embeddings import make_embedder
    from assistant.settings import EmbeddingSettings

    settings = EmbeddingSettings(
        provider="ollama", base_url=f"http://127.0.0.1:{ollama_port}", model="qwen-test"
    )
    embedder = make_embedder(settings)
    vectors = embedder.embed_documents([f"texte numéro {i}" for i in range(130)])
    assert len(vectors) == 130 and embedder.name == "ollama:qwen-test"
    assert abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-9, "normalised, like the local ones"
    sizes = [len(r["body"]["input"]) for r in FakeOllama.requests if r["path"] == "/api/embed"]
    assert sizes == [64, 64, 2]


def test_an_unknown_embedding_model_is_named(ollama_port: int) -> None:
    from assistant.errors import EmbedderUnavailableError
    from assistant.models.embeddings import make_embedder
    from assistant.settings import EmbeddingSettings

    url = f"http://127.0.0.1:{ollama_port}"
    embedder = make_embedder(EmbeddingSettings(provider="ollama", base_url=url, model="nomic"))
    with pytest.raises(EmbedderUnavailableError) as err:
        embedder.embed_query("x")
    assert str(err.value) == (
        f"The embedding server at {url} does not serve 'nomic'; set embedding.model to a "
        "model it serves."
    )
