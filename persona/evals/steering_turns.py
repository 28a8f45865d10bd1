"""`persona eval steering-turns`: do a user's standing rules hold over a 20-turn conversation?

Each conversation in ``persona/steer/data/steering_turns.jsonl`` opens with a message that sets
standing rules (lowercase only, no follow-up questions, a word limit, no markdown, a language,
an end phrase ...) and goes on with messages whose topics pull against them: a title in a
lowercase chat, a list in a plain-text chat, an English question in a French chat. Every message
goes through the engine the server runs (the SDK, a fresh database), with the conversation so
far, on the configured model: the local Gemma by default, any litellm model by settings.

Per turn it reports the share of replies that pass every rule before repair (the model's own
text: the trace's ``steering.results_before_repair``) and after (what the user is sent:
``steering.results``), the share that needed a re-ask, and the share that ended in the honest
fallback. A reply whose conversation lost a rule it set (not active on that turn) fails both.
Offline the number that matters is after repair; with a capable model configured, before
repair measures the model.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from persona.errors import InvalidInput
from persona.evals import read_jsonl
from persona.trace import Trace

DEFAULT_MAX_TOKENS = 80


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--data PATH`, `--conversation ID` and `--max-tokens N`."""
    parser.add_argument("--data", metavar="PATH", help="conversations (default: the shipped set)")
    parser.add_argument(
        "--conversation",
        action="append",
        metavar="ID",
        help="run only this conversation (repeatable)",
    )
    parser.add_argument(
        "--max-tokens",
        type=int,
        default=DEFAULT_MAX_TOKENS,
        help=f"reply length cap (default {DEFAULT_MAX_TOKENS})",
    )


def load_conversations(path: str | None) -> list[dict[str, Any]]:
    """The conversations, from `path` or the set shipped with persona."""
    items = read_jsonl(path, "persona.steer", "data/steering_turns.jsonl")
    for item in items:
        if not item.get("id") or not item.get("turns") or not isinstance(item["turns"], list):
            raise InvalidInput(f"a conversation needs an id and a list of turns: {item!r:.80}")
    return items


@dataclass
class TurnRecord:
    """What one reply did: the rules active, and whether they held before and after repair."""

    conversation: str
    turn: int  # 1-based
    active: list[str]
    missing: list[str]  # rules the conversation set that were not active on this turn
    before: dict[str, bool]  # constraint id -> passed, on the model's own text
    after: dict[str, bool]  # constraint id -> passed, on the text sent to the user
    reasked: bool
    fallback: bool

    @property
    def before_ok(self) -> bool:
        """Every rule held on the model's own text."""
        return not self.missing and all(self.before.values())

    @property
    def after_ok(self) -> bool:
        """Every rule held on the text the user got."""
        return not self.missing and all(self.after.values())


def record_turn(conversation: str, turn: int, expect: list[str], trace: Trace) -> TurnRecord:
    """A `TurnRecord` from a reply's trace (its steering section)."""
    steering = trace.steering
    active = [c.id for c in steering.active]
    after = {r.id: r.passed for r in steering.results}
    before = {r.id: r.passed for r in steering.results_before_repair} or dict(after)
    return TurnRecord(
        conversation=conversation,
        turn=turn,
        active=active,
        missing=[c for c in expect if c not in active],
        before=before,
        after=after,
        reasked=steering.reasked,
        fallback=steering.fallback is not None,
    )


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


@dataclass
class _Tally:
    before: list[bool] = field(default_factory=list)
    after: list[bool] = field(default_factory=list)
    reasked: list[bool] = field(default_factory=list)
    fallback: list[bool] = field(default_factory=list)

    def add(self, r: TurnRecord) -> None:
        self.before.append(r.before_ok)
        self.after.append(r.after_ok)
        self.reasked.append(r.reasked)
        self.fallback.append(r.fallback)

    def as_dict(self) -> dict[str, Any]:
        return {
            "replies": len(self.after),
            "before_repair": _share(self.before),
            "after_repair": _share(self.after),
            "reasked": _share(self.reasked),
            "fallback": _share(self.fallback),
        }


