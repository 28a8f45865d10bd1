"""`persona eval routing`: router quality on MT-Bench and GSM8K, and decision latency.

Outcome-based, as in RouteLLM: sweeping the threshold over the router's scores, each item is
answered by the strong model (GPT-4) when routed to reasoning and by the weak one (Mixtral)
otherwise. APGR is the area under the performance-gap-recovered curve (random routing: 0.5).
Turn 2 of MT-Bench is scored with turn 1 as history and with the conversation policy applied
at every threshold (an explicit ask forces its tier; stickiness keeps a follow-up on reasoning
when turn 1 went there, i.e. its effective score is max(turn 1, turn 2) unless it is light).
The router never sees these data sets in training; its default threshold comes with the weights.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from persona.errors import InvalidInput

STRONG = "gpt-4-1106-preview"
WEAK = "mistralai/Mixtral-8x7B-Instruct-v0.1"
REPEATS = 3
TO_REASONING = ("math", "reasoning", "coding")
TO_FAST = ("writing", "roleplay", "humanities", "extraction")
TARGETS = {
    "mtbench_strong_share_at_95": "<= 0.25",
    "mtbench_apgr": ">= 0.70",
    "gsm8k_reasoning_share": ">= 0.95",
    "decision_ms_p99": "<= 1.0",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--data DIR` (the routing data set directory)."""
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/datasets/routing"),
        help="directory with mt_bench/ and gsm8k/ (see its SOURCE.txt)",
    )


def sweep(
    scores: Sequence[float], strong: Sequence[float], weak: Sequence[float]
) -> tuple[float, float]:
    """(APGR, smallest strong share reaching 95% of the all-strong average) over all thresholds.

    Items with equal scores cannot be separated by a threshold, so only tie-group boundaries
    are operating points.
    """
    s = np.asarray(scores, dtype=np.float64)
    hi = np.asarray(strong, dtype=np.float64)
    lo = np.asarray(weak, dtype=np.float64)
    n = len(s)
    order = np.argsort(-s, kind="stable")
    gains = np.concatenate([[0.0], np.cumsum((hi - lo)[order])])
    perf = (lo.sum() + gains) / n
    boundaries = [0] + [k for k in range(1, n + 1) if k == n or s[order[k]] != s[order[k - 1]]]
    shares = np.array(boundaries, dtype=np.float64) / n
    points = perf[boundaries]
    gap = hi.mean() - lo.mean()
    pgr = (points - lo.mean()) / gap if gap != 0 else np.ones_like(points)
    apgr = float(np.trapezoid(pgr, shares))
    reaching = shares[points >= 0.95 * hi.mean() - 1e-12]
    return apgr, float(reaching.min()) if len(reaching) else 1.0


def _effective(base: float, ask: str | None, light: bool, previous: float | None) -> float:
    if ask == "reasoning":
        return 1.0
    if ask == "fast":
        return 0.0
    if previous is not None and not light:
        return max(base, previous)
    return base


def _mtbench(data: Path) -> tuple[list[dict[str, Any]], dict[tuple[int, int], dict[str, float]]]:
    questions = [json.loads(line) for line in (data / "mt_bench" / "question.jsonl").open()]
    judged: dict[tuple[int, int], dict[str, float]] = {}
    for line in (data / "mt_bench" / "judgements_gpt4_vs_mixtral.jsonl").open():
        row = json.loads(line)
        if row["score"] >= 0:
            judged.setdefault((row["question_id"], row["turn"]), {})[row["model"]] = float(
                row["score"]
            )
    return questions, judged


def _gsm8k(data: Path) -> tuple[list[str], dict[str, tuple[float, float]]]:
    questions = [json.loads(line)["question"] for line in (data / "gsm8k" / "test.jsonl").open()]
    outcomes: dict[str, tuple[float, float]] = {}
    with (data / "gsm8k" / "responses_gpt4_vs_mixtral.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            outcomes[row["prompt"]] = (float(row[STRONG] == "True"), float(row[WEAK] == "True"))
    return questions, outcomes


def _percentile_ms(samples: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(samples), q)) * 1000.0, 4)


