"""Per-user resources of the SDK: `p.memories(user)`, `p.profile(user)`, in-process and HTTP.

Results are plain JSON-shaped dicts on both transports, so code written against `Persona` runs
unchanged against `PersonaClient`.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    import httpx

    from persona.runtime import Runtime


def _snap(memory: Any, **extra: Any) -> dict[str, Any]:
    """A memory in the JSON form the REST API answers (`MemoryPublic`)."""
    from persona.public import MemoryPublic, ScoredMemory

    model = ScoredMemory if extra else MemoryPublic
    return model.now(memory, **extra).model_dump(mode="json")


class Memories:
    """One user's memories, in-process."""

    def __init__(self, runtime: Runtime, tenant_id: str, user: str) -> None:
        self._svc, self._tenant, self.user = runtime.memories, tenant_id, user

    def list(
        self,
        *,
        kind: str | None = None,
        include_invalid: bool = False,
        as_of: datetime | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """Currently valid memories (or all, or those valid at `as_of`)."""
        rows = self._svc.list(
            self._tenant, self.user, kind=kind, include_invalid=include_invalid, as_of=as_of
        )
        return [_snap(m) for m in rows]

    def search(self, query: str, k: int = 10) -> builtins.list[dict[str, Any]]:
        """The memories most relevant to `query`, with scores."""
        hits = self._svc.search(self._tenant, self.user, query, k=k)
        return [_snap(h.memory, score=round(float(h.score), 4)) for h in hits]

    def get(self, memory_id: str) -> dict[str, Any]:
        """One memory."""
        return _snap(self._svc.get(self._tenant, self.user, memory_id))

    def add(self, text: str, kind: str = "fact", **fields: Any) -> dict[str, Any]:
        """Remember something (through consolidation)."""
        return _snap(self._svc.add(self._tenant, self.user, text, kind=kind, actor="api", **fields))

    def update(self, memory_id: str, **fields: Any) -> dict[str, Any]:
        """Change a memory (recorded in its history)."""
        return _snap(self._svc.update(self._tenant, self.user, memory_id, actor="api", **fields))

    def delete(self, memory_id: str, reason: str = "") -> dict[str, Any]:
        """Forget a memory (invalidated, kept in history)."""
        return _snap(
            self._svc.delete(self._tenant, self.user, memory_id, actor="api", reason=reason)
        )

    def suppress(self, memory_id: str, reason: str = "") -> dict[str, Any]:
        """ "Don't mention this again": kept (history, export) but never put in a prompt."""
        return _snap(
            self._svc.suppress(self._tenant, self.user, memory_id, actor="api", reason=reason)
        )

    def unsuppress(self, memory_id: str, reason: str = "") -> dict[str, Any]:
        """Undo `suppress`: the memory may be used in prompts again."""
        return _snap(
            self._svc.suppress(
                self._tenant, self.user, memory_id, suppressed=False, actor="api", reason=reason
            )
        )

    def history(self, memory_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Changes to one memory, or to all the user's memories."""
        from persona.public import HistoryEntry

        rows = self._svc.history(self._tenant, self.user, memory_id)
        return [HistoryEntry.of(h).model_dump(mode="json") for h in rows]

    def summary(self) -> str:
        """A short, readable text of the user's current memories."""
        text: str = self._svc.summary(self._tenant, self.user)
        return text

    def edit_summary(self, text: str) -> dict[str, Any]:
        """Apply an edited summary as memory operations; the new summary and the changes."""
        out: dict[str, Any] = self._svc.edit_summary(self._tenant, self.user, text, actor="user")
        return out

    def export(self) -> dict[str, Any]:
        """Everything stored about the user."""
        out: dict[str, Any] = self._svc.export(self._tenant, self.user)
        return out

    def purge(self) -> dict[str, int]:
        """Hard-delete the user's memories, history, vectors and turns; returns counts."""
        counts: dict[str, int] = self._svc.purge(self._tenant, self.user)
        return counts


class HttpMemories:
    """One user's memories over HTTP (same methods as `Memories`)."""

    def __init__(self, http: httpx.Client, user: str, check: Callable[[Any], None]) -> None:
        self._http, self._check = http, check
        self._base = f"/v1/users/{quote(user, safe='')}/memories"

    def _call(self, method: str, path: str = "", **kw: Any) -> Any:
        response = self._http.request(method, self._base + path, **kw)
        self._check(response)
        return response.json()

    def list(
        self,
        *,
        kind: str | None = None,
        include_invalid: bool = False,
        as_of: datetime | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """Currently valid memories (or all, or those valid at `as_of`)."""
        params: dict[str, Any] = {"valid": "all" if include_invalid else "current"}
        if kind:
            params["kind"] = kind
        if as_of:
            params["as_of"] = as_of.isoformat()
        out: builtins.list[dict[str, Any]] = self._call("GET", params=params)["memories"]
        return out

    def search(self, query: str, k: int = 10) -> builtins.list[dict[str, Any]]:
        """The memories most relevant to `query`, with scores."""
        out: builtins.list[dict[str, Any]] = self._call(
            "POST", "/search", json={"query": query, "k": k}
        )["results"]
        return out

    def get(self, memory_id: str) -> dict[str, Any]:
        """One memory."""
        out: dict[str, Any] = self._call("GET", f"/{quote(memory_id)}")
        return out

    def add(self, text: str, kind: str = "fact", **fields: Any) -> dict[str, Any]:
        """Remember something (through consolidation)."""
        out: dict[str, Any] = self._call("POST", json={"text": text, "kind": kind, **fields})
        return out

    def update(self, memory_id: str, **fields: Any) -> dict[str, Any]:
        """Change a memory (recorded in its history)."""
        out: dict[str, Any] = self._call("PATCH", f"/{quote(memory_id)}", json=fields)
        return out

    def delete(self, memory_id: str, reason: str = "") -> dict[str, Any]:
        """Forget a memory (invalidated, kept in history)."""
        out: dict[str, Any] = self._call(
            "DELETE", f"/{quote(memory_id)}", params={"reason": reason}
        )
        return out

    def suppress(self, memory_id: str, reason: str = "") -> dict[str, Any]:
        """ "Don't mention this again": kept (history, export) but never put in a prompt."""
        out: dict[str, Any] = self._call(
            "POST", f"/{quote(memory_id)}/suppress", params={"reason": reason}
        )
        return out

    def unsuppress(self, memory_id: str, reason: str = "") -> dict[str, Any]:
        """Undo `suppress`: the memory may be used in prompts again."""
        out: dict[str, Any] = self._call(
            "POST", f"/{quote(memory_id)}/unsuppress", params={"reason": reason}
        )
        return out

    def history(self, memory_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Changes to one memory, or to all the user's memories."""
        path = f"/{quote(memory_id)}/history" if memory_id else "/history"
        out: builtins.list[dict[str, Any]] = self._call("GET", path)["history"]
        return out

    def summary(self) -> str:
        """A short, readable text of the user's current memories."""
        text: str = self._call("GET", "/summary")["summary"]
        return text

    def edit_summary(self, text: str) -> dict[str, Any]:
        """Apply an edited summary as memory operations; the new summary and the changes."""
        out: dict[str, Any] = self._call("PUT", "/summary", json={"text": text})
        return out

    def export(self) -> dict[str, Any]:
        """Everything stored about the user."""
        out: dict[str, Any] = self._call("GET", "/export")
        return out

    def purge(self) -> dict[str, int]:
        """Hard-delete the user's memories, history, vectors and turns; returns counts."""
        out: dict[str, int] = self._call("DELETE", params={"confirm": "true"})["purged"]
        return out
