from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from assistant.answer.turns import FairLock


def test_one_holder_at_a_time_first_come_first_served_with_positions() -> None:
    lock = FairLock()
    order: list[str] = []
    positions: dict[str, list[int]] = {}
    inside = threading.Semaphore(1)

    def worker(name: str, start_delay: float) -> None:
        time.sleep(start_delay)
        with lock.hold() as waits:
            positions[name] = list(waits)
            assert inside.acquire(blocking=False), "two holders at once"
            order.append(name)
            time.sleep(0.3)
            inside.release()

    threads = [
        threading.Thread(target=worker, args=(n, d))
        for n, d in [("a", 0.0), ("b", 0.05), ("c", 0.1)]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert order == ["a", "b", "c"]
    assert positions["a"] == []
    assert positions["b"][0] == 1 and positions["c"][0] == 2
    assert lock.waiting == 0


def _step_in_new_thread(waits: Iterator[int]) -> int | None:
    """One step of a waiting generator, in a thread of its own (as Gradio's workers do)."""
    out: list[int | None] = []
    thread = threading.Thread(target=lambda: out.append(next(waits, None)), daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "a step of the queue blocked"
    return out[0]


def test_waiting_can_be_resumed_from_other_threads_like_gradio_does() -> None:
    """Gradio runs each step of a streaming handler in whichever worker thread is free, so the
    queue must hold no lock between two steps (it deadlocked every later question)."""
    lock = FairLock()
    seen: list[object] = []

    def scenario() -> None:
        with lock.hold() as first:
            seen.append(list(first))
            second = lock.hold()
            waits = second.__enter__()
            seen.append([_step_in_new_thread(waits) for _ in range(3)])
        seen.append(_step_in_new_thread(waits))  # the first holder left: now it holds it
        second.__exit__(None, None, None)
        with lock.hold() as third:  # nothing left locked or queued
            seen.append(list(third))

    thread = threading.Thread(target=scenario, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), f"the queue deadlocked after {seen}"
    assert seen == [[], [1, 1, 1], None, []]
    assert lock.waiting == 0
