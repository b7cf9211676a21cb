"""What a benchmark run measures; handed to each section (and to its child process as JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT, Settings, load_settings

SECTIONS = ("ingest", "scale", "answer")
BENCH_DIR = Path(__file__).resolve().parent


@dataclass
class Options:
    sections: list[str] = field(default_factory=lambda: list(SECTIONS))
    sizes: list[int] = field(default_factory=lambda: [1_000, 10_000, 100_000])
    queries: int = 50
    warmup: int = 5
    articles: int = 100  # size of the larger ingest corpus (copies of the samples); 0: samples only
    samples: Path = PROJECT_ROOT / "data" / "articles"
    eval_file: Path = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
    out: Path = BENCH_DIR / "results"
    cache: Path = BENCH_DIR / ".cache"
    seed: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}
        )

    @classmethod
    def from_json(cls, text: str) -> Options:
        data: dict[str, Any] = json.loads(text)
        for name in ("samples", "eval_file", "out", "cache"):
            data[name] = Path(data[name])
        return cls(**data)


def bench_settings(index_dir: Path, articles_dir: Path | None = None) -> Settings:
    """The user's settings (config.toml and environment) with the index (and articles) moved."""
    import os

    environ = dict(os.environ)
    environ["ASSISTANT__PATHS__INDEX_DIR"] = str(index_dir)
    if articles_dir is not None:
        environ["ASSISTANT__PATHS__ARTICLES_DIR"] = str(articles_dir)
    return load_settings(environ=environ)
