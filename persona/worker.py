"""The background worker of one process: runs outbox jobs (memory extraction, episodic index)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from persona.memory.jobs import Worker
    from persona.runtime import Runtime


def extractor_mode(rt: Runtime) -> str:
    """`rules` for the tiny local model (it cannot write reliable JSON); `auto` otherwise."""
    return "rules" if rt.settings.fast_model.startswith("local/") else "auto"


def make_worker(rt: Runtime, *, poll_interval: float = 0.5) -> Worker:
    """A worker bound to the runtime's database, embedder and gateway (not started)."""
    from persona.memory.episodes import ingest_chat_turn
    from persona.memory.jobs import Worker, extraction_handler, turn_time
    from store.models import User

    def index_turn(session: Any, payload: dict[str, Any]) -> None:
        # past turns are memory too: index this exchange for episodic recall
        user = session.get(User, payload["user_id"])
        if user is None:
            return
        ingest_chat_turn(
            session,
            user,
            rt.embedder,
            user_message=payload.get("user_message") or "",
            reply=payload.get("reply") or "",
            at=turn_time(payload),
            session_id=payload.get("session_id"),
            turn_id=payload.get("turn_id"),
            project=payload.get("project"),
        )

    handler = extraction_handler(
        embedder=rt.embedder,
        gateway=rt.gateway,
        model=rt.settings.fast_model,
        extractor_mode=extractor_mode(rt),  # type: ignore[arg-type]
        post_processors=[index_turn],
    )

    def refresh_index(kind: str, payload: dict[str, Any]) -> None:
        # the job changed the user's memories: rebuild their search state now, in this
        # thread, so the user's next message does not wait for it
        from store.db import session_scope

        with session_scope(rt.db) as session:
            rt.retriever.state(session, payload["user_id"])

    return Worker(
        rt.db, {"extract": handler}, poll_interval=poll_interval, after_commit=refresh_index
    )


def start_worker(rt: Runtime) -> Worker:
    """Start the worker thread; the caller stops it with `.stop()`."""
    worker = make_worker(rt)
    worker.start()
    return worker
