"""`persona instructions show|set|rm --user U`: a user's standing instructions and constraints."""

from __future__ import annotations

import argparse
from typing import Any

from persona.cli import print_json, runtime, tenant_id_for


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", required=True, help="the user's id (as the app names it)")
    p.add_argument("--tenant", help="tenant name (default: the only tenant)")
    p.add_argument("--json", action="store_true", help="print JSON")


def register(sub: Any) -> None:
    """Add `instructions`."""
    p = sub.add_parser(
        "instructions", help="show, set and remove a user's standing instructions and constraints"
    )
    cmds = p.add_subparsers(dest="instructions_command", required=True, metavar="ACTION")
    show = cmds.add_parser("show", help="constraints and instructions in force for the user")
    _common(show)
    show.set_defaults(func=_show)
    setp = cmds.add_parser(
        "set",
        help='store a preference said in words, e.g. "never use capital letters"',
        description="Checkable parts become constraints (see `persona steer parse`); the rest "
        "is kept as a free-text instruction.",
    )
    _common(setp)
    setp.add_argument("text")
    setp.set_defaults(func=_set)
    rm = cmds.add_parser("rm", help="remove a constraint (c_...) or instruction (i_...)")
    _common(rm)
    rm.add_argument("item_id")
    rm.set_defaults(func=_rm)


def _profiles(args: argparse.Namespace) -> tuple[Any, str]:
    from persona.profiles import Profiles

    rt = runtime()
    return Profiles(rt.db), tenant_id_for(rt, args.tenant)


def _show(args: argparse.Namespace) -> int:
    profiles, tenant_id = _profiles(args)
    profile = profiles.get(tenant_id, args.user)
    out = {"constraints": profile["constraints"], "instructions": profile["instructions"]}
    if args.json:
        print_json(out)
        return 0
    if not out["constraints"] and not out["instructions"]:
        print(f"{args.user} has no standing instructions")
    for c in out["constraints"]:
        print(f"{c['cid']}\t{c['id']}\t{c['kwargs']}\t({c['source']}, {c['created_at'][:16]})")
    for i in out["instructions"]:
        print(f"{i['iid']}\t{i['text']}\t({i['source']}, {i['created_at'][:16]})")
    return 0


def _set(args: argparse.Namespace) -> int:
    profiles, tenant_id = _profiles(args)
    result = profiles.set_from_text(tenant_id, args.user, args.text)
    if args.json:
        print_json(result)
        return 0
    for c in result["constraints"]["added"]:
        print(f"added constraint {c['cid']}: {c['id']} {c['kwargs']}")
    for c in result["constraints"]["superseded"]:
        print(f"superseded {c['cid']}: {c['id']} {c['kwargs']}")
    if result["instruction"]:
        print(f"added instruction {result['instruction']['iid']}: {result['instruction']['text']}")
    return 0


def _rm(args: argparse.Namespace) -> int:
    profiles, tenant_id = _profiles(args)
    removed = profiles.remove(tenant_id, args.user, args.item_id)
    if args.json:
        print_json({"removed": removed})
    else:
        print(f"removed {args.item_id}")
    return 0
