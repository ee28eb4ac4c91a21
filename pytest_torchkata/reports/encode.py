"""Learner text made inert for where it is shown.

Exception messages, type names, printed output, file names and student names
come from learner code or submissions; a writer passes each through the
function for its destination before it is shown:

- ``for_terminal``: a terminal or a log.  Control characters other than a
  newline (escape sequences, ``\\r``, backspace, bell, C1 codes), bidi
  overrides and isolates, and lone surrogates become visible escapes such as
  ``\\x1b`` or ``\\u202e``; a tab becomes spaces.
- ``one_line``: the same on one line (a row of a console listing, a CSV cell,
  a log reader that treats each line as a command).
- ``for_markdown``: a Markdown page (rendered to HTML by GitHub or
  Gradescope): every character with a meaning there is escaped, so the text
  renders as itself: no HTML, link, image, heading, list, table cell or code span;
  ``markdown_code`` puts text in a code span it cannot close.
- ``csv_cell``: a spreadsheet cell: text that a spreadsheet would read as a
  formula starts with a quote; numbers stay numbers.
- ``for_html``: HTML text or an attribute value (quoted): ``<``, ``>``, ``&``
  and both quotes become entities, control characters visible escapes, so the
  text can neither open a tag nor leave the attribute it is in.

``for_terminal`` and ``one_line`` leave their own output unchanged when given it again.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable

TAB = "    "
# bidi embeddings, overrides and isolates, and the marks that steer them
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")


def _visible(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: Any) -> str:
    """``text`` with nothing a terminal would act on: each control character but a
    newline as a visible escape, a tab as spaces."""
    text = text if isinstance(text, str) else str(text)  # a str enum stays its value
    return _UNSAFE.sub(_visible, text.replace("\t", TAB))


def one_line(text: Any) -> str:
    """``for_terminal(text)`` with its whitespace, newlines included, collapsed to single spaces."""
    return " ".join(for_terminal(text).split())


# what CommonMark and GitHub's Markdown give a meaning to anywhere in a line
_MARKDOWN_INLINE = re.compile(r"[\\`*\[\]|~#$]|(?<![^\W_])_|_(?![^\W_])")
# at the start of a line: indentation (a code block), a list item, an ordered list item,
# a setext underline or a thematic break
_LINE_START = re.compile(r"^ *([-+=]|\d+(?=[.)]))?", re.MULTILINE)


def for_markdown(text: Any) -> str:
    """``text`` that a Markdown renderer shows as itself, line for line, less the
    indentation of its lines.  Intra-word underscores (``requires_grad``) stay as they
    are: they never start emphasis."""
    text = html.escape(for_terminal(text), quote=False)  # no tag, no entity
    text = _MARKDOWN_INLINE.sub(lambda m: "\\" + m.group(), text)
    return _LINE_START.sub(_line_start, text)


def _line_start(found: re.Match) -> str:
    mark = found.group(1) or ""
    return mark + "\\" if mark[:1].isdigit() else "\\" * bool(mark) + mark


def markdown_code(text: Any) -> str:
    """``text`` on one line as a Markdown code span: its fence is longer than any run of
    backticks inside, so the text cannot close it."""
    text = one_line(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """A CSV cell for ``value``: a number as it is, text on one line with a leading quote
    when a spreadsheet would read it as a formula (it starts, after blanks, with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raw = value if isinstance(value, str) else str(value)
    text = for_terminal(raw).replace("\n", " ")
    formula = raw.startswith(("\t", "\r")) or text.lstrip().startswith(_FORMULA_START)
    if formula and not _NUMBER.fullmatch(text.strip()):
        return "'" + text
    return text


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def for_html(text: Any) -> str:
    """``text`` as HTML text or a quoted attribute value that shows as itself: no tag,
    entity, script or way out of the attribute; control characters as visible escapes."""
    text = text if isinstance(text, str) else str(text)
    if not (text.isascii() and text.isprintable()):  # printable ASCII needs no more than the entities
        text = for_terminal(text)
    return html.escape(text, quote=True)
