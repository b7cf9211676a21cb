"""Local, private question answering over news articles, with cited passages.

from assistant import ask, retrieve
passages = retrieve("Qui a menacé de suspendre la coopération ?", k=5)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.errors import AssistantError
    from assistant.schema import Answer, Citation, Filters, Passage
    from assistant.service import Assistant, ask, retrieve
    from assistant.settings import Settings, load_settings

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "Filters",
    "Passage",
    "Settings",
    "ask",
    "load_settings",
    "retrieve",
]

# Imported on first use, so `python -m ingest` and other users of a single submodule do not
# pay for the answer chain (LangChain's language-model stack): seconds on a busy 2-core CPU.
_LAZY = {
    "AssistantError": "assistant.errors",
    "Answer": "assistant.schema",
    "Citation": "assistant.schema",
    "Filters": "assistant.schema",
    "Passage": "assistant.schema",
    "Assistant": "assistant.service",
    "ask": "assistant.service",
    "retrieve": "assistant.service",
    "Settings": "assistant.settings",
    "load_settings": "assistant.settings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
