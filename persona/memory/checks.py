"""What a memory write asked of the service must satisfy: its text, scope and actor."""

from __future__ import annotations

from persona.errors import InvalidInput
from persona.memory.consolidate import Scope

ACTORS = ("extractor", "user", "admin", "api")
SCOPES = ("user", "agent", "session")
MAX_TEXT_CHARS = 2000


def check_scope(
    scope: str, agent_id: str | None, session_id: str | None, project: str | None = None
) -> Scope:
    """The `Scope` of a memory write, or InvalidInput naming what it lacks."""
    if scope not in SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", param="scope")
    if scope == "agent" and not agent_id:
        raise InvalidInput("an agent-scoped memory needs agent_id", param="agent_id")
    if scope == "session" and not session_id:
        raise InvalidInput("a session-scoped memory needs session_id", param="session_id")
    return Scope(scope, agent_id, session_id, project)


def check_text(text: str) -> str:
    """A memory's text, stripped; InvalidInput when empty or longer than MAX_TEXT_CHARS."""
    text = text.strip()
    if not text:
        raise InvalidInput("a memory needs non-empty text", param="text")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"memory text is limited to {MAX_TEXT_CHARS} characters", param="text")
    return text


def check_actor(actor: str) -> None:
    """InvalidInput unless `actor` is one of ACTORS."""
    if actor not in ACTORS:
        raise InvalidInput(f"actor must be one of {', '.join(ACTORS)}", param="actor")
