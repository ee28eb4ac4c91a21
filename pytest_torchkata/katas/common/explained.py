"""Raw learner errors explained: a torch error the learner's code raised gets,
beside torch's own words, what usually causes it in this task (and, where the
error itself shows the mistake, the rank of a named mistake).  Grader side only;
shared by the tensors and autograd katas."""

from __future__ import annotations

import contextlib
from typing import Iterator

from pytest_torchkata.checks.errors import LearnerError, Mistake
from pytest_torchkata.i18n import Text, tr


@contextlib.contextmanager
def explain(needle: str, why: "Text | str", *, mistake: "bool | str" = False) -> Iterator[None]:
    """A learner error whose message contains ``needle`` gets the explanation
    ``why`` (and, with ``mistake``, becomes that named ``Mistake``, which says
    the mistake first and torch's words after; a string ``mistake`` is its id)."""
    try:
        yield
    except LearnerError as exc:
        if needle not in exc.message:
            raise
        if mistake:  # the named mistake first: the summary shows a message's beginning
            raise Mistake(tr("{why} — {error}", "{why} —— {error}", why=why, error=exc.message),
                          where=exc.where, hint=exc.hint,
                          mistake=mistake if isinstance(mistake, str) else "") from None
        raise LearnerError(tr("{error} — {why}", "{error} —— {why}", error=exc.message, why=why),
                           where=exc.where, hint=exc.hint) from None
