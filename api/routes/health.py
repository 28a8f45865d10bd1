"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import RuntimeDep
from store.db import SchemaError, check_schema

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(runtime: RuntimeDep) -> dict[str, Any] | JSONResponse:
    """The database answers and its schema is current."""
    try:
        with runtime.db.connect() as conn:
            conn.execute(text("SELECT 1"))
        check_schema(runtime.db)
    except SchemaError as exc:
        return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
    except Exception as exc:
        reason = f"database unreachable: {type(exc).__name__}"
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    return {"status": "ready", "database": runtime.db.dialect.name}
