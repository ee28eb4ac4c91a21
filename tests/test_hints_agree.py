"""Hints that agree with what was observed: a failure shows its check's own hint (a named
mistake's) or, when it has none, the task's first level said as a nudge, never as a claim
about a mistake the learner may not have made."""

import pytest

from pytest_torchkata.i18n import set_language
from pytest_torchkata.model import Task
from pytest_torchkata.plugin.outcomes import failure_text
from pytest_torchkata.reports.results import NUDGE, CheckResult, grade_task, nudge
from pytest_torchkata.status import Status

TASK = Task(id="mse", title_text="MSE", number=2, points=2,
            hints=("broadcasting turns (N, 1) - (N,) into an (N, N) table", "raise ValueError"))


def _graded(*checks):
    return grade_task(TASK, list(checks), {})


def test_a_mismatch_that_named_no_mistake_gets_the_first_level_as_a_nudge():
    result = _graded(CheckResult("values", Status.FAILED, "mse: 1 of 1 value(s) are off", rank=2))
    assert result.hint == nudge(TASK.hint) and result.hint.startswith("a general nudge, not a diagnosis: ")


def test_a_named_mistake_shows_its_own_hint():
    result = _graded(CheckResult("values", Status.FAILED, "off", rank=2),
                     CheckResult("named", Status.FAILED, "the mean was squared", hint="square first", rank=3,
                                 mistake="linear_regression.square_of_mean"))
    assert result.hint == "square first"


@pytest.mark.parametrize("status, rank", [(Status.ERROR, 0), (Status.FAILED, 1), (Status.FAILED, 3)])
def test_any_failure_without_a_hint_of_its_own_gets_the_nudge(status, rank):
    assert _graded(CheckResult("c", status, "boom", rank=rank)).hint == nudge(TASK.hint)


def test_a_task_not_started_or_passed_keeps_its_first_level_as_it_is():
    assert _graded(CheckResult("c", Status.NOT_STARTED, "not started")).hint == TASK.hint
    assert _graded(CheckResult("c", Status.PASSED)).hint == TASK.hint


def test_the_failure_block_says_the_nudge_too():
    text = failure_text(TASK, CheckResult("test_values", Status.FAILED, "mse: off", rank=2))
    assert "Hint: " + nudge(TASK.hint) in text
    text = failure_text(TASK, CheckResult("test_values", Status.FAILED, "named", hint="square first", rank=3))
    assert "Hint: square first" in text and TASK.hint not in text


def test_the_nudge_is_in_both_languages():
    set_language("zh")
    try:
        assert nudge("看 dim") == NUDGE.zh.format(hint="看 dim")
    finally:
        set_language("en")
