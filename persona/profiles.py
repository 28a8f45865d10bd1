"""Profiles, constraints and standing instructions of users and tenants (the steering state).

Stored constraints carry provenance: `{cid, id, kwargs, source, created_at, turn_id}`. A new
user constraint replaces an older one of the same type or one it conflicts with (a later
instruction supersedes an earlier one); a set that conflicts within itself is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from persona.errors import InvalidInput, NotFound
from store.db import session_scope
from store.models import Profile, Tenant, User, utcnow
from store.users import find_user, get_or_create_user, get_profile

PROFILE_FIELDS = (
    "about_you",
    "response_style",
    "personality",
    "traits",
    "ambiguity",
    "route_preference",
)
ROUTE_PREFERENCES = ("always_reason", "prefer_fast")
MAX_CONSTRAINTS = 50
MAX_INSTRUCTIONS = 50
MAX_INSTRUCTION_CHARS = 500


def _cid(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def to_constraint(row: dict[str, Any]) -> Any:
    """A stored constraint row as a `persona.steer.types.Constraint`."""
    from persona.steer.types import Constraint

    source = row.get("source")
    level = "developer" if source == "developer" else "user" if source != "one_off" else "one_off"
    return Constraint(id=row["id"], kwargs=row.get("kwargs", {}), source=level)  # type: ignore[arg-type]


def validated(type_id: str, kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """Check the type and kwargs against the registry; returns normalised kwargs."""
    from persona.steer.registry import validate
    from persona.steer.types import Constraint

    if not isinstance(type_id, str) or not type_id:
        raise InvalidInput("a constraint needs an 'id', e.g. 'change_case:english_lowercase'")
    return dict(validate(Constraint(id=type_id, kwargs=kwargs or {})).kwargs)


def refuse_conflicts(rows: Sequence[dict[str, Any]]) -> None:
    """Raise `Conflict` if the set contradicts itself (e.g. lowercase and all capitals)."""
    from persona.steer.conflicts import validate_set

    validate_set([to_constraint(r) for r in rows])


def merge_constraint(
    existing: list[dict[str, Any]], new: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Add `new`, dropping older ones in the same slot (same type; keyword lists add up) or
    that conflict with it: a later instruction supersedes an earlier one."""
    from persona.steer.conflicts import find_conflicts
    from persona.steer.precedence import slot

    fresh = to_constraint(new)
    kept: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for row in existing:
        old = to_constraint(row)
        clash = slot(old) == slot(fresh) or bool(find_conflicts([old, fresh]))
        (dropped if clash else kept).append(row)
    return [*kept, new], dropped


def constraint_row(
    type_id: str, kwargs: dict[str, Any] | None, source: str, turn_id: str | None = None
) -> dict[str, Any]:
    """A storable constraint with provenance (kwargs validated)."""
    return {
        "cid": _cid("c"),
        "id": type_id,
        "kwargs": validated(type_id, kwargs),
        "source": source,
        "created_at": utcnow().isoformat(),
        "turn_id": turn_id,
    }


def instruction_row(text: str, source: str, turn_id: str | None = None) -> dict[str, Any]:
    """A storable free-text standing instruction."""
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("an instruction must not be empty", param="text")
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise InvalidInput(
            f"an instruction is limited to {MAX_INSTRUCTION_CHARS} characters", param="text"
        )
    return {
        "iid": _cid("i"),
        "text": text,
        "source": source,
        "created_at": utcnow().isoformat(),
        "turn_id": turn_id,
    }


def public_profile(user: User, profile: Profile) -> dict[str, Any]:
    """The JSON form of a user's profile (`UserProfile`)."""
    from persona.public import UserProfile

    return UserProfile.of_user(user, profile).model_dump(mode="json")


def _check_fields(values: dict[str, Any]) -> dict[str, Any]:
    from persona.steer.personality import (
        ambiguity_directive,
        normalise_traits,
        personality_directive,
    )

    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown profile field(s): {', '.join(sorted(unknown))}")
    out = dict(values)
    if "personality" in out:
        personality_directive(out["personality"])
        out["personality"] = out["personality"].strip().lower()
    if "traits" in out:
        out["traits"] = normalise_traits(out["traits"] or {})
    if "ambiguity" in out:
        ambiguity_directive(out["ambiguity"])
        out["ambiguity"] = out["ambiguity"].strip().lower()
    pref = out.get("route_preference")
    if pref is not None and pref not in ROUTE_PREFERENCES:
        raise InvalidInput(
            f"route_preference must be one of {', '.join(ROUTE_PREFERENCES)} or null",
            param="route_preference",
        )
    return out


