"""Background jobs: the outbox queue (claim, complete, fail with backoff) and a polling worker
thread (the extraction job itself is `persona.memory.extraction`).

Jobs are written in the turn's transaction (`store.turns.record_turn`). Workers claim them
with `FOR UPDATE SKIP LOCKED` on PostgreSQL (any number of workers) and a plain select on
SQLite (one in-process worker). A claimed job carries a lease (`locked_until`); a worker that
crashes leaves the job to be claimed again after the lease, and the job re-runs safely
because extraction is idempotent per turn. A handler that can batch (`BatchHandler`) gets the
claimed jobs of one group (one user) together, in one transaction; if that fails, each job runs
on its own, so one bad turn cannot hold back the others.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlmodel import Session, col, or_, select, update

from store.db import session_scope
from store.models import Outbox, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=10)

Handler = Callable[[Session, dict[str, Any]], object]


class BatchHandler(Protocol):
    """A handler that can also run several jobs of one group (e.g. one user's turns) together,
    in one transaction: the worker groups the jobs it claimed by `group(payload)`."""

    max_batch: int

    def __call__(self, session: Session, payload: dict[str, Any]) -> object: ...

    def group(self, payload: dict[str, Any]) -> Hashable: ...

    def run_batch(self, session: Session, payloads: Sequence[dict[str, Any]]) -> object: ...


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
    same_user: Mapping[str, int] | None = None,
    settle: timedelta = timedelta(0),
) -> list[Outbox]:
    """Lease up to `limit` due jobs to this worker (attempts counted at claim); caller commits.

    `same_user` (kind -> at most how many per user) also leases the other due jobs of those
    kinds whose users are among the claimed ones, so one user's backlog runs together. With
    `settle`, a job of those kinds starts a claim only once it is that old: the turns its user
    sent meanwhile come with it (one extraction call, one embedding call for all of them).
    """
    now = now or utcnow()
    due = select(Outbox).where(
        Outbox.status == "pending",
        col(Outbox.available_at) <= now,
        or_(col(Outbox.locked_until).is_(None), col(Outbox.locked_until) <= now),
    )
    query = due if kinds is None else due.where(col(Outbox.kind).in_(list(kinds)))
    if settle > timedelta(0) and same_user:
        settled = col(Outbox.created_at) <= now - settle
        query = query.where(or_(col(Outbox.kind).not_in(list(same_user)), settled))
    postgres = session.get_bind().dialect.name == "postgresql"

    def lock(q: Any) -> Any:
        return q.with_for_update(skip_locked=True) if postgres else q

    jobs = list(session.exec(lock(query.order_by(col(Outbox.id)).limit(limit))).all())
    for kind, per_user in (same_user or {}).items():
        users = {j.user_id for j in jobs if j.kind == kind and j.user_id is not None}
        if not users or per_user <= 1:
            continue
        taken = [j.id for j in jobs]
        more = due.where(
            Outbox.kind == kind, col(Outbox.user_id).in_(users), col(Outbox.id).not_in(taken)
        )
        extra = session.exec(lock(more.order_by(col(Outbox.id)).limit(len(users) * per_user)))
        counts: dict[int | None, int] = {}
        for j in jobs:
            counts[j.user_id] = counts.get(j.user_id, 0) + (j.kind == kind)
        for job in extra.all():
            if counts.get(job.user_id, 0) < per_user:
                counts[job.user_id] = counts.get(job.user_id, 0) + 1
                jobs.append(job)
    for job in jobs:
        job.locked_until = now + lease
        job.locked_by = owner or worker_id()
        job.attempts += 1
        session.add(job)
    session.flush()
    return jobs


def complete_job(session: Session, job_id: int, *, now: datetime | None = None) -> None:
    """Mark a job done."""
    complete_jobs(session, [job_id], now=now)


def complete_jobs(session: Session, job_ids: Sequence[int], *, now: datetime | None = None) -> None:
    """Mark jobs done, in one statement."""
    session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(list(job_ids)))
        .values(status="done", done_at=now or utcnow(), locked_until=None, locked_by=None)
        .values(last_error=None)
    )


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


Claimed = tuple[int, str, dict[str, Any]]  # (job id, kind, payload)
# (job kind, payload), once committed; once per group that ran together (its last payload)
AfterCommit = Callable[[str, dict[str, Any]], None]


def _batching(handlers: Mapping[str, Handler | BatchHandler]) -> dict[str, BatchHandler]:
    """The handlers that run several jobs of a group together."""
    return {
        kind: cast("BatchHandler", handler)
        for kind, handler in handlers.items()
        if callable(getattr(handler, "run_batch", None)) and getattr(handler, "max_batch", 1) > 1
    }


class Worker:
    """Polls the outbox and runs each job's handler in its own transaction, in a thread."""

    def __init__(
        self,
        engine: Engine,
        handlers: Mapping[str, Handler | BatchHandler],
        *,
        poll_interval: float = 1.0,
        batch: int = 10,
        max_attempts: int = MAX_ATTEMPTS,
        backoff: timedelta = BACKOFF_BASE,
        after_commit: AfterCommit | None = None,
        settle: timedelta = timedelta(0),
    ) -> None:
        self.engine = engine
        self.settle = settle  # see `claim_jobs`; the polling loop waits it, `run_until_idle` not
        self.handlers = dict(handlers)
        self.batching = _batching(handlers)
        self.after_commit = after_commit
        self.poll_interval = poll_interval
        self.batch = batch
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, *, settle: timedelta = timedelta(0)) -> int:
        """Claim and run one batch of due jobs; returns how many ran (done or failed)."""
        same_user = {kind: handler.max_batch for kind, handler in self.batching.items()}
        with session_scope(self.engine) as session:
            jobs: list[Claimed] = [
                (cast(int, job.id), job.kind, dict(job.payload))
                for job in claim_jobs(
                    session,
                    self.batch,
                    kinds=list(self.handlers),
                    same_user=same_user,
                    settle=settle,
                )
            ]
        for group in self._groups(jobs):
            kind = group[0][1]
            if len(group) > 1 and self._run_together(group):
                self._after(kind, group[-1][2], group[-1][0])
                continue
            for job_id, _, payload in group:
                if self._run_alone(job_id, kind, payload):
                    self._after(kind, payload, job_id)
        return len(jobs)

    def _groups(self, jobs: list[Claimed]) -> list[list[Claimed]]:
        """The claimed jobs in groups that run together (one user's, for a batching handler),
        in claim order; other jobs alone."""
        groups: dict[Hashable, list[Claimed]] = {}
        for n, job in enumerate(jobs):
            handler = self.batching.get(job[1])
            key: Hashable = (job[1], handler.group(job[2])) if handler is not None else n
            groups.setdefault(key, []).append(job)
        out: list[list[Claimed]] = []
        for group in groups.values():
            handler = self.batching.get(group[0][1])
            size = handler.max_batch if handler is not None else 1
            out.extend(group[i : i + size] for i in range(0, len(group), size))
        return out

    def _run_together(self, group: list[Claimed]) -> bool:
        """Run a group in one transaction; False (nothing committed) when it failed."""
        kind = group[0][1]
        try:
            with session_scope(self.engine) as session:
                self.batching[kind].run_batch(session, [payload for _, _, payload in group])
                complete_jobs(session, [job_id for job_id, _, _ in group])
        except Exception as exc:  # each job then runs alone: one bad turn holds back no other
            log.warning("jobs %s (%s) failed together: %s", [j[0] for j in group], kind, exc)
            return False
        return True

    def _run_alone(self, job_id: int, kind: str, payload: dict[str, Any]) -> bool:
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
            return False
        return True

    def _after(self, kind: str, payload: dict[str, Any], job_id: int) -> None:
        if self.after_commit is None:
            return
        try:
            self.after_commit(kind, payload)
        except Exception as exc:  # best effort: the job itself is done and committed
            log.warning("after job %s (%s): %s", job_id, kind, exc)

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
                ran = self.run_once(settle=self.settle)
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
