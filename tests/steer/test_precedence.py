"""Developer over user, later user over earlier, one-off for one reply only."""

from __future__ import annotations

import json

from persona.steer import Constraint, Dropped, Resolution, make, resolve

LOWER = make("change_case:english_lowercase")
CAPS = make("change_case:english_capital")
SPANISH = make("language:response_language", language="es")
ENGLISH = make("language:response_language", language="en")
WORDS_100 = make("style:max_words", max_words=100)
WORDS_50 = make("style:max_words", max_words=50)


def src(c: Constraint, source: str) -> Constraint:
    return c.model_copy(update={"source": source})


def test_developer_outranks_a_conflicting_user_constraint() -> None:
    result = resolve([ENGLISH], [SPANISH, LOWER])
    assert result == Resolution(
        active=[src(ENGLISH, "developer"), src(LOWER, "user")],
        dropped=[
            Dropped(
                src(SPANISH, "user"),
                "developer constraint outranks user: a reply cannot be in two languages",
                src(ENGLISH, "developer"),
            )
        ],
    )


def test_later_user_constraint_supersedes_earlier_conflict_and_same_type() -> None:
    result = resolve([], [CAPS, WORDS_100, LOWER, WORDS_50])
    assert result == Resolution(
        active=[src(LOWER, "user"), src(WORDS_50, "user")],
        dropped=[
            Dropped(
                src(CAPS, "user"),
                "superseded by a later user constraint that conflicts: a reply cannot be all "
                "lowercase and all capitals",
                src(LOWER, "user"),
            ),
            Dropped(
                src(WORDS_100, "user"),
                "superseded by a later user constraint of the same type",
                src(WORDS_50, "user"),
            ),
        ],
    )


def test_one_off_overrides_user_for_this_reply_but_not_developer() -> None:
    french = make("language:response_language", language="fr")
    no_comma = make("punctuation:no_comma")
    result = resolve([WORDS_100], [SPANISH], [french, no_comma])
    assert result.active == [
        src(WORDS_100, "developer"),
        src(french, "one_off"),
        src(no_comma, "one_off"),
    ]
    assert result.dropped == [
        Dropped(
            src(SPANISH, "user"),
            "overridden for this reply by a one-off request of the same type",
            src(french, "one_off"),
        )
    ]
    # the stored user constraints are untouched: the next reply without the one-off is Spanish
    assert resolve([WORDS_100], [SPANISH]).active == [
        src(WORDS_100, "developer"),
        src(SPANISH, "user"),
    ]


def test_one_off_cannot_override_developer() -> None:
    result = resolve([LOWER], [], [CAPS])
    assert result.active == [src(LOWER, "developer")]
    assert [d.winner for d in result.dropped] == [src(LOWER, "developer")]


def test_developer_and_user_limits_of_the_same_type_both_hold() -> None:
    assert resolve([WORDS_100], [WORDS_50]).active == [
        src(WORDS_100, "developer"),
        src(WORDS_50, "user"),
    ]


def test_keyword_lists_are_additive() -> None:
    ban_a = make("keywords:forbidden_words", forbidden_words=["delve"])
    ban_b = make("keywords:forbidden_words", forbidden_words=["tapestry"])
    assert resolve([], [ban_a, ban_b, ban_a]) == Resolution(
        active=[src(ban_b, "user"), src(ban_a, "user")],
        dropped=[
            Dropped(
                src(ban_a, "user"),
                "superseded by a later user constraint of the same type",
                src(ban_a, "user"),
            )
        ],
    )


def test_existing_source_is_kept() -> None:
    from_chat = src(LOWER, "chat")
    assert resolve([], [from_chat]).active == [from_chat]


def test_resolution_serialises_for_the_trace() -> None:
    result = resolve([ENGLISH], [SPANISH])
    assert json.loads(json.dumps(result.as_dict())) == {
        "active": [
            {
                "id": "language:response_language",
                "kwargs": {"language": "en"},
                "source": "developer",
            }
        ],
        "dropped": [
            {
                "constraint": {
                    "id": "language:response_language",
                    "kwargs": {"language": "es"},
                    "source": "user",
                },
                "reason": "developer constraint outranks user: a reply cannot be in two languages",
                "winner": {
                    "id": "language:response_language",
                    "kwargs": {"language": "en"},
                    "source": "developer",
                },
            }
        ],
    }
