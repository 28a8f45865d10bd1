"""The `persona` command line. Each command group lives in its own module with `register()`.

Heavy libraries are imported inside the command functions, so `persona --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

from persona.errors import InvalidInput, PersonaError

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


def open_db() -> Any:
    """An engine on the configured database, refusing an out-of-date schema."""
    from persona.config import get_settings
    from persona.errors import SchemaOutOfDate
    from store.db import SchemaError, check_schema, make_engine

    engine = make_engine(get_settings().resolved_database_url)
    try:
        check_schema(engine)
    except SchemaError as exc:
        raise SchemaOutOfDate(str(exc)) from exc
    return engine


def tenant_id_for(engine: Any, name: str | None) -> str:
    """The id of tenant `name`, or of the only tenant when no name is given."""
    from persona.errors import NotFound
    from store.db import session_scope
    from store.tenants import list_tenants, tenant_by_name

    with session_scope(engine) as session:
        if name:
            tenant = tenant_by_name(session, name)
            if tenant is None:
                raise NotFound(f"no tenant named {name!r} (see `persona tenants list`)")
            return tenant.id
        tenants = list_tenants(session)
    if not tenants:
        raise NotFound(
            "there are no tenants yet: run `persona serve` once or `persona tenants create`"
        )
    if len(tenants) > 1:
        names = ", ".join(t.name for t in tenants)
        raise InvalidInput(f"several tenants exist ({names}); choose one with --tenant NAME")
    return tenants[0].id


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
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
