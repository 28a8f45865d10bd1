"""Background jobs: the outbox queue (claim, complete, fail with backoff), the extraction job
and a polling worker thread.

Jobs are written in the turn's transaction (`store.turns.record_turn`). Workers claim them
with `FOR UPDATE SKIP LOCKED` on PostgreSQL (any number of workers) and a plain select on
SQLite (one in-process worker). A claimed job carries a lease (`locked_until`); a worker that
crashes leaves the job to be claimed again after the lease, and the job re-runs safely
because extraction is idempotent per turn.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, or_, select

from persona.memory.consolidate import Change, Scope, consolidate, current_memories
from persona.memory.extract import ExtractorMode, extract
from store.db import session_scope
from store.models import MemoryHistory, Outbox, Turn, User, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from persona.embed import Embedder
    from persona.memory.extract import ChatGateway

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=10)

Handler = Callable[[Session, dict[str, Any]], object]
# run after extraction in the same transaction, e.g. episodic indexing of the turn
PostProcessor = Callable[[Session, dict[str, Any]], object]


@dataclass
class ExtractionResult:
    """What one extraction job did."""

    changes: list[Change] = field(default_factory=list)
    extractor: str = "none"  # or "already_applied" for a re-run of a committed job


def turn_time(payload: dict[str, Any]) -> datetime:
    """When the turn happened: what it says is valid from then, not from when the job ran."""
    raw = payload.get("created_at")
    try:
        when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None:
        return utcnow()
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _applied(session: Session, user_id: int, turn_id: str) -> bool:
    """Whether memory changes from this turn are already committed."""
    row = session.exec(
        select(MemoryHistory.id).where(
            MemoryHistory.user_id == user_id, MemoryHistory.source_turn_id == turn_id
        )
    ).first()
    return row is not None


def _previous_turn(session: Session, user_id: int, payload: dict[str, Any]) -> Turn | None:
    query = select(Turn).where(Turn.user_id == user_id, Turn.id != payload["turn_id"])
    current = session.get(Turn, payload["turn_id"])
    if current is not None:
        query = query.where(col(Turn.created_at) < current.created_at)
    if payload.get("session_id"):
        query = query.where(Turn.session_id == payload["session_id"])
    return session.exec(query.order_by(col(Turn.created_at).desc()).limit(1)).first()


def run_extraction(
    session: Session,
    job_payload: dict[str, Any],
    *,
    embedder: Embedder,
    gateway: ChatGateway | None = None,
    model: str | None = None,
    extractor_mode: ExtractorMode = "auto",
    post_processors: Sequence[PostProcessor] = (),
) -> ExtractionResult:
    """Extract memories from one turn and consolidate them; idempotent per `turn_id`."""
    user = session.get(User, job_payload["user_id"])
    if user is None or user.id is None:
        return ExtractionResult()  # the user was deleted since the turn; nothing to learn
    turn_id = job_payload.get("turn_id")
    if turn_id and _applied(session, user.id, turn_id):
        # this turn's changes are committed (one transaction per job): a re-run does nothing,
        # and does not ask the model again
        return ExtractionResult(extractor="already_applied")
    when = turn_time(job_payload)
    scope = Scope(project=job_payload.get("project"))
    extraction = extract(
        job_payload.get("user_message") or "",
        reply=job_payload.get("reply"),
        gateway=gateway,
        model=model,
        mode=extractor_mode,
        now=when,
        # operations ("I meant Berlin, not Paris") are decided against what is valid now
        current=current_memories(session, user.id, scope, when),
    )
    candidates = extraction.candidates
    previous: Turn | None = None
    if any(c.op == "invalidate_previous" for c in candidates) and turn_id:
        previous = _previous_turn(session, user.id, job_payload)
        context = f"{previous.user_message}\n{previous.reply}" if previous else ""
        candidates = [
            replace(c, text=context) if c.op == "invalidate_previous" else c for c in candidates
        ]
    changes = consolidate(
        session,
        user,
        candidates,
        embedder=embedder,
        actor="extractor",
        source_turn_id=turn_id,
        now=when,
        scope=scope,
        previous_turn_id=previous.id if previous else None,
    )
    for post in post_processors:
        post(session, job_payload)
    return ExtractionResult(changes, extraction.extractor)


def extraction_handler(
    *,
    embedder: Embedder,
    gateway: ChatGateway | None = None,
    model: str | None = None,
    extractor_mode: ExtractorMode = "auto",
    post_processors: Sequence[PostProcessor] = (),
) -> Handler:
    """The `"extract"` job handler bound to an embedder, gateway and extractor mode."""

    def handle(session: Session, payload: dict[str, Any]) -> ExtractionResult:
        return run_extraction(
            session,
            payload,
            embedder=embedder,
            gateway=gateway,
            model=model,
            extractor_mode=extractor_mode,
            post_processors=post_processors,
        )

    return handle


def worker_id() -> str:
    """This process as a job owner: `<host>:<pid>`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def reclaim_dead_claims(session: Session, *, host: str | None = None) -> int:
    """Release the leases held by processes of `host` (this one) that no longer run.

    A worker killed mid-job leaves its claims leased for `LEASE`; a worker starting on the same
    host frees them at once (the jobs re-run safely: extraction is idempotent per turn). Claims
    of other hosts are left to their lease: their processes cannot be checked from here.
    """
    host = host or socket.gethostname()
    query = select(Outbox).where(
        Outbox.status == "pending",
        col(Outbox.locked_until).is_not(None),
        col(Outbox.locked_by).startswith(f"{host}:"),
    )
    released = 0
    for job in session.exec(query).all():
        pid = (job.locked_by or "").rpartition(":")[2]
        if pid.isdigit() and not _alive(int(pid)):
            job.locked_until, job.locked_by = None, None
            session.add(job)
            released += 1
    return released


