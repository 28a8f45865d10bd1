"""`persona bench gateway`: persona's server against LiteLLM's proxy, same upstream, same run.

One invocation starts a loopback OpenAI-wire upstream that answers at once
(`persona.bench.upstream`), a `persona serve` on a fresh database in front of it (SQLite in a
temporary directory, or a fresh database on the PostgreSQL server of `--database`), and, with
`--against-litellm-proxy`, LiteLLM's own proxy (`litellm --config`, one worker) on the same
upstream. The same closed-loop load generator (`persona.bench.load`: distinct end users, four
turns each, JSON or SSE) drives each system at every `--concurrency` level for `--duration`
seconds. Per system and level it reports req/s, p50/p95/p99, errors by status and CPU seconds
per request of the server's process tree; for persona also the outbox backlog when the load
stops and how long the background worker took to drain it. The systems run one after the other
in the same invocation, so their ratio is measured on one machine at one moment.

LiteLLM's proxy needs `litellm[proxy]`, whose pins clash with persona's environment; install
it in a venv of its own (`make bench-proxy` makes `.venv-proxy`) and point `--litellm-bin` at
its `litellm` (found there by default).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROXY_KEY = "sk-bench-proxy"
DRAIN_TIMEOUT_S = 180.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument(
        "--concurrency", default="8,32,64", help="comma-separated client counts (default 8,32,64)"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per level")
    parser.add_argument("--stream", action="store_true", help="SSE streaming instead of JSON")
    parser.add_argument(
        "--database",
        help="a PostgreSQL URL: a fresh database is created on that server for the run "
        "(default: SQLite in a temporary directory)",
    )
    parser.add_argument(
        "--against-litellm-proxy", action="store_true", help="also measure LiteLLM's proxy"
    )
    parser.add_argument("--litellm-bin", help="LiteLLM's `litellm` command (default: .venv-proxy)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="upstream think time")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output form)")


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` and all its live descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        todo.extend(children.get(current, []))
    return total


def _wait_ready(
    url: str,
    proc: subprocess.Popen[bytes],
    timeout: float,
    what: str,
    log: Path | None = None,
    line: str | None = None,
) -> None:
    """Until `url` answers 200 and, with `line`, `log` holds that line (persona serve prints
    one when every API process listens: a load whose keep-alive connections open before the
    last process listens never reaches that process)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode} while starting")
        try:
            answered = httpx.get(url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            answered = False
        if answered and (line is None or log is None or line in log.read_text(errors="replace")):
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


@contextmanager
def _process(
    cmd: list[str],
    env: dict[str, str],
    log: Path,
    ready_url: str | None,
    what: str,
    ready_line: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            if ready_url:
                _wait_ready(ready_url, proc, 300.0, what, log, ready_line)
            yield proc
        except RuntimeError as exc:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{exc}; log tail:\n{tail}") from exc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def upstream(work: Path, delay_ms: float) -> Iterator[str]:
    """The loopback upstream; yields its `/v1` base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "persona.bench.upstream", "--port", str(port)]
    cmd += ["--delay-ms", str(delay_ms)]
    base = f"http://127.0.0.1:{port}/v1"
    with _process(cmd, dict(os.environ), work / "upstream.log", base + "/models", "upstream"):
        yield base


@contextmanager
def fresh_database(url: str | None, work: Path) -> Iterator[str]:
    """A database URL nobody else uses: SQLite in `work`, or a new PostgreSQL database."""
    if url is None:
        yield f"sqlite:///{work / 'persona.db'}"
        return
    from sqlalchemy import create_engine, make_url, text

    server = make_url(url)
    name = f"persona_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def persona_env(work: Path, database_url: str, upstream_base: str, port: int) -> dict[str, str]:
    """The environment of the benchmarked `persona serve`: both tiers on the upstream."""
    env = dict(os.environ)
    env.update(
        {
            "PERSONA_DATA_DIR": str(work / "data"),
            "PERSONA_DATABASE_URL": database_url,
            "PERSONA_FAST_MODEL": "openai/bench",
            "PERSONA_REASONING_MODEL": "openai/bench",
            "PERSONA_MODEL_ENDPOINTS": json.dumps(
                {"openai/bench": {"api_base": upstream_base, "api_key": "bench"}}
            ),
            "PERSONA_RATE_LIMIT_PER_MINUTE": "0",
            "PERSONA_HOST": "127.0.0.1",
            "PERSONA_PORT": str(port),
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
    )
    return env


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "persona.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"persona {' '.join(args)} failed: {done.stderr.strip()[-1000:]}")
    return done.stdout


def pending_jobs(database_url: str) -> int:
    """Outbox jobs not yet done (pending or claimed)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM outbox WHERE status = 'pending'")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def drain(database_url: str) -> dict[str, Any]:
    """The backlog now and the seconds until the worker has run all of it."""
    backlog = pending_jobs(database_url)
    start = time.monotonic()
    left = backlog
    while left and time.monotonic() - start < DRAIN_TIMEOUT_S:
        time.sleep(0.25)
        left = pending_jobs(database_url)
    return {
        "backlog_at_end": backlog,
        "drain_s": round(time.monotonic() - start, 2) if not left else None,
        "left_after_timeout": left,
    }


def measure(
    base_url: str,
    pid: int,
    *,
    api_key: str,
    model: str,
    level: int,
    args: argparse.Namespace,
    prefix: str,
) -> dict[str, Any]:
    """One load level against one system, with its CPU cost."""
    from persona.bench.load import run_load

    before = cpu_seconds(pid)
    result = asyncio.run(
        run_load(
            base_url,
            api_key=api_key,
            model=model,
            concurrency=level,
            duration_s=args.duration,
            stream=args.stream,
            user_prefix=f"{prefix}-c{level}",
        )
    )
    cpu = cpu_seconds(pid) - before
    report = result.report()
    report["cpu_s_per_request"] = round(cpu / result.sent, 4) if result.sent else None
    return report


def bench_persona(
    work: Path, upstream_base: str, levels: list[int], args: argparse.Namespace
) -> dict[str, Any]:
    """Start `persona serve` on a fresh database and measure every level."""
    with fresh_database(args.database, work) as database_url:
        port = free_port()
        env = persona_env(work, database_url, upstream_base, port)
        _cli(env, "db", "upgrade")
        key = json.loads(_cli(env, "tenants", "create", "bench", "--json"))["api_key"]
        # the default, one per core, made explicit: the bench knows whether to wait for them all
        workers = int(env.get("PERSONA_WORKERS") or os.cpu_count() or 1)
        cmd = [sys.executable, "-m", "persona.cli", "serve", "--workers", str(workers)]
        base = f"http://127.0.0.1:{port}"
        from persona.cli.supervise import ALL_LISTENING, supervised

        log = work / "persona.log"
        line = ALL_LISTENING if supervised(workers) else None
        with _process(cmd, env, log, base + "/healthz", "persona serve", line) as proc:
            runs = []
            for level in levels:
                report = measure(
                    base + "/v1",
                    proc.pid,
                    api_key=key,
                    model="persona/auto",
                    level=level,
                    args=args,
                    prefix="persona",
                )
                report.update(drain(database_url))
                runs.append(report)
        kind = "postgresql" if args.database else "sqlite"
        return {"system": "persona serve", "database": kind, "runs": runs}


def litellm_bin(given: str | None) -> str:
    """LiteLLM's proxy command: `--litellm-bin`, `.venv-proxy/bin/litellm`, or on PATH."""
    for candidate in (
        given,
        str(Path(".venv-proxy/bin/litellm").resolve()),
        shutil.which("litellm"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(
        "LiteLLM's proxy is not installed: run `make bench-proxy` or pass --litellm-bin"
    )


def bench_litellm_proxy(
    work: Path, upstream_base: str, levels: list[int], args: argparse.Namespace
) -> dict[str, Any]:
    """Start LiteLLM's proxy (one worker) on the same upstream and measure every level."""
    config = work / "litellm.yaml"
    config.write_text(
        "model_list:\n"
        "  - model_name: bench\n"
        "    litellm_params:\n"
        "      model: openai/bench\n"
        f"      api_base: {upstream_base}\n"
        "      api_key: bench\n"
        "general_settings:\n"
        f"  master_key: {PROXY_KEY}\n"
    )
    port = free_port()
    cmd = [litellm_bin(args.litellm_bin), "--config", str(config), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--num_workers", "1"]
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOG="ERROR")
    base = f"http://127.0.0.1:{port}"
    with _process(cmd, env, work / "litellm.log", base + "/health/liveliness", "litellm") as proc:
        runs = [
            measure(
                base + "/v1",
                proc.pid,
                api_key=PROXY_KEY,
                model="bench",
                level=level,
                args=args,
                prefix="proxy",
            )
            for level in levels
        ]
    return {"system": "litellm proxy", "runs": runs}


def ratios(persona: dict[str, Any], proxy: dict[str, Any]) -> list[dict[str, Any]]:
    """persona / proxy per level: req/s (higher is better) and p99 (lower is better)."""
    out = []
    for mine, theirs in zip(persona["runs"], proxy["runs"], strict=True):
        out.append(
            {
                "concurrency": mine["concurrency"],
                "req_per_s": round(mine["req_per_s"] / theirs["req_per_s"], 3)
                if theirs["req_per_s"]
                else None,
                "p99": round(mine["p99_ms"] / theirs["p99_ms"], 3)
                if mine["p99_ms"] and theirs["p99_ms"]
                else None,
            }
        )
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The whole benchmark; the JSON report."""
    try:
        levels = [int(x) for x in str(args.concurrency).split(",") if x.strip()]
    except ValueError as exc:
        raise ValueError("--concurrency takes comma-separated integers, e.g. 8,32,64") from exc
    if not levels or min(levels) < 1:
        raise ValueError("--concurrency needs at least one level >= 1")
    with tempfile.TemporaryDirectory(prefix="persona-bench-") as tmp:
        work = Path(tmp)
        with upstream(work, args.delay_ms) as upstream_base:
            report: dict[str, Any] = {
                "stream": bool(args.stream),
                "duration_s": args.duration,
                "upstream_delay_ms": args.delay_ms,
                "cores": os.cpu_count(),
                "persona": bench_persona(work, upstream_base, levels, args),
            }
            if args.against_litellm_proxy:
                report["litellm_proxy"] = bench_litellm_proxy(work, upstream_base, levels, args)
                report["ratio_persona_to_proxy"] = ratios(
                    report["persona"], report["litellm_proxy"]
                )
    return report
