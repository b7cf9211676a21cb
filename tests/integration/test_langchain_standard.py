"""LangChain's standard test suites (`langchain-tests`) against the LangChain classes this
project defines: the retriever over the index and the default embedder. The llama.cpp chat
model's suites need the real model: tests/e2e/test_llamacpp_chat.py."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import (
    EmbeddingsIntegrationTests,
    RetrieversIntegrationTests,
)
from langchain_tests.unit_tests import EmbeddingsUnitTests

from assistant.models.embeddings import E5Embeddings
from assistant.retrieval.retriever import ArticleRetriever


class TestArticleRetriever(RetrieversIntegrationTests):
    """Over a copy of the sample index (real Chroma, BM25 and E5)."""

    _params: dict[str, Any] = {}

    @pytest.fixture(autouse=True)
    def _sample_index(self, sample_assistant: Any) -> None:
        type(self)._params = {"search": sample_assistant.retrieve}

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return ArticleRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return self._params

    @property
    def retriever_query_example(self) -> str:
        return "Qui a menacé de suspendre la coopération avec la Russie ?"


class TestE5EmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return E5Embeddings


class TestE5Embeddings(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return E5Embeddings
