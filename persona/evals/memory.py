"""`persona eval memory --locomo PATH`: episodic retrieval recall and latency on LoCoMo.

Protocol (issue 3): each sample is one user in a fresh SQLite database; every session goes
through `persona.memory.episodes.ingest_turns`, the product's path for a conversation's turns
(text `"<speaker>: <text>"` plus `" [image: <caption>]"`, the session date, `dia_id` in the
metadata). For each question of categories 1-4, the user's top 20 memories are retrieved and
evidence recall@k is the share of the question's evidence `dia_id`s among the top k.
Session-level recall@10 (`session_recall_at_10`, the metric other systems publish for LoCoMo)
is the share of questions whose evidence sessions (the `D<n>` of each `dia_id`) are all among
the sessions of the top 10 turns.
Search latency covers the whole call, query embedding included, after a warm-up. The CPU time
of the process is reported beside the wall-clock times (`ingest_cpu_seconds`,
`search_cpu_ms_p95`): on a shared machine wall-clock time includes waiting for a core.
`per_sample` gives each conversation's recall and `halves` the first and second half of the
conversations apart, so that a change tuned on some conversations shows whether it holds on
the others.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona.evals import percentile

KS = (1, 5, 10, 20)
CATEGORIES = (1, 2, 3, 4)
_SESSION = re.compile(r"^session_(\d+)$")
SESSION_K = 10


def session_of(dia_id: str) -> str:
    """The session of a LoCoMo turn id: `D3:12` -> `D3`."""
    return dia_id.split(":", 1)[0]


def scores(evidence: list[str], found: list[str]) -> dict[str, float]:
    """One question's evidence recall@k for every k, and its session-level recall@10."""
    row = {f"recall_at_{k}": sum(e in found[:k] for e in evidence) / len(evidence) for k in KS}
    sessions = {session_of(f) for f in found[:SESSION_K]}
    row[f"session_recall_at_{SESSION_K}"] = float(all(session_of(e) in sessions for e in evidence))
    return row


