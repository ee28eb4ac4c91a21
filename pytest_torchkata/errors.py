"""The outcomes a check can end with, other than passing.

Each carries a message written for a learner.  The plugin turns them into task
statuses (see ``grading.py``) and prints them without a Python traceback.
"""

from __future__ import annotations


class KataOutcome(Exception):
    """Base of every grading outcome raised inside a check."""

    status = "failed"

    def __init__(self, message: str, *, hint: str = "", where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where


class CheckFailed(KataOutcome, AssertionError):
    """The learner's result is wrong; the message says how."""


class NotStarted(KataOutcome):
    """The learner code still raises NotImplementedError."""

    status = "not_started"


class LearnerError(KataOutcome):
    """The learner code raised an exception of its own."""


class ForbiddenCall(KataOutcome):
    """The learner code called an API that the task rules out."""


class LearnerCrashed(KataOutcome):
    """The learner code could not be run at all: it crashed the worker,
    ran out of time, failed to import, or the file is missing."""

    status = "error"


class LearnerTimeout(LearnerCrashed):
    """The learner code ran past the time limit."""
