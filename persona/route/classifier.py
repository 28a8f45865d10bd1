"""The routing classifier at inference time: numpy only, weights from a small `.npz` file.

Input is the message embedding (384 floats) followed by the text features. Two model kinds
are supported, chosen at training time by cross-validation: logistic regression ("logreg")
and a one-hidden-layer MLP ("mlp").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
        full = self.logit(x)
        no_embedding = x.copy()
        no_embedding[:EMBED_DIM] = 0.0
        effects = []
        for i in range(EMBED_DIM, x.shape[0]):
            if x[i] == 0.0:
                effects.append(0.0)
                continue
            masked = x.copy()
            masked[i] = 0.0
            effects.append(full - self.logit(masked))
        return full - self.logit(no_embedding), effects

    def save(self, path: Path) -> None:
        """Write the weights as `.npz` (no pickles)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            kind=np.array(self.kind),
            threshold=np.array(self.threshold),
            reference_scores=self.reference_scores,
            feature_names=np.array(self.feature_names),
            **{f"w_{name}": value for name, value in self.arrays.items()},
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> Classifier:
        """Read weights written by `save`; refuses a file for a different feature set."""
        with np.load(path, allow_pickle=False) as data:
            names = tuple(str(n) for n in data["feature_names"])
            if names != FEATURE_NAMES:
                raise InvalidInput(
                    f"router weights {path} were trained on other features; run `persona route train`"
                )
            arrays = {k[2:]: np.asarray(data[k], dtype=np.float64) for k in data.files if k.startswith("w_")}
            return cls(
                kind=str(data["kind"]),
                arrays=arrays,
                threshold=float(data["threshold"]),
                reference_scores=np.asarray(data["reference_scores"], dtype=np.float64),
                feature_names=names,
            )
