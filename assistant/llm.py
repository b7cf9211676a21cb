"""The LLM backends behind one factory: embedded llama.cpp (default) or an Ollama server.

Provider packages are imported only here, lazily, with an install hint when one is missing.
`explain` turns a backend's low-level failure into the message and command a user needs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.errors import (
    AssistantError,
    LLMUnavailableError,
    ModelNotFoundError,
    ProviderNotInstalledError,
)
from assistant.openmp import passive_waits
from assistant.provision import EXPECTED_SIZE, PROVISION_COMMAND, is_provisioned
from assistant.settings import Settings

logger = logging.getLogger(__name__)


def make_llm(settings: Settings) -> BaseChatModel:
    """Build the configured chat model; the llama.cpp one loads its weights here, once."""
    cfg = settings.llm
    match cfg.provider:
        case "llamacpp":
            path = settings.models_dir / cfg.model_file
            if not path.exists():
                raise ModelNotFoundError(
                    f"The model file {path} is missing. Run {PROVISION_COMMAND}."
                )
            if not is_provisioned(path):
                raise ModelNotFoundError(
                    f"The model file {path} is corrupted or unverified (size "
                    f"{path.stat().st_size}, expected {EXPECTED_SIZE}). Delete it and run "
                    f"{PROVISION_COMMAND}."
                )
            passive_waits()  # before llama.cpp loads its OpenMP runtime
            try:
                from langchain_community.chat_models import ChatLlamaCpp
            except ImportError as exc:
                raise ProviderNotInstalledError(
                    "llama.cpp support needs `pip install llama-cpp-python langchain-community`."
                ) from exc
            chat = ChatLlamaCpp(
                model_path=str(path),
                n_ctx=cfg.n_ctx,
                n_threads=cfg.threads or os.cpu_count() or 2,
                n_batch=512,  # the default (8) makes prompt processing several times slower
                max_tokens=cfg.max_tokens,
                temperature=cfg.temperature,
                repeat_penalty=1.05,
                seed=0,
                streaming=True,
                verbose=False,
            )
            from llama_cpp import LlamaRAMCache

            # keeps the KV state of recent prompts, so the shared system prompt is evaluated
            # once even when condense and answer prompts alternate
            chat.client.set_cache(LlamaRAMCache(capacity_bytes=512 * 1024 * 1024))
            return chat
        case "ollama":
            try:
                from langchain_ollama import ChatOllama
            except ImportError as exc:
                raise ProviderNotInstalledError(
                    "The Ollama backend needs `pip install langchain-ollama`."
                ) from exc
            return ChatOllama(
                base_url=cfg.ollama_base_url,
                model=cfg.ollama_model,
                num_ctx=cfg.n_ctx,  # explicit: Ollama's default silently truncates long prompts
                num_predict=cfg.max_tokens,
                temperature=cfg.temperature,
                client_kwargs={"timeout": cfg.timeout_s},
            )


def token_counter(llm: BaseChatModel) -> Callable[[str], int]:
    """Exact token counts for llama.cpp; a safe over-estimate (3 chars a token) otherwise."""
    client: Any = getattr(llm, "client", None)
    if client is not None and hasattr(client, "tokenize"):
        return lambda text: len(client.tokenize(text.encode("utf-8"), add_bos=False, special=True))
    return lambda text: len(text) // 3 + 1


def explain(exc: BaseException, settings: Settings) -> AssistantError:
    """The user-facing error for a failure raised while talking to the LLM."""
    if isinstance(exc, AssistantError):
        return exc
    cfg = settings.llm
    if cfg.provider == "ollama":
        status = getattr(exc, "status_code", None)
        text = str(exc)
        if status == 404 or "not found" in text.lower() and "model" in text.lower():
            return LLMUnavailableError(
                f"Model {cfg.ollama_model} not found on the Ollama server; "
                f"run `ollama pull {cfg.ollama_model}`."
            )
        if (
            isinstance(exc, ConnectionError | OSError)
            or "connect" in type(exc).__name__.lower()
            or ("connect" in text.lower())
        ):
            return LLMUnavailableError(
                f"Cannot reach Ollama at {cfg.ollama_base_url}; start it with `ollama serve`."
            )
        if "timeout" in type(exc).__name__.lower() or "timed out" in text.lower():
            return LLMUnavailableError(
                f"Ollama at {cfg.ollama_base_url} did not answer within {cfg.timeout_s:.0f} s; "
                "try again, or raise llm.timeout_s."
            )
        return LLMUnavailableError(f"The Ollama server failed: {text}")
    return LLMUnavailableError(f"The local model failed while answering: {exc}")
