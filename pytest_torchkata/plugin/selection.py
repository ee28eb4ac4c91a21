"""``-k`` by task number: an expression made of task numbers alone (``-k 1``,
``-k "2 or 3"``, ``-k "not 4"``) selects exactly those tasks; pytest's own
``-k`` would match the digits inside any check's name (``..._dim_1``,
``..._1000``).  Any other expression is left to pytest."""

from __future__ import annotations

import re
from typing import Callable

_TOKEN = re.compile(r"\s*(\(|\)|\d+|and\b|or\b|not\b)")


def task_numbers(expression: str) -> Callable[[int], bool] | None:
    """A test on a task's number, or None when ``expression`` is not made of numbers,
    ``and``, ``or``, ``not`` and parentheses alone."""
    tokens: list[str] = []
    pos, text = 0, expression.strip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None:
            return None
        tokens.append(found.group(1))
        pos = found.end()
    if not any(t.isdigit() for t in tokens):
        return None
    try:
        test, rest = _or(tokens)
    except (IndexError, ValueError):
        return None
    return test if not rest else None


Test = Callable[[int], bool]


def _or(tokens: list[str]) -> tuple[Test, list[str]]:
    left, tokens = _and(tokens)
    while tokens and tokens[0] == "or":
        right, tokens = _and(tokens[1:])
        left = (lambda a, b: lambda n: a(n) or b(n))(left, right)
    return left, tokens


def _and(tokens: list[str]) -> tuple[Test, list[str]]:
    left, tokens = _not(tokens)
    while tokens and tokens[0] == "and":
        right, tokens = _not(tokens[1:])
        left = (lambda a, b: lambda n: a(n) and b(n))(left, right)
    return left, tokens


def _not(tokens: list[str]) -> tuple[Test, list[str]]:
    head = tokens[0]
    if head == "not":
        inner, rest = _not(tokens[1:])
        return (lambda n: not inner(n)), rest
    if head == "(":
        inner, rest = _or(tokens[1:])
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parentheses")
        return inner, rest[1:]
    if head.isdigit():
        number = int(head)
        return (lambda n: n == number), tokens[1:]
    raise ValueError(head)
