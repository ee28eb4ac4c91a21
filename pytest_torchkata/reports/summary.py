"""The terminal summary a learner reads after every run, in the current language.

Widths are terminal columns (a CJK character takes two): the table lines up
with Chinese titles, and long messages wrap under their task to fit the
terminal instead of being cut; a task's ``advice`` (a command for the learner's
own workspace) follows its message.  A file that could not be loaded is said once
per kata; tasks not run this time are summed up in one line per reason
(deselected with ``-k``, stopped by ``-x``, a debugger quit...); a finished
kata names the next one and how to start it.  Every line
is written through ``encode.for_terminal``: a learner's message cannot move the
cursor or redraw a line.
"""

from __future__ import annotations

from typing import Any

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.display import hanging, ljust, width, wrap
from pytest_torchkata.reports.encode import for_terminal
from pytest_torchkata.reports.results import KataResult, SessionResult
from pytest_torchkata.status import Status

INDENT = 17  # where a task's message starts, under its title


def _points(x: float) -> str:
    return f"{x:g}"


def _shared_load_failure(kata: KataResult) -> str:
    """The message when every errored task failed the same way (the file could not be loaded)."""
    errors = [t for t in kata.tasks if t.status == Status.ERROR]
    messages = {t.message for t in errors}
    return errors[0].message if len(errors) > 1 and len(messages) == 1 else ""


def summary_lines(kata: KataResult, next_kata: str | None = None, columns: int = 100,
                  next_block: bool = True) -> list[str]:
    """The table of tasks, then what to do next (``next_block``: the next task and its first hint).
    ``next_kata``: the kata after this one in the curriculum, "" after the last, None off it."""
    lines: list[str] = []
    shown = [t for t in kata.tasks if not t.not_run]
    not_run = [t for t in kata.tasks if t.not_run]
    load_failure = _shared_load_failure(kata)
    words = max((width(Status(t.status).word) for t in kata.tasks), default=10)
    word_col = max(words, 12) + 1
    title_col = max((width(f"{t.number}. {t.title}") for t in shown), default=10) + 4
    room = max(columns - INDENT - 1, 30)
    for task in shown:
        score = f"{_points(task.score)}/{_points(task.max_score)}" if task.status != Status.SKIPPED else "-"
        lines.append(f"  {ljust(Status(task.status).word, word_col)}"
                     f"{ljust(f'{task.number}. {task.title}', title_col)}{score}")
        message = task.message if task.status in (Status.FAILED, Status.ERROR, Status.SKIPPED) else ""
        if message and message != load_failure:
            lines.extend(" " * INDENT + part for part in wrap(message, room))
            if task.advice:
                lines.extend(" " * INDENT + part for part in wrap(to_do(task.advice), room))
    if load_failure:
        lines.append("  " + tr("No task above could run:", "以上任务都无法运行："))
        lines.extend(" " * INDENT + part for part in wrap(load_failure, room))
        advice = next((t.advice for t in kata.tasks if t.message == load_failure and t.advice), "")
        if advice:
            lines.extend(" " * INDENT + part for part in wrap(to_do(advice), room))
    for reason in dict.fromkeys(t.message for t in not_run):  # each with its reason: -k, -x, a quit...
        numbers = [t.number for t in not_run if t.message == reason]
        said = (tr("task {numbers} not run this time ({reason})", "任务 {numbers} 本次没有运行（{reason}）",
                   numbers=numbers[0], reason=reason) if len(numbers) == 1 else
                tr("{count} tasks not run this time ({reason}): {numbers}",
                   "{count} 个任务本次没有运行（{reason}）：{numbers}",
                   count=len(numbers), reason=reason, numbers=", ".join(map(str, numbers))))
        lines.append("  " + said)
    nxt = kata.next_task()
    if nxt is not None and not next_block:
        pass
    elif nxt is not None:
        lines.append("  " + tr('Next: task {number}, "{title}" ({status}).', "下一步：任务 {number}“{title}”（{status}）。",
                               number=nxt.number, title=nxt.title, status=Status(nxt.status).word))
        if nxt.hint:
            hint = wrap(nxt.hint, max(columns - 10, 30))
            lines.append("  " + tr("Hint: {hint}", "提示：{hint}", hint=hint[0]))
            lines.extend(" " * 8 + part for part in hint[1:])
        lines.append("  " + more_help(kata.name, nxt.number))
    elif kata.max_score:
        skipped = sum(1 for t in kata.tasks if t.status == Status.SKIPPED and not t.not_run)
        if not_run:
            lines.append("  " + tr("Every task run this time passed.", "本次运行的任务全部通过。"))
        elif skipped:
            lines.append("  " + tr("All graded tasks passed; {skipped} skipped (see above).",
                                   "评分的任务全部通过；{skipped} 个已跳过（见上）。", skipped=skipped))
        else:
            lines.append("  " + tr("All tasks passed. Well done!", "所有任务都通过了，做得好！"))
            if next_kata:
                lines.append("  " + tr("Next kata: {name}. Start it with: pytest --kata={name} "
                                       "(or torchkata watch {name})",
                                       "下一个练习：{name}。开始：pytest --kata={name}"
                                       "（或 torchkata watch {name}）", name=next_kata))
            elif next_kata == "":  # the curriculum's last kata
                lines.append("  " + tr("That was the last kata of the curriculum.", "这是课程的最后一个练习。"))
    return lines


def to_do(advice: str) -> str:
    """A command the learner can run in their own workspace (a task's ``advice``)."""
    return tr("To do: {advice}", "可以这样做：{advice}", advice=advice)


def more_help(kata: str, number: int) -> str:
    return tr("More help: torchkata hint {kata} {number}", "需要更多提示：torchkata hint {kata} {number}",
              kata=kata, number=number)


def kata_title(kata: KataResult) -> str:
    return tr("torchkata: {name} - {title}  {score}/{max_score} points",
              "torchkata：{name} - {title}  {score}/{max_score} 分", name=kata.name, title=kata.title,
              score=_points(kata.score), max_score=_points(kata.max_score))


def write_summary(terminal: Any, results: SessionResult, following: dict[str, str] | None = None,
                  columns: int = 80, learner: bool = True) -> None:
    """``learner``: the run is in the learner's own workspace, so what to do next is said."""
    for kata in results.katas:
        title = for_terminal(kata_title(kata))
        # pytest's separator counts characters; a CJK character takes two columns
        terminal.write_sep("=", title, fullwidth=columns - (width(title) - len(title)))
        next_kata = (following or {}).get(kata.name) if learner else None
        for line in summary_lines(kata, next_kata, columns, next_block=learner):
            terminal.write_line(for_terminal(line))
    for warning in results.warnings:  # wrapped by display width, under its first word
        label = tr("Warning: ", "注意：")
        for line in hanging(label, warning, columns):
            terminal.write_line(for_terminal(line), yellow=True)
    if len(results.katas) > 1:
        terminal.write_line(tr("Total: {score}/{max_score} points", "总分：{score}/{max_score} 分",
                               score=_points(results.score), max_score=_points(results.max_score)))

