"""Evaluation commands: each component's quality on public data, printed as JSON."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from persona.errors import InvalidInput


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (0-100) of `values`, rounded to 2 decimals; 0.0 for no values."""
    import numpy as np

    return round(float(np.percentile(values, q)), 2) if values else 0.0


def read_jsonl(path: str | Path | None, package: str, shipped: str) -> list[dict[str, Any]]:
    """The JSON lines at `path`, or of the set shipped in `package` as `shipped`."""
    if path is None or path == "":
        text = resources.files(package).joinpath(shipped).read_text("utf-8")
    else:
        p = Path(path)
        if not p.is_file():
            raise InvalidInput(f"{p} not found")
        text = p.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
