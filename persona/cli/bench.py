"""`persona bench gateway`: throughput and latency beside LiteLLM's proxy, printed as JSON."""

from __future__ import annotations

import argparse
from typing import Any

from persona.cli import print_json
from persona.errors import DependencyMissing, InvalidInput, PersonaError


def register(sub: Any) -> None:
    """Add the `bench` command group."""
    from persona.bench import gateway

    parser = sub.add_parser("bench", help="run a benchmark and print JSON")
    benches = parser.add_subparsers(dest="bench_name", required=True, metavar="BENCH")
    p = benches.add_parser(
        "gateway",
        help="req/s and latency of `persona serve` (and LiteLLM's proxy) on a loopback upstream",
        description=(gateway.__doc__ or "").split("\n\n")[1].replace("\n", " "),
    )
    gateway.add_arguments(p)
    p.set_defaults(func=_gateway)


def _gateway(args: argparse.Namespace) -> int:
    from persona.bench import gateway

    try:
        print_json(gateway.run(args))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    except FileNotFoundError as exc:
        raise DependencyMissing(str(exc)) from exc
    except RuntimeError as exc:
        raise PersonaError(str(exc)) from exc
    return 0