def summarise(records: list[TurnRecord]) -> dict[str, Any]:
    """Compliance per turn, overall, per constraint and per conversation, and the failures."""
    per_turn: dict[int, _Tally] = defaultdict(_Tally)
    per_conv: dict[str, _Tally] = defaultdict(_Tally)
    overall = _Tally()
    checks: dict[str, dict[str, list[bool]]] = defaultdict(lambda: {"before": [], "after": []})
    failures: list[dict[str, Any]] = []
    for r in records:
        for tally in (per_turn[r.turn], per_conv[r.conversation], overall):
            tally.add(r)
        for cid, passed in r.after.items():
            checks[cid]["after"].append(passed)
            checks[cid]["before"].append(r.before.get(cid, passed))
        if not r.after_ok:
            failed = sorted(c for c, ok in r.after.items() if not ok)
            failures.append(
                {
                    "conversation": r.conversation,
                    "turn": r.turn,
                    "failed": failed,
                    "missing": r.missing,
                }
            )
    turns = [{"turn": t, **per_turn[t].as_dict()} for t in sorted(per_turn)]
    first = turns[0]["after_repair"] if turns else None
    last = turns[-1]["after_repair"] if turns else None
    held = None if first is None or last is None else bool(last >= first)
    return {
        "replies": len(records),
        "overall": overall.as_dict(),
        "per_turn": turns,
        "first_turn_after_repair": first,
        "last_turn_after_repair": last,
        "last_turn_not_below_first": held,
        "per_constraint": {
            cid: {
                "checks": len(v["after"]),
                "before_repair": _share(v["before"]),
                "after_repair": _share(v["after"]),
            }
            for cid, v in sorted(checks.items())
        },
        "per_conversation": {cid: t.as_dict() for cid, t in sorted(per_conv.items())},
        "failures": failures,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run every conversation through the engine and report compliance per turn."""
    from tqdm import tqdm

    from persona.sdk import Persona

    if args.max_tokens < 1:
        raise InvalidInput("--max-tokens must be at least 1")
    conversations = load_conversations(getattr(args, "data", None))
    wanted = getattr(args, "conversation", None)
    if wanted:
        unknown = sorted(set(wanted) - {c["id"] for c in conversations})
        if unknown:
            raise InvalidInput(f"no conversation named {', '.join(unknown)}")
        conversations = [c for c in conversations if c["id"] in wanted]
    records: list[TurnRecord] = []
    rules: dict[str, dict[str, Any]] = {}
    total = sum(len(c["turns"]) for c in conversations)
    bar = tqdm(total=total, desc="turns", unit="turn", file=sys.stderr, disable=args.no_progress)
    # a fresh database in a temporary directory: never the one PERSONA_DATABASE_URL points at
    with (
        tempfile.TemporaryDirectory(prefix="persona-steering-turns-") as tmp,
        Persona(f"sqlite:///{tmp}/persona.db", background_worker=False) as persona,
    ):
        settings = persona.runtime.settings
        for conv in conversations:
            expect = list(conv.get("expect") or [])
            history: list[dict[str, str]] = []
            for n, text in enumerate(conv["turns"], start=1):
                history.append({"role": "user", "content": text})
                reply = persona.chat(
                    f"turns-{conv['id']}", messages=history, max_tokens=args.max_tokens
                )
                history.append({"role": "assistant", "content": reply.reply})
                record = record_turn(conv["id"], n, expect, reply.trace)
                records.append(record)
                if n == 1:
                    rules[conv["id"]] = {
                        "lang": conv.get("lang"),
                        "rules": record.active,
                        "set_as_expected": not record.missing,
                    }
                bar.update()
    bar.close()
    summary = summarise(records)
    for cid, info in rules.items():
        summary["per_conversation"][cid] = {**info, **summary["per_conversation"][cid]}
    return {
        "models": {"fast": settings.fast_model, "reasoning": settings.reasoning_model},
        "max_tokens": args.max_tokens,
        "conversations": len(conversations),
        **summary,
    }
