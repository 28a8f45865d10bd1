"""`persona worker`: run background jobs (memory extraction, episodic indexing) until stopped.

`persona serve` starts one; run more (on PostgreSQL, any number, on any machine) with
`persona serve --no-worker` for the API. Jobs are claimed with a lease (SKIP LOCKED on
PostgreSQL), so workers never run a job twice at once. SIGTERM/SIGINT finish the current job
and exit.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any


def register(sub: Any) -> None:
    """Add `worker`."""
    p = sub.add_parser(
        "worker",
        help="run background jobs (extraction, indexing) until stopped",
        description="Poll the outbox and run memory extraction and episodic indexing jobs. "
        "SIGTERM or Ctrl-C finishes the current job, then exits.",
    )
    p.add_argument(
        "--poll-interval", type=float, default=0.5, help="seconds between polls when idle"
    )
    p.set_defaults(func=_worker)


def _worker(args: argparse.Namespace) -> int:
    from persona.cli import runtime as build_runtime
    from persona.errors import InvalidInput
    from persona.worker import make_worker

    if args.poll_interval <= 0:
        raise InvalidInput("--poll-interval must be positive")
    from persona.llm.registry import load_litellm

    runtime = build_runtime()
    # loaded now, not by the first job: the embedding model, and litellm (its price map prices
    # every extraction call; importing it takes about 1.5 s of CPU)
    runtime.embedder.embed(["warm-up"])
    load_litellm()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker = make_worker(runtime, poll_interval=args.poll_interval, serves=False)
    worker.start()
    print("persona: background worker running", flush=True)
    try:
        stop.wait()
    finally:
        worker.stop(timeout=60)
        runtime.close()
    return 0
