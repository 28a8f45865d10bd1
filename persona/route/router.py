"""`Router`: the per-message decision, fast chat model or reasoning model, with its reasons."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from persona.errors import InvalidInput
from persona.route import policy
from persona.route.classifier import EMBED_DIM, WEIGHTS_PATH, Classifier
from persona.route.features import FEATURE_NAMES, explicit_ask, text_features
from persona.route.types import PREFERENCES, TIERS, RouteDecision, Signal

_cache: dict[Path, Router] = {}
_cache_lock = threading.Lock()


class Router:
    """Scores a message from its embedding and text, and applies the routing policy."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier

    @property
    def default_threshold(self) -> float:
        """The shipped threshold (chosen on the training data)."""
        return self.classifier.threshold

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> Router:
        """The router with weights from `path` (the shipped ones by default), cached per process."""
        with _cache_lock:
            if path not in _cache:
                _cache[path] = cls(Classifier.load(path))
            return _cache[path]

    def score(
        self,
        message: str,
        embedding: NDArray[np.float32],
        history: Sequence[Mapping[str, str]] = (),
    ) -> float:
        """P(needs reasoning) from the classifier alone, before any policy."""
        return self.classifier.probability(self._inputs(message, embedding, history))

    def _inputs(
        self, message: str, embedding: NDArray[np.float32], history: Sequence[Mapping[str, str]]
    ) -> NDArray[np.float64]:
        if embedding.shape != (EMBED_DIM,):
            raise InvalidInput(f"router needs a ({EMBED_DIM},) embedding, got {embedding.shape}")
        out = np.empty(EMBED_DIM + len(FEATURE_NAMES), dtype=np.float64)
        out[:EMBED_DIM] = embedding
        out[EMBED_DIM:] = text_features(message, history)
        return out

    def decide(
        self,
        message: str,
        embedding: NDArray[np.float32],
        history: Sequence[Mapping[str, str]] = (),
        override: str | None = None,
        user_preference: str | None = None,
        threshold: float | None = None,
        previous_tier: str | None = None,
    ) -> RouteDecision:
        """Route one message: fast or reasoning, with score, threshold, effort, signals, reason."""
        if override is not None and override not in TIERS:
            raise InvalidInput(f"route override must be one of {TIERS}, got {override!r}")
        if user_preference is not None and user_preference not in PREFERENCES:
            raise InvalidInput(
                f"route preference must be one of {PREFERENCES}, got {user_preference!r}"
            )
        x = self._inputs(message, embedding, history)
        logit = self.classifier.logit(x)
        score = float(1.0 / (1.0 + np.exp(-logit)))
        base = self.default_threshold if threshold is None else float(threshold)
        embed_effect, effects = self.classifier.contributions(x)
        model_signals = [{"name": "embedding", "value": 1.0, "effect": round(embed_effect, 3)}]
        for name, value, effect in zip(FEATURE_NAMES, x[EMBED_DIM:], effects, strict=True):
            if value != 0.0 or effect != 0.0:
                model_signals.append(
                    {"name": name, "value": round(float(value), 3), "effect": round(effect, 3)}
                )
        light = bool(x[EMBED_DIM + FEATURE_NAMES.index("light")])
        ask = explicit_ask(message)
        tier, used_threshold, policy_signals, reason = policy.resolve(
            score,
            base,
            override=override,
            ask=ask,
            preference=user_preference,
            previous_tier=previous_tier,
            light=light,
        )
        if not reason:
            direction = 1.0 if tier == "reasoning" else -1.0
            top = sorted(
                (s for s in model_signals if direction * float(s["effect"]) > 0.05),  # type: ignore[arg-type]
                key=lambda s: -direction * float(s["effect"]),  # type: ignore[arg-type]
            )[:2]
            reason = policy.score_reason(tier, score, used_threshold, top)
        effort = None
        if tier == "reasoning":
            code_or_long = x[EMBED_DIM + FEATURE_NAMES.index("code")] > 0 or len(message) > 600
            forced = override == "reasoning" or ask == "reasoning"
            effort = policy.effort_for(score, used_threshold, forced, bool(code_or_long))
        signals = [Signal(str(s["name"]), s["value"], s["effect"]) for s in model_signals]  # type: ignore[arg-type]
        return RouteDecision(
            tier=tier,
            score=round(score, 4),
            threshold=round(used_threshold, 4),
            effort=effort,
            reason=reason,
            signals=signals + policy_signals,
        )