def claim_jobs(
    session: Session,
    limit: int = 10,
    *,
    kinds: Sequence[str] | None = None,
    lease: timedelta = LEASE,
    now: datetime | None = None,
    owner: str | None = None,
) -> list[Outbox]:
    """Lease up to `limit` due jobs to this worker (attempts counted at claim); caller commits."""
    now = now or utcnow()
    query = select(Outbox).where(
        Outbox.status == "pending",
        col(Outbox.available_at) <= now,
        or_(col(Outbox.locked_until).is_(None), col(Outbox.locked_until) <= now),
    )
    if kinds is not None:
        query = query.where(col(Outbox.kind).in_(list(kinds)))
    query = query.order_by(col(Outbox.id)).limit(limit)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = list(session.exec(query).all())
    for job in jobs:
        job.locked_until = now + lease
        job.locked_by = owner or worker_id()
        job.attempts += 1
        session.add(job)
    session.flush()
    return jobs


def complete_job(session: Session, job_id: int, *, now: datetime | None = None) -> None:
    """Mark a job done."""
    job = session.get(Outbox, job_id)
    if job is not None:
        job.status, job.done_at, job.locked_until = "done", now or utcnow(), None
        job.locked_by = None
        job.last_error = None
        session.add(job)


def fail_job(
    session: Session,
    job_id: int,
    error: str,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    backoff: timedelta = BACKOFF_BASE,
    now: datetime | None = None,
) -> str:
    """Record a failure: retry later with exponential backoff, or give up after `max_attempts`.

    Returns the job's new status ("pending" or "failed").
    """
    now = now or utcnow()
    job = session.get(Outbox, job_id)
    if job is None:
        return "missing"
    job.last_error = error[:4000]
    job.locked_until, job.locked_by = None, None
    if job.attempts >= max_attempts:
        job.status = "failed"
    else:
        delay = min(backoff * (2 ** max(job.attempts - 1, 0)), BACKOFF_MAX)
        job.available_at = now + delay
    session.add(job)
    return job.status


AfterCommit = Callable[[str, dict[str, Any]], None]  # (job kind, payload), once committed


class Worker:
    """Polls the outbox and runs each job's handler in its own transaction, in a thread."""

    def __init__(
        self,
        engine: Engine,
        handlers: Mapping[str, Handler],
        *,
        poll_interval: float = 1.0,
        batch: int = 10,
        max_attempts: int = MAX_ATTEMPTS,
        backoff: timedelta = BACKOFF_BASE,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self.engine = engine
        self.handlers = dict(handlers)
        self.after_commit = after_commit
        self.poll_interval = poll_interval
        self.batch = batch
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Claim and run one batch of due jobs; returns how many ran (done or failed)."""
        with session_scope(self.engine) as session:
            jobs = [
                (job.id, job.kind, dict(job.payload))
                for job in claim_jobs(session, self.batch, kinds=list(self.handlers))
            ]
        for job_id, kind, payload in jobs:
            assert job_id is not None
            try:
                with session_scope(self.engine) as session:
                    self.handlers[kind](session, payload)
                    complete_job(session, job_id)
            except Exception as exc:  # any handler failure is recorded and retried
                log.warning("job %s (%s) failed: %s", job_id, kind, exc)
                with session_scope(self.engine) as session:
                    fail_job(
                        session,
                        job_id,
                        f"{type(exc).__name__}: {exc}",
                        max_attempts=self.max_attempts,
                        backoff=self.backoff,
                    )
                continue
            if self.after_commit is not None:
                try:
                    self.after_commit(kind, payload)
                except Exception as exc:  # best effort: the job itself is done and committed
                    log.warning("after job %s (%s): %s", job_id, kind, exc)
        return len(jobs)

    def run_until_idle(self, max_batches: int = 1000) -> int:
        """Run batches until no job is due (for tests and one-shot CLI use)."""
        total = 0
        for _ in range(max_batches):
            ran = self.run_once()
            total += ran
            if ran == 0:
                break
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("outbox worker: batch failed")
                ran = 0
            if ran == 0:
                self._stop.wait(self.poll_interval)

    def start(self) -> None:
        """Free the claims of dead workers on this host, then poll in a daemon thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        try:
            with session_scope(self.engine) as session:
                released = reclaim_dead_claims(session)
            if released:
                log.info("outbox worker: reclaimed %d job(s) of dead workers", released)
        except Exception:  # never keep the worker from starting
            log.exception("outbox worker: reclaiming dead claims failed")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="persona-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop after its current job, and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
