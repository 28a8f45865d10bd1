"""Content markers: placeholders, postscript, end phrase, quotation, repeated prompt, commas."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from persona.steer.registry import ConstraintType, Param
from persona.steer.types import Verdict

PLACEHOLDERS = "detectable_content:number_placeholders"
POSTSCRIPT = "detectable_content:postscript"
END = "startend:end_checker"
QUOTATION = "startend:quotation"
REPEAT = "combination:repeat_prompt"
NO_COMMA = "punctuation:no_comma"


def _check_placeholders(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count, want = len(re.findall(r"\[.*?\]", reply)), kwargs["num_placeholders"]
    if count >= want:
        return Verdict(id=PLACEHOLDERS, passed=True)
    detail = f"{count} [placeholders]; needs at least {want}"
    return Verdict(id=PLACEHOLDERS, passed=False, detail=detail)


def _postscript_pattern(marker: str) -> str:
    if marker == "P.P.S":
        return r"\s*p\.\s?p\.\s?s.*$"
    if marker == "P.S.":
        return r"\s*p\.\s?s\..*$"
    return r"\s*" + re.escape(marker.lower()) + r".*$"


def _check_postscript(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    marker = kwargs["postscript_marker"]
    if re.findall(_postscript_pattern(marker), reply.lower(), flags=re.MULTILINE):
        return Verdict(id=POSTSCRIPT, passed=True)
    return Verdict(id=POSTSCRIPT, passed=False, detail=f"no postscript starting with {marker}")


_PS_LINE = re.compile(
    r"^(?P<lead>[ \t*_]*)(?:p\.?\s?p\.?\s?s\.?|p\.?\s?s\.?|postscript)(?=[\s:.\-])[ \t]*[:.\-]?",
    re.IGNORECASE | re.MULTILINE,
)


def _repair_postscript(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    # an existing postscript written another way gets the required marker; none is invented
    matches = list(_PS_LINE.finditer(reply))
    if not matches:
        return None
    m = matches[-1]
    return (
        reply[: m.start()] + m.group("lead") + str(kwargs["postscript_marker"]) + reply[m.end() :]
    )


def _end_normal(text: str) -> str:
    return text.strip().strip('"').lower()


def _check_end(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    phrase = kwargs["end_phrase"].strip()
    if _end_normal(reply).endswith(phrase.lower()):
        return Verdict(id=END, passed=True)
    tail = reply.strip()[-40:]
    return Verdict(id=END, passed=False, detail=f"does not end with {phrase!r} (ends {tail!r})")


def _bare(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def _repair_end(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    phrase = str(kwargs["end_phrase"]).strip()
    body = reply.rstrip()
    closing = ""
    if len(body.strip()) > 1 and body.lstrip().startswith('"') and body.endswith('"'):
        body, closing = body[:-1].rstrip(), '"'
    last_line = body.rsplit("\n", 1)[-1]
    if _bare(last_line) == _bare(phrase):  # the phrase is there, only punctuation differs
        body = (
            body[: len(body) - len(last_line)]
            + last_line[: len(last_line) - len(last_line.lstrip())]
        )
        return body + phrase + closing
    return body + "\n\n" + phrase + closing


def _check_quotation(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    value = reply.strip()
    if len(value) > 1 and value[0] == '"' and value[-1] == '"':
        return Verdict(id=QUOTATION, passed=True)
    return Verdict(id=QUOTATION, passed=False, detail="the reply is not wrapped in double quotes")


def _repair_quotation(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return '"' + reply.strip() + '"'


def _check_repeat(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    prompt = kwargs["prompt_to_repeat"].strip().lower()
    if reply.strip().lower().startswith(prompt):
        return Verdict(id=REPEAT, passed=True)
    return Verdict(
        id=REPEAT, passed=False, detail="does not start by repeating the request verbatim"
    )


def _repair_repeat(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    prompt = str(kwargs["prompt_to_repeat"]).strip()
    body = reply.lstrip()
    at = body.lower().find(prompt.lower())
    if at > 0:
        lead_in, after = body[:at], body[at + len(prompt) :]
        if lead_in.strip() in ('"', "'", "\u201c") and after[:1] in ('"', "'", "\u201d"):
            return prompt + after[1:]  # the request was repeated inside quotes
        # a short one-line lead-in before the repeated request is dropped, nothing else
        if "\n" in lead_in.strip() or len(lead_in.split()) > 12 or not lead_in.strip(" \t\"'"):
            return None
        return body[at:]
    # the reply is kept whole, even where it restates the request in its own words
    return prompt + "\n\n" + body


def _check_no_comma(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count = reply.count(",")
    if not count:
        return Verdict(id=NO_COMMA, passed=True)
    return Verdict(id=NO_COMMA, passed=False, detail=f"{count} commas")


def _repair_no_comma(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    if "```" in reply or reply.lstrip()[:1] in ("{", "["):
        return None  # commas are syntax in code and JSON
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", reply)  # 1,000 -> 1000
    text = re.sub(r",[ \t]*", " ", text)
    return re.sub(r" +(?=[ \n.;:!?)]|$)", "", text, flags=re.MULTILINE)


TYPES = (
    ConstraintType(
        id=PLACEHOLDERS,
        params=(Param("num_placeholders", int, minimum=1),),
        describe=lambda kw: (
            f"Your reply must contain at least {kw['num_placeholders']} placeholders in square "
            "brackets, such as [address]."
        ),
        check=_check_placeholders,
    ),
    ConstraintType(
        id=POSTSCRIPT,
        params=(Param("postscript_marker", str),),
        describe=lambda kw: (
            f"At the end of your reply, add a postscript starting with {kw['postscript_marker']}"
        ),
        check=_check_postscript,
        repair=_repair_postscript,
        repair_rank=30,
    ),
    ConstraintType(
        id=END,
        params=(Param("end_phrase", str),),
        describe=lambda kw: (
            f'Finish your reply with this exact phrase: "{kw["end_phrase"]}". '
            "No other words may follow it."
        ),
        check=_check_end,
        repair=_repair_end,
        repair_rank=35,
    ),
    ConstraintType(
        id=QUOTATION,
        params=(),
        describe=lambda kw: "Wrap your entire reply in double quotation marks.",
        check=_check_quotation,
        repair=_repair_quotation,
        repair_rank=90,
    ),
    ConstraintType(
        id=REPEAT,
        params=(Param("prompt_to_repeat", str),),
        describe=lambda kw: (
            "First repeat the request below word for word without change, then give your "
            "answer; say nothing before the repeated request. The request: "
            f"{kw['prompt_to_repeat']}"
        ),
        check=_check_repeat,
        repair=_repair_repeat,
        repair_rank=20,
    ),
    ConstraintType(
        id=NO_COMMA,
        params=(),
        describe=lambda kw: "Do not use any commas anywhere in your reply.",
        check=_check_no_comma,
        repair=_repair_no_comma,
        repair_rank=70,
    ),
)
