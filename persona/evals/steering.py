"""`persona eval steering`: constraint checkers, repairs and the parser on IFEval.

Reads the IFEval directory (input_data.jsonl, official_results_gpt4_strict.jsonl) and reports:
agreement of persona's checkers with the official strict verdicts, strict prompt-level
accuracy before and after lossless repairs (no model call), repairs applied by type, and,
when the parser is present, its precision, recall and kwargs accuracy on the prompts.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from persona.errors import InvalidInput
from persona.steer.registry import get_type
from persona.steer.repair import check, repair
from persona.steer.types import Constraint

T = TypeVar("T")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--ifeval DIR`."""
    parser.add_argument(
        "--ifeval", required=True, metavar="DIR", help="IFEval directory (input_data.jsonl, ...)"
    )


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InvalidInput(f"{path} not found")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _constraints(ids: list[str], kwargs: list[dict[str, Any]]) -> list[Constraint]:
    return [
        Constraint(id=i, kwargs={k: v for k, v in kw.items() if v is not None})
        for i, kw in zip(ids, kwargs, strict=True)
    ]


def _progress(items: Iterable[T], desc: str, hide: bool) -> Iterator[T]:
    if hide:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, unit="prompt", leave=False)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the eval and return its metrics."""
    root = Path(args.ifeval)
    inputs = _read_jsonl(root / "input_data.jsonl")
    results = _read_jsonl(root / "official_results_gpt4_strict.jsonl")
    by_prompt = {row["prompt"]: row for row in inputs}
    hide = bool(getattr(args, "no_progress", False))

    agree: Counter[str] = Counter()
    total: Counter[str] = Counter()
    repairs: Counter[str] = Counter()
    before = after = official = 0
    for row in _progress(results, "checking", hide):
        source = by_prompt[row["prompt"]]
        constraints = _constraints(source["instruction_id_list"], source["kwargs"])
        verdicts = check(constraints, row["response"])
        for verdict, expected in zip(verdicts, row["follow_instruction_list"], strict=True):
            total[verdict.id] += 1
            agree[verdict.id] += verdict.passed == expected
        official += bool(row["follow_all_instructions"])
        before += all(v.passed for v in verdicts)
        fixed = repair(constraints, row["response"])
        after += fixed.passed
        repairs.update(fixed.applied)

    n = len(results)
    metrics: dict[str, Any] = {
        "responses": n,
        "instruction_checks": sum(total.values()),
        "checker_agreement": round(sum(agree.values()) / max(1, sum(total.values())), 4),
        "checker_agreement_by_type": {k: round(agree[k] / total[k], 4) for k in sorted(total)},
        "strict_prompt_accuracy_official": round(official / max(1, n), 4),
        "strict_prompt_accuracy_before": round(before / max(1, n), 4),
        "strict_prompt_accuracy_after_repair": round(after / max(1, n), 4),
        "repairs_applied": dict(sorted(repairs.items())),
    }
    metrics.update(_parser_metrics(inputs, hide))
    return metrics


def _normal_kwargs(type_id: str, kwargs: dict[str, Any]) -> Any:
    try:
        clean = get_type(type_id).validate(kwargs)
    except InvalidInput:
        return None
    return {
        k: sorted(x.lower() for x in v)
        if isinstance(v, list)
        else v.lower()
        if isinstance(v, str)
        else v
        for k, v in clean.items()
    }


def _parser_metrics(inputs: list[dict[str, Any]], hide: bool) -> dict[str, Any]:
    try:
        parser = importlib.import_module("persona.steer.parse")
    except ModuleNotFoundError:
        return {"parser_precision": None, "parser_recall": None, "parser_kwargs_accuracy": None}
    predicted_n = gold_n = hits = kwargs_ok = 0
    for row in _progress(inputs, "parsing", hide):
        gold = {c.id: c.kwargs for c in _constraints(row["instruction_id_list"], row["kwargs"])}
        found: dict[str, dict[str, Any]] = {}
        for c in parser.parse_preferences(row["prompt"]).constraints:
            found.setdefault(c.id, dict(c.kwargs))
        predicted_n += len(found)
        gold_n += len(gold)
        for type_id in gold.keys() & found.keys():
            hits += 1
            want = _normal_kwargs(type_id, gold[type_id])
            kwargs_ok += want is not None and want == _normal_kwargs(type_id, found[type_id])
    return {
        "parser_prompts": len(inputs),
        "parser_precision": round(hits / max(1, predicted_n), 4),
        "parser_recall": round(hits / max(1, gold_n), 4),
        "parser_kwargs_accuracy": round(kwargs_ok / max(1, hits), 4),
    }
