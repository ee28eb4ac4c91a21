"""From check outcomes to task statuses, scores and the session result.

A task's score is its points times the share of its checks that passed
(skipped checks, like CUDA ones on a machine without a GPU, do not count).
Status: ``passed`` when every check passed; ``error`` when the learner code
could not be run (crash, time-out, import failure); ``not_started`` when every
check found NotImplementedError; ``skipped`` when no check could run; else
``failed``.  Skipped tasks count toward neither score nor max_score.

Only checks that ran to completion count as passed.  A check that did not run
(``ran`` False) says why: deselected with ``-k``, the run stopped (``-x``, a
debugger quit, Ctrl+C), or its learner code was not run (the task ran out of
time or crashed in an earlier check, the time budget was spent).  A task with
such checks is never ``passed``: when every check that ran passed, it is
``skipped`` (not graded this time) and says "2 of 5 checks ran"; a failure
among them still counts, over all its checks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.model import Kata
from pytest_torchkata.status import Status

REPORT_VERSION = 1
NOT_RUN = "(no check ran)"  # the check name standing for a task that has no check to run

# The task's first hint level beside a failure whose check gave no hint of its own: said as a
# nudge, so it claims no particular mistake the learner may not have made.
NUDGE = Text("a general nudge, not a diagnosis: {hint}", "大方向的提示，不是诊断：{hint}")


def nudge(hint: str) -> str:
    return NUDGE.format(hint=hint) if hint else ""


@dataclass
class CheckResult:
    name: str
    status: Status
    message: str = ""
    hint: str = ""
    where: str = ""
    rank: int = 0  # how telling the message is (checks.errors.KataOutcome.rank)
    ran: bool = True  # False: not run to completion; ``message`` says why
    advice: str = ""  # a command for the learner's own workspace; "" in a grader's run
    mistake: str = ""  # the named mistake's id ("kata.short_name", checks.variants); "" when none
    kind: str = ""  # the learner side's answer that ended it (``sandbox.answers.Kind``); "" when the check decided


@dataclass
class TaskResult:
    id: str
    number: int
    title: str
    status: Status
    score: float
    max_score: float
    message: str
    hint: str
    checks: list[CheckResult] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    hints_used: int = 0  # hint levels the learner has seen (torchkata hint)
    advice: str = ""  # the speaking check's advice: learner terminals show it, class outputs never
    mistake: str = ""  # the speaking check's named mistake ("" when none), for counting misconceptions
    kind: str = ""  # the speaking check's ``kind``: "timeout", "crash", ... ("" when none)

    @property
    def not_run(self) -> bool:
        """No check of this task ran this time (``message`` says why: -k, -x, ...)."""
        return self.status == Status.SKIPPED and bool(self.checks) and not any(c.ran for c in self.checks)

    @property
    def partial(self) -> bool:
        """Some of this task's checks ran and some did not."""
        return any(c.ran for c in self.checks) and not all(c.ran for c in self.checks)


@dataclass
class KataResult:
    name: str
    title: str
    score: float
    max_score: float
    tasks: list[TaskResult]

    def next_task(self) -> TaskResult | None:
        for task in self.tasks:
            if Status(task.status).counts_against:
                return task
        return None


@dataclass
class SessionResult:
    score: float
    max_score: float
    katas: list[KataResult]
    seed: int
    isolated: bool
    devices: list[str]
    torch_version: str
    tool_version: str
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the grading session
    language: str = "en"
    sandbox: str = ""  # how learner code was walled off: bwrap, user, none or in-process
    seed_digest: str = ""  # plugin.access.seed_digest: tells runs with one seed apart, reveals nothing
    version: int = REPORT_VERSION

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"version": data.pop("version"), **data}


