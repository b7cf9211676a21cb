"""`python -m bench`: how fast the assistant is on this machine, next to the LangChain tutorial
pipeline and to llama.cpp alone. Every measurement goes through the project's own modules
(`assistant.Assistant`, `ingest.pipeline.run_ingest`, `assistant.index.articles.ArticleIndex`).

Sections: `ingest` (throughput, re-ingest, one edit; the tutorial pipeline on the same files),
`scale` (retrieval latency from 5 articles to 100k passages) and `answer` (latency with the
default embedded LLM, and the model's raw speed). Results: `bench/results/<date>.json` and `.md`.
"""
