"""Embeddings from a server, for collections too large to embed on a laptop: any
OpenAI-compatible `/v1/embeddings` endpoint (`langchain-openai`) or an Ollama server
(`langchain-ollama`). Texts go in batches; vectors come back normalised, like the local
embedders'; a failure says what to do.
"""

from __future__ import annotations

import math
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import SecretStr

from assistant.errors import AssistantError, EmbedderUnavailableError, ProviderNotInstalledError
from assistant.models.openai_server import API_KEY_VARIABLE, api_key, failure
from assistant.settings import EmbeddingSettings

DEFAULT_URLS = {"openai": "http://127.0.0.1:8080/v1", "ollama": "http://127.0.0.1:11434"}
BATCH = 64  # texts a request


class ServerEmbeddings(Embeddings):
    """A server's embedding model, named `<provider>:<model>` in the index it builds."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        if not settings.model:
            raise EmbedderUnavailableError(
                f"embedding.provider is {settings.provider} but embedding.model is empty: set "
                "it to the embedding model's name on the server."
            )
        self.provider = settings.provider
        self.url = settings.base_url or DEFAULT_URLS[settings.provider]
        self.model = settings.model
        self.name = self.profile = f"{settings.provider}:{settings.model}"
        self._client = _client(settings.provider, self.url, settings.model, settings.timeout_s)
        self.timeout_s = settings.timeout_s
        self.window = 0  # the server's model's is unknown: chunk.max_tokens applies
        self._dim = 0

    @property
    def dim(self) -> int:
        if not self._dim:
            self._dim = len(self.embed_query("dimension"))
        return self._dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            try:
                got = self._client.embed_documents(batch)
            except Exception as exc:
                raise self._explain(exc) from exc
            if len(got) != len(batch) or any(not _flat(v) for v in got):
                raise EmbedderUnavailableError(
                    f"The server at {self.url} did not send one vector a text for "
                    f"{self.model!r}; check that it serves an embedding model (a chat model "
                    "served by llama.cpp needs a pooling type)."
                )
            vectors.extend(_normalised(v) for v in got)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def count_tokens(self, text: str) -> int:
        """An over-estimate (3 characters a token): the server's tokenizer is not at hand."""
        return len(text) // 3 + 1

    def _explain(self, exc: Exception) -> AssistantError:
        kind = failure(exc)
        if kind == "key":
            return EmbedderUnavailableError(
                f"The embedding server at {self.url} refused the API key; set the environment "
                f"variable {API_KEY_VARIABLE} to the key it expects."
            )
        if kind == "missing" or "not found" in str(exc).lower():  # Ollama says it in words
            return EmbedderUnavailableError(
                f"The embedding server at {self.url} does not serve {self.model!r}; set "
                "embedding.model to a model it serves."
            )
        if kind == "timeout":
            return EmbedderUnavailableError(
                f"The embedding server at {self.url} did not answer within {self.timeout_s:g} "
                "s; try again, or raise embedding.timeout_s."
            )
        if kind == "down":
            return EmbedderUnavailableError(
                f"Cannot reach the embedding server at {self.url}; start it or fix "
                "embedding.base_url."
            )
        detail = " ".join(str(exc).split())[:200]
        return EmbedderUnavailableError(f"The embedding server at {self.url} failed: {detail}")


def _client(provider: str, url: str, model: str, timeout_s: float) -> Any:
    if provider == "openai":
        try:
            from langchain_openai import OpenAIEmbeddings
        except ImportError as exc:
            raise ProviderNotInstalledError(
                "Server embeddings need langchain-openai: run `make setup`."
            ) from exc

        return OpenAIEmbeddings(
            openai_api_base=url,
            model=model,
            openai_api_key=SecretStr(api_key()),
            # no tiktoken pre-split: it downloads its tables, and servers take plain text
            check_embedding_ctx_length=False,
            chunk_size=BATCH,
            request_timeout=timeout_s,
            max_retries=0,
        )
    from langchain_ollama import OllamaEmbeddings

    return OllamaEmbeddings(base_url=url, model=model, client_kwargs={"timeout": timeout_s})


def _flat(vector: Any) -> bool:
    return bool(vector) and all(isinstance(x, int | float) for x in vector[:4])


def _normalised(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [float(x) / norm for x in vector]
