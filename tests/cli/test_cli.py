"""The `persona` command line: db, tenants, instructions, serve's schema check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import persona.cli
from persona.cli import COMMAND_MODULES, main
from store.db import current_revision, head_revision, make_engine
from tests.fakes.provider import FakeProvider


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


def test_command_modules_are_exactly_the_modules_with_a_register() -> None:
    package = Path(persona.cli.__file__).parent
    with_register = {
        path.stem for path in package.glob("*.py") if "\ndef register(" in path.read_text("utf-8")
    }
    assert sorted(COMMAND_MODULES) == sorted(with_register)


def test_db_upgrade_then_current(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert out == f"database at {head_revision()} (was empty)\n"
    code, out, _ = run(capsys, "db", "current", "--json")
    assert json.loads(out) == {"database": head_revision(), "code": head_revision()}


REFUSED = (
    "persona: error: the database is empty but this version of persona needs {head}: "
    "run `persona db upgrade` (or set PERSONA_AUTO_UPGRADE=true)\n"
)
# every command that opens the database, with arguments it accepts on an empty one
DATABASE_COMMANDS = [
    ["tenants", "list"],
    ["tenants", "create", "acme"],
    ["memory", "list", "--user", "u1"],
    ["instructions", "show", "--user", "u1"],
    ["admin", "tenants"],
    ["route", "calibrate", "--target-share", "0.2"],
    ["chat", "--user", "u1", "hi"],
    ["worker"],
]


@pytest.mark.parametrize("argv", DATABASE_COMMANDS, ids=" ".join)
def test_every_command_refuses_an_old_postgresql_schema_and_says_what_to_run(
    argv: list[str],
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PERSONA_DATABASE_URL", pg_url)
    assert run(capsys, *argv) == (1, "", REFUSED.format(head=head_revision()))
    engine = make_engine(pg_url)
    assert current_revision(engine) is None  # nothing was migrated behind the operator's back
    engine.dispose()


def test_auto_upgrade_lets_a_command_migrate_postgresql(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERSONA_DATABASE_URL", pg_url)
    monkeypatch.setenv("PERSONA_AUTO_UPGRADE", "true")
    assert run(capsys, "tenants", "list", "--json") == (0, "[]\n", "")
    engine = make_engine(pg_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


@pytest.mark.parametrize(
    "argv", [a for a in DATABASE_COMMANDS if a[0] not in ("chat", "worker")], ids=" ".join
)
def test_every_command_brings_a_fresh_sqlite_data_directory_up_to_date(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert "persona db upgrade" not in err
    assert (code, err) in {
        (0, ""),
        (1, "persona: error: there are no tenants yet: create one with "
            "`persona tenants create NAME`\n"),
    }  # fmt: skip
    assert run(capsys, "db", "current", "--json")[1] == (
        json.dumps({"database": head_revision(), "code": head_revision()}, indent=2) + "\n"
    )


def test_tenants_create_on_a_fresh_data_directory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "tenants", "create", "acme", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["tenant"]["name"] == "acme"


def test_serve_refuses_an_old_postgresql_schema(tmp_path: Path, pg_url: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "persona.cli", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "PERSONA_DATA_DIR": str(tmp_path / "d"),
            "PERSONA_DATABASE_URL": pg_url,
            "HOME": str(tmp_path),
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),  # this checkout's persona
        },
    )
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == REFUSED.format(head=head_revision())


def test_tenants_are_named_by_name_or_id_one_way(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "memory", "list", "--user", "u1", "--tenant", "nope") == (
        1, "", "persona: error: no tenant named 'nope' (see `persona tenants list`)\n"
    )  # fmt: skip
    created = json.loads(run(capsys, "tenants", "create", "acme", "--json")[1])["tenant"]
    run(capsys, "tenants", "create", "globex")
    several = (
        "persona: error: several tenants exist (acme, globex): choose one with --tenant NAME\n"
    )
    for argv in (
        ["memory", "list", "--user", "u1"],
        ["instructions", "show", "--user", "u1"],
        ["admin", "users"],
        ["route", "calibrate", "--target-share", "0.2"],
    ):
        assert run(capsys, *argv) == (2, "", several)
    for name in ("acme", created["id"]):
        assert run(capsys, "admin", "users", "--tenant", name, "--json") == (0, "[]\n", "")
        assert run(capsys, "route", "calibrate", "--target-share", "0.2", "--tenant", name) == (
            2, "", "persona: error: tenant 'acme' has no routed traffic yet; nothing to calibrate on\n"
        )  # fmt: skip


def test_chat_on_a_fresh_data_directory(
    fake_provider: FakeProvider, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    monkeypatch.setenv("PERSONA_FAST_MODEL", "openai/fast-fake")
    monkeypatch.setenv("PERSONA_REASONING_MODEL", "openai/reasoning-fake")
    monkeypatch.setenv(
        "PERSONA_MODEL_ENDPOINTS",
        json.dumps({"openai/fast-fake": endpoint, "openai/reasoning-fake": endpoint}),
    )
    monkeypatch.setenv("PERSONA_MAX_RETRIES", "0")
    code, out, err = run(capsys, "chat", "--user", "u1", "--json", "Hi! I live in Berlin.")
    assert (code, err) == (0, "")
    assert json.loads(out)["reply"] == "Hello from the fake provider."
    code, out, _ = run(capsys, "tenants", "list", "--json")
    assert [t["name"] for t in json.loads(out)] == ["local"]  # the tenant chat answers for


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
