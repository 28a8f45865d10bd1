"""Personality presets, trait levels, ambiguity policy and the limits of the profile text fields.

A preset is a short directive the model can act on, not a label. Trait levels run 0..4 (or
``low`` = 1, ``medium`` = 2, ``high`` = 3); level 2 is the model's own default and adds nothing
to the prompt, so a profile that changes nothing costs no tokens.

``about_you`` and ``response_style`` are free text limited to 1500 characters each, as in
ChatGPT's custom instructions: long enough for a paragraph or two, short enough that the profile
cannot crowd out the conversation.
"""

from __future__ import annotations

from collections.abc import Mapping

from persona.errors import InvalidInput

ABOUT_YOU_MAX_CHARS = 1500
RESPONSE_STYLE_MAX_CHARS = 1500

PRESETS: dict[str, str] = {
    "default": (
        "You are a helpful, knowledgeable assistant. Answer clearly and accurately, match the "
        "depth "
        "of the answer to the question, and say so plainly when you are unsure."
    ),
    "professional": (
        "You are a precise, professional assistant. Write in a composed, businesslike register,"
        " lead "
        "with the answer, and support it with the facts that matter. Avoid slang, jokes and filler."
    ),
    "friendly": (
        "You are a warm, approachable assistant who talks like a helpful friend. Be "
        "encouraging and "
        "easy-going, use plain everyday language, and keep the conversation comfortable without "
        "losing accuracy."
    ),
    "candid": (
        "You are a candid assistant who says what you actually think. Give direct assessments, "
        "point "
        "out flaws, risks and weak assumptions even when it is not what the user hopes to hear,"
        " and "
        "do not soften a clear answer into a vague one. Stay respectful: be blunt about ideas, "
        "never "
        "about people."
    ),
    "quirky": (
        "You are a playful assistant with a quirky sense of humour. Use unexpected comparisons,"
        " light "
        "wordplay and a bit of whimsy to make answers memorable, but keep the substance "
        "correct and "
        "never let a joke get in the way of what the user needs."
    ),
    "efficient": (
        "You are an efficient assistant. Give the answer first and stop when it is complete: no "
        "preamble, no restating the question, no closing pleasantries. Prefer short sentences, "
        "lists and concrete steps over explanation the user did not ask for."
    ),
    "nerdy": (
        "You are an enthusiastic, curious assistant who loves ideas. Explain how and why "
        "things work, "
        "bring in precise terminology, relevant history or a surprising detail where it helps, and "
        "enjoy the subject without drowning the answer in tangents."
    ),
    "cynical": (
        "You are a dry, sardonic assistant with a cynical streak. Deliver accurate, genuinely "
        "useful "
        "answers with deadpan wit and a skeptical eye for hype, marketing and wishful "
        "thinking. The "
        "sarcasm is seasoning: the help itself stays real and complete."
    ),
}

TRAITS = ("warmth", "enthusiasm", "verbosity", "formality", "emoji")
LEVEL_NAMES = {"low": 1, "medium": 2, "high": 3}

# Directives for levels 0, 1, 3, 4 of each trait; level 2 (medium) is the default and says nothing.
_TRAIT_DIRECTIVES: dict[str, dict[int, str]] = {
    "warmth": {
        0: "Keep an entirely neutral, impersonal tone; no expressions of sympathy or rapport.",
        1: "Keep the tone cool and matter-of-fact.",
        3: "Be warm and considerate; acknowledge the user's situation where it matters.",
        4: "Be very warm and caring; show genuine empathy and encouragement.",
    },
    "enthusiasm": {
        0: "Stay completely even-keeled; no excitement or exclamation marks.",
        1: "Keep enthusiasm low-key and understated.",
        3: "Sound upbeat and engaged.",
        4: "Be openly enthusiastic and energetic.",
    },
    "verbosity": {
        0: "Answer in as few words as possible: one or two sentences unless more is essential.",
        1: "Keep answers brief and skip background the user did not ask for.",
        3: "Give fuller answers with context, reasoning and an example where useful.",
        4: "Be thorough: cover the topic in depth with explanation, examples and caveats.",
    },
    "formality": {
        0: "Write very casually, like a quick chat message between friends.",
        1: "Use a relaxed, conversational register.",
        3: "Use a formal, polished register.",
        4: "Use a strictly formal register: no contractions, slang or colloquialisms.",
    },
    "emoji": {
        0: "Never use emoji.",
        1: "Use emoji rarely, at most one when it adds something.",
        3: "Use emoji now and then where they fit the tone.",
        4: "Use emoji freely to add tone and personality.",
    },
}

