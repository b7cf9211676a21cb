"""Search: dense and keyword retrieval over the index, fused and filtered."""
