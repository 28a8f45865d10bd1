"""Generated requests for every operation of `/openapi.json`: no answer is ever a 5xx.

Schemathesis derives requests from the OpenAPI document (valid ones and, through the
schema's edges, odd ones: huge integers, empty strings, unicode, nulls); hypothesis drives
them against a real server on loopback with the seeded data, tenant routes with a tenant key
and admin routes with a global admin key. Chat goes to the fake provider. Bounded by
`EXAMPLES` per operation so the whole run takes about a minute; every failing operation is
reported, not only the first. Every status answered must be declared in the document, and
every body must match the schema declared for its status (schemathesis' conformance checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.admin.conftest import AdminServer
from tests.admin.seed import ACME_KEY
from tests.fakes.provider import FakeProvider

EXAMPLES = 12
FAST = "openai/fuzz-fake"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as provider:
        yield provider


def test_no_generated_request_gets_a_5xx(
    admin_server: Callable[..., AdminServer], fake: FakeProvider
) -> None:
    endpoint = {"api_base": fake.url, "api_key": "sk-fake"}
    srv = admin_server(
        chat=True,
        fast_model=FAST,
        reasoning_model=FAST,
        model_endpoints={FAST: endpoint},
        max_retries=0,
        request_timeout_s=5,
        rate_limit_per_minute=0,
        admin_rate_limit_per_minute=0,
    )
    schema = schemathesis.openapi.from_url(f"{srv.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40  # the document lists every route
    failures = [f for f in (_fuzz(srv, op) for op in operations) if f is not None]
    assert failures == []


def _fuzz(srv: AdminServer, operation: Any) -> str | None:
    """Drive one operation with generated requests; the first failure, or None."""
    documented = set(operation.definition.raw["responses"])
    key = srv.keys["global"] if operation.path.startswith("/admin") else ACME_KEY
    headers = {"Authorization": f"Bearer {key}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=srv.url, headers=headers, timeout=30)
        answer = f"{case.method} {case.formatted_path} -> {response.status_code}"
        assert response.status_code < 500, f"{answer}: {response.text[:300]}"
        assert str(response.status_code) in documented, (
            f"{answer}, not among the documented {sorted(documented)}"
        )
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as exc:  # schemathesis reports its failures as a group
            raise AssertionError(f"{answer}: {_first_line(exc)}") from exc

    try:
        check()
    except (AssertionError, ExceptionGroup) as exc:  # a group: hypothesis found several bugs
        return f"{operation.method.upper()} {operation.path}: {_first_line(exc)}"
    return None


def _first_line(exc: BaseException) -> str:
    """The first failure schemathesis reports, in one line."""
    inner = getattr(exc, "exceptions", None)
    first = inner[0] if inner else exc
    lines = str(first).strip().splitlines() or [type(first).__name__]
    return lines[0][:300]
