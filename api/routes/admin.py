"""Mount the admin API (`/admin/v1/...`) and the admin web page (`/admin`).

The routes answer 404, as if absent, unless an admin key is configured: `PERSONA_ADMIN_KEY`
or a key made by `persona admin keys create`. Checked per request (one indexed query), so a
key created while the server runs takes effect without a restart.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from sqlmodel import select
from starlette.exceptions import HTTPException

from api.routes import admin_memories, admin_tenants, admin_ui, admin_users
from persona.config import Settings
from store.db import session_scope
from store.models import AdminKey


def admin_configured(request: Request) -> None:
    """404 unless an admin key exists (in settings or in the database)."""
    runtime = request.app.state.runtime
    if runtime.settings.admin_key:
        return
    with session_scope(runtime.db) as session:
        row = session.exec(select(AdminKey.id).where(AdminKey.disabled == False).limit(1)).first()  # noqa: E712
    if row is None:
        raise HTTPException(status_code=404, detail="Not Found")


def include(app: FastAPI, settings: Settings) -> None:
    """Add the admin routers and the admin page to `app` (gated by `admin_configured`)."""
    del settings  # the gate reads the runtime's settings per request
    gate = [Depends(admin_configured)]
    # admin_users last among the user routes: its `/{user_id:path}` matches any longer path
    for module in (admin_tenants, admin_memories, admin_users, admin_ui):
        app.include_router(module.router, dependencies=gate)
