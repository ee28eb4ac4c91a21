"""Text laid out in terminal columns: a CJK character takes two, a combining mark none.

``width`` counts columns (``unicodedata.east_asian_width``), ``ljust`` pads to
a column count, ``wrap`` breaks a message into lines that fit (between words,
or between any two CJK characters), its control characters made visible first
(``encode.for_terminal``) so that the columns counted are the ones shown.
"""

from __future__ import annotations

import re
import unicodedata

from pytest_torchkata.reports.encode import for_terminal


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(char_width(c) for c in text)


def ljust(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def rjust(text: str, columns: int) -> str:
    return " " * max(columns - width(text), 0) + text


# a unit is a run of non-wide, non-space characters, or one wide character
_UNITS = re.compile(r"\s+|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|\S")


def wrap(text: str, columns: int) -> list[str]:
    """``text`` (made inert for a terminal, whitespace collapsed) as lines at most ``columns``
    wide.  Linear in the length of ``text``: each character's width is taken once, a long
    word included."""
    columns = max(columns, 10)
    lines: list[str] = []
    line, used = "", 0  # the line being filled and its width
    for unit in _UNITS.findall(" ".join(for_terminal(text).split())):
        if unit.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        sizes = [char_width(c) for c in unit]
        start, left = 0, sum(sizes)  # what is left of the unit, and its width
        while left > columns:  # a word longer than a line: cut it
            room = columns - used
            end, taken = _fit(sizes, start, room if room > 0 else columns)
            if room <= 0 or end == start:
                lines.append(line.rstrip())
                line, used = "", 0
                continue
            lines.append(line + unit[start:end])
            line, used, start, left = "", 0, end, left - taken
        if used + left > columns and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + unit[start:], used + left
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _fit(sizes: list[int], start: int, columns: int) -> tuple[int, int]:
    """Where a piece of a word beginning at ``start`` ends to be at most ``columns`` wide,
    and its width (``sizes``: the width of each character of the word)."""
    end, used = start, 0
    while end < len(sizes) and used + sizes[end] <= columns:
        used += sizes[end]
        end += 1
    return end, used


def fit(line: str, columns: int, hang: int = 4) -> list[str]:
    """``line`` as it is when it fits in ``columns``; else wrapped (``wrap``), keeping its
    own indentation, the pieces after the first indented ``hang`` more."""
    indent = line[: len(line) - len(line.lstrip())]
    return hanging(indent, line.lstrip(), columns, width(indent) + hang)


def hanging(prefix: str, text: str, columns: int, indent: int | None = None) -> list[str]:
    """``prefix + text`` as it is when it fits in ``columns``; else ``text`` wrapped after
    ``prefix``, the pieces after the first indented ``indent`` columns (default: under ``text``)."""
    if width(prefix) + width(text) <= columns:
        return [prefix + text]
    pad = " " * (width(prefix) if indent is None else indent)
    first, *more = wrap(text, columns - max(width(prefix), len(pad)))
    return [prefix + first, *(pad + part for part in more)]
