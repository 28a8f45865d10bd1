"""The `persona` command line: db, tenants, instructions, serve's schema check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from persona.cli import main
from store.db import head_revision


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_every_command_group() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "persona.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name in (
        "serve",
        "chat",
        "db",
        "tenants",
        "memory",
        "instructions",
        "steer",
        "route",
        "eval",
        "admin",
    ):
        assert f"    {name}" in out


def test_db_upgrade_then_current(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert out == f"database at {head_revision()} (was empty)\n"
    code, out, _ = run(capsys, "db", "current", "--json")
    assert json.loads(out) == {"database": head_revision(), "code": head_revision()}


def test_commands_refuse_an_old_schema_and_say_what_to_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "tenants", "list")
    assert code == 1
    assert out == ""
    assert err == (
        f"persona: error: the database is empty but this version of persona needs "
        f"{head_revision()}: run `persona db upgrade` (or set PERSONA_AUTO_UPGRADE=true)\n"
    )


def test_serve_refuses_an_old_schema(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "persona.cli", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "PERSONA_DATA_DIR": str(tmp_path / "d"),
            "HOME": str(tmp_path),
        },
    )
    assert proc.returncode == 1
    assert "run `persona db upgrade`" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_tenants_create_prints_the_key_once(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "db", "upgrade")
    code, out, _ = run(capsys, "tenants", "create", "acme", "--json")
    assert code == 0
    created = json.loads(out)
    assert set(created) == {"tenant", "api_key"}
    assert created["tenant"]["name"] == "acme"
    assert created["api_key"].startswith("psn_")
    code, out, _ = run(capsys, "tenants", "list", "--json")
    listed = json.loads(out)
    assert [(t["name"], t["key_prefix"]) for t in listed] == [("acme", created["api_key"][:8])]
    assert created["api_key"] not in out
    code, _, err = run(capsys, "tenants", "create", "acme")
    assert code == 1
    assert err == "persona: error: a tenant named 'acme' already exists\n"


def test_instructions_set_show_rm(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "db", "upgrade")
    run(capsys, "tenants", "create", "acme")
    code, out, _ = run(
        capsys,
        "instructions",
        "set",
        "--user",
        "u1",
        "--json",
        "from now on never use capital letters",
    )
    assert code == 0
    added = json.loads(out)["constraints"]["added"]
    assert [(c["id"], c["kwargs"], c["source"]) for c in added] == [
        ("change_case:english_lowercase", {}, "api")
    ]
    code, out, _ = run(capsys, "instructions", "show", "--user", "u1", "--json")
    shown = json.loads(out)
    assert shown["constraints"] == added and shown["instructions"] == []
    code, out, _ = run(capsys, "instructions", "rm", "--user", "u1", added[0]["cid"])
    assert (code, out) == (0, f"removed {added[0]['cid']}\n")
    code, out, _ = run(capsys, "instructions", "show", "--user", "u1", "--json")
    assert json.loads(out) == {"constraints": [], "instructions": []}
    code, _, err = run(capsys, "instructions", "rm", "--user", "u1", "c_nope")
    assert code == 1
    assert err == "persona: error: user 'u1' has no constraint or instruction 'c_nope'\n"
