"""The reference code of one task as ``torchkata solution`` shows it: each solution block
under the ``def``/``class`` line(s) that enclose it in the learner's file, with ``...``
where the file has lines the listing leaves out (a docstring, ``super().__init__()``),
and its comments in the learner's language (``# zh:`` resolved as the stubs resolve it).
"""

from __future__ import annotations

import ast
import re
import textwrap

from pytest_torchkata.authoring.stubs import BEGIN, ZH_COMMENT, StubError, solution_blocks, translate

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def solution_listing(source: str, task_id: str, lang: str) -> list[str]:
    """One text per block of ``task_id`` in the reference ``source``, ready to print."""
    lines = source.splitlines()
    tree = ast.parse(source)
    starts = [n for n, line in enumerate(lines, start=1) if (m := BEGIN.match(line)) and m["task"] == task_id]
    listings = []
    for start, block in zip(starts, solution_blocks(source, task_id)):
        parts: list[str] = []
        shown_to = 0  # the last line of the file the listing has reached
        for scope in _enclosing(tree.body, start):
            first = min([scope.lineno, *(d.lineno for d in scope.decorator_list)])
            if shown_to and _skips(lines, shown_to, first):
                parts.append(_indent(lines[first - 1]) + "...")
            shown_to = _header_end(lines, scope)
            parts.extend(lines[first - 1:shown_to])
        body = block.splitlines()
        if shown_to and _skips(lines, shown_to, start):
            parts.append(_indent(next((b for b in body if b.strip()), "")) + "...")
        listings.append(_in_language("\n".join(parts + body) + "\n", lang))
    return listings


def _enclosing(nodes: list[ast.stmt], line: int) -> list[ast.AST]:
    """The functions and classes around ``line``, outermost first."""
    for node in nodes:
        if isinstance(node, _SCOPES) and node.lineno <= line <= (node.end_lineno or node.lineno):
            return [node, *_enclosing(node.body, line)]
    return []


def _header_end(lines: list[str], scope: ast.AST) -> int:
    """The last line of a def/class signature (comments and blank lines before its body left out)."""
    end = scope.body[0].lineno - 1
    while end > scope.lineno and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _skips(lines: list[str], after: int, before: int) -> bool:
    """Whether lines ``after`` + 1 .. ``before`` - 1 hold anything but blanks and comments."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in lines[after:before - 1])


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _in_language(text: str, lang: str) -> str:
    """``# zh:`` comments resolved for ``lang``, then the whole listing moved to the left margin."""
    try:
        text = translate(text, lang)
    except StubError:  # a fragment tokenize cannot read: at least no authoring line is shown
        text = "".join(line for line in text.splitlines(keepends=True) if not ZH_COMMENT.match(line))
    return textwrap.dedent(re.sub(r"\n+$", "", text))
