"""`persona steer proposals list|confirm|reject --user U`: constraints the background model
parse read in a user's messages, waiting for the user's word (`persona.steer.proposals`)."""

from __future__ import annotations

import argparse
from typing import Any

from persona.cli import print_json, runtime, tenant_id_for


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", required=True, help="the user's id (as the app names it)")
    p.add_argument("--tenant", help="tenant name (default: the only tenant)")
    p.add_argument("--json", action="store_true", help="print JSON")


def add_proposals_command(steer_subparsers: Any) -> None:
    """Add `proposals` with `list`, `confirm` and `reject` to the `persona steer` subparsers."""
    p = steer_subparsers.add_parser(
        "proposals",
        help="list, confirm or reject the constraints proposed from a user's messages",
        description="Constraints the model parse read in messages the rules found ambiguous. "
        "A proposed one is not in force until confirmed, or kept without objection for "
        "PERSONA_STEER_PROPOSAL_TURNS later turns.",
    )
    cmds = p.add_subparsers(dest="proposals_command", required=True, metavar="ACTION")
    listing = cmds.add_parser("list", help="the user's proposals, newest first")
    _common(listing)
    listing.add_argument(
        "--status", choices=("proposed", "accepted", "rejected", "superseded"), default=None
    )
    listing.set_defaults(func=_list)
    for action, text in (("confirm", "bring it into force now"), ("reject", "drop it for good")):
        cmd = cmds.add_parser(action, help=f"{text} (p_...)")
        _common(cmd)
        cmd.add_argument("proposal_id")
        cmd.set_defaults(func=_decide, action=action)


def _service(args: argparse.Namespace) -> tuple[Any, str]:
    from persona.steer.proposals import Proposals

    rt = runtime()
    return Proposals(rt.db), tenant_id_for(rt, args.tenant)


def _line(p: Any) -> str:
    kwargs = f" {p.constraint.kwargs}" if p.constraint.kwargs else ""
    return (
        f"{p.id}\t{p.status}\t{p.constraint.id}{kwargs}\tfrom turn {p.source_turn_id}: "
        f"{p.source_text!r}"
    )


def _list(args: argparse.Namespace) -> int:
    service, tenant_id = _service(args)
    result = service.listing(tenant_id, args.user, args.status)
    if args.json:
        print_json(result.model_dump(mode="json"))
        return 0
    if not result.proposals:
        print(f"{args.user} has no proposals")
    for p in result.proposals:
        print(_line(p))
    return 0


def _decide(args: argparse.Namespace) -> int:
    service, tenant_id = _service(args)
    decide = service.confirm if args.action == "confirm" else service.reject
    result = decide(tenant_id, args.user, args.proposal_id)
    if args.json:
        print_json(result.model_dump(mode="json"))
    else:
        print(_line(result) + (f"\tstored as {result.cid}" if result.cid else ""))
    return 0
