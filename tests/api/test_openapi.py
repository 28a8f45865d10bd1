"""The OpenAPI document of a running server: every operation names the schema of its success
answer and the errors it can give, each error with the one `ErrorBody` schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.api.conftest import LiveServer

V1 = [400, 401, 404, 429, 500]  # a key-checked read of a named resource
V1_WRITE = [400, 401, 404, 409, 413, 429, 500]
ADMIN = [400, 401, 403, 404, 429, 500]
ADMIN_WRITE = [400, 401, 403, 404, 409, 413, 429, 500]
CHAT = [400, 401, 404, 409, 413, 429, 500, 502, 504]
USER = "/v1/users/{user}"
ADMIN_USER = "/admin/v1/tenants/{tenant_id}/users/{user_id}"

# operation -> (success status, schema of its body, error statuses)
OPERATIONS: dict[str, tuple[int, str, list[int]]] = {
    "GET /healthz": (200, "Alive", [400, 500]),
    "GET /readyz": (200, "Ready", [400, 500, 503]),
    "POST /v1/chat/completions": (200, "ChatCompletion", CHAT),
    "GET /v1/models": (200, "ModelList", [400, 401, 429, 500]),
    "GET /v1/models/{model_id}": (200, "ModelCard", V1),
    "POST /v1/responses": (200, "ResponseObject", CHAT),
    "GET /v1/responses/{rid}": (200, "ResponseObject", V1),
    "DELETE /v1/responses/{rid}": (200, "ResponseDeleted", [400, 401, 404, 413, 429, 500]),
    "GET /v1/responses/{rid}/input_items": (200, "InputItems", V1),
    f"GET {USER}/profile": (200, "UserProfile", V1),
    f"PUT {USER}/profile": (200, "UserProfile", V1_WRITE),
    f"PATCH {USER}/profile": (200, "UserProfile", V1_WRITE),
    f"GET {USER}/constraints": (200, "ConstraintList", V1),
    f"POST {USER}/constraints": (201, "ConstraintsAdded", V1_WRITE),
    f"DELETE {USER}/constraints/{{cid}}": (200, "Removed", [400, 401, 404, 413, 429, 500]),
    f"GET {USER}/proposals": (200, "ProposalsPublic", V1),
    f"POST {USER}/proposals/{{pid}}/confirm": (200, "ProposalPublic", V1_WRITE),
    f"POST {USER}/proposals/{{pid}}/reject": (200, "ProposalPublic", V1_WRITE),
    f"GET {USER}/instructions": (200, "Instructions", V1),
    f"POST {USER}/instructions": (201, "InstructionAdded", V1_WRITE),
    f"DELETE {USER}/instructions/{{item_id}}": (200, "Removed", [400, 401, 404, 413, 429, 500]),
    "GET /v1/tenant/instructions": (200, "TenantRules", [400, 401, 429, 500]),
    "PUT /v1/tenant/instructions": (200, "TenantRules", [400, 401, 409, 413, 429, 500]),
    f"GET {USER}/memories": (200, "MemoryList", V1),
    f"POST {USER}/memories": (201, "MemoryPublic", V1_WRITE),
    f"DELETE {USER}/memories": (200, "Purged", [400, 401, 404, 413, 429, 500]),
    f"POST {USER}/memories/search": (200, "SearchResults", V1_WRITE),
    f"GET {USER}/memories/export": (200, "DataExport", V1),
    f"GET {USER}/memories/summary": (200, "MemorySummary", V1),
    f"PUT {USER}/memories/summary": (200, "SummaryEdited", V1_WRITE),
    f"GET {USER}/memories/history": (200, "HistoryList", V1),
    f"GET {USER}/memories/{{memory_id}}": (200, "MemoryPublic", V1),
    f"PATCH {USER}/memories/{{memory_id}}": (200, "MemoryPublic", V1_WRITE),
    f"DELETE {USER}/memories/{{memory_id}}": (200, "MemoryPublic", [400, 401, 404, 413, 429, 500]),
    f"POST {USER}/memories/{{memory_id}}/suppress": (200, "MemoryPublic", V1_WRITE),
    f"POST {USER}/memories/{{memory_id}}/unsuppress": (200, "MemoryPublic", V1_WRITE),
    f"GET {USER}/memories/{{memory_id}}/history": (200, "HistoryList", V1),
    "POST /v1/feedback": (201, "FeedbackRecorded", V1_WRITE),
    "GET /admin/v1/me": (200, "AdminIdentity", ADMIN),
    "GET /admin/v1/tenants": (200, "Page_TenantListed_", ADMIN),
    "POST /admin/v1/tenants": (201, "TenantCreated", ADMIN_WRITE),
    "GET /admin/v1/tenants/{tenant_id}": (200, "TenantListed", ADMIN),
    "POST /admin/v1/tenants/{tenant_id}/rotate-key": (200, "TenantKey", ADMIN_WRITE),
    "POST /admin/v1/tenants/{tenant_id}/disable": (200, "TenantPublic", ADMIN_WRITE),
    "GET /admin/v1/tenants/{tenant_id}/stats": (200, "TenantStats", ADMIN),
    "GET /admin/v1/audit": (200, "Page_AuditEntry_", ADMIN),
    f"GET {ADMIN_USER}/memories": (200, "Page_MemoryPublic_", ADMIN),
    f"POST {ADMIN_USER}/memories": (201, "MemoryPublic", ADMIN_WRITE),
    f"GET {ADMIN_USER}/memories/{{memory_id}}": (200, "MemoryDetail", ADMIN),
    f"PATCH {ADMIN_USER}/memories/{{memory_id}}": (200, "MemoryPublic", ADMIN_WRITE),
    f"POST {ADMIN_USER}/memories/{{memory_id}}/invalidate": (200, "MemoryPublic", ADMIN_WRITE),
    f"POST {ADMIN_USER}/memories/{{memory_id}}/suppress": (200, "MemoryPublic", ADMIN_WRITE),
    f"POST {ADMIN_USER}/memories/{{memory_id}}/unsuppress": (200, "MemoryPublic", ADMIN_WRITE),
    "GET /admin/v1/tenants/{tenant_id}/users": (200, "Page_UserSummary_", ADMIN),
    f"GET {ADMIN_USER}/turns": (200, "Page_TurnPublic_", ADMIN),
    f"GET {ADMIN_USER}/traces": (200, "Page_TracePublic_", ADMIN),
    f"GET {ADMIN_USER}/traces/{{turn_id}}": (200, "TracePublic", ADMIN),
    f"DELETE {ADMIN_USER}/constraints/{{cid}}": (
        200,
        "ProfilePublic",
        [400, 401, 403, 404, 413, 429, 500],
    ),
    f"GET {ADMIN_USER}/export": (200, "AdminExport", ADMIN),
    f"POST {ADMIN_USER}/purge": (200, "Deleted", ADMIN_WRITE),
    f"GET {ADMIN_USER}": (200, "UserDetail", ADMIN),
}

ERROR_BODY = {
    "ErrorBody": {
        "title": "ErrorBody",
        "description": 'The OpenAI error format: `{"error": {"message", "type", "param", "code"}}`.',
        "type": "object",
        "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
        "required": ["error"],
    },
    "ErrorDetail": {
        "title": "ErrorDetail",
        "description": (
            "What went wrong: a message for people, a `code` for programs, the `param` at fault."
        ),
        "type": "object",
        "properties": {
            "message": {"title": "Message", "type": "string"},
            "type": {
                "title": "Type",
                "type": "string",
                "description": "invalid_request_error, authentication_error, ...",
            },
            "param": {
                "title": "Param",
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": "the request field at fault, e.g. `messages[0]`",
            },
            "code": {"title": "Code", "anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["message", "type", "param", "code"],
    },
}


@pytest.fixture
def document(live_server: Callable[..., LiveServer]) -> dict[str, Any]:
    response = httpx.get(f"{live_server().url}/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def _schema(responses: dict[str, Any], status: str) -> dict[str, Any]:
    schema: dict[str, Any] = responses[status]["content"]["application/json"]["schema"]
    return schema


def test_every_operation_documents_its_success_and_its_errors(document: dict[str, Any]) -> None:
    found: dict[str, tuple[int, str, list[int]]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            success = [s for s in responses if s.startswith("2")]
            assert len(success) == 1, f"{method} {path}: {success}"
            ref = _schema(responses, success[0]).get("$ref", "(no schema)")
            errors = sorted(int(s) for s in responses if not s.startswith("2"))
            found[f"{method.upper()} {path}"] = (int(success[0]), ref.split("/")[-1], errors)
    assert found == OPERATIONS


def test_every_success_schema_is_an_object_with_properties(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for _, name, _ in OPERATIONS.values():
        assert schemas[name]["type"] == "object", name
        assert schemas[name]["properties"], name


def test_every_error_answer_has_the_error_body(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert {name: schemas[name] for name in ERROR_BODY} == ERROR_BODY
    assert "HTTPValidationError" not in schemas
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in operation["responses"]:
                if status[0] in "45" and status != "503":
                    assert _schema(operation["responses"], status) == {
                        "$ref": "#/components/schemas/ErrorBody"
                    }, f"{method} {path} {status}"
