"""`persona memory ...` end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import persona.embed
from persona.cli import main
from persona.embed import HashEmbedder
from store.db import make_engine, session_scope, upgrade
from store.tenants import create_tenant


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PERSONA_DATABASE_URL", url)
    monkeypatch.setattr(persona.embed, "get_embedder", lambda settings=None: HashEmbedder())
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        create_tenant(session, "app")
    engine.dispose()
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["memory", *args])
    out, err = capsys.readouterr()
    try:
        data = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        data = out
    return code, data, err


def test_add_list_rm_history_export_purge(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, paris, _ = run(
        capsys, "add", "Lives in Paris", "--attribute", "location", "--user", "ann", "--json"
    )
    assert code == 0 and (paris["text"], paris["actor"]) == ("Lives in Paris", "admin")
    code, berlin, _ = run(
        capsys, "add", "Lives in Berlin", "--attribute", "location", "--user", "ann", "--json"
    )
    code, rows, _ = run(capsys, "list", "--user", "ann", "--json")
    assert [r["id"] for r in rows] == [berlin["id"]]
    code, rows, _ = run(capsys, "list", "--user", "ann", "--all", "--json")
    assert [(r["text"], r["superseded_by"]) for r in rows] == [
        ("Lives in Paris", berlin["id"]),
        ("Lives in Berlin", None),
    ]
    code, text, _ = run(capsys, "list", "--user", "ann", "--all")
    assert text.splitlines()[0].startswith(
        f"{paris['id']}  fact [location]  Lives in Paris  (superseded "
    )

    code, gone, _ = run(capsys, "rm", berlin["id"], "--user", "ann", "--reason", "wrong", "--json")
    assert code == 0 and gone["invalid_at"] is not None
    code, hist, _ = run(capsys, "history", "--user", "ann", "--json")
    assert [(h["op"], h["actor"]) for h in hist] == [
        ("add", "admin"),
        ("supersede", "admin"),
        ("add", "admin"),
        ("invalidate", "admin"),
    ]
    assert hist[-1]["reason"] == "wrong"

    code, exported, _ = run(capsys, "export", "--user", "ann")
    assert code == 0 and len(exported["memories"]) == 2
    code, _, err = run(capsys, "purge", "--user", "ann")
    assert (code, err) == (
        2,
        "persona: error: purge erases the user's memories and turns for good: add --yes\n",
    )
    code, counts, _ = run(capsys, "purge", "--user", "ann", "--yes", "--json")
    assert counts == {
        "history": 4,
        "memories": 2,
        "traces": 0,
        "turns": 0,
        "feedback": 0,
        "jobs": 0,
        "responses": 0,
        "proposals": 0,
    }
    code, exported, _ = run(capsys, "export", "--user", "ann")
    assert (exported["memories"], exported["turns"]) == ([], [])


def test_errors(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "list", "--user", "nobody") == (
        1,
        None,
        "persona: error: no user 'nobody' in this tenant\n",
    )
    assert run(capsys, "list", "--user", "ann", "--tenant", "nope") == (
        1,
        None,
        "persona: error: no tenant named 'nope' (see `persona tenants list`)\n",
    )
    assert run(capsys, "add", "x", "--user", "ann", "--metadata", "[1]") == (
        2, None, "persona: error: --metadata must be a JSON object\n",
    )  # fmt: skip
    assert run(capsys, "list", "--user", "ann", "--as-of", "yesterday")[0] == 2
    engine = make_engine(db)
    with session_scope(engine) as session:
        create_tenant(session, "other")
    engine.dispose()
    assert run(capsys, "list", "--user", "ann") == (
        2, None, "persona: error: several tenants exist (app, other): choose one with --tenant NAME\n",
    )  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        main(["memory", "list"])
    assert exit_info.value.code == 2


def test_search(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "add", "Lives in Paris", "--attribute", "location", "--user", "ann")
    run(capsys, "add", "Likes jazz", "--kind", "preference", "--user", "ann")
    code, hits, _ = run(capsys, "search", "where does ann live paris", "--user", "ann", "--json")
    assert code == 0
    assert hits[0]["text"] == "Lives in Paris"
    assert {"score", "id", "kind", "invalid_at"} <= set(hits[0])


def test_suppress_and_unsuppress(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, m, _ = run(capsys, "add", "Is recovering from surgery", "--user", "ann", "--json")
    code, text, _ = run(capsys, "suppress", m["id"], "--user", "ann", "--reason", "private")
    assert code == 0
    assert text.strip() == (
        f"suppressed: {m['id']}  fact  Is recovering from surgery  (suppressed: not mentioned)"
    )
    _, rows, _ = run(capsys, "list", "--user", "ann", "--json")
    assert [r["id"] for r in rows] == [m["id"]] and rows[0]["suppressed_at"] is not None
    code, back, _ = run(capsys, "unsuppress", m["id"], "--user", "ann", "--json")
    assert code == 0 and back["suppressed_at"] is None
    _, history, _ = run(capsys, "history", m["id"], "--user", "ann", "--json")
    assert [(h["op"], h["actor"], h["reason"]) for h in history] == [
        ("add", "admin", "new memory"),
        ("suppress", "admin", "private"),
        ("unsuppress", "admin", "may be mentioned again"),
    ]


def test_summary_show_and_edit(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, paris, _ = run(capsys, "add", "Lives in Paris", "--user", "ann", "--json")
    code, text, _ = run(capsys, "summary", "--user", "ann")
    assert (code, text) == (0, "About you:\n- Lives in Paris\n")
    edited = tmp_path / "summary.txt"
    edited.write_text("About you:\n- Lives in Lyon\n", encoding="utf-8")
    code, out, _ = run(capsys, "summary", "--user", "ann", "--edit", str(edited), "--json")
    assert code == 0 and out["summary"] == "About you:\n- Lives in Lyon"
    assert [c["op"] for c in out["changes"]] == ["invalidate", "add"]
    _, history, _ = run(capsys, "history", paris["id"], "--user", "ann", "--json")
    assert [(h["op"], h["actor"]) for h in history] == [("add", "admin"), ("invalidate", "admin")]
