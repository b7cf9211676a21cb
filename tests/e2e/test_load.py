"""Load: concurrent two-turn conversations through `gradio_client` against the served app
(`python app.py` in a subprocess), with the Ollama backend pointed at a stand-in server.

The stand-in streams a deterministic reply that echoes the reference token of the question it
was asked, so a reply delivered to the wrong conversation is caught. The real default LLM would
take about 15 s an answer here (2 cores), so 20 users × 2 turns would need 10+ minutes a round.

`make test` runs 4 users × 1 round; `make stress` (marker `stress`) runs 20 users for several
rounds (STRESS_USERS, STRESS_ROUNDS, STRESS_SECONDS) and writes tests/output/load.json.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.served import Conversation, Reply, ServedApp, copy_project, served_app
from tests.standin_ollama import REF, StandInOllama

pytestmark = pytest.mark.server

OUTPUT = Path(__file__).resolve().parents[1] / "output"
# (first question, follow-up); {ref} is the turn's reference token
TURNS = [
    ("(réf. {ref}) Que menace de faire John Kerry au sujet de la Syrie ?",
     "(réf. {ref}) Et que répond la Russie à John Kerry sur la Syrie ?"),
    ("(réf. {ref}) Quel accord militaire la Russie et les États-Unis négocient-ils pour Alep ?",
     "(réf. {ref}) Qui a annoncé ces négociations sur Alep ?"),
    ("(réf. {ref}) Que reproche Moscou à Washington à propos des rebelles en Syrie ?",
     "(réf. {ref}) Que répond Washington à Moscou sur les rebelles syriens ?"),
    ("(réf. {ref}) Que disent Lavrov et Kerry de leur coopération sur la Syrie ?",
     "(réf. {ref}) Où Kerry et Lavrov se sont-ils rencontrés pour parler de la Syrie ?"),
]  # fmt: skip
_POSITION = re.compile(r"position (\d+)")


@dataclass
class Turn:
    user: int
    round: int
    ref: str
    reply: Reply


@dataclass
class LoadRun:
    users: int
    turns: list[Turn] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)  # after warm-up, then after each round
    seconds: float = 0.0

    def problems(self) -> list[str]:
        """Every reply that is an error, a warning, lost, or not written for its conversation."""
        owned: dict[tuple[int, int], set[str]] = {}
        for t in self.turns:
            owned.setdefault((t.user, t.round), set()).add(t.ref)
        found = []
        for t in self.turns:
            text = t.reply.text
            refs = set(REF.findall(text))
            if t.reply.error:
                found.append(f"user {t.user} round {t.round}: error {t.reply.error}")
            elif "⚠️" in text or t.ref not in refs:
                found.append(f"user {t.user} round {t.round}: reply not for {t.ref}: {text!r}")
            elif not refs <= owned[(t.user, t.round)]:
                found.append(
                    f"user {t.user} round {t.round}: another conversation's reply {text!r}"
                )
        return found

    def summary(self) -> dict[str, Any]:
        seconds = sorted(t.reply.seconds for t in self.turns)
        positions = [
            int(p) for t in self.turns for u in t.reply.updates for p in _POSITION.findall(u)
        ]
        rounds = len(self.rss_mb) - 1
        growth = (self.rss_mb[-1] - self.rss_mb[1]) / (rounds - 1) if rounds > 1 else None
        return {
            "users": self.users,
            "rounds": rounds,
            "replies": len(self.turns),
            "problems": len(self.problems()),
            "seconds": round(self.seconds, 1),
            "replies_per_s": round(len(self.turns) / self.seconds, 3),
            "latency_p50_s": round(statistics.median(seconds), 2),
            "latency_p95_s": round(seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))], 2),
            "latency_max_s": round(seconds[-1], 2),
            "saw_queue_position": sum(t.reply.saw_queue_position for t in self.turns),
            "max_queue_position": max(positions, default=0),
            "rss_mb": [round(r, 1) for r in self.rss_mb],
            "rss_growth_mb_per_round_after_first": None if growth is None else round(growth, 2),
        }


def run_load(app: ServedApp, users: int, rounds: int, max_seconds: float) -> LoadRun:
    """`users` conversations of two turns, all starting together, round after round, until
    `rounds` are done or `max_seconds` have passed (a round in progress is finished)."""
    run = LoadRun(users, rss_mb=[app.rss_mb()])
    conversations = [Conversation(app.url) for _ in range(users)]
    lock = threading.Lock()
    started = time.perf_counter()

    def converse(user: int, round_: int, barrier: threading.Barrier) -> None:
        conversation = conversations[user]
        conversation.history = []
        barrier.wait(timeout=60)
        for template in TURNS[user % len(TURNS)]:
            # a digit first: an all-letter token ("Kdcedeace", 1 in ~2,500) reads as a name no
            # article mentions, and the question is refused before the LLM
            ref = f"K{secrets.randbelow(10)}{secrets.token_hex(4)[1:]}"
            reply = conversation.ask(template.format(ref=ref))
            with lock:
                run.turns.append(Turn(user, round_, ref, reply))

    try:
        with ThreadPoolExecutor(max_workers=users) as pool:
            for round_ in range(rounds):
                barrier = threading.Barrier(users)
                futures = [pool.submit(converse, u, round_, barrier) for u in range(users)]
                for future in futures:
                    future.result(timeout=1800)
                run.rss_mb.append(app.rss_mb())
                if not app.alive() or time.perf_counter() - started > max_seconds:
                    break
    finally:
        for conversation in conversations:
            conversation.close()
    run.seconds = time.perf_counter() - started
    return run


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInOllama]:
    server = StandInOllama().start()
    server.piece_delay_s = 0.02  # ~0.6 s an answer, so a queue forms
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, sample_index: Path, standin: StandInOllama
) -> Iterator[ServedApp]:
    base = tmp_path_factory.mktemp("load")
    project = copy_project(sample_index, base / "project")
    with served_app(
        project,
        base / "app.log",
        llm__provider="ollama",
        llm__ollama_base_url=standin.url,
        llm__ollama_model="stand-in",
        llm__timeout_s="30",
    ) as served:
        warm = Conversation(served.url)  # loads the embedder before anything is timed
        assert warm.ask("Que menace de faire John Kerry au sujet de la Syrie ?").text
        warm.close()
        yield served


def report(run: LoadRun, name: str) -> dict[str, Any]:
    summary = run.summary()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\n{name}: {json.dumps(summary)}")
    return summary


def test_four_users_get_their_own_answers_and_see_the_queue(app: ServedApp) -> None:
    run = run_load(app, users=4, rounds=1, max_seconds=300)
    summary = report(run, "load-short")
    assert run.problems() == []
    assert summary["replies"] == 8, "every question got a reply"
    assert summary["saw_queue_position"] >= 1, "a user who waits is told their place"
    assert 1 <= summary["max_queue_position"] <= 4
    assert app.alive()


@pytest.mark.stress
def test_twenty_users_for_several_rounds(app: ServedApp) -> None:
    users = int(os.environ.get("STRESS_USERS", "20"))
    rounds = int(os.environ.get("STRESS_ROUNDS", "8"))
    seconds = float(os.environ.get("STRESS_SECONDS", "300"))
    run = run_load(app, users=users, rounds=rounds, max_seconds=seconds)
    summary = report(run, "load")
    assert run.problems() == []
    assert summary["replies"] == 2 * users * summary["rounds"], "no reply lost"
    assert summary["saw_queue_position"] >= users // 2, "waiting users are told their place"
    assert 2 <= summary["max_queue_position"] <= users
    if summary["rounds"] >= 3:
        # after the first round (caches, allocator pools), memory stays flat
        assert summary["rss_growth_mb_per_round_after_first"] < 15, summary["rss_mb"]
    assert app.alive()
