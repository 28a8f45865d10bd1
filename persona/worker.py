"""The background worker of one process: runs outbox jobs (memory extraction, episodic index,
the model-assisted parse of steering requests the rules could not read)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from persona.memory.jobs import Worker
    from persona.runtime import Runtime


def extractor_mode(rt: Runtime) -> str:
    """`rules` for a model that cannot write reliable JSON (the tiny local one); else `auto`."""
    from persona.llm.spec import model_spec

    return "auto" if model_spec(rt.settings.fast_model).writes_json else "rules"


def make_worker(rt: Runtime, *, poll_interval: float = 0.5, serves: bool = True) -> Worker:
    """A worker bound to the runtime's database, embedder and gateway (not started).

    `serves`: this process also answers messages (an in-process worker), so after a job the
    user's search state is rebuilt here for their next message (and stored as their snapshot
    when big enough); a `persona worker` process passes False: its state would serve no one,
    so it only stores the snapshot, which an API process that has not cached the user loads
    instead of rebuilding (`persona.memory.snapshot`).
    """
    from persona.memory.episodes import chat_turns, decode_vector, ingest_turns
    from persona.memory.extraction import extraction_handler, turn_time
    from persona.memory.jobs import Worker
    from store.models import EXTRACT_JOB, STEER_PARSE_JOB, User

    def index_turns(session: Any, payloads: Sequence[dict[str, Any]]) -> None:
        # past turns are memory too: index the exchanges for episodic recall, one embedding call
        # for the batch (one user's turns in order; a project's turns are indexed in it)
        user = session.get(User, payloads[0]["user_id"])
        if user is None:
            return
        by_project: dict[str | None, list[Any]] = {}
        for payload in payloads:
            by_project.setdefault(payload.get("project"), []).extend(
                chat_turns(
                    payload.get("user_message") or "",
                    payload.get("reply") or "",
                    at=turn_time(payload),
                    session_id=payload.get("session_id"),
                    turn_id=payload.get("turn_id"),
                    message_vector=decode_vector(payload, rt.embedder),
                )
            )
        for project, turns in by_project.items():
            ingest_turns(session, user, turns, rt.embedder, project=project)

    handler = extraction_handler(
        embedder=rt.embedder,
        gateway=rt.gateway,
        model=rt.settings.fast_model,
        extractor_mode=extractor_mode(rt),  # type: ignore[arg-type]
        post_processors=[index_turns],
        max_batch=rt.settings.extract_batch_turns,
    )

    def refresh_index(kind: str, payload: dict[str, Any]) -> None:
        # the job changed the user's memories: rebuild their search state now, in this
        # thread, so the user's next message does not wait for it
        if kind != "extract":
            return
        from store.db import session_scope

        with session_scope(rt.db) as session:
            rt.retriever.state(session, payload["user_id"])

    def refresh_snapshot(kind: str, payload: dict[str, Any]) -> None:
        if kind != "extract":
            return
        from store.db import session_scope

        with session_scope(rt.db) as session:
            rt.retriever.store_snapshot(session, payload["user_id"])

    after_commit = refresh_index if serves else None
    if not serves and rt.settings.search_snapshots:
        after_commit = refresh_snapshot
    return Worker(
        rt.db,
        {EXTRACT_JOB: handler, STEER_PARSE_JOB: steer_parse_handler(rt)},
        poll_interval=poll_interval,
        after_commit=after_commit,
        settle=timedelta(seconds=rt.settings.extract_settle_s),
    )


def steer_parse_handler(rt: Runtime) -> Any:
    """The `steer_parse` handler: asks `steer_model` (default: the fast model) when
    `steer_model_parse` allows it; otherwise its jobs complete doing nothing."""
    from persona.steer.proposals import SteerParseHandler, model_parse_enabled

    settings = rt.settings
    model = settings.steer_model or settings.fast_model
    return SteerParseHandler(
        gateway=rt.gateway,
        model=model,
        enabled=model_parse_enabled(settings.steer_model_parse, model),
        accept_after=settings.steer_proposal_turns,
        max_batch=settings.extract_batch_turns,
    )


def start_worker(rt: Runtime) -> Worker:
    """Start the worker thread; the caller stops it with `.stop()`."""
    worker = make_worker(rt)
    worker.start()
    return worker
