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


def breakpoint_warnings(kata_files: list, caught: list[str], stopping: bool, learner: bool = True) -> list[str]:
    """One warning per debugger call left in a kata file, worded for how this run treated it
    (``stopping``: under ``-s`` in-process, where it really stops), and one per call
    caught elsewhere.  ``caught`` holds ``file:line`` of the calls grading skipped.
    ``learner``: the run is in the learner's workspace, so how to stop there is said too;
    a grader's warnings (in feedback.md, Gradescope's output) only say what happened."""
    from pathlib import Path

    from pytest_torchkata.i18n import tr

    warnings, named = [], set()
    for path in kata_files:
        path = Path(path)
        if not path.is_file():
            continue
        for line, call in debugger_calls(path.read_text(encoding="utf-8", errors="replace")):
            named.update(w for w in caught if w.endswith(f"{path.name}:{line}"))
            if stopping:
                warnings.append(tr(
                    "{file} line {line} has {call}: under -s it stops the run there and waits for you; "
                    "remove it when you are done debugging",
                    "{file} 第 {line} 行有 {call}：加了 -s 时运行会停在那里等你；调试完请删掉它",
                    file=path.name, line=line, call=call))
            elif learner:
                warnings.append(tr(
                    "{file} line {line} has {call}: grading skips it (to stop there, run pytest with -s); "
                    "remove it when you are done debugging",
                    "{file} 第 {line} 行有 {call}：评分时会跳过它（想停在那里，用 pytest -s 运行）；"
                    "调试完请删掉它",
                    file=path.name, line=line, call=call))
            else:
                warnings.append(tr("{file} line {line} has {call}: grading skipped it",
                                   "{file} 第 {line} 行有 {call}：评分时跳过了它", file=path.name, line=line, call=call))
    for where in dict.fromkeys(caught):
        if where not in named:
            warnings.append(tr("a breakpoint() at {where} was skipped while grading; to stop there, "
                               "run pytest with -s",
                               "{where} 处的 breakpoint() 在评分时被跳过了；想停在那里，用 pytest -s 运行",
                               where=where) if learner else
                            tr("a breakpoint() at {where} was skipped while grading",
                               "{where} 处的 breakpoint() 在评分时被跳过了", where=where))
    return warnings
