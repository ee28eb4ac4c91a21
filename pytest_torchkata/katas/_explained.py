"""Raw learner errors explained: a torch error the learner's code raised gets,
beside torch's own words, what usually causes it in this task (and, where the
error itself shows the mistake, the rank of a named mistake).  Grader side only;
shared by the tensors and autograd katas."""

from __future__ import annotations

import contextlib
from typing import Iterator

from pytest_torchkata.checks.errors import LearnerError, Mistake
from pytest_torchkata.i18n import Text


@contextlib.contextmanager
def explain(needle: str, why: "Text | str", *, mistake: bool = False) -> Iterator[None]:
    """A learner error whose message contains ``needle`` gets the explanation
    ``why`` (and, with ``mistake``, becomes that named ``Mistake``)."""
    try:
        yield
    except LearnerError as exc:
        if needle not in exc.message:
            raise
        text = f"{exc.message} — {why}"
        raise (Mistake(text, where=exc.where, hint=exc.hint) if mistake
               else LearnerError(text, where=exc.where, hint=exc.hint)) from None
