"""`persona eval extraction`: the JSON it prints on a tiny labelled set, and that it ranks a
known-wrong extractor below the rule extractor."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from persona.cli import main
from persona.evals.extraction import evaluate, load_items
from persona.memory.extract import Candidate, CurrentMemory

ITEMS = [
    {
        "id": "a",
        "lang": "en",
        "kind": "move",
        "message": "We moved to Porto last year.",
        "current": [{"id": "m1", "attribute": "location", "text": "Lives in Leeds"}],
        "expected": [
            {"op": "supersede", "target": "m1", "attribute": "location", "value": "Porto"}
        ],
        "forbid": ["Leeds"],
    },
    {
        "id": "b",
        "lang": "de",
        "kind": "third",
        "message": "Mein Bruder wohnt in Graz.",
        "expected": [],
        "forbid": ["Graz"],
    },
    {
        "id": "c",
        "lang": "fr",
        "kind": "health",
        "message": "Je suis allergique au pollen.",
        "expected": [{"op": "add", "kind": "fact", "attribute": "allergy", "value": "pollen"}],
    },
    {
        "id": "d",
        "lang": "es",
        "kind": "forget",
        "message": "Olvida todo sobre Pablo.",
        "current": [{"id": "m1", "attribute": "family:brother", "text": "Brother's name is Pablo"}],
        "expected": [{"op": "invalidate", "target": "m1"}],
        "split": "test",
    },
]


def score(f1: float, precision: float, recall: float, wrong: float, items: int) -> dict[str, Any]:
    return {
        "items": items,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "wrong_fact_rate": wrong,
    }


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in ITEMS), encoding="utf-8")
    return path


def test_the_cli_prints_scores_per_split_language_and_kind(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "extraction", "--json", "--data", str(data)]) == 0
    out = json.loads(capsys.readouterr().out)
    perfect = score(1.0, 1.0, 1.0, 0.0, 1)
    assert out == {
        "items": 4,
        "negatives": 1,
        "languages": ["de", "en", "es", "fr"],
        "targets": {
            "offline_f1": ">= 0.85",
            "offline_f1_per_language": ">= 0.75",
            "wrong_fact_rate": "<= 0.01",
        },
        "offline": {
            "dev": {
                "overall": score(1.0, 1.0, 1.0, 0.0, 3),
                "per_language": {"de": perfect, "en": perfect, "fr": perfect},
                "per_kind": {"health": perfect, "move": perfect, "third": perfect},
            },
            "test": {
                "overall": perfect,
                "per_language": {"es": perfect},
                "per_kind": {"forget": perfect},
            },
            "all": score(1.0, 1.0, 1.0, 0.0, 4),
        },
        "llm": "skipped: no --model given",
    }


def test_split_selection_and_error_listing(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "extraction", "--data", str(data), "--split", "test"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["items"], sorted(out["offline"])) == (1, ["all", "test"])


def _credulous(message: str, current: Sequence[CurrentMemory]) -> list[Candidate]:
    """Stores every message as a current fact of the user: what the eval must punish."""
    return [Candidate("fact", message, "location", message)]


def test_a_known_wrong_extractor_scores_lower(data: Path) -> None:
    items = load_items(data)
    good = evaluate(items)["all"]
    bad = evaluate(items, extractor=_credulous)["all"]
    assert good == score(1.0, 1.0, 1.0, 0.0, 4)
    # it supersedes Leeds with the whole message (a match) and misses everything else; storing
    # someone else's city is a wrong current fact
    assert bad == score(0.286, 0.25, 0.333, 0.25, 4)
    bad_items = evaluate(items, extractor=_credulous, errors=10)["errors"]
    assert [e["id"] for e in bad_items] == ["b", "c", "d"]


def test_a_missing_data_file_is_an_error(tmp_path: Path) -> None:
    from persona.errors import InvalidInput

    with pytest.raises(InvalidInput, match="no labelled set"):
        load_items(tmp_path / "none.jsonl")
