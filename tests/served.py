"""The web app as a user runs it: `python app.py` in a subprocess on a free 127.0.0.1 port, its
settings from the environment, its stdout and stderr captured in a log file.

Also a conversation client over `gradio_client` that keeps every streamed update, so a test can
check what a user saw while waiting (the queue position), not only the final reply.
"""

from __future__ import annotations

import html
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ROOT

QUEUE_MESSAGE = "Waiting for the model: position"


@contextmanager
def local_site(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` served by a thread on a free 127.0.0.1 port: its base URL, for a `with`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServedApp:
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def rss_mb(self) -> float:
        """Resident memory of the app process (VmRSS), in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS line")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def ctrl_c_works() -> None:
    """Run in a child before it starts: SIGINT acts as in a terminal. A job a shell starts in
    the background (CI's may be one) has it ignored, and its children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def copy_project(sample_index: Path, destination: Path) -> Path:
    """A private copy of the sample project (articles + index) the app may write to."""
    shutil.copytree(sample_index, destination)
    return destination


def app_env(project: Path, port: int | None = None, **settings: str) -> dict[str, str]:
    """The environment of a served app: paths into `project`, then `settings` as
    ASSISTANT__SECTION__KEY overrides (`llm__provider="ollama"`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT")}
    env |= {
        "PYTHONUNBUFFERED": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ASSISTANT__PATHS__ARTICLES_DIR": str(project / "data" / "articles"),
        "ASSISTANT__PATHS__INDEX_DIR": str(project / "data" / "index"),
        "ASSISTANT__PATHS__MODELS_DIR": str(ROOT / "models"),
    }
    if port is not None:
        env["ASSISTANT__APP__PORT"] = str(port)
    for key, value in settings.items():
        env[key if key.startswith("ASSISTANT") else f"ASSISTANT__{key.upper()}"] = value
    return env


@contextmanager
def served_app(
    project: Path,
    log_path: Path,
    timeout_s: float = 240,
    extra_env: dict[str, str] | None = None,
    **settings: str,
) -> Iterator[ServedApp]:
    """`python app.py` on a free port; yields once the page answers (200, or 401 with auth).
    `extra_env` is added to its environment as is (PYTHONPATH, say)."""
    port = free_port()
    env = app_env(project, port, **settings) | (extra_env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=ctrl_c_works,
        )  # fmt: skip
    app = ServedApp(process, f"http://127.0.0.1:{port}/", log_path)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if not app.alive():
                raise RuntimeError(f"the app exited at start:\n{app.logs()[-3000:]}")
            try:
                if httpx.get(app.url + "gradio_api/info", timeout=5).status_code in (200, 401):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start in {timeout_s} s:\n{app.logs()[-3000:]}")
            time.sleep(0.5)
        yield app
    finally:
        app.stop()


def message_text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content)
    return html.unescape(str(content))


@dataclass
class Reply:
    """One turn as the user saw it: every streamed state of the chat's last message."""

    question: str
    updates: list[str]
    chat: list[dict[str, Any]]
    sources: str
    seconds: float
    error: str = ""

    @property
    def text(self) -> str:
        return self.updates[-1] if self.updates else ""

    @property
    def saw_queue_position(self) -> bool:
        return any(QUEUE_MESSAGE in u for u in self.updates)


@dataclass
class Conversation:
    """A user of the web chat over its `/chat` API endpoint, keeping the history between turns."""

    url: str
    auth: tuple[str, str] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from gradio_client import Client

        self.client = Client(self.url, auth=self.auth, verbose=False)

    def ask(self, question: str, timeout_s: float = 300) -> Reply:
        started = time.perf_counter()
        job = self.client.submit(question, self.history, [], "", "", api_name="/chat")
        try:
            chat, sources, _note = job.result(timeout=timeout_s)
        except Exception as exc:  # reported, not raised: a load test counts errors
            return Reply(question, [], [], "", time.perf_counter() - started, repr(exc))
        seconds = time.perf_counter() - started
        updates = [message_text(out[0][-1]) for out in job.outputs() if out and out[0]]
        self.history = chat
        return Reply(question, updates, chat, sources, seconds)

    def close(self) -> None:
        self.client.close()


def serve(assistant: Any) -> tuple[Any, str]:
    """The web chat of `assistant` served in this process: (the demo, its URL)."""
    from assistant.web.chat import build_demo

    demo = build_demo(assistant)
    demo.queue(default_concurrency_limit=4)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"
