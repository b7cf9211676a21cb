from __future__ import annotations

import threading
import time

from assistant.queue import FairLock


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
