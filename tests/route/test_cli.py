"""`persona route explain|calibrate`: decisions and calibration from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from persona.cli import main
from persona.embed import get_embedder
from persona.route import Router
from tests.route.test_tenant import seed


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """Run `persona route ARGV --json`; its parsed output."""
    assert main(["route", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    message = "Find all integer solutions of x^2 - y^2 = 45 and prove there are no others."
    out = run(capsys, "explain", message)
    vector = get_embedder().embed([message])[0]
    assert out == json.loads(json.dumps(Router.load().decide(message, vector).as_dict()))
    assert out["tier"] == "reasoning"


def test_explain_with_history(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "Prove that 7^n - 1 is divisible by 6 for all n >= 1."},
                {"role": "assistant", "content": "By induction: ..."},
            ]
        )
    )
    out = run(
        capsys,
        "explain",
        "great, thanks!",
        "--history",
        str(history),
        "--previous-tier",
        "reasoning",
    )
    assert (out["tier"], out["reason"]) == (
        "fast",
        "A short acknowledgement after a hard task needs no reasoning.",
    )
    history.write_text('{"not": "a list"}')
    assert main(["route", "explain", "hi", "--history", str(history)]) == 2


def test_calibrate_command(
    sqlite_engine: Engine,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PERSONA_DATABASE_URL", sqlite_url)
    assert main(["route", "calibrate", "--target-share", "0.2"]) == 1  # no tenant yet
    seed(sqlite_engine, "acme", [0.1, 0.2, 0.3, 0.4, 0.9], ["fast"] * 5)
    out = run(capsys, "calibrate", "--target-share", "0.2", "--tenant", "acme")
    assert out == {
        "tenant": "acme",
        "target_share": 0.2,
        "route_threshold": 0.9,
        "scores": 5,
        "reasoning_share_on_logged_traffic": 0.2,
    }
