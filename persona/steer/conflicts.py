"""Which constraints cannot hold together, and refusing a set that contains such a pair.

Each rule looks at one pair and returns a reason when no reply could satisfy both:
opposite cases, JSON against other layouts, numeric ranges that do not overlap, a required
phrase that breaks another rule (a comma in the end phrase under "no commas"), and so on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from persona.errors import Conflict
from persona.steer.registry import get_type
from persona.steer.types import Constraint

C = "change_case:"
LOWER, CAPITAL, CAPS_FREQ = (
    C + "english_lowercase",
    C + "english_capital",
    C + "capital_word_frequency",
)
JSON = "detectable_format:json_format"
LANGUAGE = "language:response_language"
END, QUOTE, REPEAT = "startend:end_checker", "startend:quotation", "combination:repeat_prompt"
NO_COMMA, FORBIDDEN = "punctuation:no_comma", "keywords:forbidden_words"
NO_MARKDOWN, NO_FOLLOW_UP = "style:no_markdown", "style:no_follow_up_questions"
WORDS, MAX_WORDS = "length_constraints:number_words", "style:max_words"
NTH = "length_constraints:nth_paragraph_first_word"

# layouts a bare JSON document cannot have
_NOT_JSON = {
    "detectable_format:title": "a <<title>>",
    "detectable_format:multiple_sections": "numbered sections",
    "detectable_format:number_bullet_lists": "bullet points",
    "detectable_content:postscript": "a postscript",
    "combination:two_responses": "two responses",
    "detectable_format:constrained_response": "a fixed sentence answer",
    END: "an end phrase",
    QUOTE: "quotation marks around the reply",
    REPEAT: "the request repeated first",
    NTH: "paragraphs",
    "length_constraints:number_paragraphs": "*** paragraphs",
}
# (id, kwarg with the count, kwarg with the relation) for "less than"/"at least" counts
_RANGES = {
    WORDS: ("num_words", "relation"),
    "length_constraints:number_sentences": ("num_sentences", "relation"),
    CAPS_FREQ: ("capital_frequency", "capital_relation"),
    "keywords:frequency": ("frequency", "relation"),
    "keywords:letter_frequency": ("let_frequency", "let_relation"),
}
_EXACT = {
    "detectable_format:number_bullet_lists": "num_bullets",
    "length_constraints:number_paragraphs": "num_paragraphs",
}

Rule = Callable[[Constraint, Constraint], "str | None"]


def _pair(a: Constraint, b: Constraint, x: str, y: str) -> tuple[Constraint, Constraint] | None:
    if a.id == x and b.id == y:
        return a, b
    if a.id == y and b.id == x:
        return b, a
    return None


def _case(a: Constraint, b: Constraint) -> str | None:
    if _pair(a, b, LOWER, CAPITAL):
        return "a reply cannot be all lowercase and all capitals"
    p = _pair(a, b, LOWER, CAPS_FREQ)
    if p and p[1].kwargs["capital_relation"] == "at least" and p[1].kwargs["capital_frequency"] > 0:
        return "an all-lowercase reply has no all-capital words"
    for case in (LOWER, CAPITAL):
        p = _pair(a, b, case, LANGUAGE)
        if p and p[1].kwargs["language"] != "en":
            return f"{case} requires English, {LANGUAGE} requires {p[1].kwargs['language']}"
    return None


def _json(a: Constraint, b: Constraint) -> str | None:
    for other, what in _NOT_JSON.items():
        if _pair(a, b, JSON, other):
            return f"a reply that is only JSON cannot also have {what}"
    return None


def _same_type(a: Constraint, b: Constraint) -> str | None:
    if a.id != b.id or a.kwargs == b.kwargs:
        return None
    if a.id == LANGUAGE:
        return "a reply cannot be in two languages"
    if a.id == "style:formality":
        return "a reply cannot be both formal and casual"
    if a.id in _EXACT:
        name = _EXACT[a.id]
        return f"{name} cannot be both {a.kwargs[name]} and {b.kwargs[name]}"
    if a.id == END:
        x, y = a.kwargs["end_phrase"].lower(), b.kwargs["end_phrase"].lower()
        if not (x.endswith(y) or y.endswith(x)):
            return "a reply cannot end with two different phrases"
    if a.id == NTH:
        if a.kwargs["num_paragraphs"] != b.kwargs["num_paragraphs"]:
            return "two different paragraph counts"
        same_nth = a.kwargs["nth_paragraph"] == b.kwargs["nth_paragraph"]
        if same_nth and a.kwargs["first_word"].lower() != b.kwargs["first_word"].lower():
            return "the same paragraph cannot start with two different words"
    return None


def _bounds(c: Constraint) -> tuple[str, int, int | None] | None:
    """(measure, minimum, maximum or None) for a counted constraint."""
    if c.id == MAX_WORDS:
        return "words", 0, c.kwargs["max_words"]
    if c.id not in _RANGES:
        return None
    count, relation = _RANGES[c.id]
    measure = c.id
    if c.id == WORDS:
        measure = "words"
    elif c.id == "keywords:frequency":
        measure = c.id + ":" + c.kwargs["keyword"].lower()
    elif c.id == "keywords:letter_frequency":
        measure = c.id + ":" + c.kwargs["letter"].lower()
    n = c.kwargs[count]
    return (measure, 0, n - 1) if c.kwargs[relation] == "less than" else (measure, n, None)


def _ranges(a: Constraint, b: Constraint) -> str | None:
    x, y = _bounds(a), _bounds(b)
    if x is None or y is None or x[0] != y[0]:
        return None
    low = max(x[1], y[1])
    highs = [h for h in (x[2], y[2]) if h is not None]
    if highs and low > min(highs):
        return f"no count is both at least {low} and at most {min(highs)}"
    return None


def _required_text(c: Constraint) -> str | None:
    if c.id == END:
        return str(c.kwargs["end_phrase"])
    if c.id == REPEAT:
        return str(c.kwargs["prompt_to_repeat"])
    if c.id == NTH:
        return str(c.kwargs["first_word"])
    return None


def _required_vs_rule(a: Constraint, b: Constraint) -> str | None:
    for req, rule in ((a, b), (b, a)):
        text = _required_text(req)
        if text is None:
            continue
        check = get_type(rule.id).check
        if rule.id in (NO_COMMA, FORBIDDEN, NO_FOLLOW_UP) and not check(text, rule.kwargs).passed:
            return f"the text that {req.id} requires breaks {rule.id}: {text!r}"
        if rule.id in (WORDS, MAX_WORDS) and req.id == REPEAT:
            bounds = _bounds(rule)
            if bounds and bounds[2] is not None and not check(text, rule.kwargs).passed:
                return f"the request to repeat alone is longer than {rule.id} allows"
    if _pair(a, b, REPEAT, QUOTE):
        return "a reply cannot both start with the repeated request and with a quotation mark"
    return None


def _markdown(a: Constraint, b: Constraint) -> str | None:
    for other in (
        "detectable_format:number_highlighted_sections",
        "detectable_format:number_bullet_lists",
    ):
        p = _pair(a, b, NO_MARKDOWN, other)
        if p and (
            other != "detectable_format:number_bullet_lists" or p[1].kwargs["num_bullets"] > 0
        ):
            return f"{other} needs markdown, which {NO_MARKDOWN} forbids"
    return None


def _keywords(a: Constraint, b: Constraint) -> str | None:
    for want in ("keywords:existence", "keywords:frequency"):
        p = _pair(a, b, want, FORBIDDEN)
        if not p:
            continue
        need, ban = p
        if want == "keywords:frequency" and (
            need.kwargs["relation"] != "at least" or need.kwargs["frequency"] < 1
        ):
            continue
        words = need.kwargs.get("keywords") or [need.kwargs["keyword"]]
        banned = {w.lower() for w in ban.kwargs["forbidden_words"]}
        clash = [w for w in words if w.lower() in banned]
        if clash:
            return "required and forbidden at once: " + ", ".join(clash)
    return None


RULES: tuple[Rule, ...] = (
    _case,
    _json,
    _same_type,
    _ranges,
    _required_vs_rule,
    _markdown,
    _keywords,
)


def conflict_reason(a: Constraint, b: Constraint) -> str | None:
    """Why `a` and `b` cannot both hold, or None if they can (kwargs must be validated)."""
    for rule in RULES:
        reason = rule(a, b)
        if reason:
            return reason
    return None


def find_conflicts(constraints: Sequence[Constraint]) -> list[tuple[Constraint, Constraint, str]]:
    """Every conflicting pair (earlier, later, reason) in `constraints`."""
    from persona.steer.registry import validate

    valid = [validate(c) for c in constraints]
    out = []
    for i, a in enumerate(valid):
        for b in valid[i + 1 :]:
            reason = conflict_reason(a, b)
            if reason:
                out.append((a, b, reason))
    return out


def validate_set(constraints: Sequence[Constraint]) -> list[Constraint]:
    """The validated constraints; InvalidInput for a bad one, Conflict for a clashing pair."""
    from persona.steer.registry import validate

    valid = [validate(c) for c in constraints]
    clashes = find_conflicts(valid)
    if clashes:
        described = "; ".join(f"{a.id} vs {b.id}: {reason}" for a, b, reason in clashes)
        raise Conflict(f"conflicting constraints: {described}")
    return valid
