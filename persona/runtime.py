"""The long-lived components of one persona process, built once from `Settings`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from persona.config import Settings, get_settings
from persona.errors import SchemaOutOfDate

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from persona.embed import Embedder
    from persona.llm.gateway import ModelGateway
    from persona.memory.retrieve import Retriever
    from persona.memory.service import MemoryService
    from persona.route.router import Router


@dataclass
class Runtime:
    """Settings, database, embedder, model gateway and caches shared by every request.

    The retriever, router and memory service are built on first use (each pulls in heavy
    libraries: FAISS, the router's weights), once per runtime.
    """

    settings: Settings
    db: Engine
    embedder: Embedder
    gateway: ModelGateway
    _retriever: Retriever | None = field(default=None, init=False, repr=False)
    _router: Router | None = field(default=None, init=False, repr=False)
    _memories: MemoryService | None = field(default=None, init=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)  # they nest

    @classmethod
    def build(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        gateway: ModelGateway | None = None,
        upgrade: bool | None = None,
    ) -> Runtime:
        """Connect to the database (checking or upgrading its schema) and wire the components."""
        from persona.embed import get_embedder
        from store.db import SchemaError, check_schema, make_engine
        from store.db import upgrade as run_upgrade

        settings = settings or get_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = make_engine(settings.resolved_database_url)
        if settings.auto_upgrade if upgrade is None else upgrade:
            run_upgrade(db)
        try:
            check_schema(db)
        except SchemaError as exc:
            db.dispose()  # no pooled connection left behind for the garbage collector
            raise SchemaOutOfDate(str(exc)) from exc
        if gateway is None:
            from persona.llm.gateway import Gateway

            gateway = Gateway(settings)
        embedder = embedder or get_embedder(settings)
        return cls(settings=settings, db=db, embedder=embedder, gateway=gateway)

    @property
    def retriever(self) -> Retriever:
        """The memory retriever (hybrid dense + lexical), with its per-user index cache."""
        with self._lock:
            if self._retriever is None:
                from persona.memory.retrieve import Retriever

                snapshots = None
                if self.settings.search_snapshots:
                    from persona.memory.snapshot import SnapshotStore

                    snapshots = SnapshotStore(self.db, self.settings.snapshot_min_memories)
                self._retriever = Retriever(
                    cache_size=self.settings.index_cache_size, snapshots=snapshots
                )
            return self._retriever

    @property
    def router(self) -> Router:
        """The fast/reasoning router with the shipped weights."""
        with self._lock:
            if self._router is None:
                from persona.route.router import Router

                self._router = Router.load()
            return self._router

    @property
    def memories(self) -> MemoryService:
        """User-facing memory operations (list, add, update, forget, export, purge ...)."""
        with self._lock:
            if self._memories is None:
                from persona.memory.service import MemoryService

                self._memories = MemoryService(self.db, self.embedder, retriever=self.retriever)
            return self._memories

    def warm_up(self) -> None:
        """Load the embedder, the router and any local chat model now, not on the first request."""
        from persona.llm.registry import load_litellm
        from persona.llm.spec import model_spec
        from persona.steer.compile import compile_messages  # noqa: F401
        from persona.steer.parse import parse_preferences
        from persona.steer.repair import repair  # noqa: F401
        from store.vectors import FaissIndex  # noqa: F401

        load_litellm()  # a first request must not pay for (and serialise on) the import
        self.embedder.embed(["warm-up"])
        parse_preferences("warm-up")
        _ = self.router, self.retriever
        models = {self.settings.fast_model, self.settings.reasoning_model}
        for model in sorted(m for m in models if model_spec(m).is_local):
            self.gateway.complete([{"role": "user", "content": "hi"}], model=model, max_tokens=1)

    def close(self) -> None:
        """Write the search snapshots still queued (a few seconds at most), then release the
        database connections."""
        retriever = self._retriever
        if retriever is not None and retriever.snapshots is not None:
            retriever.snapshots.flush(timeout=5.0)
        self.db.dispose()
