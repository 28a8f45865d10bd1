"""`with_raw_response` / `with_streaming_response` of a wrapped client: the OpenAI SDK's ways to
call `create` and see the HTTP response, kept on persona's `create` (agent frameworks use them:
the OpenAI Agents SDK streams through `responses.with_streaming_response.create`, LangChain
calls `client.with_raw_response.responses.create`).

`parse()` returns what persona's `create` returns; `headers` and `request_id` are the
upstream's last HTTP response's where persona has it (a stream's), else empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx


class RawView:
    """What `with_raw_response.create` returns (and `with_streaming_response` opens)."""

    def __init__(self, result: Any) -> None:
        self._result = result
        self.http_response: httpx.Response | None = getattr(result, "response", None)
        self.headers = self.http_response.headers if self.http_response else httpx.Headers()
        self.status_code = self.http_response.status_code if self.http_response else 200
        self.request_id = self.headers.get("x-request-id") or getattr(result, "_request_id", None)

    def parse(self, **_: Any) -> Any:
        """The result of persona's `create`."""
        return self._result

    def close(self) -> None:
        """Close the result if it is a stream."""
        close = getattr(self._result, "close", None)
        if callable(close):
            close()


class AsyncRawView(RawView):
    """`RawView` of an async client: `parse` and `close` are awaited."""

    async def parse(self, **_: Any) -> Any:
        """The result of persona's `create`."""
        return self._result

    async def close(self) -> None:  # type: ignore[override]
        """Close the result if it is a stream."""
        close = getattr(self._result, "close", None)
        if callable(close):
            await close()


class _Opened:
    """The context manager `with_streaming_response.create(...)` returns (sync)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._view: RawView | None = None

    def __enter__(self) -> RawView:
        self._view = RawView(self._make())
        return self._view

    def __exit__(self, *exc: object) -> None:
        if self._view is not None:
            self._view.close()


class _AsyncOpened:
    """The context manager `with_streaming_response.create(...)` returns (async)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._view: AsyncRawView | None = None

    async def __aenter__(self) -> AsyncRawView:
        self._view = AsyncRawView(await self._make())
        return self._view

    async def __aexit__(self, *exc: object) -> None:
        if self._view is not None:
            await self._view.close()


class WithResponse:
    """A resource's `with_raw_response` (`streaming=False`) or `with_streaming_response`:
    `create` and `parse` are persona's; everything else is the client's own view of it."""

    def __init__(self, resource: Views, original: Any, *, streaming: bool) -> None:
        self._resource, self._original, self._streaming = resource, original, streaming

    def _view(self, call: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        is_async = self._resource.is_async
        if self._streaming:
            opened = _AsyncOpened if is_async else _Opened
            return opened(lambda: call(**kwargs))
        if is_async:
            return self._araw(call, kwargs)
        return RawView(call(**kwargs))

    @staticmethod
    async def _araw(call: Callable[..., Any], kwargs: dict[str, Any]) -> AsyncRawView:
        return AsyncRawView(await call(**kwargs))

    def create(self, **kwargs: Any) -> Any:
        """persona's `create`, seen as the SDK's raw or streaming response."""
        return self._view(self._resource.create, kwargs)

    def parse(self, **kwargs: Any) -> Any:
        """persona's `parse`, seen as the SDK's raw or streaming response."""
        return self._view(self._resource.parse, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class Views:
    """Mixin of a wrapped resource (`create` overridden, `_original` the client's own): the
    SDK's helpers `parse` and `stream` and its `with_raw_response` / `with_streaming_response`
    views all make their request with persona's `create`."""

    _original: Any
    create: Callable[..., Any]
    is_async = False
    _CREATE_PATHS = ("/chat/completions", "/responses")

    def stream(self, **kwargs: Any) -> Any:
        """The SDK's `stream` helper (events with snapshots, `response_format=` /
        `text_format=` a pydantic model, the final result), its request made by `create`."""
        # the helper calls `resource.create(..., stream=True)`: with this object as the
        # resource, that is persona's create (the async helper awaits the async one)
        return type(self._original).stream(self, **kwargs)

    def parse(self, **kwargs: Any) -> Any:
        """The SDK's `parse` helper (a pydantic model as the format, the parsed result), its
        request made by `create` (through `_post` below)."""
        return type(self._original).parse(self, **kwargs)

    def _post(self, path: str, *, body: Any = None, options: Any = None, **rest: Any) -> Any:
        """Where the SDK's helpers send their request: a create becomes persona's `create`
        (then the helper's parser); any other path is the client's own."""
        if path not in self._CREATE_PATHS:
            return self._original._post(path, body=body, options=options, **rest)
        options = dict(options or {})
        kwargs = {
            **(body or {}),
            "extra_headers": options.get("headers"),
            "extra_query": options.get("params"),
            "extra_body": options.get("extra_json"),
        }
        if "timeout" in options:
            kwargs["timeout"] = options["timeout"]
        parser = options.get("post_parser")
        if not callable(parser):
            parser = None
        if self.is_async:
            return self._apost(kwargs, parser)
        result = self.create(**kwargs)
        return parser(result) if parser else result

    async def _apost(self, kwargs: dict[str, Any], parser: Callable[[Any], Any] | None) -> Any:
        result = await self.create(**kwargs)
        return parser(result) if parser else result

    @property
    def with_raw_response(self) -> WithResponse:
        """`create` / `parse` returning the SDK's raw-response view (`.parse()`)."""
        return WithResponse(self, self._original.with_raw_response, streaming=False)

    @property
    def with_streaming_response(self) -> WithResponse:
        """`create` / `parse` as a context manager over the SDK's raw-response view."""
        return WithResponse(self, self._original.with_streaming_response, streaming=True)


class RootViews:
    """`client.with_raw_response` / `client.with_streaming_response` of a wrapped client:
    `.chat.completions` and `.responses` are the wrapped resources' views."""

    def __init__(self, original: Any, chat: Any, responses: Any, attr: str) -> None:
        self._original = original
        self.responses = getattr(responses, attr)
        self.chat = _ChatViews(original.chat, getattr(chat.completions, attr))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _ChatViews:
    def __init__(self, original: Any, completions: Any) -> None:
        self._original, self.completions = original, completions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)
