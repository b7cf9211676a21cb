"""The vector store: embedded Chroma by default, a Chroma server as the scale-out option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import StoreSettings


def make_client(settings: StoreSettings, index_dir: Path) -> Any:
    """A Chroma client for the configured mode; imported lazily, telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    match settings.mode:
        case "persistent":
            path = index_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        case "http":
            try:
                return chromadb.HttpClient(
                    host=settings.host, port=settings.port, settings=chroma_settings
                )
            except Exception as exc:  # chromadb raises plain Exceptions on connect
                raise AssistantError(
                    f"Cannot reach the Chroma server at {settings.host}:{settings.port} ({exc}). "
                    f"Start it with `chroma run --host {settings.host} --port {settings.port} "
                    '--path <folder>` or set store.mode = "persistent".'
                ) from exc


def get_collection(client: Any, name: str) -> Any:
    """The articles collection, cosine space; we always pass our own vectors, so Chroma's
    default embedding function (which would download a model) is never used."""
    return client.get_or_create_collection(
        name=name, metadata={"hnsw:space": "cosine"}, embedding_function=None
    )


def reopen_client(settings: StoreSettings, index_dir: Path) -> tuple[Any, Any]:
    """A fresh embedded client for `index_dir`, and the system it replaces (to stop later).

    Embedded Chroma keeps one system per path for the life of the process, and its vector index
    never sees vectors another process (`python -m ingest`) added until it is reopened
    (chroma-core/chroma#3792). The cached system is dropped, not stopped: queries already
    running may still hold it, so the caller stops it once they are surely done."""
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = str(index_dir / "chroma")  # the persist_directory make_client passes
    with SharedSystemClient._refcount_lock:
        old = SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)
    return make_client(settings, index_dir), old