def sample_range(text: str) -> range:
    """`"0-4"` -> range(0, 5); `"3"` -> range(3, 4)."""
    first, _, last = text.partition("-")
    try:
        start, stop = int(first), int(last or first) + 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A-B, got {text!r}") from None
    if start < 0 or stop <= start:
        raise argparse.ArgumentTypeError(f"empty range {text!r}")
    return range(start, stop)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--locomo PATH`."""
    parser.add_argument(
        "--locomo", type=Path, required=True, help="path to locomo10.json (LoCoMo, public data)"
    )
    parser.add_argument(
        "--samples",
        type=sample_range,
        default=None,
        metavar="A-B",
        help="only conversations A to B (0-based, inclusive), e.g. 0-4",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for the embedder (default: one per core, fastest on an idle machine; "
        "when other processes load the CPU, 1 thread avoids contention)",
    )


def _session_date(text: str | None) -> datetime:
    """LoCoMo dates look like '1:56 pm on 8 May, 2023'; unknown formats fall back to now."""
    if text:
        try:
            return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def _sessions(conversation: dict[str, Any]) -> list[tuple[int, list[dict[str, Any]], datetime]]:
    out = []
    for key, turns in conversation.items():
        match = _SESSION.match(key)
        if match and isinstance(turns, list):
            date = _session_date(conversation.get(f"{key}_date_time"))
            out.append((int(match.group(1)), turns, date))
    return sorted(out, key=lambda item: item[0])


def _turn_text(turn: dict[str, Any]) -> str:
    text = str(turn.get("text", ""))
    caption = turn.get("blip_caption")
    return f"{text} [image: {caption}]" if caption else text


def _evidence(raw: list[str]) -> list[str]:
    # a few entries hold several ids in one string ("D8:6; D9:17")
    return [part.strip() for item in raw for part in re.split(r"[;,]", item) if part.strip()]


class _Sample:
    """One LoCoMo sample as one user in its own migrated SQLite database."""

    def __init__(self, directory: Path) -> None:
        from sqlmodel import Session

        from store.db import make_engine, upgrade
        from store.models import Tenant, User

        self.engine = make_engine(f"sqlite:///{directory / 'persona.db'}")
        upgrade(self.engine)
        with Session(self.engine, expire_on_commit=False) as session:
            tenant = Tenant(name="locomo", api_key_hash="0" * 64, key_prefix="eval")
            session.add(tenant)
            session.flush()
            self.user = User(tenant_id=tenant.id, external_id="user")
            session.add(self.user)
            session.commit()
        assert self.user.id is not None
        self.user_id: int = self.user.id


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Ingest every sample, run every category 1-4 question, and report recall and latency."""
    from sqlmodel import Session
    from tqdm import tqdm

    from persona.config import get_settings
    from persona.embed import MiniLMEmbedder
    from persona.memory.episodes import EpisodeTurn, ingest_turns
    from persona.memory.retrieve import Retriever

    data = json.loads(Path(args.locomo).read_text())
    threads = getattr(args, "threads", None)
    embedder = MiniLMEmbedder.from_settings(
        get_settings(), threads=max(1, int(threads)) if threads else None
    )
    embedder.embed(["warm-up"])  # model load is not ingestion
    progress = not getattr(args, "no_progress", False)
    wanted = getattr(args, "samples", None) or range(len(data))
    recalls: dict[int, list[dict[str, float]]] = {c: [] for c in CATEGORIES}
    per_sample: dict[int, list[dict[str, float]]] = {}
    latencies: list[float] = []
    cpu_ms: list[float] = []
    ingest_seconds = ingest_cpu = 0.0
    with tempfile.TemporaryDirectory(prefix="persona-locomo-") as tmp:
        for n in tqdm(wanted, desc="samples", disable=not progress, file=sys.stderr):
            sample = data[n]
            directory = Path(tmp) / f"s{n}"
            directory.mkdir()
            db = _Sample(directory)
            started, cpu_started = time.perf_counter(), time.process_time()
            # one call per conversation, as an import would: bigger embedding batches
            episode_turns = [
                EpisodeTurn(
                    speaker=str(t["speaker"]),
                    text=_turn_text(t),
                    at=date,
                    session_id=f"session_{number}",
                    meta={"dia_id": t["dia_id"]},
                )
                for number, turns, date in _sessions(sample["conversation"])
                for t in turns
            ]
            with Session(db.engine, expire_on_commit=False) as session:
                ingest_turns(session, db.user, episode_turns, embedder)
                session.commit()
            ingest_seconds += time.perf_counter() - started
            ingest_cpu += time.process_time() - cpu_started
            retriever = Retriever(cache_size=4)
            questions = [qa for qa in sample["qa"] if qa.get("category") in CATEGORIES]
            with Session(db.engine, expire_on_commit=False) as session:
                for qa in questions[:3]:  # warm-up: index build and first-call costs
                    retriever.search(
                        session, db.user_id, qa["question"], embedder.embed([qa["question"]])[0], 20
                    )
                for qa in questions:
                    evidence = _evidence(qa.get("evidence", []))
                    if not evidence:
                        continue
                    t0, cpu0 = time.perf_counter(), time.process_time()
                    vector = embedder.embed([qa["question"]])[0]
                    hits = retriever.search(session, db.user_id, qa["question"], vector, max(KS))
                    latencies.append((time.perf_counter() - t0) * 1000)
                    cpu_ms.append((time.process_time() - cpu0) * 1000)
                    found = [str(h.memory.meta.get("dia_id")) for h in hits]
                    row = scores(evidence, found)
                    recalls[int(qa["category"])].append(row)
                    per_sample.setdefault(n, []).append(row)
            db.engine.dispose()
    report = _report(recalls, per_sample, latencies, ingest_seconds)
    report["search_cpu_ms_p95"] = percentile(cpu_ms, 95)
    report["ingest_cpu_seconds"] = round(ingest_cpu, 2)
    return report


def _mean_at(rows: list[dict[str, float]]) -> dict[str, float]:
    names = [*(f"recall_at_{k}" for k in KS), f"session_recall_at_{SESSION_K}"]
    return {
        name: round(sum(r[name] for r in rows) / len(rows), 4) if rows else 0.0 for name in names
    }


def _report(
    recalls: dict[int, list[dict[str, float]]],
    per_sample: dict[int, list[dict[str, float]]],
    latencies: list[float],
    ingest_seconds: float,
) -> dict[str, Any]:
    everything = [row for rows in recalls.values() for row in rows]
    samples = sorted(per_sample)
    middle = (len(samples) + 1) // 2
    halves = {}
    for part in (samples[:middle], samples[middle:]):
        if part:
            rows = [row for n in part for row in per_sample[n]]
            halves[f"{part[0]}-{part[-1]}"] = {**_mean_at(rows), "questions": len(rows)}
    return {
        **_mean_at(everything),
        "per_category": {
            str(c): {**_mean_at(recalls[c]), "questions": len(recalls[c])} for c in CATEGORIES
        },
        "halves": halves,
        "per_sample": {
            str(n): {**_mean_at(per_sample[n]), "questions": len(per_sample[n])} for n in samples
        },
        "search_ms_p50": percentile(latencies, 50),
        "search_ms_p95": percentile(latencies, 95),
        "search_ms_p99": percentile(latencies, 99),
        "ingest_seconds": round(ingest_seconds, 2),
        "questions": len(everything),
    }
