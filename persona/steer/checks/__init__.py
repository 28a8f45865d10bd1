"""Built-in constraint types, one module per family; each module exposes ``TYPES``."""

from __future__ import annotations

from collections.abc import Callable

from persona.steer.registry import ConstraintType


def register_builtins(register: Callable[[ConstraintType], None]) -> None:
    """Register every built-in constraint type through `register`."""
    from persona.steer.checks import case, content, keywords, language_rule, layout, length, style

    for module in (case, keywords, language_rule, length, layout, content, style):
        for ctype in module.TYPES:
            register(ctype)
