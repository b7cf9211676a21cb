"""The pipeline a user would write from the LangChain RAG tutorial, as the baseline.

Files → one `Document` each (what `TextLoader` does) → `RecursiveCharacterTextSplitter(1000, 200)`
→ `Chroma.from_documents` → `as_retriever(search_kwargs={"k": 4})`, with the embedder it is
given (the benchmark passes ours, so only the pipelines differ).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 4


@dataclass
class TutorialIndex:
    retriever: BaseRetriever
    store: Any
    texts: list[str]
    n_files: int
    load_s: float
    split_s: float
    index_s: float
    cpu_s: float  # CPU time of the process (all threads) for the three steps

    @property
    def seconds(self) -> float:
        return self.load_s + self.split_s + self.index_s


def build(files: list[Path], embedder: Embeddings, persist_dir: Path) -> TutorialIndex:
    """Load, split, embed and store `files`, timing each step."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started, cpu = time.perf_counter(), time.process_time()
    docs = [
        Document(page_content=f.read_text(encoding="utf-8"), metadata={"source": str(f)})
        for f in files
    ]
    loaded = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    splits = splitter.split_documents(docs)
    split = time.perf_counter()
    store = Chroma.from_documents(
        splits,
        embedding=embedder,
        persist_directory=str(persist_dir),
        client_settings=chromadb.config.Settings(anonymized_telemetry=False),
    )
    indexed = time.perf_counter()
    return TutorialIndex(
        retriever=store.as_retriever(search_kwargs={"k": K}),
        store=store,
        texts=[d.page_content for d in splits],
        n_files=len(files),
        load_s=loaded - started,
        split_s=split - loaded,
        index_s=indexed - split,
        cpu_s=time.process_time() - cpu,
    )


def search_files(index: TutorialIndex, question: str) -> list[str]:
    """File names of the passages the tutorial retriever returns, best first."""
    return [Path(d.metadata["source"]).name for d in index.retriever.invoke(question)]
