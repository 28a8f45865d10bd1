"""`Persona`: the in-process SDK (embedded database, local or remote models)."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona.config import Settings
from persona.errors import InvalidInput
from persona.public import InstructionAdded, UserProfile
from persona.route.types import Tier
from persona.types import AUTO_MODEL, ChatMessage, ChatReply, ChatRequest

if TYPE_CHECKING:
    from persona.engine import ChatEngine
    from persona.resources import Memories
    from persona.runtime import Runtime
    from persona.steer.proposal_types import ProposalPublic, ProposalsPublic

MessagesArg = Sequence[ChatMessage | dict[str, str]]


def build_request(
    user: str,
    message: str | None = None,
    messages: MessagesArg | None = None,
    *,
    model: str = AUTO_MODEL,
    session_id: str | None = None,
    tier: Tier | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    memory: str = "on",
    project: str | None = None,
) -> ChatRequest:
    """A `ChatRequest` from the SDK's `chat(user, message | messages)` arguments."""
    if (message is None) == (messages is None):
        raise InvalidInput("pass exactly one of `message` (a string) or `messages` (a list)")
    msgs = (
        [ChatMessage(role="user", content=message)]
        if message is not None
        else [
            m if isinstance(m, ChatMessage) else ChatMessage.model_validate(m)
            for m in messages or []
        ]
    )
    return ChatRequest.model_validate(
        {
            "user": user,
            "messages": msgs,
            "model": model,
            "session_id": session_id,
            "tier": tier,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "memory": memory,
            "project": project,
        }
    )


class Chats(ABC):
    """The chat half of the SDK, one implementation for both transports: the arguments become
    a `ChatRequest` here; `Persona` answers it in-process, `PersonaClient` over HTTP."""

    def chat(
        self,
        user: str,
        message: str | None = None,
        *,
        messages: MessagesArg | None = None,
        model: str = AUTO_MODEL,
        session_id: str | None = None,
        tier: Tier | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        memory: str = "on",
        project: str | None = None,
    ) -> ChatReply:
        """Answer `message` (or the conversation `messages`) for `user`; returns reply + trace."""
        request = build_request(
            user,
            message,
            messages,
            model=model,
            session_id=session_id,
            tier=tier,
            temperature=temperature,
            max_tokens=max_tokens,
            memory=memory,
            project=project,
        )
        return self._answer(request)

    async def achat(self, user: str, message: str | None = None, **kwargs: Any) -> ChatReply:
        """`chat`, awaitable (runs in a worker thread)."""
        return await asyncio.to_thread(self.chat, user, message, **kwargs)

    def stream(
        self, user: str, message: str | None = None, **kwargs: Any
    ) -> Iterator[str | ChatReply]:
        """Yield text deltas, then the final `ChatReply` (the arguments of `chat`)."""
        return self._answer_stream(build_request(user, message, **kwargs))

    @abstractmethod
    def _answer(self, request: ChatRequest) -> ChatReply:
        """The reply to `request`."""

    @abstractmethod
    def _answer_stream(self, request: ChatRequest) -> Iterator[str | ChatReply]:
        """Text deltas of the reply to `request`, then the `ChatReply`."""


