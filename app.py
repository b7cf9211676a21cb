"""The web chat: `python app.py` (or `make run`) serves it on 127.0.0.1:7860 by default.

The composition root of the web chat: it gives the assistant the ingest run (the answer layers
never import the ingest package). Importing this module builds the page only; the index is
opened and the models loaded in `main`, or by the first page load (`gradio app.py`).
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from assistant.errors import AssistantError, ModelCrashError
from assistant.service import Assistant
from assistant.web.chat import build_demo
from assistant.web.launch import auth_users, launch_kwargs, port_problem, queue_kwargs
from assistant.web.render import CSS
from ingest.fetch import save_from_web
from ingest.pipeline import run_ingest
from ingest.watch import FolderWatcher

assistant = Assistant(ingester=run_ingest, fetcher=save_from_web)
demo = build_demo(assistant)


def _warm_up() -> None:
    """Load the model, have it read the answer prompt's start and embed the passages'
    sentences while the user opens the page (see `Assistant.warm_up`); a failure here (a
    missing model, say) is reported by the first question, with what to do."""
    try:
        started = time.perf_counter()
        count = assistant.warm_up()
        logging.getLogger("app").info(
            "Warm-up done in %.1f s (%d sentences embedded)", time.perf_counter() - started, count
        )
    except Exception as exc:  # the first question shows the actionable message
        logging.getLogger("app").warning("Warm-up skipped: %s", exc)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = assistant.settings
    try:
        users = auth_users(settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    busy = port_problem(settings.app.host, settings.app.port)
    if busy:
        print(f"error: {busy}", file=sys.stderr)
        return 2
    if settings.llm.provider == "llamacpp":
        print("Checking that the local model runs on this CPU…", flush=True)
    problem = assistant.model_problem()  # in a child process: a crash there is survived
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr, flush=True)
    if isinstance(problem, ModelCrashError):
        print("The web chat starts anyway; it shows passages without answers.", file=sys.stderr)
    _ = assistant.evidence, assistant.index  # built here: never by two threads at once
    if settings.app.watch:
        FolderWatcher(
            settings.articles_dir,
            lambda: assistant.library.ingest(prune=True),
            settings.ingest.extensions,
            on_report=lambda report: logging.getLogger("app").info("%s", report.summary()),
            initial=True,  # what changed while the app was stopped
        ).start()
        print(f"Watching {settings.articles_dir}: new and changed articles are indexed.")
    demo.queue(**queue_kwargs(settings))
    try:
        demo.launch(**launch_kwargs(settings, users), css=CSS, prevent_thread_lock=True)
    except OSError as exc:  # taken between the check and now
        print(
            f"error: {port_problem(settings.app.host, settings.app.port) or exc}", file=sys.stderr
        )
        return 2
    # After the launch has printed the address: llama.cpp silences this process's output
    # while it loads a model, and would swallow it.
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
