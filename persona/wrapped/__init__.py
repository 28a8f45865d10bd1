"""`persona.wrap(openai_client, user=...)`: an app's own OpenAI client, personalized.

    client = persona.wrap(OpenAI(), user="alice", fast_model="gpt-4.1-mini")

The result is an `openai.OpenAI` (or `AsyncOpenAI`) sharing the app's client: the same
resources, options and return types; only `chat.completions.create` and `responses.create`
(with the SDK's `parse` / `stream` helpers and `with_raw_response` / `with_streaming_response`
views over them, and `responses.retrieve` / `delete` of what persona stored) go through
persona. Two modes:

- embedded (default): persona runs in-process (`Persona`, its database and embedder) and makes
  the model call with the app's client, with every parameter persona does not personalize
  passed on untouched;
- server (`base_url=` / `api_key=` of a persona server, or `server=True` for a client that
  already points at one): the client talks to `persona serve`, the end user in the
  `X-Persona-User` header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import openai

from persona.errors import InvalidInput

if TYPE_CHECKING:
    from persona.sdk import Persona


@overload
def wrap(
    client: openai.OpenAI,
    *,
    user: str,
    persona: Persona | None = None,
    server: bool = False,
    base_url: str | None = None,
    api_key: str | None = None,
    fast_model: str | None = None,
    reasoning_model: str | None = None,
) -> openai.OpenAI: ...


@overload
def wrap(
    client: openai.AsyncOpenAI,
    *,
    user: str,
    persona: Persona | None = None,
    server: bool = False,
    base_url: str | None = None,
    api_key: str | None = None,
    fast_model: str | None = None,
    reasoning_model: str | None = None,
) -> openai.AsyncOpenAI: ...


def wrap(
    client: openai.OpenAI | openai.AsyncOpenAI,
    *,
    user: str,
    persona: Persona | None = None,
    server: bool = False,
    base_url: str | None = None,
    api_key: str | None = None,
    fast_model: str | None = None,
    reasoning_model: str | None = None,
) -> openai.OpenAI | openai.AsyncOpenAI:
    """`client`, personalized for the end user `user` (the client itself is not changed).

    Embedded: `persona` is the in-process `Persona` to use (default: `Persona()`, closed with
    the returned client); `model="persona/auto"` routes between `fast_model` and
    `reasoning_model` (names the app's client knows), any other model is called as named.
    Server: `base_url` and `api_key` of a persona server (or `server=True`).
    """
    if not isinstance(client, openai.OpenAI | openai.AsyncOpenAI):
        raise InvalidInput(
            f"persona.wrap takes an openai.OpenAI or openai.AsyncOpenAI client, "
            f"not {type(client).__name__}"
        )
    if "persona" in vars(client):
        raise InvalidInput(
            "this client is already wrapped; wrap the original client (each wrap personalizes "
            "once), or use client.with_options(...) on the wrapped one"
        )
    if not isinstance(user, str) or not user.strip():
        raise InvalidInput("persona.wrap needs the end user: user='<your user id>'", param="user")
    if server or base_url is not None or api_key is not None:
        options: dict[str, Any] = {"default_headers": {"X-Persona-User": user}}
        if base_url is not None:
            options["base_url"] = base_url
        if api_key is not None:
            options["api_key"] = api_key
        return client.with_options(**options)
    return _embedded(client, user, persona, fast_model, reasoning_model)


def _embedded(
    client: openai.OpenAI | openai.AsyncOpenAI,
    user: str,
    persona: Persona | None,
    fast_model: str | None,
    reasoning_model: str | None,
) -> openai.OpenAI | openai.AsyncOpenAI:
    from persona.sdk import Persona
    from persona.wrapped.chat import AsyncCompletions, Chat, Completions, Embedded
    from persona.wrapped.raw import RootViews
    from persona.wrapped.responses import AsyncResponses, Responses

    owned = persona is None
    p = persona or Persona()
    embedded = Embedded(client, user, p, fast_model, reasoning_model)
    is_async = isinstance(client, openai.AsyncOpenAI)
    completions = (AsyncCompletions if is_async else Completions)(embedded, client.chat.completions)
    wrapped = client.with_options()  # same options and HTTP client; the app's stays as it was
    # the resources are cached properties: the wrapped client's own instance shadows them
    attrs: dict[str, Any] = wrapped.__dict__
    chat = attrs["chat"] = Chat(completions, client.chat)
    responses = (AsyncResponses if is_async else Responses)(embedded, client.responses)
    attrs["responses"] = responses
    for view in ("with_raw_response", "with_streaming_response"):
        attrs[view] = RootViews(getattr(client, view), chat, responses, view)
    attrs["persona"] = p

    def with_options(**kwargs: Any) -> Any:
        return wrap(
            client.with_options(**kwargs),
            user=user,
            persona=p,
            fast_model=fast_model,
            reasoning_model=reasoning_model,
        )

    attrs["with_options"] = attrs["copy"] = with_options
    if owned:
        attrs["close"] = _closing(wrapped, p, is_async)
    return wrapped


def _closing(wrapped: Any, persona: Persona, is_async: bool) -> Any:
    """`close` of a wrapped client that also closes the `Persona` the wrap made."""
    close = type(wrapped).close

    if is_async:

        async def aclose() -> None:
            persona.close()
            await close(wrapped)

        return aclose

    def sync_close() -> None:
        persona.close()
        close(wrapped)

    return sync_close


__all__ = ["wrap"]
