"""`persona steer proposals list|confirm|reject` against a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from persona.cli import main
from persona.steer.proposals import SteerParseHandler
from store.db import make_engine, session_scope, upgrade
from store.tenants import create_tenant
from store.turns import record_turn
from store.users import get_or_create_user
from tests.memory.test_extract_llm import FakeGateway, Reply

TEXT = "Ne me pose plus de questions à la fin, jamais."


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A database where ann's message was parsed into one proposal; returns (url, turn id)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PERSONA_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        tenant, _ = create_tenant(session, "app")
        user = get_or_create_user(session, tenant.id, "ann")
        turn, _ = record_turn(
            session, user=user, user_message=TEXT, reply="ok", model="m", tier="fast",
            trace={}, route_score=None, jobs=(),
        )  # fmt: skip
        turn_id = turn.id
        payload = {"turn_id": turn_id, "user_id": user.id, "tenant_id": tenant.id}
    answer = {
        "constraints": [
            {"sentence": 1, "id": "style:no_follow_up_questions", "kwargs": {},
             "scope": "standing", "quote": "Ne me pose plus"},
        ]
    }  # fmt: skip
    handler = SteerParseHandler(FakeGateway([Reply(json.dumps(answer))]), "gpt-test")
    with session_scope(engine) as session:  # the steer_parse job, run by hand
        handler(session, {**payload, "sentences": [TEXT]})
    engine.dispose()
    return url, turn_id


def test_list_confirm_and_refuse_a_second_decision(
    db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, turn_id = db
    assert main(["steer", "proposals", "list", "--user", "ann", "--json"]) == 0
    (proposal,) = json.loads(capsys.readouterr().out)["proposals"]
    assert (proposal["status"], proposal["source_turn_id"], proposal["constraint"]) == (
        "proposed",
        turn_id,
        {"id": "style:no_follow_up_questions", "kwargs": {}},
    )
    pid = proposal["id"]
    assert main(["steer", "proposals", "list", "--user", "ann"]) == 0
    assert capsys.readouterr().out == (
        f"{pid}\tproposed\tstyle:no_follow_up_questions\tfrom turn {turn_id}: {TEXT!r}\n"
    )
    assert main(["steer", "proposals", "confirm", "--user", "ann", pid]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{pid}\taccepted\tstyle:no_follow_up_questions\t")
    assert "\tstored as c_" in out
    assert main(["steer", "proposals", "reject", "--user", "ann", pid]) == 1
    assert capsys.readouterr().err == (
        f"persona: error: proposal {pid!r} is accepted, not proposed\n"
    )
    assert main(["steer", "proposals", "list", "--user", "ann", "--status", "proposed"]) == 0
    assert capsys.readouterr().out == "ann has no proposals\n"
