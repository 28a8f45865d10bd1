"""A user's proposed constraints (read by the background model parse): list, confirm, reject."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import RuntimeDep, TenantDep
from persona.steer.proposal_types import ProposalPublic, ProposalsPublic
from persona.steer.proposals import Proposals

router = APIRouter(tags=["steering"])

UserPath = Path(min_length=1, max_length=256, description="the end user's id in your app")
StatusQuery = Query(description="only proposals in this state (default: all, newest first)")


@router.get("/v1/users/{user:path}/proposals", response_model=ProposalsPublic)
async def list_proposals(
    rt: RuntimeDep,
    tenant: TenantDep,
    user: str = UserPath,
    status: Annotated[
        Literal["proposed", "accepted", "rejected", "superseded"] | None, StatusQuery
    ] = None,
) -> ProposalsPublic:
    """Constraints the model parse read in the user's messages: proposed ones are not in force
    until confirmed (or kept without objection), each with the turn it came from."""
    return await run_in_threadpool(Proposals(rt.db).listing, tenant.id, user, status)


@router.post("/v1/users/{user:path}/proposals/{pid}/confirm", response_model=ProposalPublic)
async def confirm_proposal(
    rt: RuntimeDep, tenant: TenantDep, pid: str, user: str = UserPath
) -> ProposalPublic:
    """Bring a proposal into force as a stored constraint (409 unless still proposed)."""
    return await run_in_threadpool(Proposals(rt.db).confirm, tenant.id, user, pid)


@router.post("/v1/users/{user:path}/proposals/{pid}/reject", response_model=ProposalPublic)
async def reject_proposal(
    rt: RuntimeDep, tenant: TenantDep, pid: str, user: str = UserPath
) -> ProposalPublic:
    """Drop a proposal: it is not proposed again from the same sentence (409 unless proposed)."""
    return await run_in_threadpool(Proposals(rt.db).reject, tenant.id, user, pid)
