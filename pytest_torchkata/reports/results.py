"""From check outcomes to task statuses, scores and the session result.

A task's score is its points times the share of its checks that passed
(skipped checks, like CUDA ones on a machine without a GPU, do not count).
Status: ``passed`` when every check passed; ``error`` when the learner code
could not be run (crash, time-out, import failure); ``not_started`` when every
check found NotImplementedError; ``skipped`` when no check could run; else
``failed``.  Skipped tasks count toward neither score nor max_score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pytest_torchkata.i18n import tr
from pytest_torchkata.model import Kata
from pytest_torchkata.status import Status

REPORT_VERSION = 1
NOT_RUN = "(no check ran)"  # the check name of a task none of whose checks ran (deselected)


@dataclass
class CheckResult:
    name: str
    status: Status
    message: str = ""
    hint: str = ""
    where: str = ""
    rank: int = 0  # how telling the message is (checks.errors.KataOutcome.rank)


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

    @property
    def not_run(self) -> bool:
        """No check of this task ran this time (deselected with -k)."""
        return self.status == Status.SKIPPED and bool(self.checks) and self.checks[0].name == NOT_RUN


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
    version: int = REPORT_VERSION

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"version": data.pop("version"), **data}


def grade_task(task, checks: list[CheckResult], data: dict[str, Any]) -> TaskResult:
    counted = [c for c in checks if c.status != Status.SKIPPED]
    passed = [c for c in counted if c.status == Status.PASSED]
    if not counted:
        status = Status.SKIPPED
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
        first_bad = next(iter(checks), None)
    max_score = 0.0 if status == Status.SKIPPED else task.points
    score = round(task.points * len(passed) / len(counted), 2) if counted else 0.0
    message = first_bad.message if first_bad else ""
    if first_bad and first_bad.where and first_bad.where not in message:
        message += tr(" (at {where})", "（位置：{where}）", where=first_bad.where)
    hint = (first_bad.hint if first_bad and first_bad.hint else task.hint) if status != Status.PASSED else task.hint
    return TaskResult(id=task.id, number=task.number, title=task.title, status=status,
                      score=score, max_score=max_score, message=message, hint=hint,
                      checks=checks, data=data)


def grade_kata(kata: Kata, checks: dict[str, list[CheckResult]],
               data: dict[str, dict[str, Any]]) -> KataResult:
    tasks = []
    for task in kata.tasks:
        found = checks.get(task.id, [])
        if not found:
            found = [CheckResult(NOT_RUN, Status.SKIPPED, tr("not run this time (deselected with -k?)",
                                                             "本次没有运行（被 -k 排除了？）"))]
        tasks.append(grade_task(task, found, data.get(task.id, {})))
    return KataResult(name=kata.name, title=kata.title, tasks=tasks,
                      score=round(sum(t.score for t in tasks), 2),
                      max_score=round(sum(t.max_score for t in tasks), 2))
