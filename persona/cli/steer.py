"""`persona steer check`: verify (and repair) a reply against constraints, for scripts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from persona.cli import print_json
from persona.cli.steer_parse import add_parse_command
from persona.cli.steer_proposals import add_proposals_command
from persona.errors import InvalidInput


def register(sub: Any) -> None:
    """Add the `steer` group with `check`, `parse` and `proposals`."""
    p = sub.add_parser("steer", help="check, repair and parse steering constraints")
    cmds = p.add_subparsers(dest="steer_command", required=True, metavar="ACTION")
    check = cmds.add_parser(
        "check",
        help="check a reply against constraints (exit 0 all pass, 1 some fail)",
        description="Check a reply against constraints; with --repair apply lossless repairs.",
    )
    check.add_argument(
        "--constraints",
        required=True,
        metavar="JSON",
        help='a JSON list like [{"id": "change_case:english_lowercase", "kwargs": {}}]',
    )
    check.add_argument("--reply", required=True, metavar="TEXT", help="the reply ('-' reads stdin)")
    check.add_argument("--repair", action="store_true", help="apply lossless repairs and re-check")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(func=_check)
    add_parse_command(cmds)
    add_proposals_command(cmds)


def _load_constraints(raw: str) -> list[Any]:
    from persona.steer.registry import validate
    from persona.steer.types import Constraint

    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(f"--constraints is not valid JSON: {exc}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(c, dict) and "id" in c for c in data):
        raise InvalidInput('--constraints must be a JSON list of {"id": ..., "kwargs": {...}}')
    out = []
    for item in data:
        kwargs = item.get("kwargs") or {}
        if not isinstance(kwargs, dict):
            raise InvalidInput(f"{item['id']}: kwargs must be a JSON object")
        out.append(validate(Constraint(id=str(item["id"]), kwargs=kwargs)))
    return out


def _check(args: argparse.Namespace) -> int:
    from persona.steer.repair import check, repair

    constraints = _load_constraints(args.constraints)
    reply = sys.stdin.read() if args.reply == "-" else args.reply
    verdicts = check(constraints, reply)
    result: dict[str, Any] = {"verdicts": [v.model_dump() for v in verdicts]}
    passed = all(v.passed for v in verdicts)
    if args.repair:
        fixed = repair(constraints, reply)
        passed = fixed.passed
        result["repair"] = {
            "text": fixed.text,
            "applied": fixed.applied,
            "verdicts": [v.model_dump() for v in fixed.verdicts],
        }
    result = {"passed": passed, **result}
    if args.json:
        print_json(result)
    else:
        _print_text(result)
    return 0 if passed else 1


def _print_text(result: dict[str, Any]) -> None:
    for v in result["verdicts"]:
        print(
            f"{'PASS' if v['passed'] else 'FAIL'}  {v['id']}"
            + (f": {v['detail']}" if v["detail"] else "")
        )
    if "repair" in result:
        applied = ", ".join(result["repair"]["applied"]) or "none"
        print(f"\nrepairs applied: {applied}")
        for v in result["repair"]["verdicts"]:
            if not v["passed"]:
                print(f"still FAIL  {v['id']}: {v['detail']}")
        print("\n" + result["repair"]["text"])
