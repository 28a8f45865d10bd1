"""`persona admin ...`: the same reads and corrections as the admin API, from the shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from persona.cli import main
from tests.admin.expected import BERLIN, PARIS, VEG, tenant, turn
from tests.admin.seed import ACME, GLOBEX, seed


@pytest.fixture
def db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, seeded SQLite database that the CLI uses; the model-free embedder."""
    import persona.embed
    from store.db import make_engine, upgrade

    monkeypatch.setenv("PERSONA_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(persona.embed, "_default", persona.embed.HashEmbedder())
    engine = make_engine(sqlite_url)
    upgrade(engine)
    seed(engine)
    engine.dispose()
    yield sqlite_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """Run `persona admin ARGV --json`; its parsed output."""
    assert main(["admin", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_listings(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "tenants") == [tenant("acme", 2), tenant("globex", 1)]
    assert [u["id"] for u in run(capsys, "users", "--tenant", "acme")] == ["alice", "carol"]
    assert run(capsys, "users", "--tenant", ACME, "--search", "car")[0]["id"] == "carol"
    assert run(capsys, "memories", "alice", "--tenant", "acme") == [BERLIN, VEG]
    assert run(capsys, "memories", "alice", "--tenant", "acme", "--state", "superseded") == [PARIS]
    detail = run(capsys, "memory", "alice", "m-paris", "--tenant", "acme")
    assert (detail["memory"], detail["chain"]) == (PARIS, [PARIS, BERLIN])
    assert [h["op"] for h in detail["history"]] == ["add", "supersede"]
    assert run(capsys, "turns", "alice", "--tenant", "acme") == [
        turn("turn3"),
        turn("turn2"),
        turn("turn1"),
    ]
    used = run(capsys, "traces", "alice", "--tenant", "acme", "--memory", "m-veg")
    assert [t["turn_id"] for t in used] == ["turn3"]
    assert run(capsys, "traces", "alice", "--tenant", "acme", "--turn", "turn3") == used
    assert run(capsys, "user", "bob", "--tenant", "globex")["memories"] == {
        "valid": 1,
        "superseded": 0,
        "expired": 0,
        "forgotten": 0,
    }
    assert run(capsys, "stats", "--tenant", "acme")["reasoning_share"] == 0.3333
    assert run(capsys, "audit") == []


def test_the_user_of_another_tenant_is_not_found(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "memories", "bob", "--tenant", "acme", "--json"]) == 1
    assert capsys.readouterr().err == "persona: error: no user 'bob' in this tenant\n"
    assert main(["admin", "users", "--json"]) == 2
    assert capsys.readouterr().err == (
        "persona: error: several tenants exist (acme, globex): choose one with --tenant NAME\n"
    )


def test_corrections_are_audited(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    invalidated = run(
        capsys, "invalidate", "alice", "m-berlin", "--tenant", "acme", "--reason", "wrong city"
    )
    assert invalidated["state"] == "forgotten"
    edited = run(
        capsys, "edit", "alice", "m-veg", "Is vegan", "--tenant", "acme", "--reason", "fix"
    )
    assert (edited["text"], edited["state"]) == ("Is vegan", "valid")
    note = run(
        capsys, "note", "alice", "Allergic to nuts", "--tenant", "acme", "--reason", "ticket"
    )
    assert (note["actor"], note["meta"]) == ("admin", {"admin_note": True})
    profile = run(capsys, "rm-constraint", "alice", "c1", "--tenant", "acme", "--reason", "asked")
    assert profile["constraints"] == []
    assert [m["text"] for m in run(capsys, "memories", "alice", "--tenant", "acme")] == [
        "Allergic to nuts",
        "Is vegan",
    ]
    assert main(["admin", "purge", "alice", "--tenant", "acme", "--reason", "gdpr"]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert run(capsys, "purge", "alice", "--tenant", "acme", "--reason", "gdpr", "--yes") == {
        "deleted": {
            "history": 7,
            "memories": 4,
            "traces": 3,
            "turns": 3,
            "feedback": 0,
            "jobs": 3,
            "responses": 0,
            "proposals": 0,
        }
    }
    rows = run(capsys, "audit", "--tenant", "acme")
    assert [(r["action"], r["user"], r["reason"]) for r in rows] == [
        ("user.purge", "alice", "gdpr"),
        ("constraint.remove", "alice", "asked"),
        ("memory.note", "alice", "ticket"),
        ("memory.edit", "alice", "fix"),
        ("memory.invalidate", "alice", "wrong city"),
    ]
    assert {r["admin"].split(":")[0] for r in rows} == {"cli"}
    assert run(capsys, "audit", "--tenant", "globex") == []


def test_admin_keys(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    created = run(capsys, "keys", "create", "--tenant", "acme", "--name", "support")
    key = created.pop("key")
    assert key.startswith("psa_")
    assert created == {
        "admin_key": {
            "id": created["admin_key"]["id"],
            "name": "support",
            "tenant_id": ACME,
            "key_prefix": key[:8],
        }
    }
    listed = run(capsys, "keys", "list")
    assert [(k["name"], k["tenant_id"], k["disabled"]) for k in listed] == [
        ("ops", None, False),
        ("acme-support", ACME, False),
        ("globex-support", GLOBEX, False),
        ("support", ACME, False),
    ]
    assert all(key not in json.dumps(k) for k in listed)  # only prefixes are ever shown
    assert main(["admin", "keys", "disable", created["admin_key"]["id"]]) == 0
    capsys.readouterr()
    assert run(capsys, "keys", "list")[-1]["disabled"] is True


def test_text_output(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "memory", "alice", "m-berlin", "--tenant", "acme"]) == 0
    assert capsys.readouterr().out == (
        "m-berlin [valid] Lives in Berlin\n"
        "versions:\n"
        "   2026-01-05T09:10:00+00:00  superseded Lives in Paris  (m-paris)\n"
        " * 2026-01-05T09:20:00+00:00  valid      Lives in Berlin  (m-berlin)\n"
        "history:\n"
        "   2026-01-05T09:20:00+00:00  add        by extractor turn turn2  stated by the user\n"
    )
