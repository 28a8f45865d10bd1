"""``persona steer parse "TEXT" [--json]``: show what a chat message asks of the replies."""

from __future__ import annotations

import argparse
from typing import Any

from persona.cli import print_json


def add_parse_command(steer_subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``parse`` subcommand to the ``persona steer`` subparsers and return its parser."""
    parser: argparse.ArgumentParser = steer_subparsers.add_parser(
        "parse",
        help="parse a chat message into constraints and their scope",
        description=(
            "Parse a chat message into verifiable constraints (IFEval ids and kwargs, plus "
            "style:*), "
            "their scope (standing, one_off or null) and any standing free-text instructions."
        ),
    )
    parser.add_argument("text", metavar="TEXT", help="the message to parse")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"constraints", "scope", "instructions", "mentions", "claims", "ambiguous"}',
    )
    parser.set_defaults(func=run_parse)
    return parser


def run_parse(args: argparse.Namespace) -> int:
    """Print the parse of ``args.text`` as JSON (``--json``) or as readable lines."""
    from persona.steer.parse import parse_preferences

    result = parse_preferences(args.text)
    if args.json:
        print_json(result.explain())
        return 0
    for mention in result.mentions:
        print(f"mention, not a request: {mention.text!r} ({mention.reason})")
    for claim in result.claims:
        print(f"refused claim: {claim.text!r} ({claim.reason})")
    for sentence in result.ambiguous:
        print(f"not understood by the rules (for the background model parse): {sentence!r}")
    if not result.constraints and not result.instructions:
        print("no preference found")
        return 0
    print(f"scope: {result.scope}")
    for c in result.constraints:
        args_text = ", ".join(f"{k}={v!r}" for k, v in c.kwargs.items())
        print(f"constraint: {c.id}" + (f" ({args_text})" if args_text else ""))
    for instruction in result.instructions:
        print(f"instruction: {instruction}")
    return 0
