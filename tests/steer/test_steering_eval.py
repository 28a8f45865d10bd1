"""`persona eval steering` on a small IFEval-shaped directory written by the test."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from persona.cli import main
from persona.steer.types import Constraint

PROMPTS = [
    {
        "key": 1,
        "prompt": "Describe rain in lowercase letters, no commas.",
        "instruction_id_list": ["change_case:english_lowercase", "punctuation:no_comma"],
        "kwargs": [{}, {"num_words": None}],
    },
    {
        "key": 2,
        "prompt": "Say hello in fewer than 3 words.",
        "instruction_id_list": ["length_constraints:number_words"],
        "kwargs": [{"relation": "less than", "num_words": 3}],
    },
]
RESULTS = [
    {
        "prompt": PROMPTS[0]["prompt"],
        "response": "Rain falls, softly.",
        "instruction_id_list": PROMPTS[0]["instruction_id_list"],
        "follow_instruction_list": [False, False],
        "follow_all_instructions": False,
    },
    {
        "prompt": PROMPTS[1]["prompt"],
        "response": "Hello there friend.",
        "instruction_id_list": PROMPTS[1]["instruction_id_list"],
        # an official verdict the checker disagrees with, to see agreement drop
        "follow_instruction_list": [True],
        "follow_all_instructions": True,
    },
]


def _write(tmp_path: Path) -> Path:
    for name, rows in (
        ("input_data.jsonl", PROMPTS),
        ("official_results_gpt4_strict.jsonl", RESULTS),
    ):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return tmp_path


def _fake_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {
        PROMPTS[0]["prompt"]: [Constraint(id="change_case:english_lowercase")],
        PROMPTS[1]["prompt"]: [
            Constraint(
                id="length_constraints:number_words",
                kwargs={"relation": "less than", "num_words": 4},
            ),
            Constraint(id="style:no_emoji"),
        ],
    }
    module: Any = types.ModuleType("persona.steer.parse")
    module.parse_preferences = lambda text: types.SimpleNamespace(constraints=found[text])
    monkeypatch.setitem(sys.modules, "persona.steer.parse", module)


def test_eval_reports_agreement_repairs_and_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_parser(monkeypatch)
    code = main(["eval", "steering", "--ifeval", str(_write(tmp_path)), "--json", "--no-progress"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "responses": 2,
        "instruction_checks": 3,
        "checker_agreement": 0.6667,
        "checker_agreement_by_type": {
            "change_case:english_lowercase": 1.0,
            "length_constraints:number_words": 0.0,
            "punctuation:no_comma": 1.0,
        },
        "strict_prompt_accuracy_official": 0.5,
        "strict_prompt_accuracy_before": 0.0,
        "strict_prompt_accuracy_after_repair": 0.5,
        "repairs_applied": {"change_case:english_lowercase": 1, "punctuation:no_comma": 1},
        "parser_prompts": 2,
        "parser_precision": 0.6667,
        "parser_recall": 0.6667,
        "parser_kwargs_accuracy": 0.5,
    }


def test_missing_directory_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "steering", "--ifeval", str(tmp_path / "none"), "--no-progress"]) == 2
    assert (
        capsys.readouterr().err
        == f"persona: error: {tmp_path / 'none' / 'input_data.jsonl'} not found\n"
    )
