"""`persona steer check`: verdicts, repairs and clean errors."""

from __future__ import annotations

import io
import json

import pytest

from persona.cli import main

LOWER_NO_FOLLOW_UP = json.dumps(
    [{"id": "change_case:english_lowercase", "kwargs": {}}, {"id": "style:no_follow_up_questions"}]
)


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "steer",
            "check",
            "--constraints",
            LOWER_NO_FOLLOW_UP,
            "--reply",
            "Hi. Want more?",
            "--json",
        ]
    )
    assert code == 1
    assert json.loads(capsys.readouterr().out) == {
        "passed": False,
        "verdicts": [
            {
                "id": "change_case:english_lowercase",
                "passed": False,
                "detail": "contains capital letters: H W",
            },
            {
                "id": "style:no_follow_up_questions",
                "passed": False,
                "detail": "ends with a follow-up: 'Want more?'",
            },
        ],
    }


def test_check_with_repair_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["steer", "check", "--constraints", LOWER_NO_FOLLOW_UP, "--reply", "Hi. Want more?"]
    assert main([*args, "--repair", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "passed": True,
        "verdicts": [
            {
                "id": "change_case:english_lowercase",
                "passed": False,
                "detail": "contains capital letters: H W",
            },
            {
                "id": "style:no_follow_up_questions",
                "passed": False,
                "detail": "ends with a follow-up: 'Want more?'",
            },
        ],
        "repair": {
            "text": "hi.",
            "applied": ["style:no_follow_up_questions", "change_case:english_lowercase"],
            "verdicts": [
                {"id": "change_case:english_lowercase", "passed": True, "detail": ""},
                {"id": "style:no_follow_up_questions", "passed": True, "detail": ""},
            ],
        },
    }


def test_check_text_output_and_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("all fine here."))
    assert main(["steer", "check", "--constraints", LOWER_NO_FOLLOW_UP, "--reply", "-"]) == 0
    assert capsys.readouterr().out == (
        "PASS  change_case:english_lowercase\nPASS  style:no_follow_up_questions\n"
    )


def test_single_object_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    constraint = '{"id": "punctuation:no_comma"}'
    assert main(["steer", "check", "--constraints", constraint, "--reply", "a, b", "--repair"]) == 0
    assert capsys.readouterr().out == (
        "FAIL  punctuation:no_comma: 1 commas\n\nrepairs applied: punctuation:no_comma\n\na b\n"
    )


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        (
            "[{",
            "--constraints is not valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 3 (char 2)",
        ),
        ('[{"id": "nope"}]', "unknown constraint id 'nope'"),
        ('["x"]', '--constraints must be a JSON list of {"id": ..., "kwargs": {...}}'),
        (
            '[{"id": "style:max_words", "kwargs": {"max_words": "lots"}}]',
            "style:max_words: max_words must be an integer, got 'lots'",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(
    constraints: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["steer", "check", "--constraints", constraints, "--reply", "x", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"persona: error: {message}\n"
