"""The one vocabulary of outcomes: a check's, a task's, a report's.

``Status`` is a ``str`` enum, so a status compares equal to its value and is
written to JSON as that value ("passed", "not_started", ...); ``word`` is how
the terminal shows it, in the current language.  Nothing here imports torch or
pytest.
"""

from __future__ import annotations

from enum import Enum

from pytest_torchkata.i18n import Text


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_STARTED = "not_started"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def word(self) -> str:
        """How the terminal summary shows it."""
        return str(_WORDS[self])

    @property
    def counts_against(self) -> bool:
        """Whether the learner loses this task's points (skipped tasks count for nothing)."""
        return self in (Status.FAILED, Status.NOT_STARTED, Status.ERROR)

    def __str__(self) -> str:
        return self.value


_WORDS = {
    Status.PASSED: Text("passed", "通过"),
    Status.FAILED: Text("FAILED", "未通过"),
    Status.NOT_STARTED: Text("not started", "未开始"),
    Status.ERROR: Text("ERROR", "出错"),
    Status.SKIPPED: Text("skipped", "已跳过"),
}
