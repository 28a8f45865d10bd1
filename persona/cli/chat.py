"""`persona chat --user U "message"`: one message through the embedded pipeline."""

from __future__ import annotations

import argparse
from typing import Any

from persona.cli import print_json, runtime


def register(sub: Any) -> None:
    """Add `chat`."""
    p = sub.add_parser(
        "chat",
        help="send one message through the embedded pipeline and print the reply",
        description="Answer MESSAGE for USER of the tenant 'local' (created if missing) "
        "in-process, on the same database as the server, then print the reply and the route.",
    )
    p.add_argument("message", help="the user's message")
    p.add_argument("--user", required=True, help="the end user's id")
    p.add_argument(
        "--model",
        default="persona/auto",
        help="persona/auto (default), persona/fast, persona/reasoning",
    )
    p.add_argument("--session", help="conversation id (keeps routing sticky within it)")
    p.add_argument("--json", action="store_true", help="print reply and full trace as JSON")
    p.set_defaults(func=_chat)


def _chat(args: argparse.Namespace) -> int:
    from persona.bootstrap import local_tenant
    from persona.engine import ChatEngine
    from persona.sdk import build_request

    rt = runtime()
    tenant, _ = local_tenant(rt.db)
    request = build_request(args.user, args.message, model=args.model, session_id=args.session)
    reply = ChatEngine(rt).chat(tenant.id, request)
    if args.json:
        print_json({"reply": reply.reply, "trace": reply.trace.dump()})
        return 0
    print(reply.reply)
    print(f"\n[{reply.tier} · {reply.model} · {reply.route.reason}]")
    return 0
