"""The benchmark's parts: the loopback upstream answers the wire correctly, the load generator
counts what it measured, and the CLI refuses bad options with a message."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import openai
import pytest

from persona.bench.gateway import cpu_seconds, free_port
from persona.bench.load import run_load
from persona.bench.upstream import minimal_instance
from persona.cli import main


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "persona.bench.upstream", "--port", str(port)],
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().decode().strip() == f"listening on {port}"
    yield f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def test_minimal_instance_of_a_strict_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "memories": {"type": "array", "items": {"type": "object"}},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "note": {"type": ["string", "null"]},
            "n": {"type": "integer"},
        },
        "required": ["memories", "mode", "note", "n"],
    }
    assert minimal_instance(schema) == {"memories": [], "mode": "a", "note": None, "n": 0}


def test_upstream_speaks_the_wire_to_the_openai_client(upstream: str) -> None:
    with openai.OpenAI(base_url=upstream, api_key="x") as client:
        reply = client.chat.completions.create(
            model="bench", messages=[{"role": "user", "content": "hi"}]
        )
        assert reply.choices[0].finish_reason == "stop"
        assert reply.choices[0].message.content
        assert reply.usage is not None and reply.usage.total_tokens > 0

        chunks = list(
            client.chat.completions.create(
                model="bench",
                messages=[{"role": "user", "content": "hi"}],
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == reply.choices[0].message.content
        assert chunks[-1].usage is not None and len({c.id for c in chunks}) == 1

        structured = client.chat.completions.create(
            model="bench",
            messages=[{"role": "user", "content": "hi"}],
            response_format={
                "type": "json_schema",
                "json_schema": {
                    "name": "m",
                    "schema": {
                        "type": "object",
                        "properties": {"memories": {"type": "array"}},
                        "required": ["memories"],
                    },
                },
            },
        )
        assert json.loads(structured.choices[0].message.content or "") == {"memories": []}
        assert httpx.post(upstream + "/nothing", content=b"{}").status_code == 404


@pytest.mark.parametrize("stream", [False, True])
def test_load_generator_counts_every_measured_request(upstream: str, stream: bool) -> None:
    result = asyncio.run(
        run_load(
            upstream,
            api_key="x",
            model="bench",
            concurrency=4,
            duration_s=1.0,
            stream=stream,
            user_prefix="t",
            warm_up_s=0.2,
        )
    )
    report = result.report()
    assert report["errors"] == {}
    assert report["ok"] == report["requests"] == len(result.latencies_ms) > 0
    assert result.sent >= report["requests"]
    assert report["p50_ms"] <= report["p95_ms"] <= report["p99_ms"]
    assert report["req_per_s"] == pytest.approx(report["ok"] / 1.0, abs=0.01)


def test_cpu_seconds_grows_with_work() -> None:
    busy = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nt=time.process_time()\nwhile time.process_time()-t<0.5: pass\ntime.sleep(5)",
        ]
    )
    try:
        seen = 0.0
        for _ in range(100):
            seen = cpu_seconds(busy.pid)
            if seen >= 0.5:
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert seen >= 0.5
    finally:
        busy.kill()
        busy.wait()


@pytest.mark.parametrize("value", ["", "8,x", "0"])
def test_bad_concurrency_is_a_clear_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "gateway", "--concurrency", value, "--duration", "1"]) == 2
    assert "--concurrency" in capsys.readouterr().err
