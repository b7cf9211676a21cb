"""A stand-in for llama-cpp-python built for instructions this CPU does not allow: whoever
imports it dies with SIGILL, as the real one does at its first decode on such a machine.
Put first on PYTHONPATH by tests/e2e/test_failsafe.py only."""

import os
import signal

os.kill(os.getpid(), signal.SIGILL)
