"""The one vocabulary of outcomes: a check's, a task's, a report's.

``Status`` is a ``str`` enum, so a status compares equal to its value and is
written to JSON as that value ("passed", "not_started", ...).  Nothing here
imports torch or pytest.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_STARTED = "not_started"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def word(self) -> str:
        """How the terminal summary shows it."""
        return _WORDS[self]

    @property
    def counts_against(self) -> bool:
        """Whether the learner loses this task's points (skipped tasks count for nothing)."""
        return self in (Status.FAILED, Status.NOT_STARTED, Status.ERROR)

    def __str__(self) -> str:
        return self.value


_WORDS = {
    Status.PASSED: "passed",
    Status.FAILED: "FAILED",
    Status.NOT_STARTED: "not started",
    Status.ERROR: "ERROR",
    Status.SKIPPED: "skipped",
}
