"""How the grader words the answers of the learner's side that are not one call's own
(``sandbox.answers``): a time-out, the end of the process running learner code (a
signal, an exit, a memory or process limit), an answer it does not read, a spent time
budget.  Said once, here, in the learner's language, from the answer's fields.
"""

from __future__ import annotations

from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.sandbox.answers import Failure, Kind
from pytest_torchkata.sandbox.bounds import REFUSALS

BUDGET_SPENT = Text("the time budget for this submission is spent", "这份提交的时间预算已经用完")
BUDGET_RAN_OUT = Text("stopped: the time budget for this submission ({seconds} s) ran out while it ran",
                      "已停止：这份提交的时间预算（{seconds} 秒）在它运行时用完了")


def running(failure: Failure) -> str:
    """A time-out: "still running after 2 s", and who stopped it when it was stopped by force."""
    if failure.seconds is None:
        said = tr("still running", "还在运行")
    else:
        said = tr("still running after {seconds} s", "运行了 {seconds} 秒还没有结束", seconds=f"{failure.seconds:g}")
    if failure.stopped == "process":
        said += tr(" (it was stopped)", "（它被强行停止了）")
    elif failure.stopped == "worker":
        said += tr(" (the worker was stopped)", "（工作进程被强行停止了）")
    return said


def refused(failure: Failure) -> str:
    """What an answer the grader does not read broke ("an answer of more than 64 MiB")."""
    what = REFUSALS.get(failure.refused, REFUSALS["malformed"])
    return what.format(limit=failure.limit if failure.limit else "?")


def process_end(failure: Failure) -> str:
    """How the process running learner code ended (a ``crash`` or ``out_of_memory``)."""
    if failure.kind is Kind.OUT_OF_MEMORY:
        how = tr("used more than {mb} MB of memory", "用了超过 {mb} MB 的内存",
                 mb=f"{failure.memory_mb:g}" if failure.memory_mb is not None else "?")
    elif failure.processes:
        how = tr("started more than {count} processes", "启动了超过 {count} 个进程", count=failure.processes)
    elif failure.signal:
        how = (tr("was killed by signal {signal} (often: out of memory)", "被信号 {signal} 杀掉了（通常是内存不够）",
                  signal=failure.signal) if failure.signal == "SIGKILL" else
               tr("was killed by signal {signal}", "被信号 {signal} 杀掉了", signal=failure.signal))
    elif failure.exit_code is not None:
        how = tr("exited with code {code}", "退出了，退出码 {code}", code=failure.exit_code)
    elif failure.message:  # what the grader's end saw (a broken pipe, say)
        how = failure.message
    else:
        how = tr("was stopped", "被停止了")
    said = tr("the process running your code {how}", "运行你代码的进程{how}", how=how)
    if failure.output:
        said += tr("; its last output: {output}", "；它最后的输出：{output}", output=failure.output)
    if failure.load_failure:
        said = tr("loading {file}: {what}", "加载 {file} 时：{what}", file=failure.file, what=said)
    return said


def budget(failure: Failure) -> str:
    """A spent time budget: ``seconds`` when it ran out while this request ran."""
    if failure.seconds is not None:
        return BUDGET_RAN_OUT.format(seconds=f"{failure.seconds:g}")
    return str(BUDGET_SPENT)


def said(failure: Failure) -> str:
    """What stopped a task, as an earlier check's "not run" says it (``plugin.notrun``)."""
    if failure.kind in (Kind.CRASH, Kind.OUT_OF_MEMORY):
        return process_end(failure)
    if failure.kind is Kind.REFUSED:
        return tr("the process running your code sent {what}, which the grader does not read",
                  "运行你代码的进程发回了{what}，评分程序不读取它", what=refused(failure))
    if failure.kind is Kind.BUDGET_SPENT:
        return budget(failure)
    if failure.kind is Kind.TIMEOUT:
        return running(failure)
    return failure.message
