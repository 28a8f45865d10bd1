"""`persona route train` reproduces the shipped weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from persona.cli import main
from persona.route.classifier import WEIGHTS_PATH, Classifier


def test_train_reproduces_shipped_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "router.npz"
    assert main(["route", "train", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    shipped, trained = Classifier.load(WEIGHTS_PATH), Classifier.load(out)
    assert (summary["weights"], summary["chosen"].split("_")[0]) == (str(out), trained.kind)
    assert summary["cv_accuracy"][summary["chosen"]] == max(summary["cv_accuracy"].values())
    assert (trained.kind, trained.threshold) == (shipped.kind, shipped.threshold)
    assert sorted(trained.arrays) == sorted(shipped.arrays)
    # Bit-for-bit weights hold only on one CPU: the embedder's and BLAS's rounding differs
    # between instruction sets and 400 optimiser steps amplify it (CI saw 1e-2 on one weight).
    # What must reproduce is the model: the same shapes, nearly the same weights and scores.
    for name, array in shipped.arrays.items():
        assert trained.arrays[name].shape == array.shape
        np.testing.assert_allclose(trained.arrays[name], array, atol=0.05)
    np.testing.assert_allclose(trained.reference_scores, shipped.reference_scores, atol=0.02)
