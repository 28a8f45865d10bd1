"""OpenAI-compatible Responses API (`POST /v1/responses`, `GET`/`DELETE /v1/responses/{id}`,
`GET /v1/responses/{id}/input_items`), answered by the same engine as Chat Completions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import EngineDep, RuntimeDep, TenantDep
from api.schemas import SSE, InputItems, ResponseDeleted, ResponseObject
from persona.errors import InvalidInput
from persona.responses import prepare, stored
from persona.responses.reply import sse

router = APIRouter(tags=["responses"])


@router.post(
    "/v1/responses",
    response_model=None,
    responses={200: {"model": ResponseObject, "content": SSE}},
)
async def create_response(
    tenant: TenantDep,
    engine: EngineDep,
    runtime: RuntimeDep,
    http: Request,
    x_persona_user: Annotated[str | None, Header()] = None,
) -> JSONResponse | StreamingResponse:
    """Answer like OpenAI's Responses API, plus a `persona` object with the trace."""
    try:
        body = await http.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object")
    call = await run_in_threadpool(
        prepare,
        runtime.db,
        tenant.id,
        body,
        x_persona_user,
        http.headers.get("x-persona-memory"),
        http.headers.get("x-persona-project"),
    )
    if not call.request.stream:
        reply = await engine.achat(tenant.id, call.request)
        return JSONResponse(await run_in_threadpool(call.finish, reply))
    events = engine.astream(tenant.id, call.request, chunks=True)
    # the first item comes before any byte is sent: bad input still gets a status code
    first = await anext(events)
    return StreamingResponse(
        (sse(e) async for e in call.aevents(first, events, engine.offload)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/v1/responses/{rid}", response_model=None, responses={200: {"model": ResponseObject}})
async def get_response(rid: str, tenant: TenantDep, runtime: RuntimeDep) -> JSONResponse:
    """A stored response, as it was returned."""
    row = await run_in_threadpool(stored.fetch, runtime.db, tenant.id, rid)
    return JSONResponse({**row.response, "output": row.output_items})


@router.delete("/v1/responses/{rid}")
async def delete_response(rid: str, tenant: TenantDep, runtime: RuntimeDep) -> ResponseDeleted:
    """Delete a stored response (the turns and memories of the exchange stay)."""
    await run_in_threadpool(stored.delete, runtime.db, tenant.id, rid)
    return ResponseDeleted(id=rid, object="response.deleted", deleted=True)


@router.get("/v1/responses/{rid}/input_items")
async def input_items(
    rid: str, tenant: TenantDep, runtime: RuntimeDep, order: str = "desc", limit: int = 20
) -> InputItems:
    """The input items of a stored response (`order` asc|desc, at most `limit`)."""
    if order not in ("asc", "desc") or not 1 <= limit <= 100:
        raise InvalidInput("order must be 'asc' or 'desc' and limit 1-100", param="order")
    row = await run_in_threadpool(stored.fetch, runtime.db, tenant.id, rid)
    items = [
        {"id": item.get("id") or f"{rid}_in_{i}", **item} for i, item in enumerate(row.input_items)
    ]
    if order == "desc":
        items.reverse()
    page = items[:limit]
    return InputItems(
        object="list",
        data=page,
        first_id=page[0]["id"] if page else None,
        last_id=page[-1]["id"] if page else None,
        has_more=len(items) > limit,
    )
