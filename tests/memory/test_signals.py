"""Conversation signals: speaker, temporal, named span, previous turn; neutral without data."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from persona.memory.signals import SignalWeights, TurnFeatures, lift

MAY = datetime(2023, 5, 8, tzinfo=UTC)
JUNE = datetime(2023, 6, 27, tzinfo=UTC)
W = SignalWeights(speaker=1.0, temporal=0.5, span=2.0)


def _features() -> TurnFeatures:
    return TurnFeatures(
        [
            "Caroline: I went to a support group yesterday",
            "Melanie: Wow, Caroline, how was it?",
            "Caroline: It was powerful",
            "Melanie: We went camping",
        ],
        [
            {"speaker": "Caroline", "seq": 0},
            {"speaker": "Melanie", "seq": 1},
            {"speaker": "Caroline", "seq": 2},
            {"speaker": "Melanie", "seq": 0},
        ],
        ["s1", "s1", "s1", "s2"],
        [MAY, MAY, MAY, JUNE],
    )


def test_features_find_speakers_and_previous_turns() -> None:
    f = _features()
    assert f.speaker.tolist() == [0, 1, 0, 1]
    assert f.name_tokens == {"caroline": 0, "melanie": 1}
    assert f.previous.tolist() == [-1, 0, 1, -1]
    assert f.temporal.tolist() == [True, False, False, False]


def test_each_signal_lifts_its_turns() -> None:
    f, cand = _features(), np.arange(4)
    only = lambda **kw: SignalWeights(**{"speaker": 0.0, "temporal": 0.0, "span": 0.0, **kw})  # noqa: E731
    speaker = lift(f, cand, "What did Caroline do?", only(speaker=1.0))
    assert speaker.tolist() == [1.0, 0.0, 1.0, 0.0]
    temporal = lift(f, cand, "When did she go?", only(temporal=0.5))
    assert temporal.tolist() == [0.5, 0.0, 0.0, 0.0]
    span = lift(f, cand, "What did we do in June?", only(span=2.0))
    assert span.tolist() == [0.0, 0.0, 0.0, 2.0]
    day = lift(f, cand, "What happened on 8 May, 2023?", only(span=2.0))
    assert day.tolist() == [2.0, 2.0, 2.0, 0.0]
    # candidates are a subset: the lift lines up with them
    assert lift(f, np.array([1, 2]), "What did Caroline do?", W).tolist() == [0.0, 1.0]


def test_signals_are_neutral_without_their_data() -> None:
    bare = TurnFeatures(["I like tea", "Noted"], [{}, {}], [None, None], [MAY, MAY])
    assert bare.previous.tolist() == [-1, -1]
    assert lift(bare, np.arange(2), "What did Caroline say about tea?", W).tolist() == [0, 0]
    f = _features()
    assert lift(f, np.arange(4), "What do I like to drink?", W).tolist() == [0, 0, 0, 0]
