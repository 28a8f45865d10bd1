"""`persona serve`: the HTTP server (OpenAI-compatible chat, REST, admin) in N processes.

The parent process applies the CLI's schema rule (a SQLite file is migrated, an out-of-date
PostgreSQL refused), creates the first tenant on an empty database, starts the background
worker as a process of its own (`persona worker`, unless `--no-worker`) and starts `--workers N`
API processes, each on a socket of its own on the port (`persona.cli.supervise`: the kernel
spreads connections over them; uvicorn's shared socket does not). Each API process builds its own
runtime (database pool, embedder, router) and warms it up before taking requests; none runs
background jobs, so a busy API never starves extraction and extraction never slows replies.
SIGINT/SIGTERM stop the API processes gracefully (in-flight requests finish), then the worker
(its current job finishes; a job cut short is claimed again, extraction is idempotent).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from persona.config import Settings
from persona.errors import InvalidInput

GRACEFUL_S = 30


def register(sub: Any) -> None:
    """Add `serve`."""
    p = sub.add_parser(
        "serve",
        help="run the HTTP server",
        description="Run the server. Defaults come from PERSONA_HOST / PERSONA_PORT "
        "(127.0.0.1:8000). On an empty database a tenant 'local' is created and its key printed. "
        "API processes: --workers (default: one per core; one when a tier is the in-process "
        "local model). The background worker runs as its own process (`persona worker`).",
    )
    p.add_argument("--host", help="bind address (default: PERSONA_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: PERSONA_PORT or 8000)")
    p.add_argument(
        "--workers", type=int, help="API processes (default: PERSONA_WORKERS or one per core)"
    )
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the background worker (run `persona worker` elsewhere)",
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_serve)


def default_workers(settings: Settings) -> int:
    """One API process per core; one when a tier runs the local model in-process.

    The local model is CPU-bound and loaded per process: more processes would share the same
    cores and hold one copy of the model each.
    """
    if settings.workers is not None:
        return settings.workers
    from persona.llm.spec import tier_specs

    if any(spec.is_local for spec in tier_specs(settings).values()):
        return 1
    return max(1, os.cpu_count() or 1)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from persona.bootstrap import first_start_key
    from persona.cli import runtime as build_runtime
    from persona.cli.supervise import APP, Supervisor, die_with_parent, supervised
    from persona.config import get_settings

    settings = get_settings()
    workers = args.workers if args.workers is not None else default_workers(settings)
    if workers < 1:
        raise InvalidInput("--workers must be at least 1")
    # the schema rule of every command, here before any API process starts: a SQLite file is
    # brought up to date, an out-of-date PostgreSQL refused with what to run
    runtime = build_runtime()
    key = first_start_key(runtime.db)
    database = runtime.db.url
    runtime.close()
    if key is not None:
        print(
            "persona: created tenant 'local'. Its API key (shown only this once):\n"
            f"  {key}\n"
            "Use it as 'Authorization: Bearer <key>'.",
            flush=True,
        )
    options: dict[str, Any] = {
        "log_level": args.log_level,
        "timeout_graceful_shutdown": GRACEFUL_S,
    }
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    # the processes are one per core already: each embeds on one thread (a query is one text;
    # more intra-op threads only add hand-offs), unless PERSONA_EMBEDDING_THREADS says otherwise
    if workers > 1 or (settings.background_worker and not args.no_worker):
        os.environ.setdefault("PERSONA_EMBEDDING_THREADS", "1")
    # the port is taken before anything starts, so "already in use" is the first thing said
    supervisor = None
    if supervised(workers):
        supervisor = Supervisor(host, port, workers, options, GRACEFUL_S)
    worker = None
    if settings.background_worker and not args.no_worker:
        worker = subprocess.Popen(
            [sys.executable, "-m", "persona.cli", "worker"], preexec_fn=die_with_parent
        )
        # the API processes (started from here, after the worker) yield the CPU to it when
        # both want it, so background work keeps up with the traffic instead of falling
        # further behind under load; with nothing queued the API has the cores to itself
        if settings.api_nice:
            os.nice(settings.api_nice)
    print(
        f"persona: {workers} API process(es) loading models (embedder, router, local chat "
        "model; the first start on a machine also exports the embedder to ONNX, about 20 s), "
        f"then serving on http://{host}:{port} (database: {database!r}); background worker: "
        f"{'own process' if worker else 'not started here'}",
        flush=True,
    )
    try:
        if supervisor is not None:
            return supervisor.run()
        uvicorn.run(
            # by import string, resolved in each API process: persona never imports api
            # (api -> persona -> store; tests/test_import_direction.py holds it)
            APP,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **options,
        )
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(GRACEFUL_S)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    return 0
