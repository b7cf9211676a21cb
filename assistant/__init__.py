"""Local, private question answering over news articles, with cited passages.

from assistant import ask, retrieve
passages = retrieve("Qui a menacé de suspendre la coopération ?", k=5)
"""

from __future__ import annotations

from assistant.errors import AssistantError
from assistant.schema import Answer, Citation, Filters, Passage
from assistant.service import Assistant, retrieve
from assistant.settings import Settings, load_settings

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "Filters",
    "Passage",
    "Settings",
    "load_settings",
    "retrieve",
]
