"""Parser quality on IFEval's prompts: recover each prompt's instruction ids and kwargs.

Per prompt, the predicted set of ids is compared with the gold set (micro-averaged precision
and recall); kwargs accuracy is the share of recovered ids where some predicted kwargs equal
some gold kwargs (strings compared case-insensitively, lists as sets). The data set is read in
place from ``../shared/datasets/ifeval`` (or ``PERSONA_IFEVAL_DIR``) and never copied.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from persona.steer.parse import parse_preferences

IFEVAL_DIR = Path(
    os.environ.get(
        "PERSONA_IFEVAL_DIR", Path(__file__).resolve().parents[3] / "shared/datasets/ifeval"
    )
)


def _norm(kwargs: dict[str, Any]) -> str:
    out: dict[str, Any] = {}
    for k, v in kwargs.items():
        if v is None:
            continue
        if isinstance(v, str) and k != "prompt_to_repeat":
            v = v.lower()
        elif isinstance(v, list):
            v = sorted(x.lower() for x in v)
        out[k] = v
    return json.dumps(out, sort_keys=True)


def measure(path: Path) -> dict[str, float]:
    """Precision, recall and kwargs accuracy of the parser on an IFEval ``input_data.jsonl``."""
    tp = fp = fn = kw_ok = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold: dict[str, list[str]] = defaultdict(list)
        for cid, kwargs in zip(row["instruction_id_list"], row["kwargs"], strict=True):
            gold[cid].append(_norm(kwargs))
        pred: dict[str, list[str]] = defaultdict(list)
        for c in parse_preferences(row["prompt"]).constraints:
            pred[c.id].append(_norm(c.kwargs))
        tp += len(gold.keys() & pred.keys())
        fp += len(pred.keys() - gold.keys())
        fn += len(gold.keys() - pred.keys())
        kw_ok += sum(1 for cid in gold.keys() & pred.keys() if set(gold[cid]) & set(pred[cid]))
    return {
        "parser_precision": round(tp / (tp + fp), 4),
        "parser_recall": round(tp / (tp + fn), 4),
        "parser_kwargs_accuracy": round(kw_ok / tp, 4),
    }


def test_parser_recovers_ifeval_instructions() -> None:
    path = IFEVAL_DIR / "input_data.jsonl"
    if not path.exists():
        pytest.skip(f"IFEval data not found at {path}")
    scores = measure(path)
    print(json.dumps(scores))
    assert scores["parser_precision"] >= 0.90, scores
    assert scores["parser_recall"] >= 0.90, scores
    assert scores["parser_kwargs_accuracy"] >= 0.90, scores
