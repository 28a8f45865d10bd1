"""`persona eval overhead`: per-stage latency through the real engine and local model."""

from __future__ import annotations

import json

import pytest

from persona.cli import main
from persona.evals.overhead import history_turns

STAGES = ["user", "embed", "retrieve", "steer", "route", "compile", "model", "verify", "store"]


@pytest.mark.parametrize("cold", [False, True])
def test_overhead_eval_reports_every_stage(cold: bool, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", "overhead", "--messages", "2", "--history", "30", "--max-tokens", "2"]
    assert main([*argv, "--no-progress", "--json", *(["--cold"] if cold else [])]) == 0
    out = json.loads(capsys.readouterr().out)
    keys = ["cold", "history_turns", "messages", "models", "overhead_ms", "stages_ms"]
    assert sorted(out) == keys
    assert (out["messages"], out["history_turns"], out["cold"]) == (2, 30, cold)
    assert out["models"] == {"fast": "local/gemma-3-270m", "reasoning": "local/gemma-3-270m"}
    assert sorted(out["stages_ms"]) == sorted([*STAGES, "total"])
    stages, total = out["stages_ms"], out["stages_ms"]["total"]["p50"]
    assert 0 < out["overhead_ms"]["p50"] < total
    assert stages["embed"]["p50"] > 0 and stages["retrieve"]["p50"] > 0
    assert out["overhead_ms"]["p50"] == pytest.approx(total - stages["model"]["p50"], abs=5.0)


def test_bad_arguments_are_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "overhead", "--messages", "0"]) == 2  # a usage error
    assert capsys.readouterr().err == (
        "persona: error: --messages and --max-tokens must be at least 1, --history at least 0\n"
    )


def test_history_is_deterministic_and_alternates_speakers() -> None:
    turns = history_turns(5)
    assert turns == history_turns(5) and len(turns) == 5
    assert [speaker for speaker, _ in turns] == ["user", "assistant"] * 2 + ["user"]
    assert turns[0] == ("user", "I went hiking in the hills with my sister yesterday.")
