"""Ingest: load, clean, chunk and embed articles into the index (`python -m ingest`)."""

from __future__ import annotations

from ingest.pipeline import IngestReport, run_ingest

__all__ = ["IngestReport", "run_ingest"]
