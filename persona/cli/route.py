"""`persona route train|explain|calibrate|feedback`: the fast-vs-reasoning router."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from persona.cli import print_json, runtime
from persona.errors import InvalidInput


def register(sub: Any) -> None:
    """Add the `route` command group."""
    parser = sub.add_parser("route", help="the fast-vs-reasoning router")
    route = parser.add_subparsers(dest="route_command", required=True, metavar="COMMAND")

    p = route.add_parser("train", help="train the router on the shipped labeled set (reproducible)")
    p.add_argument("--out", type=Path, default=None, help="weights file (default: the shipped one)")
    p.add_argument(
        "--data", type=Path, default=None, help="training JSONL (default: the shipped one)"
    )
    p.add_argument(
        "--cache", type=Path, default=None, help="embedding cache .npz (speeds up re-runs)"
    )
    p.set_defaults(func=_train)

    p = route.add_parser("explain", help="print the routing decision for one message")
    p.add_argument("message")
    p.add_argument("--history", type=Path, default=None, help="JSON list of earlier chat messages")
    p.add_argument("--previous-tier", choices=["fast", "reasoning"], default=None)
    p.add_argument("--override", choices=["fast", "reasoning"], default=None)
    p.add_argument("--preference", choices=["always_reason", "prefer_fast"], default=None)
    p.add_argument("--threshold", type=float, default=None)
    p.add_argument("--json", action="store_true", help="print JSON (the default output)")
    p.set_defaults(func=_explain)

    p = route.add_parser("calibrate", help="set a tenant's threshold from its logged route scores")
    p.add_argument(
        "--target-share", type=float, required=True, help="share of reasoning calls, 0..1"
    )
    p.add_argument("--tenant", default=None, help="tenant name (default: the only tenant)")
    p.add_argument("--json", action="store_true", help="print JSON (the default output)")
    p.set_defaults(func=_calibrate)

    p = route.add_parser("feedback", help="adjust a tenant's threshold from its stored feedback")
    p.add_argument("--tenant", default=None, help="tenant name (default: the only tenant)")
    p.add_argument("--json", action="store_true", help="print JSON (the default output)")
    p.set_defaults(func=_feedback)


def _train(args: argparse.Namespace) -> int:
    from persona.route.train import train

    kwargs: dict[str, Any] = {"cache": args.cache}
    if args.out is not None:
        kwargs["out"] = args.out
    if args.data is not None:
        kwargs["data"] = args.data
    print_json(train(**kwargs))
    return 0


def _load_history(path: Path | None) -> list[dict[str, str]]:
    if path is None:
        return []
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read history {path}: {exc}") from exc
    if not isinstance(history, list) or not all(
        isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
        for m in history
    ):
        raise InvalidInput(f"{path}: history must be a JSON list of {{role, content}} messages")
    return history


def _explain(args: argparse.Namespace) -> int:
    from persona.embed import get_embedder
    from persona.route.router import Router

    history = _load_history(args.history)
    embedding = get_embedder().embed([args.message])[0]
    decision = Router.load().decide(
        args.message,
        embedding,
        history,
        override=args.override,
        user_preference=args.preference,
        threshold=args.threshold,
        previous_tier=args.previous_tier,
    )
    print_json(decision.as_dict())
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from persona.route.tenant import calibrate_tenant

    print_json(calibrate_tenant(runtime().db, args.target_share, args.tenant))
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from persona.route.tenant import apply_feedback

    rt = runtime()
    print_json(apply_feedback(rt.db, rt.router.default_threshold, args.tenant))
    return 0
