"""`persona eval steering-parse`: the chat preference parser on the shipped labelled set.

The set (``persona/steer/data/parse_set.jsonl``) holds chat phrasings in en, de, fr, es, pt and
it: requests with their expected constraints (registry ids and kwargs) and scope, and messages
that must set nothing (mentions of writing, authority claims, ordinary chat). Reports
constraint precision and recall (a constraint counts when id and kwargs both match), scope
accuracy on the requests, and the share of non-requests that set nothing, overall and per
language, for the chosen split.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from typing import Any

from persona.evals import read_jsonl


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--data PATH`, `--split dev|heldout|all` and `--show-errors`."""
    parser.add_argument("--data", metavar="PATH", help="labelled set (default: the shipped one)")
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    parser.add_argument("--show-errors", action="store_true", help="list every wrong item")


def load_items(path: str | None) -> list[dict[str, Any]]:
    """The labelled items, from `path` or the set shipped with persona."""
    return read_jsonl(path, "persona.steer", "data/parse_set.jsonl")


def _key(c: dict[str, Any]) -> str:
    return json.dumps([c["id"], c["kwargs"]], sort_keys=True)


class _Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.scope_ok = self.scope_n = 0
        self.quiet_ok = self.quiet_n = 0
        self.items = 0

    def as_dict(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "items": self.items,
            "precision": ratio(self.tp, self.tp + self.fp),
            "recall": ratio(self.tp, self.tp + self.fn),
            "scope_accuracy": ratio(self.scope_ok, self.scope_n),
            "non_requests_set_nothing": ratio(self.quiet_ok, self.quiet_n),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the eval and return its metrics."""
    from persona.steer.parse import parse_preferences

    items = load_items(getattr(args, "data", None))
    split = getattr(args, "split", "all")
    if split != "all":
        items = [i for i in items if i.get("split", "dev") == split]
    overall = _Tally()
    per_lang: dict[str, _Tally] = defaultdict(_Tally)
    per_kind: dict[str, _Tally] = defaultdict(_Tally)
    errors: list[dict[str, Any]] = []
    for item in items:
        got = parse_preferences(item["text"])
        found = {_key(c) for c in got.as_dict()["constraints"]}
        want = {_key(c) for c in item["constraints"]}
        tp, fp, fn = len(found & want), len(found - want), len(want - found)
        request = bool(want)
        scope_ok = got.scope == item.get("scope")
        for t in (overall, per_lang[item["lang"]], per_kind[item.get("kind", "request")]):
            t.items += 1
            t.tp += tp
            t.fp += fp
            t.fn += fn
            if request:
                t.scope_n += 1
                t.scope_ok += scope_ok
            else:
                t.quiet_n += 1
                t.quiet_ok += not found and not got.instructions
        if fp or fn or (request and not scope_ok) or (not request and got.instructions):
            errors.append(
                {
                    "text": item["text"],
                    "lang": item["lang"],
                    "expected": item["constraints"],
                    "expected_scope": item.get("scope"),
                    "got": got.explain(),
                }
            )
    out: dict[str, Any] = {
        "split": split,
        **overall.as_dict(),
        "per_language": {k: v.as_dict() for k, v in sorted(per_lang.items())},
        "per_kind": {k: v.as_dict() for k, v in sorted(per_kind.items())},
        "errors": len(errors),
    }
    if getattr(args, "show_errors", False):
        out["error_items"] = errors
    return out