def _time_decisions(
    router: Any, texts: Sequence[str], vectors: NDArray[np.float32], first_turns: Sequence[str]
) -> list[float]:
    """Seconds per full `decide` call (turn 2s with turn 1 as history), after a warm-up.

    As `timeit` does, the garbage collector is paused while timing, and each decision is timed
    `REPEATS` times keeping the fastest: on a shared machine the slower runs measure other
    processes taking the CPU, not the router.
    """
    n_q = len(first_turns)
    histories: list[list[dict[str, str]]] = [[] for _ in texts]
    for i, first in enumerate(first_turns):
        histories[n_q + i] = [
            {"role": "user", "content": first},
            {"role": "assistant", "content": ""},
        ]
    for i in range(min(50, len(texts))):
        router.decide(texts[i], vectors[i], histories[i])
    timings: list[float] = []
    gc.collect()
    gc.disable()
    try:
        for i, text in enumerate(texts):
            best = float("inf")
            for _ in range(REPEATS):
                start = time.perf_counter()
                router.decide(
                    text,
                    vectors[i],
                    histories[i],
                    previous_tier="reasoning" if histories[i] else None,
                )
                best = min(best, time.perf_counter() - start)
            timings.append(best)
    finally:
        gc.enable()
    return timings


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Score MT-Bench turns and GSM8K questions with the shipped router; return the metrics."""
    from persona.embed import get_embedder
    from persona.route.features import explicit_ask, is_light
    from persona.route.router import Router

    data: Path = args.data
    if not (data / "mt_bench").is_dir() or not (data / "gsm8k").is_dir():
        raise InvalidInput(f"{data} has no mt_bench/ and gsm8k/ directories")
    router = Router.load()
    threshold = router.default_threshold
    questions, judged = _mtbench(data)
    gsm_questions, gsm_outcomes = _gsm8k(data)
    texts = [q["turns"][0] for q in questions] + [q["turns"][1] for q in questions] + gsm_questions
    vectors: NDArray[np.float32] = get_embedder().embed(texts)
    n_q = len(questions)

    def score(i: int, history: Sequence[Mapping[str, str]]) -> float:
        return router.score(texts[i], vectors[i], history)

    mt_scores, mt_strong, mt_weak, mt_category = [], [], [], []
    for i, q in enumerate(questions):
        first, second = q["turns"][0], q["turns"][1]
        s1 = _effective(score(i, []), explicit_ask(first), is_light(first), None)
        history = [{"role": "user", "content": first}, {"role": "assistant", "content": ""}]
        s2 = _effective(score(n_q + i, history), explicit_ask(second), is_light(second), s1)
        for turn, s in ((1, s1), (2, s2)):
            outcome = judged.get((q["question_id"], turn), {})
            if STRONG in outcome and WEAK in outcome:
                mt_scores.append(s)
                mt_strong.append(outcome[STRONG])
                mt_weak.append(outcome[WEAK])
                mt_category.append(q["category"])
    mt_apgr, mt_share95 = sweep(mt_scores, mt_strong, mt_weak)

    routed = np.asarray(mt_scores) >= threshold
    cats = np.asarray(mt_category)
    by_category: dict[str, float] = {}
    correct = []
    for category in (*TO_REASONING, *TO_FAST):
        mask = cats == category
        hits = routed[mask] if category in TO_REASONING else ~routed[mask]
        by_category[category] = round(float(hits.mean()), 4)
        correct.extend(hits.tolist())

    gsm_scores, gsm_strong, gsm_weak = [], [], []
    for j, question in enumerate(gsm_questions):
        s = _effective(score(2 * n_q + j, []), explicit_ask(question), is_light(question), None)
        gsm_scores.append(s)
        if question in gsm_outcomes:
            strong, weak = gsm_outcomes[question]
            gsm_strong.append(strong)
            gsm_weak.append(weak)
    gsm_apgr = (
        sweep(
            [s for s, q in zip(gsm_scores, gsm_questions, strict=True) if q in gsm_outcomes],
            gsm_strong,
            gsm_weak,
        )[0]
        if gsm_strong
        else float("nan")
    )
    timings = _time_decisions(router, texts, vectors, [q["turns"][0] for q in questions])
    return {
        "mtbench_apgr": round(mt_apgr, 4),
        "mtbench_strong_share_at_95": round(mt_share95, 4),
        "mtbench_category_accuracy": round(float(np.mean(correct)), 4),
        "mtbench_category_accuracy_by_category": by_category,
        "mtbench_stem_reasoning_share": round(float(routed[cats == "stem"].mean()), 4),
        "gsm8k_reasoning_share": round(float(np.mean(np.asarray(gsm_scores) >= threshold)), 4),
        "gsm8k_apgr": round(gsm_apgr, 4),
        "decision_ms_p50": _percentile_ms(timings, 50),
        "decision_ms_p99": _percentile_ms(timings, 99),
        "default_threshold": threshold,
        "mtbench_turns": len(mt_scores),
        "gsm8k_questions": len(gsm_scores),
        "gsm8k_with_outcomes": len(gsm_strong),
        "targets": TARGETS,
        "trained_on": "persona/route/data/train.jsonl (written by persona/route/data/build.py); "
        "no MT-Bench or GSM8K text",
    }
