"""`persona memory list|search|add|rm|history|export|purge --user U`: inspect and correct what
persona remembers about a user."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona.cli import print_json, runtime, tenant_id_for
from persona.errors import InvalidInput
from persona.memory.kinds import MEMORY_KINDS, STATED_KINDS

if TYPE_CHECKING:
    from persona.memory.service import MemoryService


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", required=True, help="the user's external id (as the app names it)")
    p.add_argument("--tenant", help="tenant name (default: the only tenant)")
    p.add_argument("--json", action="store_true", help="print JSON")


def register(sub: Any) -> None:
    """Add `memory`."""
    p = sub.add_parser("memory", help="list, search, add, forget, export and purge memories")
    cmds = p.add_subparsers(dest="memory_command", required=True, metavar="ACTION")

    ls = cmds.add_parser("list", help="the user's memories (valid now unless --all/--as-of)")
    _common(ls)
    ls.add_argument("--kind", choices=MEMORY_KINDS)
    ls.add_argument("--scope", choices=["user", "agent", "session"])
    ls.add_argument("--all", action="store_true", help="include invalidated and superseded ones")
    ls.add_argument("--as-of", help="what was valid at this ISO time, e.g. 2026-01-31T12:00")
    ls.add_argument("--metadata", help='JSON object the metadata must contain, e.g. {"app":"x"}')
    ls.set_defaults(func=_list)

    search = cmds.add_parser("search", help="the memories most relevant to a query")
    _common(search)
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10, help="how many (default 10)")
    search.set_defaults(func=_search)

    add = cmds.add_parser(
        "add", help="remember something (duplicates refresh, new values supersede)"
    )
    _common(add)
    add.add_argument("text")
    add.add_argument("--kind", default="fact", choices=STATED_KINDS)
    add.add_argument("--attribute", help='what it is about, e.g. "location" (for supersede)')
    add.add_argument("--importance", type=float, default=0.5)
    add.add_argument("--metadata", help="JSON object")
    add.set_defaults(func=_add)

    rm = cmds.add_parser("rm", help="forget a memory (invalidated, kept in history)")
    _common(rm)
    rm.add_argument("memory_id")
    rm.add_argument("--reason", default="", help="why (recorded in history)")
    rm.set_defaults(func=_rm)

    for name, text in (
        ("suppress", "don't mention a memory again (kept in history and export)"),
        ("unsuppress", "let a suppressed memory be used in prompts again"),
    ):
        sp = cmds.add_parser(name, help=text)
        _common(sp)
        sp.add_argument("memory_id")
        sp.add_argument("--reason", default="", help="why (recorded in history)")
        sp.set_defaults(func=_suppress, suppressed=name == "suppress")

    summary = cmds.add_parser("summary", help="the user's memory summary (--edit FILE applies one)")
    _common(summary)
    summary.add_argument("--edit", metavar="FILE", help="apply this edited summary ('-': stdin)")
    summary.set_defaults(func=_summary)

    history = cmds.add_parser("history", help="changes to one memory, or to all of the user's")
    _common(history)
    history.add_argument("memory_id", nargs="?")
    history.set_defaults(func=_history)

    export = cmds.add_parser("export", help="everything stored about the user, as JSON")
    _common(export)
    export.add_argument("--output", "-o", help="write to this file instead of stdout")
    export.set_defaults(func=_export)

    purge = cmds.add_parser("purge", help="erase the user's memories, history and turns")
    _common(purge)
    purge.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    purge.set_defaults(func=_purge)


def _service(args: argparse.Namespace) -> tuple[MemoryService, str]:
    rt = runtime()
    return rt.memories, tenant_id_for(rt, args.tenant)


def _json_arg(value: str | None, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        data = json.loads(value)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--{name} is not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"--{name} must be a JSON object")
    return data


def _time_arg(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"--as-of is not an ISO date/time: {value!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _line(m: dict[str, Any]) -> str:
    attribute = f" [{m['attribute']}]" if m.get("attribute") else ""
    state = ""
    if m.get("superseded_by"):
        state = f"  (superseded {m['invalid_at']} by {m['superseded_by']})"
    elif m.get("invalid_at"):
        state = f"  (invalid since {m['invalid_at']})"
    if m.get("suppressed_at"):
        state += "  (suppressed: not mentioned)"
    if m.get("project"):
        attribute += f" <project {m['project']}>"
    return f"{m['id']}  {m['kind']}{attribute}  {m['text']}{state}"


def _list(args: argparse.Namespace) -> int:
    from persona.memory.writes import memory_snapshot

    service, tenant_id = _service(args)
    rows = service.list(
        tenant_id,
        args.user,
        kind=args.kind,
        scope=args.scope,
        metadata=_json_arg(args.metadata, "metadata"),
        include_invalid=args.all,
        as_of=_time_arg(args.as_of),
    )
    data = [memory_snapshot(m) for m in rows]
    if args.json:
        print_json(data)
    else:
        for m in data:
            print(_line(m))
        if not data:
            print("no memories")
    return 0


def _search(args: argparse.Namespace) -> int:
    from persona.memory.writes import memory_snapshot

    service, tenant_id = _service(args)
    hits = service.search(tenant_id, args.user, args.query, k=args.k)
    data = [{**memory_snapshot(h.memory), "score": round(float(h.score), 4)} for h in hits]
    if args.json:
        print_json(data)
    else:
        for m in data:
            print(f"{m['score']:.3f}  {_line(m)}")
        if not data:
            print("nothing relevant")
    return 0


def _add(args: argparse.Namespace) -> int:
    from persona.memory.writes import memory_snapshot

    service, tenant_id = _service(args)
    memory = service.add(
        tenant_id,
        args.user,
        args.text,
        kind=args.kind,
        attribute=args.attribute,
        metadata=_json_arg(args.metadata, "metadata"),
        actor="admin",
        importance=args.importance,
    )
    data = memory_snapshot(memory)
    print_json(data) if args.json else print(_line(data))
    return 0


def _rm(args: argparse.Namespace) -> int:
    from persona.memory.writes import memory_snapshot

    service, tenant_id = _service(args)
    memory = service.delete(
        tenant_id, args.user, args.memory_id, actor="admin", reason=args.reason or "removed (CLI)"
    )
    data = memory_snapshot(memory)
    print_json(data) if args.json else print(f"forgotten: {_line(data)}")
    return 0


def _suppress(args: argparse.Namespace) -> int:
    from persona.memory.writes import memory_snapshot

    service, tenant_id = _service(args)
    memory = service.suppress(
        tenant_id,
        args.user,
        args.memory_id,
        suppressed=args.suppressed,
        actor="admin",
        reason=args.reason,
    )
    data = memory_snapshot(memory)
    word = "suppressed" if args.suppressed else "unsuppressed"
    print_json(data) if args.json else print(f"{word}: {_line(data)}")
    return 0


def _summary(args: argparse.Namespace) -> int:
    import sys

    service, tenant_id = _service(args)
    if args.edit is None:
        text = service.summary(tenant_id, args.user)
        print_json({"summary": text}) if args.json else print(text or "no memories")
        return 0
    edited = sys.stdin.read() if args.edit == "-" else Path(args.edit).read_text("utf-8")
    out = service.edit_summary(tenant_id, args.user, edited, actor="admin")
    if args.json:
        print_json(out)
    else:
        for change in out["changes"]:
            print(f"{change['op']}: {change['memory_id']}")
        print(out["summary"] or "no memories")
    return 0


def _history(args: argparse.Namespace) -> int:
    service, tenant_id = _service(args)
    rows = [
        r.model_dump(mode="json") for r in service.history(tenant_id, args.user, args.memory_id)
    ]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            text = (r["after"] or r["before"] or {}).get("text", "")
            print(f"{r['created_at']}  {r['op']:<10} {r['memory_id']}  {r['actor']}  {text}")
            if r["reason"]:
                print(f"    {r['reason']}")
        if not rows:
            print("no history")
    return 0


def _export(args: argparse.Namespace) -> int:
    service, tenant_id = _service(args)
    data = service.export(tenant_id, args.user)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
        if not args.json:
            print(
                f"exported {len(data['memories'])} memories and {len(data['turns'])} turns "
                f"to {args.output}"
            )
    else:
        print_json(data)
    return 0


def _purge(args: argparse.Namespace) -> int:
    if not args.yes:
        raise InvalidInput("purge erases the user's memories and turns for good: add --yes")
    service, tenant_id = _service(args)
    counts = service.purge(tenant_id, args.user)
    if args.json:
        print_json(counts)
    else:
        print("purged: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0
