"""Settings: one `Settings` object, read from `PERSONA_*` environment variables and `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_MODEL = "local/gemma-3-270m"


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "persona"


def default_cache_dir() -> Path:
    """Where derived model files (the embedder's ONNX export) are cached."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "persona"


class Settings(BaseSettings):
    """Everything persona can be configured with. Field `x` is env var `PERSONA_X`."""

    model_config = SettingsConfigDict(env_prefix="PERSONA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None  # None: SQLite file in data_dir
    auto_upgrade: bool = False  # upgrade the schema at start instead of refusing

    fast_model: str = LOCAL_MODEL
    reasoning_model: str = LOCAL_MODEL
    fallback_models: list[str] = Field(default_factory=list)
    model_aliases: dict[str, str] = Field(default_factory=dict)  # alias -> litellm model
    # model -> {"api_base": ..., "api_key": ...} for OpenAI-compatible servers (vLLM, Ollama ...)
    model_endpoints: dict[str, dict[str, str]] = Field(default_factory=dict)
    # an `openai/<name>` model at such a server, named as litellm knows no model, is called
    # straight over the wire (persona.llm.direct); False: through litellm like every other
    direct_wire: bool = True
    embedding_model: str = "all-MiniLM-L6-v2"
    # auto: ONNX Runtime with int8 weights when installed (fastest), else PyTorch; onnx: exact
    embedding_backend: Literal["auto", "onnx-int8", "onnx", "torch"] = "auto"
    # None: one per core for batches of 8 texts or more, one for smaller calls (cheaper)
    embedding_threads: int | None = None
    model_cache_dir: Path = Field(default_factory=default_cache_dir)  # derived model files
    local_model_path: Path | None = None  # GGUF file; None: assembled from the PyPI package
    local_model_threads: int = 2
    local_model_context: int = 2048

    request_timeout_s: float = 120.0
    max_retries: int = 2
    retry_backoff_s: float = 0.5
    max_tokens_default: int = 512

    max_message_chars: int = 32_000
    max_messages: int = 200
    max_request_bytes: int = 1_000_000

    reask: bool = True  # re-ask the model once when a constraint still fails after repair
    # the background model parse of messages whose style requests the rules could not read
    # (`persona.steer.proposals`): "auto" runs it when the model is not the bundled local one;
    # what it reads is only proposed to the user, never in force before the policy says so
    steer_model_parse: Literal["auto", "on", "off"] = "auto"
    steer_model: str | None = None  # the model it asks; None: fast_model
    # a proposal shown on this many later turns of the user without objection comes into
    # force; 0: only when the user confirms it
    steer_proposal_turns: int = Field(default=3, ge=0, le=100)

    memory_top_k: int = 8  # relevant memories retrieved per message
    memory_profile_limit: int = 12  # standing facts/preferences included in every prompt
    memory_token_budget: int = 600
    index_cache_size: int = 256  # users whose FAISS index stays in memory
    # a user's search state, once built from SQL, is stored (`search_snapshot`) so a process
    # that has not cached the user loads one row instead of every memory; only for users with
    # at least this many memories (smaller states rebuild faster than a snapshot is written)
    search_snapshots: bool = True
    snapshot_min_memories: int = Field(default=200, ge=0)

    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"  # "production" enables stricter checks
    admin_key: str | None = None
    cors_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: float = 600  # per tenant key; 0 disables
    rate_limit_burst: float = 60
    admin_rate_limit_per_minute: float = 300  # per admin key; 0 disables
    admin_rate_limit_burst: float = 60
    # where the buckets live: "auto" is Redis when `redis_url` is set, the database when it is
    # PostgreSQL (shared by every replica), else the process
    rate_limit_backend: Literal["auto", "process", "database", "redis"] = "auto"
    redis_url: str | None = None  # PERSONA_REDIS_URL, e.g. redis://127.0.0.1:6379/0
    # turns of one user that one extraction call covers: the worker runs a user's pending turns
    # together (one model call with the LLM extractor); 1 extracts turn by turn
    extract_batch_turns: int = Field(default=8, ge=1, le=64)
    # seconds a user's turn waits before the background worker takes it, so the turns the user
    # sends meanwhile share its extraction call (the longest a new memory waits for that); 0:
    # at once
    extract_settle_s: float = Field(default=1.5, ge=0, le=300)
    background_worker: bool = True  # `persona serve` starts `persona worker` beside the API
    workers: int | None = None  # API processes of `persona serve`; None: one per core
    # threads per API process for the work around the model call (SQL, embedding, steering);
    # the model call itself holds none (it is awaited on the shared loop)
    engine_threads: int = Field(default=4, ge=1, le=256)
    # how much lower the API processes' CPU priority is than the background worker's when
    # `persona serve` runs both (nice levels); 0: equal, and under load extraction lags
    api_nice: int = Field(default=5, ge=0, le=19)

    @field_validator("data_dir", "model_cache_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            if self.host in {"0.0.0.0", "::"} and "*" in self.cors_origins:
                raise ValueError("refusing CORS '*' on a public bind address in production")
            if self.admin_key is not None and len(self.admin_key) < 24:
                raise ValueError("PERSONA_ADMIN_KEY must be at least 24 characters in production")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to `persona.db` inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'persona.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache)."""
    return Settings()
