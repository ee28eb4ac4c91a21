"""From what pytest saw of one check (its call info and report) to a ``CheckResult``.

``check_outcome`` is a plain function: the ``pytest_runtest_makereport`` hook
only stores what it returns and, for failures, shows the learner's text
instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from pytest_torchkata.checks.errors import KataOutcome
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.model import Task
from pytest_torchkata.reports.results import CheckResult, nudge
from pytest_torchkata.reports.summary import to_do
from pytest_torchkata.status import Status

GRADER_BUG = Text("the check itself crashed ({text}); this is a bug in the grader, please report it",
                  "检查程序本身崩溃了（{text}）；这是评分程序的错误，请报告它")


@dataclass
class Outcome:
    result: CheckResult
    # what replaces pytest's traceback: None keeps pytest's own (passed checks, --tb=long bugs)
    longrepr: Any = None
    # a not-started check shows as skipped, not as a failure
    skip: bool = False


def check_outcome(task: Task, name: str, path: str, call: pytest.CallInfo,
                  report: pytest.TestReport, full_tracebacks: bool = False,
                  learner: bool = True) -> Outcome | None:
    """The result of one check, or None while the check has not ended (a passed setup).
    ``learner``: the run is the learner's own, so the result keeps the outcome's ``advice``
    (a ``torchkata`` command); a grader's run (``torchkata grade``, Gradescope) drops it."""
    if call.when == "teardown" or (call.when == "setup" and report.passed):
        return None
    if report.passed:
        return Outcome(CheckResult(name, Status.PASSED))
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return Outcome(CheckResult(name, Status.SKIPPED, reason.replace("Skipped: ", "")))
    exc = call.excinfo.value if call.excinfo is not None else None
    if isinstance(exc, KataOutcome):
        ran = not exc.not_run
        result = CheckResult(name, exc.status, exc.message, exc.hint, exc.where, exc.rank, ran=ran,
                             advice=exc.advice if learner else "", mistake=exc.mistake, kind=exc.kind)
        if not ran:  # its learner code was not run: no failure block of its own
            return Outcome(result, (path, 0, tr("{task}: {message}", "{task}：{message}",
                                                task=label(task), message=exc.message)), skip=True)
        if exc.status is Status.NOT_STARTED:
            return Outcome(result, (path, 0, tr("not started: {task}", "未开始：{task}", task=label(task))),
                           skip=True)
        return Outcome(result, failure_text(task, result))
    text = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error"
    result = CheckResult(name, Status.ERROR, GRADER_BUG.format(text=text))
    return Outcome(result, None if full_tracebacks else failure_text(task, result))


def label(task: Task) -> str:
    return tr("Task {number} ({title})", "任务 {number}（{title}）", number=task.number, title=task.title)


def failure_text(task: Task, result: CheckResult) -> str:
    lines = [tr("{task}, check {check}:", "{task}，检查 {check}：", task=label(task), check=result.name),
             f"  {result.message}"]
    if result.where:
        lines.append("  " + tr("at {where}", "位置：{where}", where=result.where))
    hint = result.hint or nudge(task.hint)  # a failure without a hint of its own: the task's, as a nudge
    if hint:
        lines.append("  " + tr("Hint: {hint}", "提示：{hint}", hint=hint))
    if result.advice:
        lines.append("  " + to_do(result.advice))
    from pytest_torchkata.reports.encode import for_terminal

    return for_terminal("\n".join(lines))  # learner text is inert in the terminal
