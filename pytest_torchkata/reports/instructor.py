"""What the class outputs (``feedback.md``, Gradescope's results, the gradebook, the item
analysis, the console) share: a kata's file-level problem said once, and counts in words.

A file-level problem is what stops every task of a kata at once: the file is missing,
Python cannot parse it, it hangs or exits while loading.  The report has it as one
error message repeated by each task it stopped; the outputs say it once per kata, with
the hint the checks gave for it (a syntax error's, a missing file's), never a task's
own hint, and list the tasks it cost.

A learner reads ``feedback.md`` and Gradescope's output too: those are written in the
report's language (``in_language``).  Nothing here imports torch or pytest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_torchkata.i18n import LANGUAGES, language, set_language, tr
from pytest_torchkata.status import Status


@dataclass(frozen=True)
class FileProblem:
    """One problem that stopped several tasks of a kata."""

    message: str
    hint: str  # the hint of the checks that met it; "" when they gave none
    tasks: list[dict[str, Any]]  # the tasks it cost, in order

    @property
    def numbers(self) -> list[int]:
        return [t["number"] for t in self.tasks]

    @property
    def points(self) -> float:
        return sum(t["max_score"] - t["score"] for t in self.tasks)

    def covers(self, task: dict[str, Any]) -> bool:
        return any(t is task for t in self.tasks)


def file_problem(kata: dict[str, Any]) -> FileProblem | None:
    """The problem shared by a kata's tasks that could not run, when two or more could not
    and all for one reason (as the learner's terminal summary tells it)."""
    stopped = [t for t in kata.get("tasks", []) if t["status"] == Status.ERROR]
    if len(stopped) < 2 or len({t["message"] for t in stopped}) != 1:
        return None
    hints = {c.get("hint", "") for t in stopped for c in t.get("checks", []) if c.get("status") == Status.ERROR}
    return FileProblem(stopped[0]["message"], hints.pop() if len(hints) == 1 else "", stopped)


@contextlib.contextmanager
def in_language(lang: Any) -> Iterator[None]:
    """Write in ``lang`` (a report's ``language``; the current one when it names none we have)."""
    before = language()
    set_language(lang if lang in LANGUAGES else before)
    try:
        yield
    finally:
        set_language(before)


def plural(count: float, one: str, many: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``0.5 points``: the count and the English word that fits
    it (for the instructor's own files: the gradebook, the console, the item analysis)."""
    return f"{count:g} {one if count == 1 else (many or one + 's')}"


def listed(numbers: list[int]) -> str:
    """Task numbers as a reader says them: ``3``, ``1 and 4``, ``1, 2 and 5`` (``1、2 和 5``)."""
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return words[0]
    return tr("{first} and {last}", "{first} 和 {last}", first=tr(", ", "、").join(words[:-1]), last=words[-1])


def points(count: float) -> str:
    """``1 point``, ``7 points`` (``7 分``)."""
    return tr("1 point", "1 分") if count == 1 else tr("{count} points", "{count} 分", count=f"{count:g}")


def tasks_cost(problem: FileProblem) -> str:
    """``tasks 1, 2 and 3 (7 points)`` (``任务 1、2 和 3（7 分）``), in the current language."""
    if len(problem.tasks) == 1:
        return tr("task {numbers} ({points})", "任务 {numbers}（{points}）", numbers=listed(problem.numbers),
                  points=points(problem.points))
    return tr("tasks {numbers} ({points})", "任务 {numbers}（{points}）", numbers=listed(problem.numbers),
              points=points(problem.points))
