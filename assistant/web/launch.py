"""How the web chat is exposed: bind address, share link, users, queue and upload limits.

Everything is built from settings here, so a test can check what `app.py` hands to Gradio
without starting a server. Private by default: bound to 127.0.0.1, no share link, nothing
recorded in the browser or sent to a hub, no monitoring or MCP endpoints.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Mapping
from typing import Any

from assistant.errors import SettingsError
from assistant.settings import Settings

AUTH_ENV = "ASSISTANT_AUTH"


def auth_users(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Basic-auth users from `app.auth` and ASSISTANT_AUTH="user:pass,user2:pass2"."""
    environ = os.environ if environ is None else environ
    entries = list(settings.app.auth)
    entries += [e for e in environ.get(AUTH_ENV, "").split(",") if e.strip()]
    users = []
    for n, entry in enumerate(entries, start=1):
        user, sep, password = entry.strip().partition(":")
        if not sep or not user or not password:
            # the entry itself is not shown: it may hold a password
            raise SettingsError(
                f'Auth entry {n} (app.auth, then {AUTH_ENV}) must look like "user:password".'
            )
        users.append((user, password))
    return users


def queue_kwargs(settings: Settings) -> dict[str, Any]:
    """Arguments for `demo.queue()`: how many requests run at once and how many may wait."""
    return {
        "default_concurrency_limit": settings.app.concurrency_limit,
        "max_size": settings.app.queue_size,
    }


def launch_kwargs(settings: Settings, users: list[tuple[str, str]]) -> dict[str, Any]:
    """Arguments for `demo.launch()`. Explicit values, so no GRADIO_* environment variable can
    widen the exposure (share link, server name, MCP server, SSR proxy) behind our back."""
    app = settings.app
    return {
        "server_name": app.host,
        "server_port": app.port,
        "share": app.share,
        "auth": users or None,
        "max_file_size": int(app.max_upload_mb * 1024 * 1024),
        "run_history": False,  # Gradio would keep questions and answers in the browser
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "show_error": False,  # errors reach the chat as our own messages, not tracebacks
    }


def port_problem(host: str, port: int) -> str | None:
    """Why the web chat cannot listen on `host`:`port`, with the setting to change, or None.
    Checked before the model loads, so the user hears it at once."""
    bare = host.strip("[]")  # "[::1]", as Gradio takes it
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            bare, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        return (
            f"The web chat cannot listen on {host}: {exc}. Check app.host (ASSISTANT__APP__HOST)."
        )
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as exc:
            return f"The web chat cannot listen on {host}:{port} ({exc.strerror or exc}). " + (
                _BIND_FIXES.get(exc.errno or 0, "Check app.host and app.port.")
            )
    return None


_BIND_FIXES = {
    errno.EADDRINUSE: "Another program (another web chat?) is using that port: stop it, or "
    "choose another port with app.port in config.toml or ASSISTANT__APP__PORT.",
    errno.EADDRNOTAVAIL: "That address is not one of this machine's: check app.host "
    "(ASSISTANT__APP__HOST), e.g. 127.0.0.1.",
    errno.EACCES: "Ports below 1024 need administrator rights: choose a port above 1023 with "
    "app.port (ASSISTANT__APP__PORT).",
}
