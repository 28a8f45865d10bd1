"""Steering: typed, verifiable constraints on replies, with checkers, repairs and precedence.

Constraint ids are IFEval's instruction ids (``change_case:english_lowercase``, ...) with
IFEval's kwargs names, plus ``style:*`` ids for product constraints.
"""

from __future__ import annotations

from persona.steer.conflicts import find_conflicts, validate_set
from persona.steer.precedence import Dropped, Resolution, resolve
from persona.steer.registry import (
    ConstraintType,
    Param,
    all_types,
    describe,
    get_type,
    make,
    register,
    validate,
)
from persona.steer.repair import check, fall_back, reask_prompt, repair
from persona.steer.types import Constraint, RepairResult, Verdict

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
    "fall_back",
    "find_conflicts",
    "get_type",
    "make",
    "reask_prompt",
    "register",
    "repair",
    "resolve",
    "validate",
    "validate_set",
]