def grade_task(task, checks: list[CheckResult], data: dict[str, Any]) -> TaskResult:
    ran = [c for c in checks if c.ran and c.status != Status.SKIPPED]
    stopped = [c for c in checks if not c.ran and c.status != Status.SKIPPED]  # count against
    unreached = [c for c in checks if not c.ran and c.status == Status.SKIPPED]  # -k, -x, a quit
    counted = ran + stopped
    passed = [c for c in ran if c.status == Status.PASSED]
    if not counted or len(passed) == len(counted) and unreached:
        status = Status.SKIPPED  # nothing ran, or what ran passed but not all of it ran
    elif len(passed) == len(counted):
        status = Status.PASSED
    elif any(c.status == Status.ERROR for c in counted):
        status = Status.ERROR
    elif not passed and all(c.status == Status.NOT_STARTED for c in counted):
        status = Status.NOT_STARTED
    else:
        status = Status.FAILED
    failing = [c for c in counted if c.status != Status.PASSED]
    # the most telling failing check speaks for the task (the first among equals)
    first_bad = max(failing, key=lambda c: c.rank, default=None)
    if status == Status.ERROR:  # the learner code could not run: say that first
        first_bad = next(c for c in failing if c.status == Status.ERROR)
    if status == Status.SKIPPED:
        first_bad = next(iter(unreached or checks), None)
    max_score = 0.0 if status == Status.SKIPPED else task.points
    due = len(counted) + len(unreached)
    score = round(task.points * len(passed) / due, 2) if due and status != Status.SKIPPED else 0.0
    message = first_bad.message if first_bad else ""
    if first_bad and first_bad.where and first_bad.where not in message:
        message += tr(" (at {where})", "（位置：{where}）", where=first_bad.where)
    if ran and unreached and status == Status.SKIPPED:  # what ran passed: not graded this time
        message = tr("{ran} of {due} checks ran, and passed (the others: {reason}); the task is graded "
                     "when all its checks run",
                     "{due} 项检查只运行了 {ran} 项，都通过了（其余的：{reason}）；所有检查都运行时这个任务才会评分",
                     ran=len(ran), due=due, reason=unreached[0].message)
    elif ran and unreached:  # the reason the others did not run: -k, -x, a debugger quit...
        message += tr(" ({ran} of {due} checks ran; the others: {reason})", "（{due} 项检查只运行了 {ran} 项；其余的：{reason}）",
                      ran=len(ran), due=due, reason=unreached[0].message)
    elif ran and stopped:  # their own message says why: "not run: task 3 ran out of time..."
        message += tr(" ({ran} of {due} checks ran)", "（{due} 项检查只运行了 {ran} 项）", ran=len(ran), due=due)
    # the hint agrees with what was observed: the speaking check's own (a named mistake's), else
    # for a failure the task's first level said as a nudge; a task not started gets its first level
    if status != Status.PASSED and first_bad and first_bad.hint:
        hint = first_bad.hint
    elif status in (Status.FAILED, Status.ERROR):
        hint = nudge(task.hint)
    else:
        hint = task.hint
    advice = first_bad.advice if first_bad and status != Status.PASSED else ""
    mistake = first_bad.mistake if first_bad and status != Status.PASSED else ""
    kind = first_bad.kind if first_bad else ""
    return TaskResult(id=task.id, number=task.number, title=task.title, status=status,
                      score=score, max_score=max_score, message=message, hint=hint,
                      checks=checks, data=data, advice=advice, mistake=mistake, kind=kind)


def grade_kata(kata: Kata, checks: dict[str, list[CheckResult]],
               data: dict[str, dict[str, Any]]) -> KataResult:
    tasks = []
    for task in kata.tasks:
        found = checks.get(task.id, [])
        if not found:
            found = [CheckResult(NOT_RUN, Status.SKIPPED, tr("it has no check here", "它在这里没有检查"),
                                 ran=False)]
        tasks.append(grade_task(task, found, data.get(task.id, {})))
    return KataResult(name=kata.name, title=kata.title, tasks=tasks,
                      score=round(sum(t.score for t in tasks), 2),
                      max_score=round(sum(t.max_score for t in tasks), 2))
