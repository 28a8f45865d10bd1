"""Layout: bullet lists, highlighted sections, numbered sections, JSON, a title, fixed answers,
two responses."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from persona.steer.registry import ConstraintType, Param
from persona.steer.types import Verdict

BULLETS = "detectable_format:number_bullet_lists"
HIGHLIGHTS = "detectable_format:number_highlighted_sections"
SECTIONS = "detectable_format:multiple_sections"
JSON = "detectable_format:json_format"
TITLE = "detectable_format:title"
CONSTRAINED = "detectable_format:constrained_response"
TWO_RESPONSES = "combination:two_responses"

CONSTRAINED_OPTIONS = ("My answer is yes.", "My answer is no.", "My answer is maybe.")


def count_bullets(reply: str) -> int:
    """Lines that are markdown bullets (``* item`` or ``- item``)."""
    stars = re.findall(r"^\s*\*[^\*].*$", reply, flags=re.MULTILINE)
    dashes = re.findall(r"^\s*-.*$", reply, flags=re.MULTILINE)
    return len(stars) + len(dashes)


def _check_bullets(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count, want = count_bullets(reply), kwargs["num_bullets"]
    if count == want:
        return Verdict(id=BULLETS, passed=True)
    return Verdict(id=BULLETS, passed=False, detail=f"{count} bullet points; needs exactly {want}")


_NUMBERED = re.compile(r"^(?P<lead>[ \t]*)\d{1,3}[.)][ \t]+(?=\S)", re.MULTILINE)


def _repair_bullets(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    # a numbered list with exactly the wanted items becomes a bullet list; no item is added
    if count_bullets(reply) or len(_NUMBERED.findall(reply)) != kwargs["num_bullets"]:
        return None
    return _NUMBERED.sub(lambda m: m.group("lead") + "* ", reply)


def count_highlights(reply: str) -> int:
    """Non-empty ``*highlighted*`` and ``**highlighted**`` spans."""
    single = re.findall(r"\*[^\n\*]*\*", reply)
    double = re.findall(r"\*\*[^\n\*]*\*\*", reply)
    return sum(1 for h in single if h.strip("*").strip()) + sum(
        1 for h in double if h.removeprefix("**").removesuffix("**").strip()
    )


def _check_highlights(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count, want = count_highlights(reply), kwargs["num_highlights"]
    if count >= want:
        return Verdict(id=HIGHLIGHTS, passed=True)
    detail = f"{count} highlighted sections; needs at least {want}"
    return Verdict(id=HIGHLIGHTS, passed=False, detail=detail)


def _check_sections(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    splitter = r"\s?" + re.escape(kwargs["section_spliter"]) + r"\s?\d+\s?"
    count, want = len(re.split(splitter, reply)) - 1, kwargs["num_sections"]
    if count >= want:
        return Verdict(id=SECTIONS, passed=True)
    detail = f"{count} sections marked '{kwargs['section_spliter']} N'; needs {want}"
    return Verdict(id=SECTIONS, passed=False, detail=detail)


_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
}
_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _repair_sections(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    # "SECTION II" / "Section Two" -> "SECTION 2": only the numbering is rewritten
    words = "|".join(_NUMBER_WORDS)
    marker = re.compile(
        rf"\b({re.escape(kwargs['section_spliter'])})([ \t]+)([IVX]+|{words})\b", re.IGNORECASE
    )

    def number(m: re.Match[str]) -> str:
        token = m.group(3)
        n = _ROMAN.get(token.upper()) if token.isupper() or len(token) == 1 else None
        if n is None and token.lower() in _NUMBER_WORDS:
            n = _NUMBER_WORDS.index(token.lower()) + 1
        return m.group(0) if n is None else f"{m.group(1)}{m.group(2)}{n}"

    fixed = marker.sub(number, reply)
    return fixed if fixed != reply else None


def _json_body(reply: str) -> str:
    body = reply.strip()
    for prefix in ("```json", "```Json", "```JSON", "```"):
        body = body.removeprefix(prefix)
    return body.removesuffix("```").strip()


def _check_json(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    try:
        json.loads(_json_body(reply))
    except ValueError as exc:
        return Verdict(id=JSON, passed=False, detail=f"the reply is not valid JSON ({exc})")
    return Verdict(id=JSON, passed=True)


_FENCED = re.compile(r"```[A-Za-z]*\s*\n(.*?)\n\s*```", re.DOTALL)


def _repair_json(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    # a reply that is one fenced JSON block plus a one-line lead-in: keep only the block
    blocks: list[str] = _FENCED.findall(reply)
    if len(blocks) != 1:
        return None
    try:
        json.loads(blocks[0])
    except ValueError:
        return None
    outside = _FENCED.sub("", reply).strip()
    if "\n" in outside or len(outside.split()) > 15:
        return None
    return blocks[0].strip()


def _check_title(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    titles = re.findall(r"<<[^\n]+>>", reply)
    if any(t.lstrip("<").rstrip(">").strip() for t in titles):
        return Verdict(id=TITLE, passed=True)
    return Verdict(id=TITLE, passed=False, detail="no title wrapped in double angular brackets")


_HEADING = re.compile(
    r"^(?P<lead>\s*)(?:#{1,6}\s+(?P<h>[^\n]+?)\s*#*|\*\*(?P<b>[^\n*]+)\*\*|"
    r"(?:title|Title|TITLE)\s*:\s*(?P<t>[^\n]+?))[ \t]*$",
    re.MULTILINE,
)


def _repair_title(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    # only an existing title changes its markup; no title is ever made up
    first = re.match(r"\s*[^\n]*", reply)
    m = _HEADING.match(first.group(0)) if first else None
    if not m:
        return None
    title = (m.group("h") or m.group("b") or m.group("t")).strip()
    if not title:
        return None
    return reply[: m.start()] + m.group("lead") + f"<<{title}>>" + reply[m.end() :]


def _check_constrained(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    if any(option in reply.strip() for option in CONSTRAINED_OPTIONS):
        return Verdict(id=CONSTRAINED, passed=True)
    detail = "the reply contains none of: " + " / ".join(CONSTRAINED_OPTIONS)
    return Verdict(id=CONSTRAINED, passed=False, detail=detail)


def _repair_two(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    # a short label split off by a separator ("Poem 1\n******\n...") rejoins its response
    parts = reply.split("******")
    if len(parts) != 3:
        return None
    first, last = parts[0].strip(), parts[-1].strip()
    if first and "\n" not in first and len(first.split()) <= 6:
        return parts[0].rstrip() + "\n" + parts[1].lstrip("\n") + "******" + parts[2]
    if last and "\n" not in last and len(last.split()) <= 6:
        return parts[0] + "******" + parts[1].rstrip() + "\n" + parts[2].lstrip()
    return None


def _check_two(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    valid = []
    parts = reply.split("******")
    for i, part in enumerate(parts):
        if part.strip():
            valid.append(part)
        elif i not in (0, len(parts) - 1):
            detail = "an empty response between ****** separators"
            return Verdict(id=TWO_RESPONSES, passed=False, detail=detail)
    if len(valid) != 2:
        detail = f"{len(valid)} responses separated by ******; needs exactly 2"
        return Verdict(id=TWO_RESPONSES, passed=False, detail=detail)
    if valid[0].strip() == valid[1].strip():
        return Verdict(id=TWO_RESPONSES, passed=False, detail="the two responses are identical")
    return Verdict(id=TWO_RESPONSES, passed=True)


TYPES = (
    ConstraintType(
        id=BULLETS,
        params=(Param("num_bullets", int, minimum=0),),
        describe=lambda kw: (
            f"Your reply must contain exactly {kw['num_bullets']} markdown bullet points, "
            "each on its own line starting with '* '."
        ),
        check=_check_bullets,
        repair=_repair_bullets,
        repair_rank=40,
    ),
    ConstraintType(
        id=HIGHLIGHTS,
        params=(Param("num_highlights", int, minimum=1),),
        describe=lambda kw: (
            f"Highlight at least {kw['num_highlights']} sections of your reply with markdown, "
            "i.e. *highlighted section*."
        ),
        check=_check_highlights,
    ),
    ConstraintType(
        id=SECTIONS,
        params=(Param("section_spliter", str), Param("num_sections", int, minimum=1)),
        describe=lambda kw: (
            f"Your reply must have {kw['num_sections']} sections; begin each with "
            f"'{kw['section_spliter']} X' (X the section number), e.g. "
            f"'{kw['section_spliter']} 1'."
        ),
        check=_check_sections,
        repair=_repair_sections,
        repair_rank=40,
    ),
    ConstraintType(
        id=JSON,
        params=(),
        describe=lambda kw: (
            "Your entire reply must be valid JSON (you may wrap it in ``` markdown ticks); "
            "no text outside the JSON."
        ),
        check=_check_json,
        repair=_repair_json,
        repair_rank=5,
    ),
    ConstraintType(
        id=TITLE,
        params=(),
        describe=lambda kw: (
            "Your reply must contain a title wrapped in double angular brackets, "
            "such as <<poem of joy>>."
        ),
        check=_check_title,
        repair=_repair_title,
        repair_rank=40,
    ),
    ConstraintType(
        id=CONSTRAINED,
        params=(),
        describe=lambda kw: (
            "Answer with one of these exact options: " + " ".join(CONSTRAINED_OPTIONS)
        ),
        check=_check_constrained,
    ),
    ConstraintType(
        id=TWO_RESPONSES,
        params=(),
        describe=lambda kw: (
            "Give two different responses, separated by six asterisks ****** and nothing else."
        ),
        check=_check_two,
        repair=_repair_two,
        repair_rank=40,
    ),
)
