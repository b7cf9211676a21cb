"""What recent answers were read from, so a follow-up can read it again.

A follow-up ("Avec qui parlait-il ?" after "Qu'a dit Vladimir Poutine sur la Syrie ?") is
usually about what the last answer said; its standalone form alone can match other sentences
better (Poutine also met Kerry). The sentences the last answer cited are remembered here,
keyed by the answer's text as the chat shows it, and favoured when the follow-up's evidence
is picked. The chat history carries only text, so the memory is per process and bounded; an
answer it does not know (another process, an edited history) just gets no favour.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from assistant.answer.citations import MARKER

_MARKER = re.compile(r"\s*" + MARKER.pattern)
_NOTE = "*("  # how the chat's notes after an answer begin: "*(incomplete: …)*"


def _key(text: str) -> str:
    return " ".join(_MARKER.sub("", text).split())


class AnswerMemory:
    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._read: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, answer: str, cited: list[str]) -> None:
        """`cited`: the excerpt texts the answer cites, as the LLM read them."""
        key = _key(answer)
        if not key or not cited:
            return
        with self._lock:
            self._read[key] = tuple(cited)
            self._read.move_to_end(key)
            while len(self._read) > self._size:
                self._read.popitem(last=False)

    def recall(self, shown: str) -> tuple[str, ...]:
        """What the answer shown as `shown` cited; the chat may have added a note after it
        ("(incomplete: …)"), so a remembered answer that starts it counts."""
        text = _key(shown)
        if not text:
            return ()
        with self._lock:
            if text in self._read:
                return self._read[text]
            for key in reversed(self._read):
                if text.startswith(key) and text[len(key) :].lstrip().startswith(_NOTE):
                    return self._read[key]
        return ()
