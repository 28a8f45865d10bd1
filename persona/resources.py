"""Per-user resources of the SDK: `p.memories(user)`, in-process and over HTTP.

Both answer the same models of `persona.public` (the REST API's bodies), so code written
against `Persona` runs unchanged against `PersonaClient`.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from persona.public import (
    DataExport,
    HistoryEntry,
    MemoryPublic,
    ScoredMemory,
    SummaryEdited,
)

if TYPE_CHECKING:
    import httpx

    from persona.runtime import Runtime


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
    ) -> builtins.list[MemoryPublic]:
        """Currently valid memories (or all, or those valid at `as_of`)."""
        rows = self._svc.list(
            self._tenant, self.user, kind=kind, include_invalid=include_invalid, as_of=as_of
        )
        return [MemoryPublic.now(m) for m in rows]

    def search(self, query: str, k: int = 10) -> builtins.list[ScoredMemory]:
        """The memories most relevant to `query`, with scores."""
        hits = self._svc.search(self._tenant, self.user, query, k=k)
        return [ScoredMemory.now(h.memory, score=round(float(h.score), 4)) for h in hits]

    def get(self, memory_id: str) -> MemoryPublic:
        """One memory."""
        return MemoryPublic.now(self._svc.get(self._tenant, self.user, memory_id))

    def add(self, text: str, kind: str = "fact", **fields: Any) -> MemoryPublic:
        """Remember something (through consolidation)."""
        memory = self._svc.add(self._tenant, self.user, text, kind=kind, actor="api", **fields)
        return MemoryPublic.now(memory)

    def update(self, memory_id: str, **fields: Any) -> MemoryPublic:
        """Change a memory (recorded in its history)."""
        memory = self._svc.update(self._tenant, self.user, memory_id, actor="api", **fields)
        return MemoryPublic.now(memory)

    def delete(self, memory_id: str, reason: str = "") -> MemoryPublic:
        """Forget a memory (invalidated, kept in history)."""
        memory = self._svc.delete(self._tenant, self.user, memory_id, actor="api", reason=reason)
        return MemoryPublic.now(memory)

    def suppress(self, memory_id: str, reason: str = "") -> MemoryPublic:
        """ "Don't mention this again": kept (history, export) but never put in a prompt."""
        memory = self._svc.suppress(self._tenant, self.user, memory_id, actor="api", reason=reason)
        return MemoryPublic.now(memory)

    def unsuppress(self, memory_id: str, reason: str = "") -> MemoryPublic:
        """Undo `suppress`: the memory may be used in prompts again."""
        memory = self._svc.suppress(
            self._tenant, self.user, memory_id, suppressed=False, actor="api", reason=reason
        )
        return MemoryPublic.now(memory)

    def history(self, memory_id: str | None = None) -> builtins.list[HistoryEntry]:
        """Changes to one memory, or to all the user's memories."""
        rows = self._svc.history(self._tenant, self.user, memory_id)
        return [HistoryEntry.of(h) for h in rows]

    def summary(self) -> str:
        """A short, readable text of the user's current memories."""
        text: str = self._svc.summary(self._tenant, self.user)
        return text

    def edit_summary(self, text: str) -> SummaryEdited:
        """Apply an edited summary as memory operations; the new summary and the changes."""
        out = self._svc.edit_summary(self._tenant, self.user, text, actor="user")
        return SummaryEdited.model_validate(out)

    def export(self) -> DataExport:
        """Everything stored about the user."""
        return DataExport.model_validate(self._svc.export(self._tenant, self.user))

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
    ) -> builtins.list[MemoryPublic]:
        """Currently valid memories (or all, or those valid at `as_of`)."""
        params: dict[str, Any] = {"valid": "all" if include_invalid else "current"}
        if kind:
            params["kind"] = kind
        if as_of:
            params["as_of"] = as_of.isoformat()
        rows = self._call("GET", params=params)["memories"]
        return [MemoryPublic.model_validate(m) for m in rows]

    def search(self, query: str, k: int = 10) -> builtins.list[ScoredMemory]:
        """The memories most relevant to `query`, with scores."""
        hits = self._call("POST", "/search", json={"query": query, "k": k})["results"]
        return [ScoredMemory.model_validate(h) for h in hits]

    def get(self, memory_id: str) -> MemoryPublic:
        """One memory."""
        return MemoryPublic.model_validate(self._call("GET", f"/{quote(memory_id)}"))

    def add(self, text: str, kind: str = "fact", **fields: Any) -> MemoryPublic:
        """Remember something (through consolidation)."""
        body = {"text": text, "kind": kind, **fields}
        return MemoryPublic.model_validate(self._call("POST", json=body))

    def update(self, memory_id: str, **fields: Any) -> MemoryPublic:
        """Change a memory (recorded in its history)."""
        return MemoryPublic.model_validate(self._call("PATCH", f"/{quote(memory_id)}", json=fields))

    def delete(self, memory_id: str, reason: str = "") -> MemoryPublic:
        """Forget a memory (invalidated, kept in history)."""
        out = self._call("DELETE", f"/{quote(memory_id)}", params={"reason": reason})
        return MemoryPublic.model_validate(out)

    def suppress(self, memory_id: str, reason: str = "") -> MemoryPublic:
        """ "Don't mention this again": kept (history, export) but never put in a prompt."""
        out = self._call("POST", f"/{quote(memory_id)}/suppress", params={"reason": reason})
        return MemoryPublic.model_validate(out)

    def unsuppress(self, memory_id: str, reason: str = "") -> MemoryPublic:
        """Undo `suppress`: the memory may be used in prompts again."""
        out = self._call("POST", f"/{quote(memory_id)}/unsuppress", params={"reason": reason})
        return MemoryPublic.model_validate(out)

    def history(self, memory_id: str | None = None) -> builtins.list[HistoryEntry]:
        """Changes to one memory, or to all the user's memories."""
        path = f"/{quote(memory_id)}/history" if memory_id else "/history"
        return [HistoryEntry.model_validate(h) for h in self._call("GET", path)["history"]]

    def summary(self) -> str:
        """A short, readable text of the user's current memories."""
        text: str = self._call("GET", "/summary")["summary"]
        return text

    def edit_summary(self, text: str) -> SummaryEdited:
        """Apply an edited summary as memory operations; the new summary and the changes."""
        return SummaryEdited.model_validate(self._call("PUT", "/summary", json={"text": text}))

    def export(self) -> DataExport:
        """Everything stored about the user."""
        return DataExport.model_validate(self._call("GET", "/export"))

    def purge(self) -> dict[str, int]:
        """Hard-delete the user's memories, history, vectors and turns; returns counts."""
        out: dict[str, int] = self._call("DELETE", params={"confirm": "true"})["purged"]
        return out
