"""Hybrid retrieval: dense (Chroma) + keyword (BM25) fused by reciprocal rank, duplicates dropped.

Dense retrieval finds paraphrases and cross-language matches; the keyword index finds names and
dates the embedder blurs. Passage details come from the ledger, so both routes return the same
records.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.index.articles import ArticleIndex, published_int
from assistant.index.manifest import ArticleRow, ChunkRow
from assistant.schema import Filters, Passage
from assistant.settings import RetrievalSettings

logger = logging.getLogger(__name__)


def _where(filters: Filters) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.article_ids:
        clauses.append({"article_id": {"$in": list(filters.article_ids)}})
    if filters.date_from:
        clauses.append({"published_int": {"$gte": published_int(filters.date_from.isoformat())}})
    if filters.date_to:
        clauses.append({"published_int": {"$lte": published_int(filters.date_to.isoformat())}})
    if filters.date_from or filters.date_to:  # undated articles never match a date range
        clauses.append({"published_int": {"$gt": 0}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}


def near_duplicate(a: set[tuple[str, ...]], b: set[tuple[str, ...]], threshold: float) -> bool:
    """Jaccard similarity of word trigrams: syndicated copies with a word changed still match."""
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold


def rrf(rankings: list[list[str]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


class Retriever:
    def __init__(self, index: ArticleIndex, embedder: Embeddings, settings: RetrievalSettings):
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def _allowed(self, filters: Filters) -> Callable[[str], bool] | None:
        if filters.is_empty():
            return None
        lo = published_int(filters.date_from.isoformat()) if filters.date_from else None
        hi = published_int(filters.date_to.isoformat()) if filters.date_to else None
        ok_articles = set()
        for row in self.index.manifest.articles():
            if filters.article_ids and row.article_id not in filters.article_ids:
                continue
            day = published_int(row.published)
            dated = lo is not None or hi is not None
            if (dated and day == 0) or (lo is not None and day < lo) or (hi and day > hi):
                continue
            ok_articles.add(row.article_id)
        return lambda chunk_id: chunk_id.split("-", 1)[0] in ok_articles

    def dense(self, query: str, n: int, filters: Filters) -> list[tuple[str, float]]:
        if self.index.vector_count() == 0:
            return []
        vector = self.embedder.embed_query(query)
        result = self.index.collection.query(
            query_embeddings=[vector], n_results=n, where=_where(filters), include=["distances"]
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def keyword(
        self, query: str, n: int, allowed: Callable[[str], bool] | None
    ) -> list[tuple[str, float]]:
        index = self.index.keyword()
        if index is None:
            return []
        hits = index.search(query, n, allowed=allowed)
        floor = hits[0][1] * self.settings.keyword_min_ratio if hits else 0.0
        return [(i, s) for i, s in hits if s >= floor]

    def retrieve(
        self, query: str | Sequence[str], k: int | None = None, filters: Filters | None = None
    ) -> list[Passage]:
        """The k best passages for `query` (or several phrasings of it), best first, without
        duplicates or near-duplicates."""
        k = k or self.settings.k
        filters = filters or Filters()
        n = max(self.settings.candidates, 2 * k)
        rankings: list[list[str]] = []
        dense_scores: dict[str, float] = {}
        keyword_scores: dict[str, float] = {}
        allowed = self._allowed(filters)  # once, not per phrasing: it reads every article row
        for q in [query] if isinstance(query, str) else query:
            dense = self.dense(q, n, filters)
            keyword = self.keyword(q, n, allowed)
            rankings += [[i for i, _ in dense], [i for i, _ in keyword]]
            for i, s in dense:
                dense_scores[i] = max(s, dense_scores.get(i, -1.0))
            for i, s in keyword:
                keyword_scores[i] = max(s, keyword_scores.get(i, 0.0))
        fused = rrf(rankings, self.settings.rrf_k)
        ranked = sorted(fused, key=lambda i: (-fused[i], i))
        if not (filters.prefer_from and filters.prefer_to):
            rows = self.index.manifest.chunks(ranked[: 3 * k + 10])
        else:
            # the publication window as rankings in the fusion, as many as the text's (dense
            # and keyword, per phrasing): the date named weighs as much as the words; its
            # passages rise, none go
            rows = self.index.manifest.chunks(ranked)  # every candidate may rise to the top
            favoured = _published_within(
                ranked, rows, self.index.manifest.articles_by_id(), filters
            )
            fused = rrf([*rankings, *[favoured] * len(rankings)], self.settings.rrf_k)
            ranked = sorted(fused, key=lambda i: (-fused[i], i))
        articles = self.index.manifest.articles_by_id() if rows else {}
        passages: list[Passage] = []
        seen_text: set[str] = set()
        kept_shingles: list[set[tuple[str, ...]]] = []
        for chunk_id in ranked:
            row = rows.get(chunk_id)
            article = articles.get(row.article_id) if row else None
            if row is None or article is None or row.text_hash in seen_text:
                continue
            shingles = _shingles(row.text)
            if any(
                near_duplicate(shingles, s, self.settings.duplicate_jaccard) for s in kept_shingles
            ):
                continue
            seen_text.add(row.text_hash)
            kept_shingles.append(shingles)
            passages.append(
                _passage(
                    row,
                    article,
                    fused[chunk_id],
                    dense_scores.get(chunk_id),
                    keyword_scores.get(chunk_id),
                )
            )
            if len(passages) == k:
                break
        return passages

    def with_opening(self, passages: list[Passage]) -> tuple[list[Passage], int | None]:
        """The passages with the opening of the best one's article (its first passage: title
        and lede) placed before it, marked `opening`, when neither it nor a copy of it was
        found; and where that opening (or its copy) now is.

        News articles introduce their people and events in the lede ("Le ministre russe de la
        Défense a annoncé…") and use the bare name later, in the passage a question about the
        name finds ("…, a affirmé Sergueï Choïgou")."""
        if not passages:
            return passages, None
        top = passages[0]
        article = self.index.manifest.articles_by_id().get(top.article_id)
        if article is None or not article.chunk_ids:
            return passages, None
        first = article.chunk_ids[0]
        row = self.index.manifest.chunks([first]).get(first)
        if row is None:
            return passages, None
        shingles = _shingles(row.text)  # a syndicated copy's opening may be among them already
        for i, p in enumerate(passages):
            if p.chunk_id == first or near_duplicate(
                shingles, _shingles(p.text), self.settings.duplicate_jaccard
            ):
                return passages, i
        return [_passage(row, article, 0.0, None, None, opening=True), *passages], 0


def _passage(
    row: ChunkRow,
    article: ArticleRow,
    score: float,
    dense_score: float | None,
    keyword_score: float | None,
    opening: bool = False,
) -> Passage:
    return Passage(
        chunk_id=row.chunk_id,
        article_id=row.article_id,
        title=article.title,
        file=article.file,
        published=article.published,
        author=article.author,
        site=article.site,
        url=article.url,
        start=row.start,
        end=row.end,
        text=row.text,
        score=score,
        dense_score=dense_score,
        keyword_score=keyword_score,
        opening=opening,
    )


def _published_within(
    ranked: list[str], rows: dict[str, ChunkRow], articles: dict[str, ArticleRow], filters: Filters
) -> list[str]:
    """The candidates, in their order, whose article was published in the favoured window."""
    lo = filters.prefer_from.isoformat() if filters.prefer_from else ""
    hi = filters.prefer_to.isoformat() if filters.prefer_to else ""
    return [
        i
        for i in ranked
        if (row := rows.get(i)) is not None
        and (article := articles.get(row.article_id)) is not None
        and article.published is not None
        and lo <= article.published <= hi
    ]


def to_document(passage: Passage) -> Document:
    return Document(
        page_content=passage.text,
        id=passage.chunk_id,
        metadata={
            "article_id": passage.article_id,
            "title": passage.title,
            "file": passage.file,
            "published": passage.published,
            "author": passage.author,
            "site": passage.site,
            "url": passage.url,
            "start": passage.start,
            "end": passage.end,
            "score": passage.score,
        },
    )


class ArticleRetriever(BaseRetriever):
    """Passages as a LangChain `BaseRetriever`, for use in any LangChain chain. `search` is
    `Assistant.retrieve`: the question, `k` and the filters are checked as `ask` checks them."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: Callable[[str, int | None, Filters | None], list[Passage]]
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> list[Document]:
        """`k` and `filters` given to `invoke` override the retriever's own."""
        found = self.search(query, self.k if k is None else k, filters or self.filters)
        return [to_document(p) for p in found]
