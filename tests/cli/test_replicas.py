"""Replicas on one PostgreSQL: two `persona serve` API replicas and two `persona worker`s.

A burst of chats spread over both replicas: every turn stored once, every job run once (no
duplicate memory, history or episode row), a worker stopped mid-run leaves no claimed job
behind, a memory written through one replica is found through the other right after, and a
tenant's rate limit holds across the replicas (the database's buckets, not one per process).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from persona.bench.gateway import free_port, persona_env
from tests.cli.test_serve_processes import _wait

CLI = [sys.executable, "-m", "persona.cli"]
COLOURS = ["teal", "ochre", "crimson", "violet", "amber", "indigo"]


@contextmanager
def _running(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def test_replicas_share_one_postgres(tmp_path: Path, pg_url: str) -> None:
    upstream_port = free_port()
    upstream = subprocess.Popen(
        [sys.executable, "-m", "persona.bench.upstream", "--port", str(upstream_port)],
        stdout=subprocess.DEVNULL,
    )
    base_env = persona_env(tmp_path, pg_url, f"http://127.0.0.1:{upstream_port}/v1", 0)
    base_env.update(
        {
            "PERSONA_EXTRACT_SETTLE_S": "0.2",
            "PERSONA_RATE_LIMIT_PER_MINUTE": "6",
            "PERSONA_RATE_LIMIT_BURST": "30",
            "PERSONA_RATE_LIMIT_BACKEND": "database",
        }
    )
    subprocess.run([*CLI, "db", "upgrade"], env=base_env, check=True, capture_output=True)
    keys = []
    for name in ("app", "other"):
        made = subprocess.run(
            [*CLI, "tenants", "create", name, "--json"],
            env=base_env, check=True, capture_output=True,
        )  # fmt: skip
        keys.append(json.loads(made.stdout)["api_key"])
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    with ExitStack() as stack:
        stack.callback(upstream.wait, 10)
        stack.callback(upstream.terminate)
        replicas = []
        for i, port in enumerate(ports):
            env = {**base_env, "PERSONA_PORT": str(port)}
            cmd = [*CLI, "serve", "--no-worker", "--workers", "1"]
            replicas.append(stack.enter_context(_running(cmd, env, tmp_path / f"api{i}.log")))
        workers = [
            stack.enter_context(_running([*CLI, "worker"], base_env, tmp_path / f"w{i}.log"))
            for i in range(2)
        ]
        for url, proc in zip(urls, replicas, strict=True):
            _wait(f"{url}/healthz", proc)

        # a burst: 6 users x 3 turns, each turn through the other replica than the last
        def conversation(n: int) -> list[int]:
            messages: list[dict[str, str]] = []
            statuses = []
            texts = [
                f"Remember that my favourite colour is {COLOURS[n]}.",
                "What could I cook tonight?",
                "Thanks, that helps.",
            ]
            with httpx.Client(timeout=60) as client:
                for turn, content in enumerate(texts):
                    messages.append({"role": "user", "content": content})
                    reply = client.post(
                        f"{urls[(n + turn) % 2]}/v1/chat/completions",
                        json={"model": "persona/auto", "messages": messages, "user": f"u{n}"},
                        headers={"Authorization": f"Bearer {keys[0]}"},
                    )
                    statuses.append(reply.status_code)
                    body = reply.json()
                    messages.append(body["choices"][0]["message"])
            return statuses

        with ThreadPoolExecutor(6) as pool:
            statuses = [s for run in pool.map(conversation, range(6)) for s in run]
        assert statuses == [200] * 18

        workers[0].send_signal(signal.SIGTERM)  # stopped mid-run: finishes what it holds
        assert workers[0].wait(timeout=60) == 0
        engine = create_engine(pg_url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                jobs = conn.execute(text("SELECT status, attempts, locked_by FROM outbox")).all()
            if jobs and all(status == "done" for status, _, _ in jobs):
                break
            time.sleep(0.3)
        assert {(status, attempts) for status, attempts, _ in jobs} == {("done", 1)}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM turn")).scalar_one() == 18
            facts = conn.execute(
                text("SELECT user_id, text FROM memory WHERE kind <> 'episode'")
            ).all()
            episodes = conn.execute(
                text("SELECT source_turn_id, text FROM memory WHERE kind = 'episode'")
            ).all()
            adds = conn.execute(
                text("SELECT memory_id, count(*) FROM memory_history WHERE op = 'add' "
                     "GROUP BY memory_id")
            ).all()  # fmt: skip
        engine.dispose()
        assert len(facts) == len(set(facts)) >= 6  # each user's colour, once
        assert len(episodes) == len(set(episodes)) == 36  # both sides of every exchange
        assert {count for _, count in adds} == {1}

        # written through replica 0, found through replica 1 right after
        headers = {"Authorization": f"Bearer {keys[0]}"}
        with httpx.Client(timeout=30, headers=headers) as client:
            for n in range(6):
                found = client.post(
                    f"{urls[1]}/v1/users/u{n}/memories/search", json={"query": "favourite colour"}
                )
                assert COLOURS[n] in json.dumps(found.json())
            made = client.post(
                f"{urls[0]}/v1/users/u0/memories", json={"text": "Keeps bees on the roof"}
            )
            assert made.status_code == 201
            found = client.post(f"{urls[1]}/v1/users/u0/memories/search", json={"query": "bees"})
            assert "bees" in json.dumps(found.json())

        # one tenant's limit across both replicas: 30 in a burst in all, not 30 each
        codes = []
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {keys[1]}"}) as client:
            for i in range(50):
                codes.append(client.get(f"{urls[i % 2]}/v1/models").status_code)
        assert set(codes) == {200, 429}
        assert codes.count(200) <= 32  # the burst, plus what refilled meanwhile (0.1/s)
    for i in range(2):
        assert "Traceback" not in (tmp_path / f"api{i}.log").read_text()
        assert "Traceback" not in (tmp_path / f"w{i}.log").read_text()
