"""Learner stubs from reference solutions.

A solution marks the code a learner writes::

    def softmax(x, dim=-1):
        \"\"\"...\"\"\"
        # BEGIN SOLUTION softmax
        shifted = x - x.amax(dim=dim, keepdim=True)
        ...
        # END SOLUTION

``# BEGIN SOLUTION <task id>`` names a task of the kata.  The stub keeps
everything outside the blocks and replaces each block, at its indentation, by a
TODO line and ``raise NotImplementedError("Task N (title): ...")``.
"""

from __future__ import annotations

import re
from pathlib import Path

from pytest_torchkata.model import Kata

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION (?P<task>[\w-]+)\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")


class StubError(ValueError):
    pass


def make_stub(source: str, kata: Kata, filename: str = "<solution>") -> str:
    out: list[str] = []
    inside: int | None = None
    for lineno, line in enumerate(source.splitlines(keepends=True), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside is not None:
                raise StubError(f"{filename}:{lineno}: BEGIN SOLUTION inside another block (opened at {inside})")
            try:
                task = kata.get_task(begin["task"])
            except KeyError:
                raise StubError(f"{filename}:{lineno}: BEGIN SOLUTION names task {begin['task']!r}, "
                                f"which kata {kata.name!r} does not declare "
                                f"(tasks: {', '.join(t.id for t in kata.tasks)})") from None
            indent = begin["indent"]
            out.append(f"{indent}# TODO(task {task.number}): write this part\n")
            label = task.label_in("en")  # stubs are code: the same in every language
            out.append(f'{indent}raise NotImplementedError("{label}: not written yet")\n')
            inside = lineno
            continue
        if END.match(line):
            if inside is None:
                raise StubError(f"{filename}:{lineno}: END SOLUTION without BEGIN SOLUTION")
            inside = None
            continue
        if inside is None:
            out.append(line)
    if inside is not None:
        raise StubError(f"{filename}:{inside}: BEGIN SOLUTION is never closed")
    return "".join(out)


def solution_tasks(source: str) -> list[str]:
    return [m["task"] for m in (BEGIN.match(line) for line in source.splitlines()) if m]


def generate(solutions: Path, katas_dir: Path, katas: list[Kata], check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) one stub per kata; returns the stale files."""
    stale = []
    for kata in katas:
        source_path = solutions / f"{kata.name}.py"
        stub = make_stub(source_path.read_text(encoding="utf-8"), kata, str(source_path))
        target = katas_dir / f"{kata.name}.py"
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != stub:
            stale.append(str(target))
            if not check:
                katas_dir.mkdir(parents=True, exist_ok=True)
                target.write_text(stub, encoding="utf-8")
    return stale