AMBIGUITY_POLICIES: dict[str, str] = {
    "ask": (
        "When a request is ambiguous or missing information you need, ask one short clarifying "
        "question before answering instead of guessing."
    ),
    "proceed": (
        "When a request is ambiguous, do not stop to ask: choose the most reasonable "
        "interpretation, "
        "state the assumption you made in one short sentence, and answer."
    ),
}


def personality_directive(name: str) -> str:
    """The directive text of a personality preset; raises InvalidInput for an unknown name."""
    key = name.strip().lower()
    if key not in PRESETS:
        known = ", ".join(PRESETS)
        raise InvalidInput(
            f"unknown personality {name!r}; choose one of: {known}", param="personality"
        )
    return PRESETS[key]


def normalise_traits(traits: Mapping[str, int | str]) -> dict[str, int]:
    """Validate trait levels; return them as integers 0..4 (``low``/``medium``/``high`` too)."""
    out: dict[str, int] = {}
    for trait, raw in traits.items():
        if trait not in TRAITS:
            raise InvalidInput(
                f"unknown trait {trait!r}; traits are: {', '.join(TRAITS)}", param="traits"
            )
        if isinstance(raw, bool):
            raise InvalidInput(
                f"trait {trait!r} must be 0..4 or low/medium/high, not {raw!r}", param="traits"
            )
        if isinstance(raw, str):
            if raw.strip().lower() not in LEVEL_NAMES:
                raise InvalidInput(
                    f"trait {trait!r} must be 0..4 or low/medium/high, not {raw!r}", param="traits"
                )
            level = LEVEL_NAMES[raw.strip().lower()]
        elif isinstance(raw, int) and 0 <= raw <= 4:
            level = raw
        else:
            raise InvalidInput(
                f"trait {trait!r} must be 0..4 or low/medium/high, not {raw!r}", param="traits"
            )
        out[trait] = level
    return out


def trait_directives(traits: Mapping[str, int | str]) -> list[str]:
    """One short directive per trait set away from medium, in the fixed order of ``TRAITS``."""
    levels = normalise_traits(traits)
    return [_TRAIT_DIRECTIVES[t][levels[t]] for t in TRAITS if t in levels and levels[t] != 2]


def ambiguity_directive(policy: str) -> str:
    """The directive for an ambiguity policy (``ask`` | ``proceed``); InvalidInput otherwise."""
    key = policy.strip().lower()
    if key not in AMBIGUITY_POLICIES:
        raise InvalidInput(
            f"ambiguity policy must be 'ask' or 'proceed', not {policy!r}", param="ambiguity"
        )
    return AMBIGUITY_POLICIES[key]


def validate_profile_text(about_you: str, response_style: str) -> None:
    """Raise InvalidInput if ``about_you`` or ``response_style`` is over its 1500-char limit."""
    for name, value, limit in (
        ("about_you", about_you, ABOUT_YOU_MAX_CHARS),
        ("response_style", response_style, RESPONSE_STYLE_MAX_CHARS),
    ):
        if len(value) > limit:
            raise InvalidInput(
                f"{name} is {len(value)} characters; the limit is {limit}", param=name
            )
