"""Text laid out in terminal columns: a CJK character takes two, a combining mark none.

``width`` counts columns (``unicodedata.east_asian_width``), ``ljust`` pads to
a column count, ``wrap`` breaks a message into lines that fit (between words,
or between any two CJK characters).
"""

from __future__ import annotations

import re
import unicodedata


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
    """``text`` (whitespace collapsed) as lines at most ``columns`` wide."""
    columns = max(columns, 10)
    lines: list[str] = []
    line = ""
    for unit in _UNITS.findall(" ".join(text.split())):
        if unit.isspace():
            if line:
                line += " "
            continue
        while width(unit) > columns:  # a word longer than a line: cut it
            room = columns - width(line)
            cut = _fit(unit, room if room > 0 else columns)
            if room <= 0 or not cut:
                lines.append(line.rstrip())
                line = ""
                continue
            lines.append(line + unit[:cut])
            line, unit = "", unit[cut:]
        if width(line) + width(unit) > columns and line.strip():
            lines.append(line.rstrip())
            line = ""
        line += unit
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _fit(text: str, columns: int) -> int:
    used = 0
    for i, char in enumerate(text):
        used += char_width(char)
        if used > columns:
            return i
    return len(text)
