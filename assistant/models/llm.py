"""The LLM backends behind one factory: embedded llama.cpp (default), an Ollama server or an
OpenAI-compatible server.

Provider packages are imported only here, lazily, with an install hint when one is missing.
`explain` turns a backend's low-level failure into the message and command a user needs.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from assistant.errors import (
    AssistantError,
    LLMUnavailableError,
    ModelNotFoundError,
    ProviderNotInstalledError,
)
from assistant.models.gguf import (
    context_window,
    is_default,
    is_gguf,
    rope_freq_base,
    trained_context,
)
from assistant.models.llmcheck import ensure_runs
from assistant.models.openmp import passive_waits
from assistant.models.provision import EXPECTED_SIZE, PROVISION_COMMAND, is_provisioned, verify
from assistant.settings import LLMSettings, Settings

logger = logging.getLogger(__name__)


HELPER_N_CTX = 2048  # rewriting a follow-up or translating a question needs little context


def make_llm(settings: Settings, n_ctx: int | None = None) -> BaseChatModel:
    """Build the configured chat model; the llama.cpp one loads its weights here.

    `n_ctx` overrides the configured context window (the helper model's is smaller)."""
    cfg = settings.llm
    match cfg.provider:
        case "llamacpp":
            path = settings.models_dir / cfg.model_file
            if not path.exists():
                fix = (
                    f"Run {PROVISION_COMMAND}."
                    if is_default(path)
                    else "Check llm.model_file (config.toml, or ASSISTANT__LLM__MODEL_FILE): "
                    "a .gguf file, absolute or in the models folder; unset it for the default "
                    "model."
                )
                raise ModelNotFoundError(f"The model file {path} is missing. {fix}")
            if is_default(path) and not is_provisioned(path):
                raise ModelNotFoundError(
                    f"The model file {path} is corrupted or unverified (size "
                    f"{path.stat().st_size}, expected {EXPECTED_SIZE}). Delete it and run "
                    f"{PROVISION_COMMAND}."
                )
            if not is_gguf(path):
                raise ModelNotFoundError(
                    f"{path} is not a GGUF model file; set llm.model_file to a .gguf file "
                    "(llama.cpp's format)."
                )
            threads = llm_threads(cfg)
            ensure_runs(path, threads)  # in a child: a crash there does not take us down
            passive_waits()  # before llama.cpp loads its OpenMP runtime
            try:
                from assistant.models.llamacpp_chat import LlamaCppChat
            except ImportError as exc:
                raise ProviderNotInstalledError(
                    "llama.cpp support needs llama-cpp-python: run `make setup`."
                ) from exc
            wanted = n_ctx or cfg.n_ctx
            try:
                window = context_window(wanted, trained_context(path))
                if window < wanted:
                    logger.info(
                        "%s was trained for %d tokens: n_ctx cut from %d", path, window, wanted
                    )
                chat = LlamaCppChat(
                    model_path=str(path),
                    n_ctx=window,
                    n_threads=threads,
                    max_tokens=cfg.max_tokens,
                    temperature=cfg.temperature,
                    repeat_penalty=1.05,
                    seed=0,
                    rope_freq_base=rope_freq_base(path, cfg.rope_freq_base),
                )
            except Exception as exc:
                raise _load_failure(path, exc) from exc
            # No LlamaRAMCache: each saved state copies ~311 MB of unused logits (0.7 s per
            # call). Prefix reuse comes from the context's own KV cache instead: answers and
            # helper calls (follow-up rewrites, translations) run in separate contexts, so each
            # keeps its static prompt prefix evaluated (see `make_helper_llm`).
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
        case "openai":
            from assistant.models.openai_server import make_openai_chat

            return make_openai_chat(cfg)


def llm_threads(cfg: LLMSettings) -> int:
    """llama.cpp threads: the setting, or every core."""
    return cfg.threads or os.cpu_count() or 2


def prime(llm: BaseChatModel, messages: list[BaseMessage]) -> bool:
    """Have an embedded llama.cpp model read `messages` (generating one token), so its context
    keeps them evaluated and the next prompt starting the same way reads only the rest. An
    Ollama server keeps its own prompt cache, and other models have none: nothing is done."""
    from assistant.models.llamacpp_chat import LlamaCppChat

    if not isinstance(llm, LlamaCppChat):
        return False
    llm.invoke(messages, max_tokens=1)
    return True


def make_helper_llm(settings: Settings, answer_llm: BaseChatModel) -> BaseChatModel:
    """The model for short helper calls (follow-up rewrites, translations). With llama.cpp, a
    second context: the answer context's KV cache then always starts with the answer prompt's
    static part, which is not evaluated again after a helper call (~2 s saved on a follow-up
    or an English question). It costs ~1.8 GB more memory: llama.cpp repacks the weights per
    loaded model, so they are not shared. An Ollama server keeps its own caches: the same
    client serves both."""
    if settings.llm.provider != "llamacpp":
        return answer_llm
    return make_llm(settings, n_ctx=min(HELPER_N_CTX, settings.llm.n_ctx))


def _load_failure(path: Path, exc: Exception) -> AssistantError:
    """Why llama.cpp could not load a file that passed the cheap size-and-stamp check: the full
    checksum tells a damaged file (re-provision it) from a llama.cpp problem."""
    logger.info("llama.cpp could not load %s: %s", path, " ".join(str(exc).split())[:300])
    if not is_default(path):
        return ModelNotFoundError(
            f"llama.cpp could not load {path}: {' '.join(str(exc).split())[:200]}. Check that "
            "it is a complete GGUF file that this llama.cpp version supports."
        )
    verify(path)  # raises ModelNotFoundError naming the command when the file is damaged
    return ProviderNotInstalledError(
        f"llama.cpp could not load {path}, although its checksum is right; reinstall "
        "llama-cpp-python with `make setup`."
    )


def context_size(llm: BaseChatModel, configured: int) -> int:
    """The context the model has: llama.cpp's (capped at what the model was trained for, see
    `make_llm`), or the configured one for a server."""
    from assistant.models.llamacpp_chat import LlamaCppChat

    return llm.n_ctx if isinstance(llm, LlamaCppChat) else configured


def token_counter(llm: BaseChatModel) -> Callable[[str], int]:
    """Exact token counts for llama.cpp; a safe over-estimate (3 chars a token) otherwise."""
    from assistant.models.llamacpp_chat import LlamaCppChat

    if isinstance(llm, LlamaCppChat):
        return llm.get_num_tokens
    return lambda text: len(text) // 3 + 1


def explain(exc: BaseException, settings: Settings) -> AssistantError:
    """The user-facing error for a failure raised while talking to the LLM."""
    if isinstance(exc, AssistantError):
        return exc
    if settings.llm.provider == "ollama":
        return _explain_ollama(exc, settings)
    if settings.llm.provider == "openai":
        from assistant.models.openai_server import explain_openai

        return explain_openai(exc, settings.llm)
    return LLMUnavailableError(f"The local model failed while answering: {exc}")


def _explain_ollama(exc: BaseException, settings: Settings) -> AssistantError:
    import httpx  # the Ollama client's transport

    cfg = settings.llm
    url = cfg.ollama_base_url
    status = getattr(exc, "status_code", None)
    text = str(getattr(exc, "error", None) or exc)
    if status == 404 or "not found" in text.lower() and "model" in text.lower():
        return LLMUnavailableError(
            f"Model {cfg.ollama_model} not found on the Ollama server; "
            f"run `ollama pull {cfg.ollama_model}`."
        )
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | ConnectionRefusedError) or (
        "connect" in type(exc).__name__.lower() and not isinstance(exc, httpx.HTTPError)
    ):
        return LLMUnavailableError(f"Cannot reach Ollama at {url}; start it with `ollama serve`.")
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return LLMUnavailableError(
            f"Ollama at {url} did not answer within {cfg.timeout_s:.0f} s; "
            "try again, or raise llm.timeout_s."
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | ConnectionError):
        return LLMUnavailableError(
            f"Ollama at {url} closed the connection before the answer was complete; check "
            "that it is still running (`ollama serve`), then ask again."
        )
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return LLMUnavailableError(
            f"Ollama at {url} sent a reply that is not Ollama's protocol; check that "
            "llm.ollama_base_url points to an Ollama server, then ask again."
        )
    if isinstance(status, int) and status >= 500:
        return LLMUnavailableError(
            f"The Ollama server at {url} failed (HTTP {status}: {text}); check its log, "
            "then ask again."
        )
    if isinstance(status, int):
        return LLMUnavailableError(f"Ollama at {url} refused the request (HTTP {status}: {text}).")
    return LLMUnavailableError(f"The Ollama server failed: {text}")
