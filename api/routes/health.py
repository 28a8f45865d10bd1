"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import RuntimeDep
from store.db import SchemaError, check_schema

router = APIRouter(tags=["health"])


class Alive(BaseModel):
    """The process is up."""

    status: Literal["ok"]


class Ready(BaseModel):
    """The database answers and its schema is current."""

    status: Literal["ready"]
    database: str


class Unavailable(BaseModel):
    """Not ready, and why."""

    status: Literal["unavailable"]
    reason: str


@router.get("/healthz")
async def healthz() -> Alive:
    """The process is up."""
    return Alive(status="ok")


@router.get(
    "/readyz",
    response_model=Ready,
    responses={503: {"model": Unavailable, "description": "Not ready (the reason says why)"}},
)
def readyz(runtime: RuntimeDep) -> Ready | JSONResponse:
    """The database answers and its schema is current."""
    try:
        with runtime.db.connect() as conn:
            conn.execute(text("SELECT 1"))
        check_schema(runtime.db)
    except SchemaError as exc:
        return _unavailable(str(exc))
    except Exception as exc:
        return _unavailable(f"database unreachable: {type(exc).__name__}")
    return Ready(status="ready", database=runtime.db.dialect.name)


def _unavailable(reason: str) -> JSONResponse:
    body = Unavailable(status="unavailable", reason=reason)
    return JSONResponse(body.model_dump(), status_code=503)
