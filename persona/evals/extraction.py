"""`persona eval extraction`: memory operations extracted from labelled chat turns, as JSON.

Each item of the labelled set (`persona/memory/data/extraction_set.jsonl`, or `--data`) is one
user message, optionally with the user's current memories, and the operations expected from it:
`add` (kind, attribute, a value the text must contain), `supersede` / `invalidate` (the id of the
current memory replaced or ended), or none. An extractor's candidates are resolved against the
current memories the way consolidation resolves them (an `add` of a single-valued attribute the
user already has supersedes it; `forget` invalidates what it names), then matched to the labels.

Reported per language and per item kind, for the dev and the held-out split: precision, recall
and F1 of operations, and the wrong-current-fact rate (share of items where a current fact is
stored that the label does not support: someone else's, a hypothetical, the corrected-away value).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from persona.errors import InvalidInput
from persona.memory.extract import Candidate, CurrentMemory, extract, normalize_text

TARGETS = {
    "offline_f1": ">= 0.85",
    "offline_f1_per_language": ">= 0.75",
    "wrong_fact_rate": "<= 0.01",
}


@dataclass(frozen=True)
class Op:
    """One memory operation, expected or produced."""

    op: str  # add | supersede | invalidate
    kind: str | None = None
    attribute: str | None = None
    value: str | None = None  # a word the memory text must contain (labels) / the text (outputs)
    target: str | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="a labelled JSONL set")
    parser.add_argument(
        "--split", choices=("dev", "test", "all"), default="all", help="which split to report"
    )
    parser.add_argument("--model", default=None, help="also run the LLM extractor on this model")
    parser.add_argument("--errors", type=int, default=0, help="list up to N wrong items")


def load_items(path: Path | None = None) -> list[dict[str, Any]]:
    """The labelled items, each with a `split` ("dev" unless marked "test")."""
    if path is None:
        text = resources.files("persona.memory").joinpath("data/extraction_set.jsonl").read_text()
    else:
        if not path.is_file():
            raise InvalidInput(f"no labelled set at {path}")
        text = path.read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    for n, item in enumerate(items):
        item.setdefault("id", f"item{n}")
        item.setdefault("split", "dev")
    return items


def _current(item: dict[str, Any]) -> list[CurrentMemory]:
    return [
        CurrentMemory(m["id"], m.get("kind", "fact"), m["text"], m.get("attribute"))
        for m in item.get("current", [])
    ]


def resolve(candidates: Iterable[Candidate], current: Sequence[CurrentMemory]) -> list[Op]:
    """Candidates as operations on `current`, the way consolidation applies them."""
    ops: list[Op] = []
    for c in candidates:
        if c.op in ("supersede", "invalidate"):
            ops.append(Op(c.op, c.kind, c.attribute, c.text, c.target_id))
        elif c.op == "forget":
            needle = normalize_text(c.text)
            # as consolidation: a single-valued attribute with a value ("I no longer live in
            # Rome") ends only the memory holding that value
            by_value = bool(c.value) and ":" not in (c.attribute or "")
            for m in current:
                named = (c.attribute and m.attribute == c.attribute) or (
                    needle and needle in normalize_text(m.text)
                )
                if named and not (by_value and (c.value or "").lower() not in m.text.lower()):
                    ops.append(Op("invalidate", m.kind, m.attribute, m.text, m.id))
        elif c.op == "add":
            prior = [m for m in current if c.attribute and m.attribute == c.attribute]
            if prior and any(normalize_text(m.text) == normalize_text(c.text) for m in prior):
                continue  # a duplicate: nothing to write
            if prior:
                ops.extend(Op("supersede", c.kind, c.attribute, c.text, m.id) for m in prior)
            else:
                ops.append(Op("add", c.kind, c.attribute, c.text))
    return ops


def _matches(got: Op, want: Op) -> bool:
    if got.op != want.op:
        return False
    if want.target is not None and got.target != want.target:
        return False
    if want.kind is not None and got.kind != want.kind:
        return False
    if want.attribute is not None and (got.attribute or "").split(":")[0] != want.attribute:
        return False
    return want.value is None or want.value.lower() in (got.value or "").lower()


def _expected(item: dict[str, Any]) -> list[Op]:
    return [
        Op(e["op"], e.get("kind"), e.get("attribute"), e.get("value"), e.get("target"))
        for e in item.get("expected", [])
    ]


def score_item(item: dict[str, Any], got: list[Op]) -> dict[str, Any]:
    """True/false positives and negatives of one item, and whether it stored a wrong fact."""
    want = _expected(item)
    free = list(want)
    tp = 0
    unmatched: list[Op] = []
    for g in got:
        hit = next((w for w in free if _matches(g, w)), None)
        if hit is None:
            unmatched.append(g)
        else:
            free.remove(hit)
            tp += 1
    forbidden = [f.lower() for f in item.get("forbid", [])]
    wrong = any(
        g.op in ("add", "supersede")
        and (not want or any(f in (g.value or "").lower() for f in forbidden))
        for g in unmatched
    ) or any(
        g.op in ("add", "supersede") and any(f in (g.value or "").lower() for f in forbidden)
        for g in got
    )
    return {"tp": tp, "fp": len(unmatched), "fn": len(free), "wrong": wrong}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def summarize(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Overall, per-language and per-kind scores of (item, item score) rows."""

    def agg(sel: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
        tp = sum(s["tp"] for _, s in sel)
        fp = sum(s["fp"] for _, s in sel)
        fn = sum(s["fn"] for _, s in sel)
        wrong = sum(1 for _, s in sel if s["wrong"])
        return {
            "items": len(sel),
            **_prf(tp, fp, fn),
            "wrong_fact_rate": round(wrong / len(sel), 3) if sel else 0.0,
        }

    by_lang: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    by_kind: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for item, s in rows:
        by_lang[item["lang"]].append((item, s))
        by_kind[item["kind"]].append((item, s))
    return {
        "overall": agg(rows),
        "per_language": {k: agg(v) for k, v in sorted(by_lang.items())},
        "per_kind": {k: agg(v) for k, v in sorted(by_kind.items())},
    }


# an extractor under test: (message, current memories) -> candidates
Extractor = Callable[[str, Sequence[CurrentMemory]], list[Candidate]]


def evaluate(
    items: list[dict[str, Any]],
    mode: str = "rules",
    model: str | None = None,
    errors: int = 0,
    extractor: Extractor | None = None,
) -> dict[str, Any]:
    """Scores of one extractor on `items`, per split (`extractor` replaces the built-in one)."""
    gateway = None
    if mode == "llm":
        from persona.config import get_settings
        from persona.llm.gateway import Gateway

        gateway = Gateway(get_settings())
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    wrong_items: list[dict[str, Any]] = []
    for item in items:
        current = _current(item)
        if extractor is not None:
            candidates = extractor(item["message"], current)
        else:
            candidates = extract(
                item["message"],
                gateway=gateway,
                model=model,
                mode="llm" if mode == "llm" else "rules",
                current=current,
            ).candidates
        got = resolve(candidates, current)
        s = score_item(item, got)
        rows.append((item, s))
        if (s["fp"] or s["fn"]) and len(wrong_items) < errors:
            wrong_items.append(
                {"id": item["id"], "message": item["message"], "got": [g.__dict__ for g in got]}
            )
    out: dict[str, Any] = {}
    for split in ("dev", "test"):
        sel = [r for r in rows if r[0]["split"] == split]
        if sel:
            out[split] = summarize(sel)
    out["all"] = summarize(rows)["overall"]
    if errors:
        out["errors"] = wrong_items
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    items = load_items(args.data)
    if args.split != "all":
        items = [i for i in items if i["split"] == args.split]
    langs = sorted({i["lang"] for i in items})
    negatives = sum(1 for i in items if not i.get("expected"))
    result: dict[str, Any] = {
        "items": len(items),
        "negatives": negatives,
        "languages": langs,
        "targets": TARGETS,
        "offline": evaluate(items, "rules", errors=args.errors),
    }
    if args.model:
        result["llm"] = evaluate(items, "llm", model=args.model, errors=args.errors)
    else:
        result["llm"] = "skipped: no --model given"
    return result
