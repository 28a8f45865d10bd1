"""Finding and stripping markdown syntax, for the style:no_markdown constraint."""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("heading", re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S", re.M)),
    ("bold", re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")),
    ("italics", re.compile(r"(?<![\w*])\*[^*\s][^*\n]*?\*(?![\w*])")),
    ("list", re.compile(r"^[ \t]*[-*+][ \t]+\S", re.M)),
    ("code", re.compile(r"```|`[^`\n]+`")),
    ("link", re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")),
    ("table", re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.M)),
    ("quote", re.compile(r"^[ \t]*>[ \t]", re.M)),
    ("rule", re.compile(r"^[ \t]*(?:\*{3,}|-{3,}|_{3,})[ \t]*$", re.M)),
)


def find(text: str) -> list[str]:
    """Names of the markdown constructs used in `text`, in a fixed order."""
    return [name for name, pattern in _RULES if pattern.search(text)]


def strip(text: str) -> str | None:
    """`text` with markdown markup removed and its words kept; None if it has a table."""
    if re.search(r"^[ \t]*\|.*\|[ \t]*$", text, re.M):
        return None  # a table cannot become plain text without rewriting it
    text = re.sub(r"^[ \t]*(?:\*{3,}|-{3,}|_{3,})[ \t]*\n?", "", text, flags=re.M)
    text = re.sub(r"^[ \t]*```[^\n]*\n?", "", text, flags=re.M)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    text = re.sub(r"^([ \t]{0,3})#{1,6}[ \t]+(.*?)[ \t#]*$", r"\1\2", text, flags=re.M)
    text = re.sub(r"^([ \t]*)[-*+][ \t]+(?=\S)", "\\1• ", text, flags=re.M)
    text = re.sub(r"\*\*([^*\n]+)\*\*|__([^_\n]+)__", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"(?<![\w*])\*([^*\s][^*\n]*?)\*(?![\w*])", r"\1", text)
    text = re.sub(r"\[([^\]\n]+)\]\(([^)\s]+)\)", r"\1 (\2)", text)
    return re.sub(r"^([ \t]*)>[ \t]", r"\1", text, flags=re.M)


_TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")


def flatten_tables(text: str) -> str | None:
    """`text` with each table row as a line of its cells separated by semicolons, then stripped
    of markdown; the fallback of no_markdown, as a table has no plain-text form."""
    lines: list[str] = []
    for line in text.split("\n"):
        if _TABLE_RULE.match(line):
            continue
        row = _TABLE_ROW.match(line)
        if row:
            line = "; ".join(c.strip() for c in row.group(1).split("|") if c.strip())
        lines.append(line)
    flat = "\n".join(lines)
    return strip(flat) if flat != text else None
