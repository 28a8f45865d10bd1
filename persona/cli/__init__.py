"""The `persona` command line. Each command group lives in its own module with `register()`.

Heavy libraries are imported inside the command functions, so `persona --help` stays fast.
A command that needs the database takes it from `runtime()` (one rule for an out-of-date
schema, see `upgrades_schema`) and names a tenant with `tenant_id_for`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from persona.errors import InvalidInput, PersonaError

if TYPE_CHECKING:
    from persona.config import Settings
    from persona.runtime import Runtime

COMMAND_MODULES = (
    "serve",
    "worker",
    "chat",
    "db",
    "tenants",
    "memory",
    "instructions",
    "steer",
    "route",
    "eval",
    "admin",
    "bench",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every command group registered."""
    parser = argparse.ArgumentParser(
        prog="persona",
        description="Personalization and steerability middleware for LLM chat.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"persona.cli.{name}").register(sub)
    return parser


def print_json(obj: Any) -> None:
    """Print `obj` as indented JSON (the `--json` output of every command)."""
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


_opened: list[Runtime] = []


def upgrades_schema(settings: Settings) -> bool:
    """The one rule of every command for a database whose schema is behind the code.

    A SQLite file (the embedded default: one machine's own database, a fresh data directory
    included) is brought up to date by any command. A shared database (PostgreSQL) is only
    migrated on purpose, by `persona db upgrade` or with PERSONA_AUTO_UPGRADE=true; otherwise
    the command refuses and says what to run.
    """
    return settings.auto_upgrade or settings.resolved_database_url.startswith("sqlite")


def runtime() -> Runtime:
    """The runtime of a command: the configured database (schema per `upgrades_schema`),
    the embedder (loaded when first used) and the model gateway."""
    from persona.config import get_settings
    from persona.runtime import Runtime

    settings = get_settings()
    rt = Runtime.build(settings, upgrade=upgrades_schema(settings))
    _opened.append(rt)  # `main` closes it when the command returns
    return rt


def tenant_id_for(rt: Runtime, name: str | None) -> str:
    """The id of the tenant `--tenant` names (name or id), or of the only tenant."""
    from persona.bootstrap import find_tenant
    from store.db import session_scope

    with session_scope(rt.db) as session:
        return find_tenant(session, name).id


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `persona` console script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if not getattr(args, "takes_extra_args", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra_args = extra
    try:
        result = args.func(args)
    except InvalidInput as exc:
        print(f"persona: error: {exc.message}", file=sys.stderr)
        return 2
    except PersonaError as exc:
        print(f"persona: error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        while _opened:
            _opened.pop().close()
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
