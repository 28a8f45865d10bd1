"""A user's profile, constraints and instructions; the tenant's developer-level rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import RuntimeDep, TenantDep
from persona.profiles import Profiles
from persona.public import (
    ConstraintList,
    ConstraintsAdded,
    InstructionAdded,
    Instructions,
    Removed,
    TenantRules,
    UserProfile,
)

router = APIRouter(tags=["steering"])

UserPath = Path(min_length=1, max_length=256, description="the end user's id in your app")


class ProfileIn(BaseModel):
    """Editable profile fields (PUT: all, unset ones reset; PATCH: only those given)."""

    model_config = ConfigDict(extra="forbid")

    about_you: str | None = Field(default=None, max_length=1500)
    response_style: str | None = Field(default=None, max_length=1500)
    personality: str | None = None
    traits: dict[str, int | str] | None = None
    ambiguity: str | None = None
    route_preference: str | None = None


class ConstraintIn(BaseModel):
    """A constraint: a type id (IFEval's, or `style:*`) and its kwargs."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    kwargs: dict[str, Any] = Field(default_factory=dict)


class ConstraintsIn(BaseModel):
    """One or more constraints to add (a set that conflicts within itself is refused: 409)."""

    constraints: list[ConstraintIn] = Field(min_length=1, max_length=50)


class InstructionIn(BaseModel):
    """A free-text standing instruction, or a sentence to parse into constraints."""

    text: str = Field(min_length=1, max_length=500)


class TenantRulesIn(BaseModel):
    """Developer-level rules that outrank every user's."""

    model_config = ConfigDict(extra="forbid")

    instructions: str | None = Field(default=None, max_length=8000)
    constraints: list[ConstraintIn] | None = None


@router.get("/v1/users/{user:path}/profile")
async def get_profile(rt: RuntimeDep, tenant: TenantDep, user: str = UserPath) -> UserProfile:
    """The user's profile, constraints and standing instructions."""
    return UserProfile.model_validate(await run_in_threadpool(Profiles(rt.db).get, tenant.id, user))


@router.put("/v1/users/{user:path}/profile")
async def put_profile(
    body: ProfileIn, rt: RuntimeDep, tenant: TenantDep, user: str = UserPath
) -> UserProfile:
    """Replace the editable profile fields (unset fields go back to their defaults)."""
    values = body.model_dump(exclude_unset=True)
    profiles = Profiles(rt.db)
    return UserProfile.model_validate(
        await run_in_threadpool(profiles.update, tenant.id, user, values, replace=True)
    )


@router.patch("/v1/users/{user:path}/profile")
async def patch_profile(
    body: ProfileIn, rt: RuntimeDep, tenant: TenantDep, user: str = UserPath
) -> UserProfile:
    """Change only the given profile fields."""
    values = body.model_dump(exclude_unset=True)
    profiles = Profiles(rt.db)
    return UserProfile.model_validate(
        await run_in_threadpool(profiles.update, tenant.id, user, values, replace=False)
    )


@router.get("/v1/users/{user:path}/constraints")
async def list_constraints(
    rt: RuntimeDep, tenant: TenantDep, user: str = UserPath
) -> ConstraintList:
    """The user's stored constraints with provenance."""
    profile = await run_in_threadpool(Profiles(rt.db).get, tenant.id, user)
    return ConstraintList(constraints=profile["constraints"])


@router.post("/v1/users/{user:path}/constraints", status_code=201)
async def add_constraints(
    body: ConstraintsIn, rt: RuntimeDep, tenant: TenantDep, user: str = UserPath
) -> ConstraintsAdded:
    """Add constraints; older ones of the same type or in conflict are superseded (listed)."""
    items = [c.model_dump() for c in body.constraints]
    added = await run_in_threadpool(Profiles(rt.db).add_constraints, tenant.id, user, items)
    return ConstraintsAdded.model_validate(added)


@router.delete("/v1/users/{user:path}/constraints/{cid}")
async def delete_constraint(
    rt: RuntimeDep, tenant: TenantDep, cid: str, user: str = UserPath
) -> Removed:
    """Remove one constraint (`c_...`) or instruction (`i_...`); returns what was removed."""
    removed = await run_in_threadpool(Profiles(rt.db).remove, tenant.id, user, cid)
    return Removed.model_validate({"removed": removed})


@router.get("/v1/users/{user:path}/instructions")
async def list_instructions(
    rt: RuntimeDep, tenant: TenantDep, user: str = UserPath
) -> Instructions:
    """Constraints and free-text instructions in force for the user."""
    profile = await run_in_threadpool(Profiles(rt.db).get, tenant.id, user)
    return Instructions(constraints=profile["constraints"], instructions=profile["instructions"])


@router.post("/v1/users/{user:path}/instructions", status_code=201)
async def add_instruction(
    body: InstructionIn, rt: RuntimeDep, tenant: TenantDep, user: str = UserPath
) -> InstructionAdded:
    """Store a standing preference said in words: checkable parts become constraints."""
    added = await run_in_threadpool(Profiles(rt.db).set_from_text, tenant.id, user, body.text)
    return InstructionAdded.model_validate(added)


@router.delete("/v1/users/{user:path}/instructions/{item_id}")
async def delete_instruction(
    rt: RuntimeDep, tenant: TenantDep, item_id: str, user: str = UserPath
) -> Removed:
    """Remove one instruction (`i_...`) or constraint (`c_...`)."""
    removed = await run_in_threadpool(Profiles(rt.db).remove, tenant.id, user, item_id)
    return Removed.model_validate({"removed": removed})


@router.get("/v1/tenant/instructions")
async def get_tenant_rules(rt: RuntimeDep, tenant: TenantDep) -> TenantRules:
    """The tenant's developer instructions and constraints."""
    return TenantRules.model_validate(
        await run_in_threadpool(Profiles(rt.db).tenant_rules, tenant.id)
    )


@router.put("/v1/tenant/instructions")
async def put_tenant_rules(body: TenantRulesIn, rt: RuntimeDep, tenant: TenantDep) -> TenantRules:
    """Replace the tenant's developer instructions and/or constraints (they outrank users')."""
    constraints = None if body.constraints is None else [c.model_dump() for c in body.constraints]
    rules = await run_in_threadpool(
        Profiles(rt.db).set_tenant_rules, tenant.id, body.instructions, constraints
    )
    return TenantRules.model_validate(rules)
