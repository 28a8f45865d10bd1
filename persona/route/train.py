"""Train the routing classifier on the shipped labeled set; reproducible (fixed seeds).

Both candidate models (logistic regression, a small MLP) are scored by stratified 5-fold
cross-validation on the training set; the better one is refitted on all of it. The default
threshold is chosen on the out-of-fold scores of the same data (best balanced accuracy),
never on an eval set. scikit-learn is used only here, never on the request path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from persona.embed import Embedder, reference_embedder
from persona.route.classifier import WEIGHTS_PATH, Classifier
from persona.route.data.build import DATA_PATH
from persona.route.features import FEATURE_NAMES, text_features

SEED = 7
FOLDS = 5
CANDIDATES: dict[str, dict[str, Any]] = {
    "logreg_c1": {"kind": "logreg", "C": 1.0},
    "logreg_c4": {"kind": "logreg", "C": 4.0},
    "logreg_c16": {"kind": "logreg", "C": 16.0},
    "mlp_h32": {"kind": "mlp", "hidden": 32, "alpha": 1e-3},
}


def load_rows(path: Path = DATA_PATH) -> list[dict[str, Any]]:
    """The labeled rows of a JSONL training file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def embed_texts(
    texts: Sequence[str], embedder: Embedder | None = None, cache: Path | None = None
) -> NDArray[np.float32]:
    """Embed `texts`; with `cache` (an `.npz` of texts and vectors) only new texts are embedded."""
    known: dict[str, NDArray[np.float32]] = {}
    if cache is not None and cache.exists():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in known})
    if missing:
        vectors = (embedder or reference_embedder()).embed(missing)
        known.update(zip(missing, vectors, strict=True))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts]).astype(np.float32)


def design_matrix(
    embeddings: NDArray[np.float32], rows: Sequence[dict[str, Any]]
) -> NDArray[np.float64]:
    """Rows of [embedding, text features] as float64, one per training row."""
    feats = np.stack([text_features(r["text"], r.get("history", [])) for r in rows])
    return np.hstack([embeddings.astype(np.float64), feats.astype(np.float64)])


def _fit(
    spec: dict[str, Any], x: NDArray[np.float64], y: NDArray[np.int64]
) -> dict[str, NDArray[np.float64]]:
    if spec["kind"] == "logreg":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=spec["C"], max_iter=5000, tol=1e-8)
        model.fit(x, y)
        return {
            "coef": model.coef_[0].astype(np.float64),
            "intercept": model.intercept_.astype(np.float64),
        }
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(
        hidden_layer_sizes=(spec["hidden"],), alpha=spec["alpha"], max_iter=400, random_state=SEED
    )
    mlp.fit(x, y)
    return {
        "w1": mlp.coefs_[0].astype(np.float64),
        "b1": mlp.intercepts_[0].astype(np.float64),
        "w2": mlp.coefs_[1][:, 0].astype(np.float64),
        "b2": mlp.intercepts_[1].astype(np.float64),
    }


def _scores(
    kind: str, arrays: dict[str, NDArray[np.float64]], x: NDArray[np.float64]
) -> NDArray[np.float64]:
    if kind == "logreg":
        logits = x @ arrays["coef"] + arrays["intercept"][0]
    else:
        logits = np.maximum(x @ arrays["w1"] + arrays["b1"], 0.0) @ arrays["w2"] + arrays["b2"][0]
    return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)


def _out_of_fold(
    spec: dict[str, Any], x: NDArray[np.float64], y: NDArray[np.int64]
) -> NDArray[np.float64]:
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y), dtype=np.float64)
    for train_idx, test_idx in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        arrays = _fit(spec, x[train_idx], y[train_idx])
        oof[test_idx] = _scores(spec["kind"], arrays, x[test_idx])
    return oof


def choose_threshold(scores: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    """The threshold with the best balanced accuracy on `scores` (grid of 0.01 steps).

    When several thresholds tie (scores of near-separable data cluster at 0 and 1), the middle
    of the tying range is taken, the one farthest from both classes.
    """
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    balanced = np.array(
        [0.5 * ((scores[y == 1] >= t).mean() + (scores[y == 0] < t).mean()) for t in grid]
    )
    best = np.flatnonzero(balanced >= balanced.max() - 1e-12)
    return float(grid[best[len(best) // 2]])


def train(
    out: Path = WEIGHTS_PATH,
    data: Path = DATA_PATH,
    embedder: Embedder | None = None,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Train, choose the model by cross-validation, write `out`; returns a JSON summary."""
    rows = load_rows(data)
    x = design_matrix(embed_texts([r["text"] for r in rows], embedder, cache), rows)
    y = np.array([1 if r["label"] == "reasoning" else 0 for r in rows], dtype=np.int64)
    cv: dict[str, float] = {}
    oof_by_name: dict[str, NDArray[np.float64]] = {}
    for name, spec in CANDIDATES.items():
        oof_by_name[name] = _out_of_fold(spec, x, y)
        cv[name] = round(float(((oof_by_name[name] >= 0.5) == (y == 1)).mean()), 4)
    chosen = max(cv, key=lambda n: (cv[n], n.startswith("logreg")))  # ties: the simpler model
    spec = CANDIDATES[chosen]
    oof = oof_by_name[chosen]
    threshold = choose_threshold(oof, y)
    classifier = Classifier(
        kind=spec["kind"],
        arrays=_fit(spec, x, y),
        threshold=threshold,
        reference_scores=np.quantile(oof, np.linspace(0.0, 1.0, 101)),
    )
    classifier.save(out)
    pred = oof >= threshold
    return {
        "rows": len(rows),
        "reasoning_rows": int(y.sum()),
        "features": ["embedding[384]", *FEATURE_NAMES],
        "cv_accuracy": cv,
        "chosen": chosen,
        "default_threshold": threshold,
        "cv_accuracy_at_threshold": round(float((pred == (y == 1)).mean()), 4),
        "cv_reasoning_recall": round(float(pred[y == 1].mean()), 4),
        "cv_fast_recall": round(float((~pred[y == 0]).mean()), 4),
        "weights": str(out),
        "weights_bytes": out.stat().st_size,
    }
