"""news-assistant: one command for everything the project does from a shell.

  news-assistant ingest [--prune] [--reset] [--dry-run] [PATH ...]   (python -m ingest)
  news-assistant ask QUESTION | retrieve QUESTION [-k N] | stats      (python -m assistant)
  news-assistant provision | check-model | models                     (python -m assistant)
  news-assistant calibrate FILE.jsonl… [--write]                      (python -m assistant)
  news-assistant serve                                                (python app.py)
  news-assistant eval FILE.jsonl [--out FILE.json]                    (python -m assistant.eval)

`news-assistant COMMAND --help` describes each command. Like app.py, this module sits above
both packages: it is the only place the ingest and answer command lines meet.
"""

from __future__ import annotations

import sys

_ASSISTANT_COMMANDS = {
    "ask", "retrieve", "stats", "provision", "check-model", "models", "calibrate"
}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__.strip())
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "ingest":
        from ingest.__main__ import main as ingest_main

        return ingest_main(rest)
    if command in _ASSISTANT_COMMANDS:
        from assistant.__main__ import main as assistant_main

        return assistant_main([command, *rest])
    if command == "serve":
        if rest:
            print(
                "error: serve takes no arguments; set host and port in config.toml.",
                file=sys.stderr,
            )
            return 2
        import app

        return app.main()
    if command == "eval":
        from assistant.eval.runner import main as eval_main

        return eval_main(rest)
    commands = ", ".join(["ingest", *sorted(_ASSISTANT_COMMANDS), "serve", "eval"])
    print(f"error: unknown command {command!r}; the commands are {commands}.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
