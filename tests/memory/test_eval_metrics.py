"""The LoCoMo eval's per-question scores: evidence recall@k and session-level recall@10."""

from __future__ import annotations

import pytest

from persona.evals.memory import scores, session_of


def test_session_of_a_dialogue_id() -> None:
    assert session_of("D3:12") == "D3"
    assert session_of("D10:1") == "D10"


def test_recall_counts_evidence_in_the_top_k() -> None:
    found = ["D1:1", "D2:4", "D1:7", "D3:2", "D1:9", "D4:1"]
    row = scores(["D2:4", "D4:1"], found)
    assert row["recall_at_1"] == 0.0
    assert row["recall_at_5"] == 0.5
    assert row["recall_at_10"] == 1.0


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (["D2:9"], 1.0),  # another turn of a retrieved session counts
        (["D2:9", "D3:5"], 1.0),
        (["D2:9", "D5:1"], 0.0),  # every evidence session must be among the top-10 sessions
        (["D7:1"], 0.0),  # D7 is only at rank 11
    ],
)
def test_session_recall_at_10(evidence: list[str], expected: float) -> None:
    found = ["D1:1", "D2:4", "D1:7", "D3:2", "D1:9", "D4:1", "D1:2", "D1:3", "D1:4", "D1:5"]
    found.append("D7:1")
    assert scores(evidence, found)["session_recall_at_10"] == expected
