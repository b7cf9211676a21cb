"""The article index: the ledger (SQLite), the vectors (Chroma) and the keyword index,
kept in step by `articles.ArticleIndex`."""
