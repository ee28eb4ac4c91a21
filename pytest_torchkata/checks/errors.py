"""The outcomes a check can end with, other than passing.

Each carries a message written for a learner and the ``Status`` it gives the
check; the message says what is wrong, for anyone who reads it, and a command
the learner can run in their own workspace goes apart, in ``advice``.
``LEARNER_ERRORS`` is the one table from the kinds of error the learner's side
reports (plain strings on the wire) to these exceptions.
This module imports neither torch nor pytest.
"""

from __future__ import annotations

from pytest_torchkata.status import Status


class KataOutcome(Exception):
    """Base of every grading outcome raised inside a check.

    ``rank`` says how telling the message is; a task shows its most telling
    failing check's message: a named mistake (``Mistake``, 3) outranks a value
    mismatch (``CheckFailed``, 2), which outranks a raw error (``LearnerError``, 1).
    """

    status = Status.FAILED
    rank = 2
    # the kind of the learner side's answer that ended the check (``sandbox.answers.Kind``),
    # "" when the check decided itself; the check's result and report carry it
    kind = ""
    load_failure = False  # the whole file could not be loaded: said once per kata, not per check
    not_run = False  # the check's learner code was not run (its task stopped earlier, the budget)

    def __init__(self, message: str, *, hint: str = "", where: str = "", advice: str = "",
                 mistake: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where
        # what a learner can do in their own workspace (a ``torchkata`` command): shown only in
        # the learner's terminal, never in a report, a gradebook or an autograder's output
        self.advice = advice
        # the id of the named mistake ("kata.short_name", checks.variants), "" when none: the
        # JSON report carries it so class reports can count misconceptions by identity
        self.mistake = mistake


class CheckFailed(KataOutcome, AssertionError):
    """The learner's result is wrong; the message says how."""


class Mistake(CheckFailed):
    """The check observed a specific classic mistake (an input changed in place, a
    planted gradient still there, a graph cut) and the message names it."""

    rank = 3


class NotStarted(KataOutcome):
    """The learner code still raises NotImplementedError."""

    status = Status.NOT_STARTED


class LearnerError(KataOutcome):
    """The learner code raised an exception of its own."""

    rank = 1


class ForbiddenCall(KataOutcome):
    """The learner code called an API that the task rules out."""


class LearnerCrashed(KataOutcome):
    """The learner code could not be run at all: it crashed the worker,
    ran out of time, failed to import, or the file is missing."""

    status = Status.ERROR


class LearnerTimeout(LearnerCrashed):
    """The learner code ran past the time limit."""


# kind of answer from the learner's side (``sandbox.answers.Kind``) -> the outcome a check raises for it
LEARNER_ERRORS: dict[str, type[KataOutcome]] = {
    "not_started": NotStarted,
    "forbidden": ForbiddenCall,
    "timeout": LearnerTimeout,
    "missing": LearnerCrashed,
    "load_failed": LearnerCrashed,
    "crash": LearnerCrashed,
    "out_of_memory": LearnerCrashed,
    "budget_spent": LearnerCrashed,
    "refused": LearnerCrashed,
    "not_run": LearnerCrashed,
    "raised": LearnerError,
}
