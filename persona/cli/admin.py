"""`persona admin ...`: the admin tools on the command line (parity with the admin API).

    persona admin keys create [--tenant T] [--name N]     an admin key (shown once)
    persona admin keys list | keys disable ID
    persona admin tenants                                  tenants with user counts
    persona admin users [--tenant T] [--search Q]          users with counts, last activity
    persona admin user U [--tenant T]                      profile, constraints, counts
    persona admin memories U [--state S] [--kind K] [--search Q]
    persona admin memory U MEMORY_ID                       history timeline, supersede chain
    persona admin traces U [--memory M] [--turn TURN]      why replies looked as they did
    persona admin turns U | stats | audit
    persona admin edit|invalidate|note|rm-constraint|export|purge ...   corrections (audited)

Every listing takes `--json`. Corrections are recorded in the audit log as `cli:<os user>`.
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from persona.cli import print_json, runtime, tenant_id_for
from persona.errors import InvalidInput, NotFound
from persona.memory.kinds import MEMORY_KINDS, STATED_KINDS

if TYPE_CHECKING:
    from persona.runtime import Runtime


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name (containers): still say where it came from
        return "cli"


def _run(args: argparse.Namespace, fn: Callable[[Any, str], Any], rt: Runtime | None = None) -> Any:
    """Run `fn(session, tenant_id)` in one transaction."""
    from persona.bootstrap import find_tenant
    from store.db import session_scope

    with session_scope((rt or runtime()).db) as session:
        return fn(session, find_tenant(session, getattr(args, "tenant", None)).id)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        print("(none)")
        return
    print("\t".join(columns))
    for row in rows:
        print("\t".join("" if row.get(c) is None else str(row.get(c)) for c in columns))


def _emit(args: argparse.Namespace, data: Any, text: Callable[[Any], None]) -> int:
    if args.json:
        print_json(data)
    else:
        text(data)
    return 0


# ---- read commands ----


def _keys_create(args: argparse.Namespace) -> int:
    from store.db import session_scope
    from store.tenants import create_admin_key

    rt = runtime()
    tenant_id = tenant_id_for(rt, args.tenant) if args.tenant else None
    with session_scope(rt.db) as session:
        row, key = create_admin_key(session, tenant_id, args.name)
        info = {
            "id": row.id,
            "name": row.name,
            "tenant_id": tenant_id,
            "key_prefix": row.key_prefix,
        }
    scope = f"tenant {args.tenant}" if tenant_id else "all tenants"
    return _emit(
        args,
        {"admin_key": info, "key": key},
        lambda _: print(f"admin key for {scope} (shown only this once):\n  {key}"),
    )


def _keys_list(args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from store.db import session_scope
    from store.models import AdminKey

    with session_scope(runtime().db) as session:
        rows = [
            {
                "id": k.id,
                "name": k.name,
                "tenant_id": k.tenant_id,
                "key_prefix": k.key_prefix,
                "disabled": k.disabled,
                "created_at": k.created_at.isoformat(),
            }
            for k in session.exec(select(AdminKey).order_by(col(AdminKey.created_at))).all()
        ]
    return _emit(
        args, rows, lambda r: _table(r, ["id", "name", "tenant_id", "key_prefix", "disabled"])
    )


def _keys_disable(args: argparse.Namespace) -> int:
    from store.db import session_scope
    from store.models import AdminKey

    with session_scope(runtime().db) as session:
        row = session.get(AdminKey, args.key_id)
        if row is None:
            raise NotFound(f"no admin key with id {args.key_id!r}")
        row.disabled = True
        session.add(row)
    print(f"admin key {args.key_id} disabled")
    return 0


def _tenants(args: argparse.Namespace) -> int:
    from persona.admin.queries import list_tenants
    from store.db import session_scope

    with session_scope(runtime().db) as session:
        rows = list_tenants(session)
    return _emit(args, rows, lambda r: _table(r, ["name", "id", "users", "disabled", "created_at"]))


def _users(args: argparse.Namespace) -> int:
    from persona.admin.queries import list_users

    rows = _run(args, lambda s, t: list_users(s, t, args.search, args.limit, args.offset))
    cols = ["id", "memories_valid", "memories_total", "turns", "last_active_at"]
    return _emit(args, rows, lambda r: _table(r, cols))


def _user(args: argparse.Namespace) -> int:
    from persona.admin.queries import user_detail

    data = _run(args, lambda s, t: user_detail(s, t, args.user))
    return _emit(args, data, lambda d: print(json.dumps(d, indent=2, ensure_ascii=False)))


def _memories(args: argparse.Namespace) -> int:
    from persona.admin.queries import list_memories

    rows = _run(
        args,
        lambda s, t: list_memories(
            s, t, args.user, state=args.state, kind=args.kind, search=args.search, limit=args.limit
        ),
    )
    return _emit(
        args, rows, lambda r: _table(r, ["id", "kind", "state", "actor", "valid_from", "text"])
    )


def _print_memory(d: dict[str, Any]) -> None:
    m = d["memory"]
    print(f"{m['id']} [{m['state']}] {m['text']}")
    print("versions:")
    for v in d["chain"]:
        mark = "*" if v["id"] == m["id"] else " "
        print(f" {mark} {v['valid_from']}  {v['state']:<10} {v['text']}  ({v['id']})")
    print("history:")
    for h in d["history"]:
        turn = f" turn {h['source_turn_id']}" if h["source_turn_id"] else ""
        print(f"   {h['created_at']}  {h['op']:<10} by {h['actor']}{turn}  {h['reason']}")


def _memory(args: argparse.Namespace) -> int:
    from persona.admin.queries import memory_detail

    data = _run(args, lambda s, t: memory_detail(s, t, args.user, args.memory_id))
    return _emit(args, data, _print_memory)


def _print_traces(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("(none)")
    for t in rows:
        d = t["data"]
        route = d.get("route", {})
        print(f"turn {t['turn_id']}  {t['created_at']}  {t['tier']}  {t['total_ms']:.0f} ms")
        print(f"  message: {t['user_message']}\n  reply:   {t['reply']}")
        print(f"  route: {route.get('tier')} score {route.get('score')} ({route.get('reason')})")
        for m in d.get("memories", []):
            print(f"  memory {m.get('id')} score {m.get('score')}: {m.get('text')}")


def _traces(args: argparse.Namespace) -> int:
    from persona.admin.queries import get_trace, list_traces

    if args.turn:
        rows = [_run(args, lambda s, t: get_trace(s, t, args.user, args.turn))]
    else:
        rows = _run(
            args, lambda s, t: list_traces(s, t, args.user, memory_id=args.memory, limit=args.limit)
        )
    return _emit(args, rows, _print_traces)


def _turns(args: argparse.Namespace) -> int:
    from persona.admin.queries import list_turns

    rows = _run(args, lambda s, t: list_turns(s, t, args.user, args.limit))
    return _emit(
        args, rows, lambda r: _table(r, ["id", "created_at", "tier", "user_message", "reply"])
    )


def _stats(args: argparse.Namespace) -> int:
    from persona.admin.stats import tenant_stats

    data = _run(args, lambda s, t: tenant_stats(s, t, args.user))
    return _emit(args, data, lambda d: print(json.dumps(d, indent=2, ensure_ascii=False)))


def _audit(args: argparse.Namespace) -> int:
    from persona.admin.audit import list_audit
    from store.db import session_scope

    rt = runtime()
    tenant_id = tenant_id_for(rt, args.tenant) if args.tenant else None
    with session_scope(rt.db) as session:
        rows = list_audit(session, tenant_id, args.limit)
    cols = ["created_at", "admin", "action", "user", "target", "reason"]
    return _emit(args, rows, lambda r: _table(r, cols))


# ---- corrections ----


def _correct(args: argparse.Namespace) -> int:
    from persona.admin import corrections as c

    who, user, reason = _who(), args.user, args.reason
    rt = runtime()
    actions: dict[str, Callable[[Any, str], Any]] = {
        "edit": lambda s, t: c.edit_memory(
            s,
            rt.memories,
            admin=who,
            tenant_id=t,
            external_id=user,
            memory_id=args.memory_id,
            text=args.text,
            reason=reason,
        ),
        "invalidate": lambda s, t: c.invalidate_memory(
            s,
            rt.memories,
            admin=who,
            tenant_id=t,
            external_id=user,
            memory_id=args.memory_id,
            reason=reason,
        ),
        "note": lambda s, t: c.add_note(
            s,
            rt.memories,
            admin=who,
            tenant_id=t,
            external_id=user,
            text=args.text,
            reason=reason,
            kind=args.kind,
        ),
        "rm-constraint": lambda s, t: c.remove_constraint(
            s, admin=who, tenant_id=t, external_id=user, cid=args.cid, reason=reason
        ),
        "purge": lambda s, t: {
            "deleted": c.purge_user(s, admin=who, tenant_id=t, external_id=user, reason=reason)
        },
        "export": lambda s, t: c.export_user(
            s, admin=who, tenant_id=t, external_id=user, reason=reason
        ),
    }
    if args.admin_command == "purge" and not args.yes:
        raise InvalidInput("purge deletes the user's memories and turns for good: add --yes")
    result = _run(args, actions[args.admin_command], rt)
    if args.json or args.admin_command == "export":
        print_json(result)
    else:
        print(f"{args.admin_command}: done (recorded in the audit log as {who})")
    return 0


# ---- parser ----


def _opts(p: argparse.ArgumentParser, user: bool = True, limit: int | None = None) -> None:
    p.add_argument("--tenant", help="tenant name or id (default: the only tenant)")
    if user:
        p.add_argument("user", help="the user's id, as the app names it")
    if limit is not None:
        p.add_argument(
            "--limit", type=int, default=limit, help=f"at most this many (default {limit})"
        )
    p.add_argument("--json", action="store_true", help="print JSON")


def register(sub: Any) -> None:
    """Add `admin`."""
    p = sub.add_parser("admin", help="inspect and correct what persona knows (admin tools)")
    cmds = p.add_subparsers(dest="admin_command", required=True, metavar="ACTION")

    keys = cmds.add_parser("keys", help="admin API keys (for /admin and /admin/v1)")
    kc = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = kc.add_parser("create", help="create an admin key and print it (once)")
    create.add_argument("--tenant", help="scope the key to this tenant (default: all tenants)")
    create.add_argument("--name", default="", help="a label, e.g. who holds the key")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(func=_keys_create)
    klist = kc.add_parser("list", help="list admin keys (prefixes only)")
    klist.add_argument("--json", action="store_true", help="print JSON")
    klist.set_defaults(func=_keys_list)
    kdis = kc.add_parser("disable", help="disable an admin key")
    kdis.add_argument("key_id")
    kdis.set_defaults(func=_keys_disable)

    t = cmds.add_parser("tenants", help="tenants with user counts")
    t.add_argument("--json", action="store_true", help="print JSON")
    t.set_defaults(func=_tenants)

    u = cmds.add_parser("users", help="a tenant's users with counts and last activity")
    _opts(u, user=False, limit=50)
    u.add_argument("--search", default="", help="only ids containing this")
    u.add_argument("--offset", type=int, default=0)
    u.set_defaults(func=_users)

    one = cmds.add_parser("user", help="one user: profile, constraints, counts")
    _opts(one)
    one.set_defaults(func=_user)

    m = cmds.add_parser("memories", help="a user's memories by state, kind and words")
    _opts(m, limit=200)
    m.add_argument(
        "--state", default="valid", choices=["valid", "superseded", "expired", "forgotten", "all"]
    )
    m.add_argument("--kind", choices=MEMORY_KINDS)
    m.add_argument("--search", default="", help="only memories containing these words")
    m.set_defaults(func=_memories)

    mem = cmds.add_parser("memory", help="one memory: history timeline and supersede chain")
    _opts(mem)
    mem.add_argument("memory_id")
    mem.set_defaults(func=_memory)

    tr = cmds.add_parser("traces", help="per reply: memories used, route, checks, latency")
    _opts(tr, limit=20)
    tr.add_argument("--memory", help="only replies that used this memory id")
    tr.add_argument("--turn", help="only this turn's trace")
    tr.set_defaults(func=_traces)

    turns = cmds.add_parser("turns", help="a user's messages and replies")
    _opts(turns, limit=50)
    turns.set_defaults(func=_turns)

    st = cmds.add_parser("stats", help="tenant aggregates: reasoning share, compliance, latency")
    _opts(st, user=False)
    st.add_argument("--user", help="only this user's messages (compliance per user)")
    st.set_defaults(func=_stats)

    au = cmds.add_parser("audit", help="the admin audit log, newest first")
    au.add_argument("--tenant", help="only this tenant's entries")
    au.add_argument("--limit", type=int, default=100)
    au.add_argument("--json", action="store_true", help="print JSON")
    au.set_defaults(func=_audit)

    def correction(name: str, help_: str, *extra: str, reason_required: bool = True) -> Any:
        c = cmds.add_parser(name, help=help_)
        _opts(c)
        for arg in extra:
            c.add_argument(arg)
        c.add_argument(
            "--reason", required=reason_required, default="", help="why (kept in the audit log)"
        )
        c.set_defaults(func=_correct)
        return c

    correction("edit", "change a valid memory's text", "memory_id", "text")
    correction("invalidate", "mark a memory no longer true (kept in history)", "memory_id")
    note = correction("note", "add a memory for the user, written by an admin", "text")
    note.add_argument("--kind", default="fact", choices=STATED_KINDS)
    correction("rm-constraint", "remove one of the user's constraints", "cid")
    correction("export", "print everything stored about the user (JSON)", reason_required=False)
    purge = correction("purge", "delete the user's memories, turns and traces for good")
    purge.add_argument("--yes", action="store_true", help="really delete")
