"""A stand-in Ollama server that a test controls: it speaks `/api/chat` streaming like the real
one (HTTP/1.1, chunked NDJSON, keep-alive) and can be stopped, restarted on the same port, made
to die mid-answer, stall, send garbage or fail with HTTP 500.

Replies are deterministic and echo every reference token (`REF` pattern) of the last user
message, so a test can tell which conversation a reply was written for.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

REF = re.compile(r"\bK[0-9a-f]{8}\b")
Mode = Literal["ok", "die", "stall", "slow", "garbage", "error500"]


def answer_text(tokens: list[str], first_passage: str = "") -> str:
    """A French answer citing passage 1 (and repeating its first words, so that whatever the
    question, a sentence is drawn from a passage) and echoing the question's reference tokens."""
    refs = " ".join(tokens) or "aucune"
    quoted = " ".join(first_passage.split()[:15]).rstrip(".,;:")
    return (
        "Selon les passages, John Kerry a menacé de suspendre la coopération avec la Russie "
        f"sur la Syrie [1]. {quoted + ' [1]. ' if quoted else ''}"
        f"Référence de la question : {refs}."
    )


def condensed_text(prompt: str) -> str:
    """The follow-up made standalone: the last prompt line holding a reference token, without
    the template's label ("Last question: …")."""
    lines = [line for line in prompt.splitlines() if REF.search(line)]
    if not lines:
        return "Que disent les articles sur la Syrie ?"
    last = lines[-1]
    return last.split(": ", 1)[1] if ": " in last and last.index(": ") < 20 else last


def reply_for(messages: list[dict[str, Any]]) -> str:
    last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    if any(m["role"] == "system" for m in messages):  # the answer prompt
        first = re.search(r"<<<\n(.*?)\n>>>", last_user, re.S)
        return answer_text(list(dict.fromkeys(REF.findall(last_user))), first[1] if first else "")
    return condensed_text(last_user)  # condense (or translate): a question back


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
            self._chat()

    def _chat(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        owner = self.server.owner
        owner.requests.append(body)
        mode = owner.mode
        if self.path != "/api/chat":
            self._json(404, {"error": f"unknown path {self.path}"})
            return
        if mode == "error500":
            self._json(500, {"error": "llama runner process has terminated: signal: killed"})
            return
        if mode == "slow":
            owner.stop_event.wait(owner.stall_s)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if mode == "garbage":
            self._chunk(b"<html>502 Bad Gateway</html>\n")
            self._chunk(b"not json at all\n")
            self._chunk(b"")
            return
        words = reply_for(body["messages"]).split(" ")
        pieces = [w + " " for w in words[:-1]] + [words[-1]]
        for n, piece in enumerate(pieces):
            if mode in ("die", "stall") and n == owner.fail_after:
                if mode == "stall":
                    owner.stop_event.wait(owner.stall_s)
                self.connection.shutdown(socket.SHUT_RDWR)  # dies without ending the stream
                self.close_connection = True
                return
            self._chunk(self._line(body["model"], piece, done=False))
            if owner.piece_delay_s:
                time.sleep(owner.piece_delay_s)
        self._chunk(self._line(body["model"], "", done=True))
        self._chunk(b"")

    def _line(self, model: str, content: str, done: bool) -> bytes:
        line: dict[str, Any] = {
            "model": model,
            "created_at": "2026-11-21T00:00:00Z",
            "message": {"role": "assistant", "content": content},
            "done": done,
        }
        if done:
            line |= {"done_reason": "stop", "prompt_eval_count": 10, "eval_count": 3}
        return (json.dumps(line) + "\n").encode()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, owner: StandInOllama) -> None:
        self.owner = owner
        self.connections: set[socket.socket] = set()
        super().__init__(("127.0.0.1", port), _Handler)


class StandInOllama:
    """`start()`, `stop()` (down: listener and open connections closed) and `start()` again on
    the same port. `mode` and the timing knobs may be changed between requests."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.mode: Mode = "ok"
        self.fail_after = 3  # pieces sent before "die" / "stall"
        self.stall_s = 30.0  # how long "slow" / "stall" keep silent (cut short by stop())
        self.piece_delay_s = 0.0
        self.requests: list[dict[str, Any]] = []
        self.stop_event = threading.Event()
        self._server: _Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StandInOllama:
        self.stop_event.clear()
        self._server = _Server(self.port, self)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.stop_event.set()
        server.shutdown()
        server.server_close()
        for conn in list(server.connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()

    def __enter__(self) -> StandInOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
