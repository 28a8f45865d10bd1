"""`persona eval overhead`: what persona adds to each message, stage by stage, in milliseconds.

A user with a history (`--history` episodic turns of a generated conversation plus a few
facts) chats `--messages` times through the SDK, the same engine the server runs. After each
reply the background jobs run to completion, as they would during the user's think time, so
every message sees the memories the previous one wrote. Each reply's trace carries its
per-stage latencies; the report gives p50/p95 per stage and the overhead: the total minus the
model call. The model is whatever the settings configure (the local Gemma by default); its
own time is reported but is not persona's. The first `WARM_UP` messages are not counted.

`--cold` drops the user's search state (and the tokenised texts) from the process's caches
before every message, so each one is served as for a user this process has not seen yet: the
state is loaded from the user's stored search snapshot (`persona.memory.snapshot`), or with
`PERSONA_SEARCH_SNAPSHOTS=false` rebuilt from SQL (the stored embeddings and texts, no model
call); `--history 1000 --cold` is the cold-user number.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from typing import Any

from persona.evals import percentile

WARM_UP = 3
USER = "overhead-bench"
FACTS = (
    "I'm vegetarian",
    "I live in Lisbon",
    "I work as a nurse",
    "My daughter is called Mia",
)
MESSAGES = (
    "suggest a restaurant near me",
    "what should I cook tonight?",
    "any ideas for the weekend?",
    "thanks, that helps!",
    "can you explain how vaccines train the immune system?",
    "write a short birthday note for my daughter",
    "prove that the square root of 2 is irrational",
    "what did I say about my job?",
    "recommend a book for a long train ride",
    "how do I fix 'TypeError: NoneType is not iterable' in Python?",
)
_PEOPLE = ("my sister", "Mia", "a colleague", "my neighbour", "an old friend")
_ACTIVITIES = (
    "went hiking in the hills",
    "tried a new ramen place",
    "finished a night shift",
    "painted the kitchen",
    "watched a documentary about whales",
    "started learning the guitar",
    "visited the science museum",
    "baked sourdough bread",
)
_WHEN = ("yesterday", "last weekend", "on Monday", "this morning", "last month")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--messages`, `--history` and `--max-tokens`."""
    parser.add_argument(
        "--messages", type=int, default=40, help="messages measured, after 3 warm-up ones"
    )
    parser.add_argument(
        "--history", type=int, default=600, help="past conversation turns the user starts with"
    )
    parser.add_argument(
        "--max-tokens", type=int, default=8, help="reply length (the model's time is not counted)"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="serve every message as for a user whose search state is not cached",
    )


def history_turns(count: int) -> list[tuple[str, str]]:
    """A deterministic generated conversation of `count` (speaker, text) turns."""
    stories = itertools.cycle(itertools.product(_PEOPLE, _ACTIVITIES, _WHEN))
    turns: list[tuple[str, str]] = []
    for person, activity, when in stories:
        if len(turns) >= count:
            break
        turns.append(("user", f"I {activity} with {person} {when}."))
        turns.append(("assistant", f"That sounds lovely! How was it to go with {person}?"))
    return turns[:count]


def _percentiles(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Seed a user, chat, and report per-stage latency percentiles and the overhead."""
    from sqlmodel import Session
    from tqdm import tqdm

    from persona.bootstrap import local_tenant
    from persona.errors import InvalidInput
    from persona.memory.episodes import EpisodeTurn, ingest_turns
    from persona.memory.state import forget_terms
    from persona.sdk import Persona
    from store.users import get_or_create_user

    if args.messages < 1 or args.history < 0 or args.max_tokens < 1:
        raise InvalidInput("--messages and --max-tokens must be at least 1, --history at least 0")
    stages: dict[str, list[float]] = {}
    overhead: list[float] = []
    with tempfile.TemporaryDirectory(prefix="persona-overhead-") as tmp:
        # an explicit database: never the one PERSONA_DATABASE_URL points at
        database = f"sqlite:///{tmp}/persona.db"
        with Persona(database, data_dir=tmp, background_worker=False) as persona:
            runtime = persona.runtime
            memories = persona.memories(USER)
            for fact in FACTS:
                memories.add(fact)
            start = datetime.now(UTC) - timedelta(days=90)
            turns = [
                EpisodeTurn(speaker, text, start + timedelta(minutes=i), session_id=f"s{i // 40}")
                for i, (speaker, text) in enumerate(history_turns(args.history))
            ]
            with Session(runtime.db) as session:
                tenant, _ = local_tenant(runtime.db)
                user = get_or_create_user(session, tenant.id, USER)
                ingest_turns(session, user, turns, runtime.embedder)
                session.commit()
                user_id = user.id
                assert user_id is not None
            messages = itertools.cycle(MESSAGES)
            total = WARM_UP + args.messages
            bar = tqdm(range(total), desc="messages", file=sys.stderr, disable=args.no_progress)
            for n in bar:
                if args.cold:
                    runtime.retriever.cache.invalidate(user_id)
                    forget_terms()
                reply = persona.chat(USER, next(messages), max_tokens=args.max_tokens)
                persona.process_background()  # the user's think time
                if runtime.retriever.snapshots is not None:
                    runtime.retriever.snapshots.flush()  # ... in which the snapshot is stored
                if n < WARM_UP:
                    continue
                latency = reply.trace.latency_ms
                for stage, ms in latency.model_dump().items():
                    stages.setdefault(stage, []).append(float(ms))
                overhead.append(latency.total - latency.model)
            settings = runtime.settings
    return {
        "messages": args.messages,
        "history_turns": args.history,
        "cold": args.cold,
        "models": {"fast": settings.fast_model, "reasoning": settings.reasoning_model},
        "overhead_ms": _percentiles(overhead),
        "stages_ms": {stage: _percentiles(values) for stage, values in stages.items()},
    }
