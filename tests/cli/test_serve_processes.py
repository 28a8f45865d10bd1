"""`persona serve --workers 2`: two API processes and a `persona worker` process on one
database; every turn answered, every background job run once, a clean stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest
from sqlalchemy import create_engine, text

from persona.bench.gateway import free_port, persona_env
from persona.cli.supervise import ALL_LISTENING


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "persona serve exited while starting"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_two_api_processes_and_a_worker_process(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "pg_url")
    upstream_port = free_port()
    upstream = subprocess.Popen(
        [sys.executable, "-m", "persona.bench.upstream", "--port", str(upstream_port)],
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    env = persona_env(tmp_path, url, f"http://127.0.0.1:{upstream_port}/v1", port)
    cli = [sys.executable, "-m", "persona.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [*cli, "tenants", "create", "app", "--json"], env=env, check=True, capture_output=True
    )
    key = json.loads(created.stdout)["api_key"]
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([*cli, "serve", "--workers", "2"], env=env, stdout=log, stderr=log)
    try:
        _wait(f"http://127.0.0.1:{port}/healthz", serve)
        # serve, its 2 API processes and the worker (and multiprocessing's resource tracker)
        assert len(_processes_with_env(f"PERSONA_PORT={port}".encode())) >= 4
        with openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key) as client:
            for i in range(12):
                reply = client.chat.completions.with_raw_response.create(
                    model="persona/auto",
                    messages=[{"role": "user", "content": f"I live in Porto, message {i}"}],
                    user=f"user-{i % 3}",
                )
                assert reply.http_response.status_code == 200
                assert reply.parse().choices[0].message.content
        engine = create_engine(url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT status, attempts FROM outbox")).all()
            if rows and all(status == "done" for status, _ in rows):
                break
            time.sleep(0.3)
        assert len(rows) == 12  # one job per turn
        assert [(s, a) for s, a in rows] == [("done", 1)] * 12  # each run once, by the worker
        with engine.connect() as conn:
            turns = conn.execute(text("SELECT count(*) FROM turn")).scalar_one()
        assert turns == 12
        engine.dispose()
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
        upstream.terminate()
        upstream.wait(timeout=10)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert code == 0, output[-3000:]
    assert "2 API process(es)" in output
    assert "Traceback" not in output
    deadline = time.monotonic() + 15  # the worker stopped too (helpers may take a moment)
    while _processes_with_env(f"PERSONA_PORT={port}".encode()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with_env(f"PERSONA_PORT={port}".encode()) == []


def _processes_with_env(entry: bytes) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and entry in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _children(pid: int) -> list[int]:
    out = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit():
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == pid and b"spawn_main" in (proc / "cmdline").read_bytes():
                    out.append(int(proc.name))
        except OSError:
            continue
    return out


def _established(pid: int, port: int, state: str = "01") -> int:
    """The TCP sockets on local `port` in `state` (01 ESTABLISHED, 0A LISTEN) `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                count += fields[9] in inodes
    return count


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT balancing")
def test_keep_alive_connections_spread_over_the_api_processes(
    tmp_path: Path, sqlite_url: str
) -> None:
    port = free_port()
    env = persona_env(tmp_path, sqlite_url, "http://127.0.0.1:9/v1", port)
    cli = [sys.executable, "-m", "persona.cli"]
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [*cli, "serve", "--workers", "2", "--no-worker"], env=env, stdout=log, stderr=log
    )
    clients = []
    try:
        _wait(f"http://127.0.0.1:{port}/healthz", serve)
        deadline = time.monotonic() + 120  # the second process may still be loading
        while time.monotonic() < deadline:
            listening = [_established(pid, port, "0A") for pid in _children(serve.pid)]
            if len(listening) == 2 and min(listening) == 1:
                break  # each warmed up and listening on a socket of its own
            time.sleep(0.2)
        # ... which the server says once, when the last one listens
        while (
            ALL_LISTENING not in (tmp_path / "serve.log").read_text()
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert (tmp_path / "serve.log").read_text().count(f"{ALL_LISTENING} (2)") == 1
        # a second server on the same port is refused, not silently sharing it
        other = subprocess.run(
            [*cli, "serve", "--workers", "2", "--no-worker"], env=env, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert other.returncode != 0
        assert "already in use" in other.stderr + other.stdout
        for _ in range(24):  # 24 keep-alive connections, each kept open
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}")
            assert client.get("/healthz").status_code == 200
            clients.append(client)
        held = [_established(pid, port) for pid in _children(serve.pid)]
        assert sum(held) == 24
        assert min(held) > 0, held  # all 24 on one process: about 1 in 8 million
    finally:
        for client in clients:
            client.close()
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()[-3000:]
