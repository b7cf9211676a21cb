"""The errors a user can cause or fix; the UI and CLI show their message, never a traceback.

Every message says what happened and what to do next.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: its message is meant for the user as-is."""


class SettingsError(AssistantError):
    """A setting in config.toml or the environment has a bad value."""


class ModelNotFoundError(AssistantError):
    """A model file or package is missing or corrupted."""


class ProviderNotInstalledError(AssistantError):
    """The configured provider needs a package that is not installed."""


class IndexEmptyError(AssistantError):
    """Nothing has been ingested yet."""


class IngestLockedError(AssistantError):
    """Another ingest is already running on the same index."""


class InvalidQuestionError(AssistantError):
    """The question is empty or cannot be used."""


class LLMUnavailableError(AssistantError):
    """The LLM backend cannot be reached or failed while answering."""


class EmbedderUnavailableError(AssistantError):
    """The embedding server cannot be reached or failed."""


class PromptError(AssistantError):
    """A prompt file is missing or has wrong placeholders."""


class EvalFileError(AssistantError):
    """An evaluation file is missing or has a malformed case."""


class ModelCrashError(LLMUnavailableError):
    """The embedded model crashed (a signal, no exception) in its start-up check."""
