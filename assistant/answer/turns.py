"""A first-come-first-served lock that tells each waiter its place in the queue.

The LLM runs one generation at a time; retrieval never takes this lock.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

_POLL_S = 0.5


class FairLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[int] = deque()
        self._tickets = itertools.count()

    def position(self, ticket: int) -> int:
        with self._cond:
            return self._queue.index(ticket) if ticket in self._queue else 0

    @property
    def waiting(self) -> int:
        with self._cond:
            return max(len(self._queue) - 1, 0)

    def _waits(self, ticket: int) -> Iterator[int]:
        """Yields the waiter's position (1 = next) while it waits; returns holding the lock.

        No lock is held across a `yield`: Gradio resumes each step of a streaming handler in
        whichever worker thread is free, and a lock taken in one thread cannot be released in
        another."""
        while True:
            with self._cond:
                if self._queue[0] == ticket:
                    return
                position = self._queue.index(ticket)
            yield position
            with self._cond:
                if self._queue[0] != ticket:
                    self._cond.wait(_POLL_S)

    @contextmanager
    def hold(self) -> Iterator[Iterator[int]]:
        """`with lock.hold() as waits:` then iterate `waits` to the end (it yields the place in
        the queue while waiting); once it is exhausted, the caller holds the lock."""
        ticket = next(self._tickets)
        with self._cond:
            self._queue.append(ticket)
        try:
            yield self._waits(ticket)
        finally:
            with self._cond:
                self._queue.remove(ticket)
                self._cond.notify_all()
