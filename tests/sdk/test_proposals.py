"""Proposed constraints through both SDK transports: `Persona` in-process and `PersonaClient`
against a real server answer with the same typed models."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from persona import Conflict, NotFound, Persona, PersonaClient
from persona.steer.proposals import ProposalPublic, ProposalsPublic, ProposedConstraint
from persona.worker import make_worker
from tests.api.conftest import LiveServer
from tests.fakes.provider import FakeProvider, ok

FAST, STEER = "openai/fast-fake", "openai/steer-fake"
TEXT = "Ne me pose plus de questions à la fin, jamais."


@pytest.fixture(params=["in-process", "http"])
def sdk(
    request: pytest.FixtureRequest,
    sqlite_url: str,
    live_server: Callable[..., LiveServer],
    fake_provider: FakeProvider,
) -> Iterator[tuple[Any, Callable[[], int]]]:
    """The SDK, and how to run the background jobs behind it."""
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    settings: dict[str, Any] = {
        "fast_model": FAST,
        "reasoning_model": FAST,
        "steer_model": STEER,
        "model_endpoints": {FAST: endpoint, STEER: endpoint},
        "max_retries": 0,
        "reask": False,
        "steer_proposal_turns": 0,
    }
    if request.param == "in-process":
        with Persona(sqlite_url, **settings) as p:
            yield p, p.process_background
    else:
        srv = live_server(**settings)
        with PersonaClient(srv.url, srv.api_key) as client:
            yield client, make_worker(srv.runtime).run_until_idle


def test_list_confirm_reject(
    sdk: tuple[Any, Callable[[], int]], fake_provider: FakeProvider
) -> None:
    client, background = sdk
    turn = client.chat("ann", TEXT).trace.turn_id
    item = {"sentence": 1, "kwargs": {}, "scope": "standing", "quote": "Ne me pose plus"}
    answer = {
        "constraints": [
            {**item, "id": "style:no_follow_up_questions"},
            {**item, "id": "style:no_emoji"},
        ]
    }
    fake_provider.script(ok(json.dumps(answer)), model="steer-fake")
    background()
    listing = client.proposals("ann", status="proposed")
    assert isinstance(listing, ProposalsPublic)
    by_id = {p.constraint.id: p for p in listing.proposals}
    questions = by_id["style:no_follow_up_questions"]
    assert questions == ProposalPublic(
        id=questions.id,
        constraint=ProposedConstraint(id="style:no_follow_up_questions"),
        status="proposed",
        source_turn_id=turn,
        source_text=TEXT,
        model=STEER,
        turns_seen=0,
        accept_after=0,
        decided_by=None,
        cid=None,
        created_at=questions.created_at,
    )
    confirmed = client.confirm_proposal("ann", questions.id)
    assert (confirmed.status, confirmed.decided_by) == ("accepted", "user")
    assert [c["cid"] for c in client.profile("ann").constraints] == [confirmed.cid]
    rejected = client.reject_proposal("ann", by_id["style:no_emoji"].id)
    assert (rejected.status, rejected.cid) == ("rejected", None)
    assert client.proposals("ann", status="proposed").proposals == []
    with pytest.raises(Conflict, match="is accepted, not proposed"):
        client.reject_proposal("ann", questions.id)
    with pytest.raises(NotFound, match="no proposal 'p_missing'"):
        client.confirm_proposal("ann", "p_missing")
