"""Response language: the whole reply in one given language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from persona.steer.checks.language import LANGUAGE_NAMES, detect_language
from persona.steer.registry import ConstraintType, Param
from persona.steer.types import Verdict

LANGUAGE = "language:response_language"


def _check(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    found = detect_language(reply)
    if found is None or found == kwargs["language"]:
        return Verdict(id=LANGUAGE, passed=True)
    want = LANGUAGE_NAMES[kwargs["language"]]
    got = LANGUAGE_NAMES.get(found, found)
    return Verdict(id=LANGUAGE, passed=False, detail=f"the reply is in {got}, not {want}")


TYPES = (
    ConstraintType(
        id=LANGUAGE,
        params=(Param("language", str, choices=tuple(LANGUAGE_NAMES)),),
        describe=lambda kw: (
            f"Write your entire reply in {LANGUAGE_NAMES[kw['language']]}; "
            "no other language is allowed."
        ),
        check=_check,
    ),
)
