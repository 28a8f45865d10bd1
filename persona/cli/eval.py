"""`persona eval steering|memory|routing`: component evals on public data, printed as JSON."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from persona.cli import print_json

# each module in persona.evals exposes add_arguments(parser) and run(args) -> dict
EVALS = {
    "steering": "Constraint checkers, repairs and parser on IFEval.",
    "memory": "Memory retrieval recall and latency on LoCoMo.",
    "routing": "Router quality on MT-Bench and GSM8K, and decision latency.",
}


def register(sub: Any) -> None:
    """Add the `eval` command group."""
    parser = sub.add_parser("eval", help="run a component eval and print JSON")
    evals = parser.add_subparsers(dest="eval_name", required=True, metavar="EVAL")
    for name, help_text in EVALS.items():
        p = evals.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print JSON only (the default output)")
        p.add_argument("--no-progress", action="store_true", help="hide progress bars")
        p.set_defaults(func=_run, eval_module=name)
        _add_module_arguments(name, p)


def _add_module_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    # argument definitions live beside each eval; importing it must stay cheap
    try:
        module = importlib.import_module(f"persona.evals.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"persona.evals.{name}":
            raise
        return
    module.add_arguments(parser)


def _run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"persona.evals.{args.eval_module}")
    print_json(module.run(args))
    return 0
