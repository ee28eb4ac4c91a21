"""Finds the debugger calls left in a learner file, for the closing warning."""

from __future__ import annotations

import io
import tokenize


def debugger_calls(source: str) -> list[tuple[int, str]]:
    """Lines calling ``breakpoint()`` or ``pdb.set_trace()`` (code only, not strings or comments)."""
    found: list[tuple[int, str]] = []
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type in (tokenize.NAME, tokenize.OP)]
    except (tokenize.TokenError, SyntaxError):
        return found
    for i, tok in enumerate(tokens[:-1]):
        nxt = tokens[i + 1].string
        if tok.string == "breakpoint" and nxt == "(" and (i == 0 or tokens[i - 1].string != "."):
            found.append((tok.start[0], "breakpoint()"))
        elif (tok.string == "set_trace" and nxt == "(" and i >= 2 and tokens[i - 1].string == "."
              and tokens[i - 2].string == "pdb"):
            found.append((tok.start[0], "pdb.set_trace()"))
    return found
