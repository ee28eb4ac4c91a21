"""A student's page (``DIR/STUDENT/feedback.html``, or the learner's own with
``--kata-report-format html``) from their JSON report: the total, then per kata a
table of tasks, statuses and points, what went wrong in each unfinished task and its
hint, and the loss curve of a training task (``data["loss_history"]``).

The same reading as ``feedback.md`` (``feedback``): a problem that stopped several
tasks of a kata is said once, with its own hint and the tasks it cost; no
``torchkata`` command (the page is read away from the learner's workspace); written
in the report's language.  Every text from the report goes through ``esc``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from pytest_torchkata.i18n import language, tr
from pytest_torchkata.reports.html import esc, page, points, table, write_page
from pytest_torchkata.reports.html_figures import curve_svg
from pytest_torchkata.reports.instructor import file_problem, in_language, tasks_cost
from pytest_torchkata.status import Status


STATUSES = {s.value for s in Status}


def _message(text: str) -> str:
    return f'<div class="msg">{esc(text)}</div>' if text else ""


def _hint(hint: str) -> str:
    return (f'<div class="hint">{tr("<b>Hint:</b> {hint}", "<b>提示</b>：{hint}", hint=esc(hint))}</div>'
            if hint else "")


def _curve(task: dict[str, Any]) -> str:
    data = task.get("data") or {}
    history = data.get("loss_history")
    if not isinstance(history, list) or not history:
        return ""
    values = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in history]
    label = tr("loss during training ({count} points shown)", "训练过程中的损失（显示 {count} 个点）",
               count=len(values))
    accuracy = data.get("accuracy")
    extra = (tr("held-out accuracy {accuracy:.1%}", "测试集准确率 {accuracy:.1%}", accuracy=accuracy)
             if isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool) else "")
    return (f'<figure class="fig">{curve_svg(values, label)}<figcaption>{esc(label)}'
            f'{"; " + esc(extra) if extra else ""}</figcaption></figure>')


def _kata(kata: dict[str, Any]) -> str:
    tasks = kata.get("tasks", [])
    rows = []
    for t in tasks:
        status = Status(t["status"]) if t.get("status") in STATUSES else Status.ERROR
        got = "–" if status == Status.SKIPPED else f"{points(t['score'])} / {points(t['max_score'])}"
        rows.append([f"{t['number']}", esc(t.get("title", "")), f'<span class="{status.value}">{esc(status.word)}</span>',
                     got])
    parts = [f'<h2>{esc(kata.get("title", kata["name"]))} <code>{esc(kata["name"])}</code>: '
             f'{points(kata.get("score", 0))} / {points(kata.get("max_score", 0))}</h2>',
             table([tr("task", "任务"), tr("title", "标题"), tr("status", "状态"), tr("points", "得分")],
                   rows, numeric=(0, 3))]
    problem = file_problem(kata)
    if problem is not None:
        parts += [f'<h3>{esc(tr("Could not run: {cost}", "无法运行：{cost}", cost=tasks_cost(problem)))}</h3>',
                  _message(problem.message), _hint(problem.hint)]
    for t in tasks:
        unfinished = t.get("status") not in (Status.PASSED, Status.SKIPPED) and not (problem and problem.covers(t))
        curve = _curve(t)
        if not unfinished and not curve:
            continue
        parts.append("<h3>" + esc(tr("Task {number}: {title}", "任务 {number}：{title}", number=t["number"],
                                     title=t.get("title", ""))) + "</h3>")
        if unfinished and t["status"] == Status.NOT_STARTED:
            parts.append("<p>" + esc(tr("Not started yet.", "还没有开始。")) + "</p>")
        elif unfinished:
            parts.append(_message(t.get("message", "")))
        if unfinished:
            parts.append(_hint(t.get("hint", "")))
        parts.append(curve)
    return "\n".join(p for p in parts if p)


def feedback_page(student: Optional[str], report: Optional[dict], note: str = "") -> str:
    """The whole page; ``student`` None: the learner's own page (no name to show)."""
    with in_language((report or {}).get("language")):
        title = (tr("Feedback for {student}", "{student} 的反馈", student=student) if student is not None
                 else tr("Your torchkata report", "你的 torchkata 报告"))
        body = [f"<h1>{esc(title)}</h1>"]
        if note:
            body.append(f'<p class="note">{tr("<b>Note from the grader:</b> {note}", "<b>评分说明</b>：{note}", note=esc(note))}</p>')
        if not report or report.get("katas") is None:
            body.append("<p>" + esc(tr("This submission could not be graded, so it has no points; the note above "
                                       "says why.", "这份提交无法评分，所以没有分数；原因见上面的说明。")) + "</p>")
        else:
            body.append("<p><b>" + esc(tr("Total: {score} / {max_score} points", "总分：{score} / {max_score} 分",
                                          score=points(report.get("score", 0)),
                                          max_score=points(report.get("max_score", 0)))) + "</b></p>")
            body += [_kata(kata) for kata in report.get("katas", [])]
            body += [f'<p class="note">{esc(tr("Warning: {warning}", "注意：{warning}", warning=w))}</p>'
                     for w in report.get("warnings", [])]
        return page(title, "\n".join(body), language())


def write_feedback_html(path: Path, student: Optional[str], report: Optional[dict], note: str = "") -> None:
    write_page(path, feedback_page(student, report, note))
