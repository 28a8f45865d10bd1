"""`persona db upgrade|current`: schema migrations."""

from __future__ import annotations

import argparse
from typing import Any

from persona.cli import print_json


def register(sub: Any) -> None:
    """Add `db`."""
    p = sub.add_parser("db", help="database schema migrations")
    cmds = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = cmds.add_parser("upgrade", help="migrate the database to this version's schema")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    up.set_defaults(func=_upgrade)
    cur = cmds.add_parser("current", help="print the database's and the code's schema revision")
    cur.add_argument("--json", action="store_true", help="print JSON")
    cur.set_defaults(func=_current)


def _engine() -> Any:
    from persona.config import get_settings
    from store.db import make_engine

    return make_engine(get_settings().resolved_database_url)


def _upgrade(args: argparse.Namespace) -> int:
    from store.db import current_revision, upgrade

    engine = _engine()
    before = current_revision(engine)
    upgrade(engine, args.revision)
    after = current_revision(engine)
    print(f"database at {after} (was {before or 'empty'})")
    return 0


def _current(args: argparse.Namespace) -> int:
    from store.db import current_revision, head_revision

    engine = _engine()
    state = {"database": current_revision(engine), "code": head_revision()}
    if args.json:
        print_json(state)
    else:
        print(f"database: {state['database'] or 'empty'}\ncode:     {state['code']}")
    return 0