class Persona(Chats):
    """persona in-process: `Persona().chat("alice", "hi")` with the embedded default.

    With no arguments it uses the settings (`PERSONA_*`, `.env`): a SQLite file in the data
    directory and the local model. The schema is created/upgraded on first use.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        data_dir: str | Path | None = None,
        settings: Settings | None = None,
        tenant: str = "local",
        **overrides: Any,
    ) -> None:
        values: dict[str, Any] = dict(overrides)
        if database_url is not None:
            values["database_url"] = database_url
        if data_dir is not None:
            values["data_dir"] = Path(data_dir)
        self.settings = settings.model_copy(update=values) if settings else Settings(**values)
        self._tenant_name = tenant
        self._runtime: Runtime | None = None
        self._engine: ChatEngine | None = None
        self._tenant_id: str | None = None

    def _ensure(self) -> tuple[ChatEngine, str]:
        if self._engine is None or self._tenant_id is None:
            from persona.bootstrap import find_tenant, local_tenant
            from persona.engine import ChatEngine
            from persona.runtime import Runtime
            from store.db import session_scope

            self._runtime = Runtime.build(self.settings, upgrade=True)
            if self._tenant_name == "local":
                tenant, _ = local_tenant(self._runtime.db)
            else:
                with session_scope(self._runtime.db) as session:
                    tenant = find_tenant(session, self._tenant_name)
                    session.expunge(tenant)
            self._engine = ChatEngine(self._runtime)
            self._tenant_id = tenant.id
        return self._engine, self._tenant_id

    @property
    def runtime(self) -> Runtime:
        """The underlying runtime (database, embedder, gateway)."""
        self._ensure()
        assert self._runtime is not None
        return self._runtime

    def _answer(self, request: ChatRequest) -> ChatReply:
        engine, tenant_id = self._ensure()
        return engine.chat(tenant_id, request)

    def _answer_stream(self, request: ChatRequest) -> Iterator[str | ChatReply]:
        engine, tenant_id = self._ensure()
        yield from engine.stream(tenant_id, request)

    def memories(self, user: str) -> Memories:
        """The user's memories: list, search, get, add, update, delete, history, export, purge."""
        from persona.resources import Memories

        _, tenant_id = self._ensure()
        return Memories(self.runtime, tenant_id, user)

    def profile(self, user: str) -> UserProfile:
        """The user's profile, constraints and standing instructions."""
        from persona.profiles import Profiles

        _, tenant_id = self._ensure()
        return UserProfile.model_validate(Profiles(self.runtime.db).get(tenant_id, user))

    def update_profile(self, user: str, **fields: Any) -> UserProfile:
        """Change profile fields (personality, traits, about_you, response_style ...)."""
        from persona.profiles import Profiles

        _, tenant_id = self._ensure()
        profile = Profiles(self.runtime.db).update(tenant_id, user, fields, replace=False)
        return UserProfile.model_validate(profile)

    def instruct(self, user: str, text: str) -> InstructionAdded:
        """Store a standing preference said in words ("never use capital letters")."""
        from persona.profiles import Profiles

        _, tenant_id = self._ensure()
        added = Profiles(self.runtime.db).set_from_text(tenant_id, user, text)
        return InstructionAdded.model_validate(added)

    def remove_instruction(self, user: str, item_id: str) -> dict[str, Any]:
        """Remove a stored constraint (`c_...`) or instruction (`i_...`)."""
        from persona.profiles import Profiles

        _, tenant_id = self._ensure()
        return Profiles(self.runtime.db).remove(tenant_id, user, item_id)

    def proposals(self, user: str, status: str | None = None) -> ProposalsPublic:
        """Constraints proposed from the user's messages (`status`: only those in that state)."""
        from persona.steer.proposals import Proposals

        _, tenant_id = self._ensure()
        return Proposals(self.runtime.db).listing(tenant_id, user, status)

    def confirm_proposal(self, user: str, proposal_id: str) -> ProposalPublic:
        """Bring a proposed constraint (`p_...`) into force."""
        from persona.steer.proposals import Proposals

        _, tenant_id = self._ensure()
        return Proposals(self.runtime.db).confirm(tenant_id, user, proposal_id)

    def reject_proposal(self, user: str, proposal_id: str) -> ProposalPublic:
        """Drop a proposed constraint (`p_...`) for good."""
        from persona.steer.proposals import Proposals

        _, tenant_id = self._ensure()
        return Proposals(self.runtime.db).reject(tenant_id, user, proposal_id)

    def process_background(self) -> int:
        """Run pending background jobs (memory extraction, the steering parse) now; returns how
        many ran."""
        from persona.worker import make_worker

        return make_worker(self.runtime).run_until_idle()

    def close(self) -> None:
        """Release database connections."""
        if self._runtime is not None:
            self._runtime.close()

    def __enter__(self) -> Persona:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
