"""Checking a reply against constraints, and applying lossless repairs in a safe order.

A repair is kept only if its own constraint then passes and no constraint that passed
before now fails; otherwise it is undone. Repairs run cuts first (length), then appends
(end phrase, postscript), then character rewrites (case, commas), then wrapping (quotes).

`fall_back` is the last resort, once repairs and the re-ask failed: each failing rule's
fallback (a cut marked as such, a notice in the required language), kept on the same terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from persona.steer.registry import ConstraintType, get_type
from persona.steer.types import Constraint, RepairResult, Verdict


def _resolved(constraints: Sequence[Constraint]) -> list[tuple[ConstraintType, dict[str, Any]]]:
    out = []
    for c in constraints:
        ctype = get_type(c.id)
        out.append((ctype, ctype.validate(c.kwargs)))
    return out


def _check_all(resolved: list[tuple[ConstraintType, dict[str, Any]]], reply: str) -> list[Verdict]:
    return [ctype.check(reply, kwargs) for ctype, kwargs in resolved]


def check(constraints: Sequence[Constraint], reply: str) -> list[Verdict]:
    """One verdict per constraint, in order; InvalidInput for an unknown id or bad kwargs."""
    return _check_all(_resolved(constraints), reply)


def repair(constraints: Sequence[Constraint], reply: str) -> RepairResult:
    """The reply with every safe lossless repair applied, and the verdicts re-checked."""
    resolved = _resolved(constraints)
    verdicts = before = _check_all(resolved, reply)
    text, applied = reply, []
    order = sorted(range(len(resolved)), key=lambda i: (resolved[i][0].repair_rank, i))
    for _ in range(2):  # a second pass catches repairs unblocked by a later one
        changed = False
        for i in order:
            ctype, kwargs = resolved[i]
            if verdicts[i].passed or ctype.repair is None:
                continue
            candidate = ctype.repair(text, kwargs)
            if candidate is None or candidate == text:
                continue
            after = _check_all(resolved, candidate)
            broke = any(v.passed and not a.passed for v, a in zip(verdicts, after, strict=True))
            if after[i].passed and not broke:
                text, verdicts, changed = candidate, after, True
                applied.append(ctype.id)
        if not changed:
            break
    return RepairResult(text=text, applied=applied, verdicts=verdicts, before=before)


def fall_back(constraints: Sequence[Constraint], result: RepairResult) -> RepairResult:
    """`result` with the fallback of each rule it still breaks, where one helps.

    A fallback is kept, with the lossless repairs run again after it, only if its own rule then
    passes and no rule that passed before fails; `fell_back` names the rules it was used for.
    """
    resolved = _resolved(constraints)
    best = result
    order = sorted(range(len(resolved)), key=lambda i: (resolved[i][0].repair_rank, i))
    for i in order:
        ctype, kwargs = resolved[i]
        if best.verdicts[i].passed or ctype.fallback is None:
            continue
        candidate = ctype.fallback(best.text, kwargs)
        if candidate is None or candidate == best.text:
            continue
        again = repair(constraints, candidate)
        pairs = zip(best.verdicts, again.verdicts, strict=True)
        if again.verdicts[i].passed and not any(v.passed and not a.passed for v, a in pairs):
            best = RepairResult(
                text=again.text,
                applied=[*best.applied, *again.applied],
                verdicts=again.verdicts,
                before=result.before,
                fell_back=[*best.fell_back, ctype.id],
            )
    return best


def reask_prompt(constraints: Sequence[Constraint], verdicts: Sequence[Verdict]) -> str:
    """The re-ask: each broken rule stated literally with what was wrong, then restated in the
    words a model follows best where its type has them (a language rule in that language)."""
    lines: list[str] = []
    restated: list[str] = []
    for (ctype, kwargs), verdict in zip(_resolved(constraints), verdicts, strict=True):
        if verdict.passed:
            continue
        detail = f" (your reply: {verdict.detail})" if verdict.detail else ""
        lines.append(f"- {ctype.describe(kwargs)}{detail}")
        if ctype.reask is not None:
            restated.append(ctype.reask(kwargs))
    return "\n".join(
        [
            "Your reply broke these rules:",
            *lines,
            "Write the reply again, following every rule. Output only the reply.",
            *restated,
        ]
    )
