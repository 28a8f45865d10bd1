"""The registry of constraint types: each id's rule, kwargs schema, checker and repair.

Built-in types live in :mod:`persona.steer.checks` (one module per family) and register
themselves through :func:`register`, the same way a third-party type would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from persona.errors import InvalidInput
from persona.steer.types import Constraint, Verdict

RELATIONS = ("less than", "at least")

Checker = Callable[[str, Mapping[str, Any]], Verdict]
Repair = Callable[[str, Mapping[str, Any]], "str | None"]
Describer = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Param:
    """One keyword argument of a constraint type."""

    name: str
    kind: type  # int, str or list (of non-empty strings)
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: int | None = None

    def validate(self, type_id: str, value: Any) -> Any:
        """The value, normalised, or InvalidInput saying what is wrong with it."""
        where = f"{type_id}: {self.name}"
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise InvalidInput(f"{where} must be an integer, got {value!r}", param=self.name)
            try:
                value = int(value)
            except ValueError:
                raise InvalidInput(
                    f"{where} must be an integer, got {value!r}", self.name
                ) from None
            if self.minimum is not None and value < self.minimum:
                raise InvalidInput(f"{where} must be >= {self.minimum}, got {value}", self.name)
            return value
        if self.kind is list:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list | tuple) or not value:
                raise InvalidInput(f"{where} must be a non-empty list of strings", self.name)
            items = [v.strip() for v in value if isinstance(v, str)]
            if len(items) != len(value) or not all(items):
                raise InvalidInput(f"{where} must be a non-empty list of strings", self.name)
            return items
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"{where} must be a non-empty string, got {value!r}", self.name)
        value = value.strip()
        if self.choices:
            folded = {c.lower(): c for c in self.choices}
            if value.lower() not in folded:
                options = ", ".join(repr(c) for c in self.choices)
                raise InvalidInput(f"{where} must be one of {options}, got {value!r}", self.name)
            value = folded[value.lower()]
        return value


@dataclass(frozen=True)
class ConstraintType:
    """A registered constraint type: the literal rule, the kwargs, the checker and the repair.

    `repair` is None where any repair would change the reply's meaning; a repair may also
    return None for a particular reply it cannot fix losslessly. `repair_rank` orders repairs:
    cuts first, then appends, then rewrites of characters, then wrapping.

    `reask` restates the rule for a re-ask where the plain description was not enough (a
    language rule in that language). `fallback` is the last resort once repair and re-ask
    failed: a lossy change that says what it lost (a cut marked with an ellipsis, a notice in
    the required language), never an invented rewrite; None where there is no honest one.
    """

    id: str
    params: tuple[Param, ...]
    describe: Describer
    check: Checker
    repair: Repair | None = None
    repair_rank: int = 50
    reask: Describer | None = None
    fallback: Repair | None = None
    extra_validation: Callable[[Mapping[str, Any]], None] | None = field(default=None)

    def validate(self, kwargs: Mapping[str, Any] | None) -> dict[str, Any]:
        """Normalised kwargs, or InvalidInput for a missing, unknown or malformed argument."""
        given = {k: v for k, v in (kwargs or {}).items() if v is not None}
        known = {p.name for p in self.params}
        unknown = sorted(set(given) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise InvalidInput(
                f"{self.id}: unknown argument(s) {', '.join(unknown)} (allowed: {allowed})",
                param=unknown[0],
            )
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = p.validate(self.id, given[p.name])
            elif p.required:
                raise InvalidInput(f"{self.id}: missing argument {p.name}", param=p.name)
        if self.extra_validation is not None:
            self.extra_validation(out)
        return out


_REGISTRY: dict[str, ConstraintType] = {}
_builtins_loaded = False


def register(ctype: ConstraintType, *, replace: bool = False) -> None:
    """Add a constraint type; refuses to shadow an existing id unless `replace`."""
    if ctype.id in _REGISTRY and not replace:
        raise ValueError(f"constraint type {ctype.id!r} is already registered")
    _REGISTRY[ctype.id] = ctype


def _load_builtins() -> None:
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        from persona.steer.checks import register_builtins

        register_builtins(register)


def all_types() -> dict[str, ConstraintType]:
    """Every registered constraint type by id."""
    _load_builtins()
    return dict(_REGISTRY)


def get_type(type_id: str) -> ConstraintType:
    """The registered type for `type_id`, or InvalidInput naming the unknown id."""
    _load_builtins()
    try:
        return _REGISTRY[type_id]
    except KeyError:
        raise InvalidInput(f"unknown constraint id {type_id!r}", param="id") from None


def validate(constraint: Constraint) -> Constraint:
    """The constraint with normalised kwargs; InvalidInput for an unknown id or bad kwargs."""
    kwargs = get_type(constraint.id).validate(constraint.kwargs)
    return constraint.model_copy(update={"kwargs": kwargs})


def make(type_id: str, **kwargs: Any) -> Constraint:
    """A validated constraint from an id and kwargs (a convenience for code and tests)."""
    return validate(Constraint(id=type_id, kwargs=kwargs))


def describe(constraint: Constraint) -> str:
    """The rule a constraint states, written literally for a system prompt."""
    ctype = get_type(constraint.id)
    return ctype.describe(ctype.validate(constraint.kwargs))


def relation_ok(count: int, relation: str, threshold: int) -> bool:
    """IFEval's comparison: 'less than' is count < threshold, 'at least' is count >= threshold."""
    return count < threshold if relation == "less than" else count >= threshold
