"""OpenAI-compatible Responses API (`POST /v1/responses`, `GET`/`DELETE /v1/responses/{id}`,
`GET /v1/responses/{id}/input_items`), answered by the same engine as Chat Completions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import EngineDep, RuntimeDep, TenantDep
from api.responses_in import to_request
from api.responses_out import finished, now, output_items, response_id, skeleton, stream_events
from api.schemas import SSE, InputItems, ResponseDeleted, ResponseObject
from persona.errors import InvalidInput, NotFound
from persona.wire import end_user, memory_controls
from store.db import session_scope
from store.models import StoredResponse
from store.responses import conversation, find_response
from store.users import find_user

router = APIRouter(tags=["responses"])


def _history(runtime: Any, tenant_id: str, user: str, previous: Any) -> list[dict[str, Any]]:
    """The stored conversation `previous_response_id` continues (the same tenant and user)."""
    if previous is None:
        return []
    if not isinstance(previous, str):
        raise InvalidInput("previous_response_id must be a string", param="previous_response_id")
    with session_scope(runtime.db) as session:
        found = find_user(session, tenant_id, user)
        row = found and find_response(session, tenant_id, previous, found.id)
        if not row:
            raise NotFound(
                f"no stored response {previous!r} for this user; it was deleted, stored with "
                "store: false, or belongs to another user",
            )
        return conversation(session, row)


def _save(
    runtime: Any, tenant_id: str, user: str, items: list[dict[str, Any]], final: dict[str, Any]
) -> None:
    with session_scope(runtime.db) as session:
        found = find_user(session, tenant_id, user)
        if found is None or found.id is None:  # nothing was recorded for this user
            return
        trace = final.get("persona") or {}
        session.add(
            StoredResponse(
                id=final["id"],
                tenant_id=tenant_id,
                user_id=found.id,
                turn_id=trace.get("turn_id"),
                previous_response_id=final.get("previous_response_id"),
                input_items=items,
                output_items=final["output"],
                response={k: v for k, v in final.items() if k != "output"},
            )
        )


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
    user = end_user(body, x_persona_user)
    previous = body.get("previous_response_id")
    history = await run_in_threadpool(_history, runtime, tenant.id, user, previous)
    request, items = to_request(body, x_persona_user, history)
    request = memory_controls(
        request, body, http.headers.get("x-persona-memory"), http.headers.get("x-persona-project")
    )
    store = request.record and request.memory != "off"
    response = skeleton(response_id(), body, now(), previous)

    def on_done(final: dict[str, Any]) -> None:
        if store:
            _save(runtime, tenant.id, user, items, final)

    if not request.stream:
        reply = await run_in_threadpool(engine.chat, tenant.id, request)
        final = finished(response, reply, output_items(reply))
        await run_in_threadpool(on_done, final)
        return JSONResponse(final)
    events = engine.stream(tenant.id, request, chunks=True)
    # the first item comes before any byte is sent: bad input still gets a status code
    first = await run_in_threadpool(next, events)
    return StreamingResponse(
        stream_events(response, first, events, on_done),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _stored(runtime: Any, tenant_id: str, rid: str) -> StoredResponse:
    with session_scope(runtime.db) as session:
        row = find_response(session, tenant_id, rid)
        if row is None:
            raise NotFound(f"no stored response {rid!r}")
        session.expunge(row)
        return row


@router.get("/v1/responses/{rid}", response_model=None, responses={200: {"model": ResponseObject}})
async def get_response(rid: str, tenant: TenantDep, runtime: RuntimeDep) -> JSONResponse:
    """A stored response, as it was returned."""
    row = await run_in_threadpool(_stored, runtime, tenant.id, rid)
    return JSONResponse({**row.response, "output": row.output_items})


@router.delete("/v1/responses/{rid}")
async def delete_response(rid: str, tenant: TenantDep, runtime: RuntimeDep) -> ResponseDeleted:
    """Delete a stored response (the turns and memories of the exchange stay)."""

    def drop() -> None:
        with session_scope(runtime.db) as session:
            row = find_response(session, tenant.id, rid)
            if row is None:
                raise NotFound(f"no stored response {rid!r}")
            session.delete(row)

    await run_in_threadpool(drop)
    return ResponseDeleted(id=rid, object="response.deleted", deleted=True)


@router.get("/v1/responses/{rid}/input_items")
async def input_items(
    rid: str, tenant: TenantDep, runtime: RuntimeDep, order: str = "desc", limit: int = 20
) -> InputItems:
    """The input items of a stored response (`order` asc|desc, at most `limit`)."""
    if order not in ("asc", "desc") or not 1 <= limit <= 100:
        raise InvalidInput("order must be 'asc' or 'desc' and limit 1-100", param="order")
    row = await run_in_threadpool(_stored, runtime, tenant.id, rid)
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
