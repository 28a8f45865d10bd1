"""Evaluation commands: each component's quality on public data, printed as JSON."""

from __future__ import annotations


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (0-100) of `values`, rounded to 2 decimals; 0.0 for no values."""
    import numpy as np

    return round(float(np.percentile(values, q)), 2) if values else 0.0
