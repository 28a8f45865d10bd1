"""The routing classifier at inference time: numpy only, weights from a small `.npz` file.

Input is the message embedding (384 floats) followed by the text features. Two model kinds
are supported, chosen at training time by cross-validation: logistic regression ("logreg")
and a one-hidden-layer MLP ("mlp").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from persona.errors import InvalidInput
from persona.route.features import FEATURE_NAMES

WEIGHTS_PATH = Path(__file__).parent / "weights" / "router.npz"
EMBED_DIM = 384


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


@dataclass(frozen=True)
class Classifier:
    """Trained weights. logreg: `coef` (d,), `intercept`. mlp: `w1` (d,h), `b1`, `w2` (h,), `b2`."""

    kind: str
    arrays: dict[str, NDArray[np.float64]]
    threshold: float
    reference_scores: NDArray[np.float64]  # quantiles 0..100 of scores on the training set
    feature_names: tuple[str, ...] = FEATURE_NAMES

    def logit(self, x: NDArray[np.float64]) -> float:
        """The raw score (log-odds of "needs reasoning") for one input vector."""
        a = self.arrays
        if self.kind == "logreg":
            return float(x @ a["coef"] + a["intercept"][0])
        hidden = np.maximum(x @ a["w1"] + a["b1"], 0.0)
        return float(hidden @ a["w2"] + a["b2"][0])

    def probability(self, x: NDArray[np.float64]) -> float:
        """P(needs reasoning) for one input vector."""
        return _sigmoid(self.logit(x))

    def contributions(self, x: NDArray[np.float64]) -> tuple[float, list[float]]:
        """Logit effect of the embedding as a whole and of each text feature.

        For logistic regression these are exact terms of the sum; for the MLP, each is the
        change in the logit when that input is zeroed.
        """
        if self.kind == "logreg":
            coef = self.arrays["coef"]
            terms = x * coef
            return float(terms[:EMBED_DIM].sum()), [float(t) for t in terms[EMBED_DIM:]]
        a = self.arrays
        feats = x[EMBED_DIM:]
        feat_in = feats @ a["w1"][EMBED_DIM:]
        pre = x[:EMBED_DIM] @ a["w1"][:EMBED_DIM] + feat_in + a["b1"]
        full = float(np.maximum(pre, 0.0) @ a["w2"] + a["b2"][0])
        no_embedding = float(np.maximum(feat_in + a["b1"], 0.0) @ a["w2"] + a["b2"][0])
        # one row per feature: the hidden pre-activation with that feature zeroed
        masked = pre[None, :] - feats[:, None] * a["w1"][EMBED_DIM:]
        without = np.maximum(masked, 0.0) @ a["w2"] + a["b2"][0]
        return full - no_embedding, [float(v) for v in full - without]

    def save(self, path: Path) -> None:
        """Write the weights as `.npz` (no pickles)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = {
            "kind": np.array(self.kind),
            "threshold": np.array(self.threshold),
            "reference_scores": self.reference_scores,
            "feature_names": np.array(self.feature_names),
        }
        payload.update({f"w_{name}": value for name, value in self.arrays.items()})
        np.savez(path, **payload)

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> Classifier:
        """Read weights written by `save`; refuses a file for a different feature set."""
        with np.load(path, allow_pickle=False) as data:
            names = tuple(str(n) for n in data["feature_names"])
            if names != FEATURE_NAMES:
                raise InvalidInput(
                    f"router weights {path} use other features; run `persona route train`"
                )
            arrays = {
                k[2:]: np.asarray(data[k], dtype=np.float64)
                for k in data.files
                if k.startswith("w_")
            }
            return cls(
                kind=str(data["kind"]),
                arrays=arrays,
                threshold=float(data["threshold"]),
                reference_scores=np.asarray(data["reference_scores"], dtype=np.float64),
                feature_names=names,
            )
