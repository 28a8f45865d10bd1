"""Steering: typed, verifiable constraints on replies, with checkers, repairs and precedence.

Constraint ids are IFEval's instruction ids (``change_case:english_lowercase``, ...) with
IFEval's kwargs names, plus ``style:*`` ids for product constraints.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Constraint",
    "ConstraintType",
    "Dropped",
    "Param",
    "RepairResult",
    "Resolution",
    "Verdict",
    "all_types",
    "check",
    "describe",
    "find_conflicts",
    "get_type",
    "make",
    "register",
    "repair",
    "resolve",
    "validate",
    "validate_set",
]

_LAZY = {
    "Constraint": "persona.steer.types",
    "ConstraintType": "persona.steer.registry",
    "Dropped": "persona.steer.precedence",
    "Param": "persona.steer.registry",
    "RepairResult": "persona.steer.types",
    "Resolution": "persona.steer.precedence",
    "Verdict": "persona.steer.types",
    "all_types": "persona.steer.registry",
    "check": "persona.steer.repair",
    "describe": "persona.steer.registry",
    "find_conflicts": "persona.steer.conflicts",
    "get_type": "persona.steer.registry",
    "make": "persona.steer.registry",
    "register": "persona.steer.registry",
    "repair": "persona.steer.repair",
    "resolve": "persona.steer.precedence",
    "validate": "persona.steer.registry",
    "validate_set": "persona.steer.conflicts",
}


def __getattr__(name: str) -> Any:
    # lazy, so that `persona --help` (which registers `persona steer`) stays fast
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'persona.steer' has no attribute {name!r}")
