"""A student's feedback page (Markdown) from their JSON report: per kata a table of
tasks, points and status, then what went wrong in each unfinished task and the hint.
A problem that stopped several tasks at once (a missing file, a syntax error) is said
once per kata, with its own hint and the tasks it cost (``instructor``).  The page is
read after grading, away from the learner's workspace: it gives no ``torchkata``
command (those travel apart from the messages, to the learner's terminal only).  It is
written in the report's language.  Every text from the report goes through
``encode.for_markdown``: a learner's message shows as itself, never as HTML, a link, a
heading or a row of the table."""

from __future__ import annotations

from pathlib import Path

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.encode import for_markdown, markdown_code, one_line
from pytest_torchkata.reports.formats import atomic_write
from pytest_torchkata.reports.instructor import file_problem, in_language, tasks_cost
from pytest_torchkata.status import Status


def _cell(text: str) -> str:
    """Text for one line of the page (a table cell, a heading)."""
    return for_markdown(one_line(text))


def _hint(hint: str) -> list[str]:
    return ["", tr("*Hint:* {hint}", "*提示*：{hint}", hint=for_markdown(hint))] if hint else []


def _kata_lines(kata: dict) -> list[str]:
    lines = [f"## {_cell(kata['title'])} ({markdown_code(kata['name'])}): "
             f"{kata['score']:g} / {kata['max_score']:g}", "",
             tr("| task | status | points |", "| 任务 | 状态 | 得分 |"), "| --- | --- | --- |"]
    for t in kata["tasks"]:
        points = "-" if t["status"] == Status.SKIPPED else f"{t['score']:g} / {t['max_score']:g}"
        lines.append(f"| {t['number']}. {_cell(t['title'])} | {Status(t['status']).word} | {points} |")
    lines.append("")
    problem = file_problem(kata)
    if problem is not None:
        lines += [tr("### Could not run: {cost}", "### 无法运行：{cost}", cost=tasks_cost(problem)),
                  for_markdown(problem.message), *_hint(problem.hint), ""]
    for t in kata["tasks"]:
        if t["status"] in (Status.PASSED, Status.SKIPPED) or (problem and problem.covers(t)):
            continue
        lines.append(tr("### Task {number}: {title}", "### 任务 {number}：{title}", number=t["number"],
                        title=_cell(t["title"])))
        if t["status"] == Status.NOT_STARTED:
            lines.append(tr("Not started yet.", "还没有开始。"))
        elif t["message"]:
            lines.append(for_markdown(t["message"]))
        lines += [*_hint(t.get("hint", "")), ""]
    return lines


def feedback_lines(student: str, report: dict | None, problem: str = "") -> list[str]:
    with in_language((report or {}).get("language")):
        lines = [tr("# Feedback for {student}", "# {student} 的反馈", student=_cell(student)), ""]
        if problem:
            lines += [tr("**Note from the grader:** {note}", "**评分说明**：{note}", note=for_markdown(problem)), ""]
        if not report:
            # read after the deadline too: say why, not what to run or whether to submit again
            lines.append(tr("This submission could not be graded, so it has no points; the note above says why.",
                            "这份提交无法评分，所以没有分数；原因见上面的说明。"))
            return lines
        lines += [tr("**Total: {score} / {max_score} points**", "**总分：{score} / {max_score} 分**",
                     score=f"{report['score']:g}", max_score=f"{report['max_score']:g}"), ""]
        for kata in report.get("katas", []):
            lines += _kata_lines(kata)
        for warning in report.get("warnings", []):
            lines.append(tr("*Warning:* {warning}", "*注意*：{warning}", warning=for_markdown(warning)))
        return lines


def write_feedback(path: Path, student: str, report: dict | None, problem: str = "") -> None:
    with atomic_write(path) as fh:
        fh.write("\n".join(feedback_lines(student, report, problem)).rstrip() + "\n")
