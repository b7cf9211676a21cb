"""An OpenAI-compatible chat server (llama.cpp's `llama-server`, `python -m llama_cpp.server`,
vLLM, LM Studio, a gateway) through `langchain-openai`'s `ChatOpenAI`.

The API key comes from the environment only (`OPENAI_API_KEY`), never from config.toml. Before
the first question the server's model list is read once: it finds a server that is down, a wrong
key or a model the server does not serve (llama.cpp's server answers any model name with its own
model, silently), and fills in the model when `llm.openai_model` is empty.
"""

from __future__ import annotations

import os
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from assistant.errors import AssistantError, LLMUnavailableError, ProviderNotInstalledError
from assistant.settings import LLMSettings

API_KEY_VARIABLE = "OPENAI_API_KEY"
_NO_KEY = "not-needed"  # the client insists on a key; local servers ignore it
_PROBE_S = 10.0  # the model list answers at once from a server that is up


def api_key() -> str:
    return os.environ.get(API_KEY_VARIABLE, "") or _NO_KEY


def make_openai_chat(cfg: LLMSettings) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise ProviderNotInstalledError(
            "The OpenAI-compatible backend needs langchain-openai: run `make setup` "
            "(or `pip install langchain-openai`)."
        ) from exc
    model = served_model(cfg)
    return ChatOpenAI(
        base_url=cfg.openai_base_url,
        model=model,
        api_key=SecretStr(api_key()),
        temperature=cfg.temperature,
        seed=0,
        timeout=cfg.timeout_s,
        max_retries=0,  # a failure is explained to the user at once, not after silent retries
        # `max_tokens`, not langchain-openai's `max_completion_tokens`: llama.cpp's servers
        # and older gateways ignore the new name and would write until the context is full.
        extra_body={"max_tokens": cfg.max_tokens},
    )


def served_model(cfg: LLMSettings) -> str:
    """The model to ask for: `llm.openai_model` once the server lists it (or lists nothing),
    or the server's first model when the setting is empty."""
    import httpx

    url = cfg.openai_base_url.rstrip("/") + "/models"
    try:
        reply = httpx.get(url, headers={"Authorization": f"Bearer {api_key()}"}, timeout=_PROBE_S)
    except httpx.HTTPError as exc:
        raise explain_openai(exc, cfg) from exc
    if reply.status_code in (401, 403):
        raise _bad_key(cfg)
    served: list[str] = []
    if reply.is_success:
        try:
            served = [str(m["id"]) for m in reply.json().get("data", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            served = []
    if not cfg.openai_model:
        if not served:
            raise LLMUnavailableError(
                f"The server at {cfg.openai_base_url} does not list its models; set "
                "llm.openai_model to the model it serves."
            )
        return served[0]
    if served and cfg.openai_model not in served:
        raise _unknown_model(cfg, served)
    return cfg.openai_model


def explain_openai(exc: BaseException, cfg: LLMSettings) -> AssistantError:
    """The user-facing error for a failure of an OpenAI-compatible server."""

    url = cfg.openai_base_url
    status = getattr(exc, "status_code", None)
    kind = failure(exc)
    if kind == "key":
        return _bad_key(cfg)
    if kind == "missing":
        return _unknown_model(cfg, [])
    if kind == "timeout":
        return LLMUnavailableError(
            f"The server at {url} did not answer within {cfg.timeout_s:g} s; try again, "
            "or raise llm.timeout_s."
        )
    if kind == "down":
        return LLMUnavailableError(
            f"Cannot reach the OpenAI-compatible server at {url}; start it (for example "
            "`python -m llama_cpp.server --model FILE.gguf`) or fix llm.openai_base_url."
        )
    if isinstance(status, int):
        detail = " ".join(_message(exc).split())[:200]
        return LLMUnavailableError(
            f"The server at {url} refused the request (HTTP {status}: {detail}); check its "
            "log, then ask again."
        )
    return LLMUnavailableError(f"The server at {url} failed: {_message(exc)}")


def failure(exc: BaseException) -> str:
    """What went wrong talking to a server, whatever its client library: "key" (refused),
    "missing" (no such model), "timeout", "down" (not reachable) or "other"."""
    import httpx

    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status in (401, 403):
        return "key"
    if status == 404:
        return "missing"
    if "Timeout" in name or isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"  # before "down": a timeout is also a connection error to httpx
    if "Connect" in name or isinstance(exc, httpx.TransportError | ConnectionError):
        return "down"
    return "other"


def _message(exc: BaseException) -> str:
    body: Any = getattr(exc, "body", None)
    if isinstance(body, dict):
        return str(body.get("message") or body.get("detail") or body)
    return str(exc)


def _bad_key(cfg: LLMSettings) -> AssistantError:
    return LLMUnavailableError(
        f"The server at {cfg.openai_base_url} refused the API key; set the environment "
        f"variable {API_KEY_VARIABLE} to the key it expects."
    )


def _unknown_model(cfg: LLMSettings, served: list[str]) -> AssistantError:
    choices = f"; it serves {', '.join(served)}" if served else ""
    return LLMUnavailableError(
        f"Model {cfg.openai_model!r} is not served by {cfg.openai_base_url}{choices}. Set "
        "llm.openai_model to a model the server serves."
    )
