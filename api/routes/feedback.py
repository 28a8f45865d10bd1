"""`POST /v1/feedback`: thumbs up/down and "regenerate with reasoning" on a reply."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import RuntimeDep, TenantDep
from persona.feedback import record_feedback
from persona.public import FeedbackRecorded

router = APIRouter(tags=["routing"])


class FeedbackIn(BaseModel):
    """Feedback on one reply, named by the response `id` (`chatcmpl-...`) or the turn id."""

    model_config = ConfigDict(extra="forbid")

    response_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down", "regenerate_reasoning"]
    comment: str = Field(default="", max_length=2000)


@router.post("/v1/feedback", status_code=201)
async def feedback(body: FeedbackIn, rt: RuntimeDep, tenant: TenantDep) -> FeedbackRecorded:
    """Store the feedback and adjust the tenant's routing threshold from it."""
    recorded = await run_in_threadpool(
        record_feedback, rt.db, tenant.id, body.response_id, body.rating, body.comment
    )
    return FeedbackRecorded.model_validate(recorded)
