"""Exposure: private by default (127.0.0.1, no share link, no auth needed locally); with auth
on, every HTTP route that can answer a question or take a file refuses an unauthenticated
request; upload size and count limits; no password in the app's output.

The served app is `python app.py` in a subprocess, users from ASSISTANT_AUTH."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.errors import SettingsError
from assistant.settings import load_settings
from assistant.web.launch import auth_users, launch_kwargs, queue_kwargs
from tests.conftest import ROOT
from tests.served import Conversation, ServedApp, copy_project, served_app
from tests.standin_ollama import StandInOllama

USER = "alice"
PASSWORD = f"pw-{secrets.token_hex(8)}"  # unique, so finding it anywhere in a log is a leak
WRONG_PASSWORD = f"typo-{secrets.token_hex(8)}"

# Routes that work without a login, each reviewed: none of them runs an event, reads a file
# or takes an upload. Everything else Gradio serves must answer 401/403 without a login.
PUBLIC = {
    "/": "the login page",
    "/login": "takes the password",
    "/logout": "ends a session",
    "/gradio_api/login_check": "says whether the caller is logged in",
    "/gradio_api/user": "the caller's own user name, or null",
    "/gradio_api/token": "the caller's own session token, or null",
    "/gradio_api/app_id": "a random id for this launch",
    "/gradio_api/heartbeat/{session_hash}": "keeps a session open; runs nothing",
    "/gradio_api/cancel": "cancels an event by its session and event ids",
    "/gradio_api/reset": "a no-op kept for old clients",
    "/gradio_api/stream/{event_id}": "feeds a running streaming-input event (none here)",
    "/gradio_api/stream/{event_id}/close": "closes such an event",
    "/gradio_api/startup-events": "runs load-time events, none of which answer or upload",
    "/gradio_api/vibe-edit": "refused unless Gradio's vibe mode is on",
    "/gradio_api/undo-vibe-edit": "refused unless Gradio's vibe mode is on",
    "/gradio_api/vibe-code": "refused unless Gradio's vibe mode is on",
    "/gradio_api/vibe-starter-queries": "refused unless Gradio's vibe mode is on",
    "/gradio_api/runs": "run history page, disabled (run_history=False)",
    "/monitoring/{key}": "monitoring, disabled (enable_monitoring=False)",
}
STATIC = re.compile(
    r"^/(static|assets|svelte|favicon\.ico|theme\.css|robots\.txt|manifest\.json|pwa_icon)"
    r"|^/gradio_api/(custom_component|theme\.css|stream/\{session_hash\})"
)


# --- settings → launch arguments ------------------------------------------------------------


def test_private_by_default_with_the_shipped_config() -> None:
    for settings in (
        load_settings(config_file=ROOT / "none.toml", environ={}),  # the defaults
        load_settings(environ={}),  # config.toml as shipped
    ):
        kwargs = launch_kwargs(settings, auth_users(settings, environ={}))
        assert kwargs["server_name"] == "127.0.0.1"
        assert kwargs["share"] is False and kwargs["auth"] is None
        # explicit, so GRADIO_SHARE / GRADIO_MCP_SERVER / GRADIO_SSR_MODE cannot turn them on
        assert kwargs["mcp_server"] is False and kwargs["ssr_mode"] is False
        assert kwargs["run_history"] is False and kwargs["enable_monitoring"] is False
        assert kwargs["max_file_size"] == int(settings.app.max_upload_mb * 2**20)
        assert queue_kwargs(settings)["max_size"] == settings.app.queue_size


def test_auth_users_come_from_config_and_environment() -> None:
    settings = load_settings(
        config_file=ROOT / "none.toml", environ={"ASSISTANT__APP__AUTH": '["ann:one:colon"]'}
    )
    users = auth_users(settings, environ={"ASSISTANT_AUTH": "bob:two, carl:three"})
    assert users == [("ann", "one:colon"), ("bob", "two"), ("carl", "three")]
    assert launch_kwargs(settings, users)["auth"] == users


@pytest.mark.parametrize("entry", ["bob", "bob:", ":s3cr3t-x", "  "])
def test_a_bad_auth_entry_is_refused_without_showing_it(entry: str) -> None:
    settings = load_settings(
        config_file=ROOT / "none.toml", environ={"ASSISTANT__APP__AUTH": f'["{entry}"]'}
    )
    with pytest.raises(SettingsError, match='must look like "user:password"') as err:
        auth_users(settings, environ={})
    assert "s3cr3t" not in str(err.value)


def test_a_badly_typed_auth_setting_does_not_echo_the_password() -> None:
    with pytest.raises(SettingsError, match="app.auth") as err:
        load_settings(
            config_file=ROOT / "none.toml", environ={"ASSISTANT__APP__AUTH": f"bob:{PASSWORD}"}
        )
    assert PASSWORD not in str(err.value) and PASSWORD not in repr(err.value)
    settings = load_settings(
        config_file=ROOT / "none.toml", environ={"ASSISTANT__APP__AUTH": f'["bob:{PASSWORD}"]'}
    )
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings.app)


# --- the served app with a user -----------------------------------------------------------


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInOllama]:
    with StandInOllama() as server:
        yield server


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, sample_index: Path, standin: StandInOllama
) -> Iterator[ServedApp]:
    base = tmp_path_factory.mktemp("exposure")
    project = copy_project(sample_index, base / "project")
    with served_app(
        project,
        base / "app.log",
        ASSISTANT_AUTH=f"{USER}:{PASSWORD}",
        llm__provider="ollama",
        llm__ollama_base_url=standin.url,
        llm__ollama_model="stand-in",
        app__max_upload_mb="0.01",  # 10 kB
        app__max_upload_files="2",
    ) as served:
        yield served


def gradio_routes(sample_assistant: Any) -> list[tuple[str, str]]:
    """(method, path) of every route Gradio serves for this app, built in-process the way
    `launch()` builds it with our settings."""
    from fastapi.routing import APIRoute
    from gradio.routes import App

    from assistant.web.chat import build_demo

    demo = build_demo(sample_assistant)
    demo.run_history = False
    demo.enable_monitoring = False
    app = App.create_app(demo, mcp_server=False)

    def walk(routes: list[Any]) -> Iterator[APIRoute]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):  # FastAPI's included routers
                yield from walk(route.original_router.routes)

    return sorted(
        {(m, route.path) for route in walk(app.routes) for m in route.methods if m != "HEAD"}
    )


def concrete(path: str) -> str:
    path = path.replace("{api_name}", "chat").replace("{path_or_url:path}", "data/articles/x.txt")
    return re.sub(r"\{[^}]+\}", "x", path)


@pytest.mark.server
def test_every_route_that_answers_or_uploads_needs_a_login(
    app: ServedApp, sample_assistant: Any
) -> None:
    routes = gradio_routes(sample_assistant)
    probed = {path for _, path in routes}
    for must in ("/gradio_api/queue/join", "/gradio_api/call/{api_name}", "/gradio_api/upload"):
        assert must in probed, f"{must} is not among the routes: the probe list is stale"
    open_routes = []
    with httpx.Client(base_url=app.url.rstrip("/"), timeout=30) as http:
        for method, path in routes:
            if path.rstrip("/") in PUBLIC or path in PUBLIC or STATIC.search(path):
                continue
            body = {"data": [], "fn_index": 0, "session_hash": "x"} if method == "POST" else None
            response = http.request(method, concrete(path), json=body)
            if response.status_code not in (401, 403):
                open_routes.append((method, path, response.status_code))
        # the chat and upload endpoints by name, through each protocol Gradio offers
        refused = [
            http.post("/gradio_api/call/chat", json={"data": ["Alep ?", [], [], "", ""]}),
            http.post("/gradio_api/call/upload", json={"data": [[]]}),
            http.post("/gradio_api/run/chat", json={"data": ["Alep ?", [], [], "", ""]}),
            http.post(
                "/gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": "s"}
            ),
            http.get("/gradio_api/queue/data", params={"session_hash": "s"}),
            http.post("/gradio_api/upload", files={"files": ("a.txt", b"Alep", "text/plain")}),
            http.get("/gradio_api/file=" + str(ROOT / "data" / "articles" / "x.txt")),
            http.get("/config"),
            http.get("/gradio_api/info"),
        ]
    assert open_routes == []
    assert [r.status_code for r in refused] == [401] * len(refused)


@pytest.mark.server
def test_the_logged_in_client_asks_and_uploads_within_the_limits(
    app: ServedApp, tmp_path: Path
) -> None:
    from gradio_client import Client, handle_file

    with pytest.raises(Exception, match="401|[Uu]nauthori|[Ll]ogin"):
        Client(app.url, verbose=False)
    with pytest.raises(Exception, match="401|[Uu]nauthori|[Ll]ogin|[Ii]ncorrect"):
        Client(app.url, auth=(USER, WRONG_PASSWORD), verbose=False)

    conversation = Conversation(app.url, auth=(USER, PASSWORD))
    reply = conversation.ask("(réf. K0a1b2c3d) Que menace de faire John Kerry en Syrie ?")
    assert "K0a1b2c3d" in reply.text and "⚠️" not in reply.text

    small = tmp_path / "breve alep.txt"
    small.write_text("Alep : une trêve annoncée\n\nUne trêve de trois jours a été annoncée.\n")
    status, table, _, _ = conversation.client.predict([handle_file(small)], "", api_name="/upload")
    assert "breve_alep.txt: indexed" in status or "breve alep.txt: indexed" in status
    assert any("trêve" in str(row) for row in table["data"])

    several = []
    for n in range(3):
        path = tmp_path / f"note{n}.txt"
        path.write_text(f"Note {n}\n\nUne note de plus sur Alep, numéro {n}.\n")
        several.append(handle_file(path))
    status, table, _, _ = conversation.client.predict(several, "", api_name="/upload")
    assert "3 files selected: add at most 2 at a time" in status
    assert not any("Note 0" in str(row) for row in table["data"]), "nothing was added"

    big = tmp_path / "big.txt"
    big.write_text("Alep.\n\n" + "x" * 20_000)
    cookies = conversation.client.cookies
    response = httpx.post(
        app.url + "gradio_api/upload",
        files={"files": ("big.txt", big.read_bytes(), "text/plain")},
        cookies=cookies,
        timeout=30,
    )
    assert response.status_code == 413, response.text
    conversation.close()


@pytest.mark.server
def test_no_password_in_the_app_output(app: ServedApp) -> None:
    """Runs last in this module: the login attempts above (right and wrong) are in the log."""
    response = httpx.post(
        app.url + "login", data={"username": USER, "password": WRONG_PASSWORD}, timeout=30
    )
    assert response.status_code in (400, 401)
    log = app.logs()
    assert "Running on local URL" in log, "the log is the app's real output"
    assert PASSWORD not in log and WRONG_PASSWORD not in log
