"""`persona eval steering|memory|routing|overhead`: component evals on public data, printed as JSON.

Each module in `persona.evals` exposes `add_arguments(parser)` and `run(args) -> dict`. The
modules (numpy, the constraint registry ...) are imported only when an eval runs, so that
`persona --help` stays fast; their options are parsed then.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from persona.cli import print_json

EVALS = {
    "steering": "Constraint checkers, repairs and parser on IFEval (--ifeval DIR).",
    "steering-parse": "Chat preference parser on the shipped six-language labelled set "
    "([--data PATH] [--split dev|heldout|all] [--show-errors]).",
    "steering-turns": "Standing rules over 20-turn conversations through the engine on the "
    "configured model, before and after repair ([--data PATH] [--conversation ID] "
    "[--max-tokens N]).",
    "memory": "Memory retrieval recall and latency on LoCoMo (--locomo PATH [--threads N]).",
    "routing": "Router quality on MT-Bench and GSM8K, and decision latency (--data DIR).",
    "extraction": "Memory operations from labelled chat turns in six languages, offline and LLM "
    "extractors ([--data PATH] [--split dev|test|all] [--model M]).",
    "overhead": "Per-stage latency persona adds to a message, model call excluded "
    "([--messages N] [--history N]).",
}


def register(sub: Any) -> None:
    """Add the `eval` command group."""
    parser = sub.add_parser("eval", help="run a component eval and print JSON")
    evals = parser.add_subparsers(dest="eval_name", required=True, metavar="EVAL")
    for name, help_text in EVALS.items():
        # options are the module's, parsed by `parse_eval_args` when the eval runs
        p = evals.add_parser(name, help=help_text, description=help_text, add_help=False)
        p.set_defaults(func=_run, eval_module=name, takes_extra_args=True)


def parse_eval_args(name: str, argv: list[str]) -> argparse.Namespace:
    """Parse one eval's own options (`--json`, `--no-progress` and the module's)."""
    module = importlib.import_module(f"persona.evals.{name.replace('-', '_')}")
    parser = argparse.ArgumentParser(prog=f"persona eval {name}", description=EVALS[name])
    parser.add_argument("--json", action="store_true", help="print JSON only (the default output)")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    module.add_arguments(parser)
    return parser.parse_args(argv)


def _run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"persona.evals.{args.eval_module.replace('-', '_')}")
    eval_args = parse_eval_args(args.eval_module, getattr(args, "extra_args", []))
    print_json(module.run(eval_args))
    return 0
