"""Lenient JSON: the first JSON value in what a real model returned.

Real-world output is rarely clean JSON: it comes in ```json fences, after "Sure! Here you go:",
inside `reasoning_content` with an empty answer, with single quotes or trailing commas.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any


class ParseError(ValueError):
    """The model's output holds no usable JSON."""


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _balanced_spans(text: str) -> list[str]:
    """Every top-level {...} or [...] span in `text`, outermost first, respecting strings."""
    spans: list[str] = []
    depth, start, quote, escaped = 0, -1, "", False
    for i, ch in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'" and depth > 0:
            quote = ch
        elif ch in "{[":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "}]" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[start : i + 1])
    return spans


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        first_error = exc
    fixed = _TRAILING_COMMA.sub(r"\1", text)
    try:
        return json.loads(fixed)
    except json.JSONDecodeError:
        pass
    # Python-literal style: single quotes, True/False/None (or JSON's true/false/null)
    pythonic = re.sub(r"\btrue\b", "True", fixed)
    pythonic = re.sub(r"\bfalse\b", "False", pythonic)
    pythonic = re.sub(r"\bnull\b", "None", pythonic)
    try:
        return ast.literal_eval(pythonic)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise first_error from None


def parse_json_lenient(*texts: str | None) -> Any:
    """The first JSON value found in `texts` (answer, then reasoning); raises `ParseError`."""
    errors: list[str] = []
    for raw in texts:
        if not raw or not raw.strip():
            continue
        text = _THINK.sub("", raw) if _THINK.search(raw) and _THINK.sub("", raw).strip() else raw
        options = [text.strip(), *_FENCE.findall(text), *_balanced_spans(text)]
        for option in options:
            option = option.strip()
            if not option or option[0] not in "{[":
                continue
            try:
                return _loads(option)
            except json.JSONDecodeError as exc:
                errors.append(str(exc))
    raise ParseError(errors[0] if errors else "the reply contains no JSON object")
