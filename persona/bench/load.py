"""A closed-loop load generator for OpenAI-wire chat endpoints.

`concurrency` clients each play end users one after another: a user sends `turns` messages,
each carrying the conversation so far (as a chat app does), then the client starts the next
user. Every user name is distinct across clients and runs. A client sends its next request the
moment the previous answer has fully arrived (the whole SSE stream when streaming), so the
request rate is what the system sustains, not what the generator offers.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from persona.evals import percentile

MESSAGES = (
    "Hi! I'm {name}, I live in Porto and I work as a pharmacist.",
    "What could I cook tonight? I'm vegetarian and I have about 30 minutes.",
    "Any ideas for a weekend trip from where I live?",
    "Thanks, that helps. Remember that I prefer short answers.",
)


@dataclass
class LoadResult:
    """What one load run measured."""

    concurrency: int
    duration_s: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    sent: int = 0  # every request, warm-up included (what the CPU time is divided by)

    def report(self) -> dict[str, Any]:
        """Throughput, latency percentiles and errors by status."""
        ok = sorted(self.latencies_ms)
        errors = {k: v for k, v in self.statuses.items() if k != "200"}
        return {
            "concurrency": self.concurrency,
            "duration_s": round(self.duration_s, 2),
            "requests": sum(self.statuses.values()),
            "ok": len(ok),
            "req_per_s": round(len(ok) / self.duration_s, 2) if self.duration_s else 0.0,
            "p50_ms": round(percentile(ok, 50), 1) if ok else None,
            "p95_ms": round(percentile(ok, 95), 1) if ok else None,
            "p99_ms": round(percentile(ok, 99), 1) if ok else None,
            "errors": errors,
        }


async def _one(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[str, str]:
    """Send one chat request; (status, reply text). Streams are read to their end."""
    if not body.get("stream"):
        response = await client.post(url, json=body, headers=headers)
        if response.status_code != 200:
            return str(response.status_code), ""
        choices = response.json().get("choices") or [{}]
        return "200", (choices[0].get("message") or {}).get("content") or ""
    async with client.stream("POST", url, json=body, headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            return str(response.status_code), ""
        done = False
        async for line in response.aiter_lines():
            if line.strip() == "data: [DONE]":
                done = True
        return ("200" if done else "cut"), "streamed reply"


async def run_load(
    base_url: str,
    *,
    api_key: str,
    model: str,
    concurrency: int,
    duration_s: float,
    stream: bool,
    user_prefix: str,
    turns: int = len(MESSAGES),
    warm_up_s: float = 2.0,
) -> LoadResult:
    """Drive `base_url`'s `/chat/completions` for `duration_s` after `warm_up_s`, and measure."""
    url = base_url.rstrip("/") + "/chat/completions"
    headers = {"authorization": f"Bearer {api_key}"}
    result = LoadResult(concurrency=concurrency, duration_s=duration_s)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    start = time.perf_counter()
    measure_from = start + warm_up_s
    stop_at = measure_from + duration_s

    async def client_loop(client: httpx.AsyncClient, worker: int) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            user = f"{user_prefix}-{worker}-{n}"
            n += 1
            messages: list[dict[str, str]] = []
            for turn in range(turns):
                text = MESSAGES[turn % len(MESSAGES)].format(name=f"User{worker}x{n}")
                messages.append({"role": "user", "content": text})
                body: dict[str, Any] = {"model": model, "messages": messages, "user": user}
                if stream:
                    body["stream"] = True
                sent = time.perf_counter()
                result.sent += 1
                try:
                    status, reply = await _one(client, url, body, headers)
                except httpx.HTTPError as exc:
                    status, reply = type(exc).__name__, ""
                done = time.perf_counter()
                if sent >= measure_from and done <= stop_at:
                    result.statuses[status] += 1
                    if status == "200":
                        result.latencies_ms.append((done - sent) * 1000)
                if done >= stop_at:
                    return
                messages.append({"role": "assistant", "content": reply or "ok"})

    timeout = httpx.Timeout(120.0, connect=10.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        await asyncio.gather(*(client_loop(client, w) for w in range(concurrency)))
    return result
