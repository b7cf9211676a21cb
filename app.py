"""The web chat: `python app.py` (or `make run`) serves it on 127.0.0.1:7860 by default."""

from __future__ import annotations

import logging
import os
import sys

from assistant.errors import AssistantError
from assistant.render import CSS
from assistant.service import default_assistant
from assistant.ui import build_demo

demo = build_demo(default_assistant())


def auth_users() -> list[tuple[str, str]]:
    """Basic-auth users from config (app.auth) or ASSISTANT_AUTH="user:pass,user2:pass2"."""
    entries = list(default_assistant().settings.app.auth)
    entries += [e for e in os.environ.get("ASSISTANT_AUTH", "").split(",") if e.strip()]
    users = []
    for entry in entries:
        user, sep, password = entry.strip().partition(":")
        if not sep or not user or not password:
            raise AssistantError('Each auth entry must look like "user:password".')
        users.append((user, password))
    return users


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = default_assistant().settings.app
    try:
        users = auth_users()
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    demo.queue(default_concurrency_limit=8)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=settings.share,
        auth=users or None,
        max_file_size=int(settings.max_upload_mb * 1024 * 1024),
        css=CSS,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