class Profiles:
    """Read and change users' profiles, constraints and instructions, and tenants' rules."""

    def __init__(self, db: Engine) -> None:
        self.db = db

    def _user(
        self, session: Session, tenant_id: str, user: str, create: bool
    ) -> tuple[User, Profile]:
        found = (
            get_or_create_user(session, tenant_id, user)
            if create
            else find_user(session, tenant_id, user)
        )
        if found is None:
            raise NotFound(f"no user {user!r}")
        return found, get_profile(session, found)

    def get(self, tenant_id: str, user: str) -> dict[str, Any]:
        """The user's profile, constraints and instructions."""
        with session_scope(self.db) as session:
            u, p = self._user(session, tenant_id, user, create=False)
            return public_profile(u, p)

    def update(
        self, tenant_id: str, user: str, values: dict[str, Any], *, replace: bool
    ) -> dict[str, Any]:
        """PATCH (`replace=False`) or PUT (`replace=True`: unset fields return to defaults).

        A field given as `null` means "back to its default", in both.
        """
        from persona.steer.personality import validate_profile_text

        defaults = Profile(user_id=0)
        values = {
            name: getattr(defaults, name) if value is None and name in PROFILE_FIELDS else value
            for name, value in values.items()
        }
        values = _check_fields(values)
        with session_scope(self.db) as session:
            u, p = self._user(session, tenant_id, user, create=True)
            if replace:
                defaults = Profile(user_id=p.user_id)
                values = {f: values.get(f, getattr(defaults, f)) for f in PROFILE_FIELDS}
            for name, value in values.items():
                setattr(p, name, value)
            validate_profile_text(p.about_you, p.response_style)
            self._bump(session, p)
            return public_profile(u, p)

    def add_constraints(
        self,
        tenant_id: str,
        user: str,
        items: Sequence[dict[str, Any]],
        source: str = "api",
        turn_id: str | None = None,
    ) -> dict[str, Any]:
        """Add constraints; returns `{"added": [...], "superseded": [...]}`. 409 on a conflict."""
        rows = [constraint_row(i.get("id", ""), i.get("kwargs"), source, turn_id) for i in items]
        refuse_conflicts(rows)
        with session_scope(self.db) as session:
            _, p = self._user(session, tenant_id, user, create=True)
            current, superseded = list(p.constraints), []
            for row in rows:
                current, dropped = merge_constraint(current, row)
                superseded.extend(dropped)
            if len(current) > MAX_CONSTRAINTS:
                raise InvalidInput(f"a user may have at most {MAX_CONSTRAINTS} constraints")
            p.constraints = current
            self._bump(session, p)
        return {"added": rows, "superseded": superseded}

    def remove(self, tenant_id: str, user: str, item_id: str) -> dict[str, Any]:
        """Remove a constraint (`c_...`) or an instruction (`i_...`); returns the removed item."""
        with session_scope(self.db) as session:
            _, p = self._user(session, tenant_id, user, create=False)
            for attr, key in (("constraints", "cid"), ("instructions", "iid")):
                rows: list[dict[str, Any]] = getattr(p, attr)
                hit = next((r for r in rows if r.get(key) == item_id), None)
                if hit is not None:
                    setattr(p, attr, [r for r in rows if r is not hit])
                    self._bump(session, p)
                    return hit
        raise NotFound(f"user {user!r} has no constraint or instruction {item_id!r}")

    def add_instruction(
        self, tenant_id: str, user: str, text: str, source: str = "api", turn_id: str | None = None
    ) -> dict[str, Any]:
        """Add a free-text standing instruction."""
        row = instruction_row(text, source, turn_id)
        with session_scope(self.db) as session:
            _, p = self._user(session, tenant_id, user, create=True)
            if len(p.instructions) >= MAX_INSTRUCTIONS:
                raise InvalidInput(f"a user may have at most {MAX_INSTRUCTIONS} instructions")
            p.instructions = [*p.instructions, row]
            self._bump(session, p)
        return row

    def tenant_rules(self, tenant_id: str) -> dict[str, Any]:
        """The developer-level instructions and constraints of a tenant."""
        with session_scope(self.db) as session:
            t = session.get(Tenant, tenant_id)
            if t is None:
                raise NotFound("no such tenant")
            return {"instructions": t.instructions, "constraints": t.constraints}

    def set_tenant_rules(
        self, tenant_id: str, instructions: str | None, constraints: Sequence[dict[str, Any]] | None
    ) -> dict[str, Any]:
        """Replace the tenant's developer instructions and/or constraints (they outrank users')."""
        with session_scope(self.db) as session:
            t = session.get(Tenant, tenant_id)
            if t is None:
                raise NotFound("no such tenant")
            if instructions is not None:
                if len(instructions) > 8000:
                    raise InvalidInput("developer instructions are limited to 8000 characters")
                t.instructions = instructions
            if constraints is not None:
                rows = [
                    constraint_row(c.get("id", ""), c.get("kwargs"), "developer")
                    for c in constraints
                ]
                refuse_conflicts(rows)
                t.constraints = rows
            session.add(t)
            return {"instructions": t.instructions, "constraints": t.constraints}

    def set_from_text(self, tenant_id: str, user: str, text: str) -> dict[str, Any]:
        """Store a preference said in words: checkable parts become constraints, any rest an
        instruction. Returns `{"constraints": {"added", "superseded"}, "instruction": row|None}`."""
        from persona.steer.parse import parse_preferences

        parsed = parse_preferences(text)
        added: dict[str, Any] = {"added": [], "superseded": []}
        if parsed.constraints:
            added = self.add_constraints(tenant_id, user, [c.as_dict() for c in parsed.constraints])
        instruction = None
        if not parsed.constraints or parsed.instructions:
            rest = " ".join(parsed.instructions) or text
            instruction = self.add_instruction(tenant_id, user, rest)
        return {"constraints": added, "instruction": instruction}

    @staticmethod
    def _bump(session: Session, p: Profile) -> None:
        p.version += 1
        p.updated_at = utcnow()
        session.add(p)
