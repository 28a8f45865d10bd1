"""The outcome-based sweep behind `persona eval routing` (APGR, strong share at 95%)."""

from __future__ import annotations

import numpy as np
import pytest

from persona.evals.routing import sweep


def test_perfect_router() -> None:
    # the two items GPT-4 wins come first: half the calls recover the whole gap
    apgr, share = sweep([0.9, 0.8, 0.1, 0.2], strong=[1, 1, 0, 0], weak=[0, 0, 0, 0])
    assert (apgr, share) == (pytest.approx(0.75), 0.5)


def test_reversed_router_and_ties() -> None:
    apgr, share = sweep([0.1, 0.2, 0.9, 0.8], strong=[1, 1, 0, 0], weak=[0, 0, 0, 0])
    assert (apgr, share) == (pytest.approx(0.25), 1.0)
    # all scores tied: only "none" or "all" are possible, the diagonal
    apgr, share = sweep([0.5] * 4, strong=[1, 1, 0, 0], weak=[0, 0, 0, 0])
    assert (apgr, share) == (pytest.approx(0.5), 1.0)


def test_random_router_is_about_half() -> None:
    rng = np.random.default_rng(0)
    strong = rng.integers(0, 2, 2000).astype(float)
    weak = (rng.random(2000) < 0.4).astype(float)
    apgr, _ = sweep(rng.random(2000).tolist(), strong.tolist(), weak.tolist())
    assert apgr == pytest.approx(0.5, abs=0.05)
