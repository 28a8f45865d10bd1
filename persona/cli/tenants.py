"""`persona tenants create|list|rotate-key`: the apps that use this server."""

from __future__ import annotations

import argparse
from typing import Any

from persona.cli import print_json, runtime, tenant_id_for


def register(sub: Any) -> None:
    """Add `tenants`."""
    p = sub.add_parser("tenants", help="create and list tenants (apps) and their API keys")
    cmds = p.add_subparsers(dest="tenants_command", required=True, metavar="ACTION")
    create = cmds.add_parser("create", help="create a tenant and print its API key (once)")
    create.add_argument("name", help="tenant name, e.g. the app's name")
    create.add_argument("--json", action="store_true", help='print {"tenant": ..., "api_key": ...}')
    create.set_defaults(func=_create)
    listing = cmds.add_parser("list", help="list tenants")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=_list)
    rotate = cmds.add_parser("rotate-key", help="replace a tenant's API key and print the new one")
    rotate.add_argument("name")
    rotate.add_argument("--json", action="store_true", help="print JSON")
    rotate.set_defaults(func=_rotate)


def _create(args: argparse.Namespace) -> int:
    from persona.bootstrap import new_tenant
    from store.db import session_scope

    with session_scope(runtime().db) as session:
        tenant, key = new_tenant(session, args.name)
    if args.json:
        print_json({"tenant": {"id": tenant.id, "name": tenant.name}, "api_key": key})
    else:
        print(f"tenant {tenant.name!r} created (id {tenant.id})")
        print(f"API key (shown only this once): {key}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from store.db import session_scope
    from store.tenants import list_tenants

    with session_scope(runtime().db) as session:
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "key_prefix": t.key_prefix,
                "disabled": t.disabled,
                "created_at": t.created_at.isoformat(),
            }
            for t in list_tenants(session)
        ]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            state = " (disabled)" if r["disabled"] else ""
            print(f"{r['name']}\t{r['id']}\t{r['key_prefix']}...{state}")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from store.db import session_scope
    from store.models import Tenant
    from store.tenants import rotate_key

    rt = runtime()
    tid = tenant_id_for(rt, args.name)
    with session_scope(rt.db) as session:
        tenant = session.get(Tenant, tid)
        assert tenant is not None
        key = rotate_key(session, tenant)
    if args.json:
        print_json({"tenant": {"id": tenant.id, "name": tenant.name}, "api_key": key})
    else:
        print(f"new API key for {tenant.name!r} (shown only this once): {key}")
    return 0
