"""Write the router's labeled training set, `train.jsonl`, from templates (reproducible).

Run: `python -m persona.route.data.build`. The same seed always writes the same file.
Every row: {"text", "label": "fast"|"reasoning", "category", "lang", "history": [...]}.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from persona.route.data.fast_content import FAST
from persona.route.data.fast_content import SLOTS as FAST_SLOTS
from persona.route.data.multiturn_content import HARD_FOLLOWUPS, LIGHT_EDITS, LIGHT_FOLLOWUPS
from persona.route.data.reasoning_content import LOCALIZED, REASONING
from persona.route.data.reasoning_content import SLOTS as REASONING_SLOTS

SEED = 20261127
DATA_PATH = Path(__file__).with_name("train.jsonl")
PER_TEMPLATE = 10  # fills per single-turn template (duplicates are dropped)
MULTI_TURN = {
    "hard_followup": 700,
    "light_after_hard": 350,
    "light_edit": 450,
    "hard_after_light": 300,
}

_SLOT = re.compile(r"\{(\w+)\}")
_SLOTS: dict[str, list[str]] = {**FAST_SLOTS, **REASONING_SLOTS, **LOCALIZED}


def _number(name: str, rng: random.Random) -> str | None:
    if name in {"n1", "n2", "n3", "n4"}:
        return str(rng.choice([rng.randint(2, 12), rng.randint(3, 60)]))
    if name == "big":
        return str(rng.choice([rng.randint(100, 999), rng.randint(1000, 90000)]))
    if name == "pct":
        return str(rng.choice([5, 10, 12, 15, 20, 25, 30, 35, 40]))
    if name == "price":
        return f"{rng.randint(2, 80)}.{rng.choice(['00', '50', '25', '99'])}"
    if name == "year":
        return str(rng.randint(1950, 2030))
    return None


def fill(template: str, rng: random.Random) -> str:
    """Replace every `{slot}` in `template` with a random value (numbers or listed words)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        number = _number(name, rng)
        if number is not None:
            return number
        if name not in _SLOTS:
            raise KeyError(f"unknown slot {name!r} in template {template!r}")
        return rng.choice(_SLOTS[name])

    return _SLOT.sub(one, template)


def _row(
    text: str, label: str, category: str, lang: str, history: list[dict[str, str]]
) -> dict[str, Any]:
    return {"text": text, "label": label, "category": category, "lang": lang, "history": history}


def _single_turn(rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for label, groups in (("fast", FAST), ("reasoning", REASONING)):
        for category, lang, templates in groups:
            for template in templates:
                fills = PER_TEMPLATE if _SLOT.search(template) else 1
                for _ in range(fills):
                    rows.append(_row(fill(template, rng), label, category, lang, []))
    return rows


def _history(user: str, rng: random.Random) -> list[dict[str, str]]:
    reply = rng.choice(
        ["Sure, here you go: ...", "Here is my answer: ...", "Okay! ...", "Done: ..."]
    )
    return [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]


def _multi_turn(single: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    hard = [r for r in single if r["label"] == "reasoning"]
    light = [r for r in single if r["label"] == "fast" and r["category"] != "chitchat"]
    rows: list[dict[str, Any]] = []
    plans = [
        ("hard_followup", hard, HARD_FOLLOWUPS, "reasoning"),
        ("light_after_hard", hard, LIGHT_FOLLOWUPS, "fast"),
        ("light_edit", light, LIGHT_EDITS, "fast"),
    ]
    for category, contexts, followups, label in plans:
        for _ in range(MULTI_TURN[category]):
            context = rng.choice(contexts)
            text = fill(rng.choice(followups), rng)
            rows.append(
                _row(text, label, category, context["lang"], _history(context["text"], rng))
            )
    for _ in range(MULTI_TURN["hard_after_light"]):
        context, message = rng.choice(light), rng.choice(hard)
        rows.append(
            _row(
                message["text"],
                "reasoning",
                "hard_after_light",
                message["lang"],
                _history(context["text"], rng),
            )
        )
    return rows


def build(seed: int = SEED) -> list[dict[str, Any]]:
    """All rows, single- and multi-turn, deduplicated, in a seeded order."""
    rng = random.Random(seed)
    single = _single_turn(rng)
    rows = single + _multi_turn(single, rng)
    seen: set[str] = set()
    unique: list[dict[str, Any]] = []
    for row in rows:
        key = json.dumps([row["text"], row["history"][:1]], ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    rng.shuffle(unique)
    return unique


def write(path: Path = DATA_PATH, seed: int = SEED) -> int:
    """Write the training set as JSONL; returns the number of rows."""
    rows = build(seed)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


if __name__ == "__main__":
    print(f"wrote {write()} rows to {DATA_PATH}")
