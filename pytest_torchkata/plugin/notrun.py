"""Why a check did not run to completion, in the learner's words.

Two ways a check ends without having run: pytest never reached it (deselected
with ``-k``, the run stopped by ``-x``, a debugger quit or Ctrl+C), or it ran
but its learner code was not run (``Explained``): the task already ran out of
time or crashed in an earlier check, or the submission's time budget is spent.
The first kind is found at the end of the session (``unreached_reason``), the
second when the answer comes back (``Explained.request``); both end up as a
``CheckResult`` with ``ran=False`` whose message is the reason (a bare phrase
for the first kind, "not run: ..." for the second, which counts as an error).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.plugin.wording import said
from pytest_torchkata.sandbox.answers import Failure, Kind, failed

DESELECTED = Text("deselected with -k", "被 -k 排除")
MAXFAIL = Text("stopped by -x (--maxfail) after {count} failure(s)", "{count} 次失败后被 -x（--maxfail）停止")
DEBUGGER_QUIT = Text("stopped: you quit the debugger", "已停止：你退出了调试器")
CTRL_C = Text("the run was stopped with Ctrl+C", "运行被 Ctrl+C 停止了")
STOPPED = Text("the run stopped early ({why})", "运行提前停止了（{why}）")
UNKNOWN = Text("it did not run", "它没有运行")
BUDGET = Text("not run: the time budget for this submission ({seconds} s) was spent",
              "没有运行：这份提交的时间预算（{seconds} 秒）已经用完")
BUDGET_AFTER = Text("not run: the time budget for this submission ({seconds} s) was spent "
                    "(task {number} ran out of time)",
                    "没有运行：这份提交的时间预算（{seconds} 秒）已经用完（任务 {number} 超时了）")
EARLIER_TIMEOUT = Text("not run: task {number} ran out of time in an earlier check{what}",
                       "没有运行：任务 {number} 在前面的检查里超时了{what}")
EARLIER_CRASH = Text("not run: task {number}'s code crashed in an earlier check{what}",
                     "没有运行：任务 {number} 的代码在前面的检查里崩溃了{what}")
# pytest's own words when its --pdb debugger is quit
PYTEST_PDB_QUIT = "Quitting debugger"


def unreached_reason(deselected: bool, interrupted: BaseException | None, failures: int,
                     stop: str | bool) -> str:
    """Why pytest did not reach a check, from what the session saw."""
    if deselected:
        return str(DESELECTED)
    if isinstance(interrupted, pytest.exit.Exception):
        if interrupted.msg in (DEBUGGER_QUIT.en, DEBUGGER_QUIT.zh, PYTEST_PDB_QUIT):
            return str(DEBUGGER_QUIT)
        return STOPPED.format(why=interrupted.msg)
    if isinstance(interrupted, KeyboardInterrupt):
        return str(CTRL_C)
    if failures:
        return MAXFAIL.format(count=failures)
    if stop:
        return STOPPED.format(why=stop)
    return str(UNKNOWN)


class Explained:
    """Wraps a ``sandbox.limits.Bounded`` backend: an answer for learner code that was not
    run (its task already stopped, the budget spent) says so, and which task stopped."""

    def __init__(self, bounded: Any, number_of: Any) -> None:
        self.bounded = bounded
        self.number_of = number_of  # "kata:task_id" -> the task's number
        self.first: dict[str, dict] = {}  # task -> what stopped it (its first stopping answer)
        self.last_timeout: str = ""  # the task that last ran out of time

    def __getattr__(self, name: str) -> Any:
        return getattr(self.bounded, name)

    def request(self, message: dict, timeout: float | None) -> dict:
        task = message.get("task") or message["path"]
        earlier = self.first.get(task)
        left = self.bounded.left()
        response = self.bounded.request(message, timeout)
        error = response.get("error") if isinstance(response, dict) else None
        if not isinstance(error, dict):
            return response
        error.pop("not_run", None)  # only this wrapper says that, never the learner's side
        if earlier is not None and earlier["load"]:  # the file could not be loaded: true of every check
            return response
        if earlier is not None:  # answered from memory: this check's code did not run
            return failed(Failure(Kind.NOT_RUN, not_run=True, message=self._earlier(task, earlier)))
        if left is not None and left <= 0:
            return failed(Failure(Kind.BUDGET_SPENT, not_run=True, message=self._budget()))
        if task in getattr(self.bounded, "stopped", {}):
            failure = Failure.read(error)
            seconds = failure.seconds if failure.seconds is not None else message.get("timeout", timeout)
            self.first[task] = {"kind": failure.kind, "label": failure.function or _label(message),
                                "seconds": seconds, "message": said(failure), "load": failure.load_failure}
            if failure.kind in (Kind.TIMEOUT, Kind.BUDGET_SPENT):
                self.last_timeout = task
        return response

    def _budget(self) -> str:
        seconds = f"{self.bounded.budget_s:g}"
        if self.last_timeout:
            return BUDGET_AFTER.format(seconds=seconds, number=self.number_of(self.last_timeout))
        return BUDGET.format(seconds=seconds)

    def _earlier(self, task: str, earlier: dict) -> str:
        label, seconds = earlier.get("label"), earlier.get("seconds")
        if earlier.get("kind") == Kind.BUDGET_SPENT:
            return self._budget()
        if earlier.get("kind") == Kind.TIMEOUT:
            timed = isinstance(seconds, (int, float)) and seconds > 0
            what = (tr(" (`{label}` was still running after {seconds} s)", "（`{label}` 运行了 {seconds} 秒还没有结束）",
                       label=label, seconds=f"{seconds:g}") if label and timed
                    else tr(" (still running after {seconds} s)", "（运行了 {seconds} 秒还没有结束）",
                            seconds=f"{seconds:g}") if timed
                    else tr(" (`{label}`)", "（`{label}`）", label=label) if label else "")
            return EARLIER_TIMEOUT.format(number=self.number_of(task), what=what)
        said = earlier.get("message") or ""
        what = (tr(" (`{label}`: {message})", "（`{label}`：{message}）", label=label, message=said) if label and said
                else tr(" ({message})", "（{message}）", message=said) if said
                else tr(" (`{label}`)", "（`{label}`）", label=label) if label else "")
        return EARLIER_CRASH.format(number=self.number_of(task), what=what)

    def close(self) -> None:
        self.bounded.close()


def _label(message: dict) -> str:
    """The learner's function a request named: a call's target, or the name a helper goes by
    (``runner.labelled`` gives it the learner function's name)."""
    target = str(message.get("target") or "")
    if message.get("op") != "run":
        return target
    from pytest_torchkata.sandbox.runner import resolve_helper

    try:
        return str(resolve_helper(target).__name__)
    except Exception:  # noqa: BLE001 - a name is only a nicety here
        return ""
