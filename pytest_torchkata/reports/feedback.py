"""A student's feedback page (Markdown) from their JSON report: per kata a table of
tasks, points and status, then what went wrong in each unfinished task and the hint.
A problem that stopped several tasks at once (a missing file, a syntax error) is said
once per kata, with its own hint and the tasks it cost (``instructor``).  The page is
read after grading, away from the learner's workspace: it gives no ``torchkata``
command (those travel apart from the messages, to the learner's terminal only).
Every text from the report goes through ``encode.for_markdown``: a learner's message
shows as itself, never as HTML, a link, a heading or a row of the table."""

from __future__ import annotations

from pathlib import Path

from pytest_torchkata.reports.encode import for_markdown, markdown_code, one_line
from pytest_torchkata.reports.formats import atomic_write
from pytest_torchkata.reports.instructor import file_problem, tasks_cost
from pytest_torchkata.status import Status


def _cell(text: str) -> str:
    """Text for one line of the page (a table cell, a heading)."""
    return for_markdown(one_line(text))


def _kata_lines(kata: dict) -> list[str]:
    lines = [f"## {_cell(kata['title'])} ({markdown_code(kata['name'])}): "
             f"{kata['score']:g} / {kata['max_score']:g}", "",
             "| task | status | points |", "| --- | --- | --- |"]
    for t in kata["tasks"]:
        points = "-" if t["status"] == Status.SKIPPED else f"{t['score']:g} / {t['max_score']:g}"
        lines.append(f"| {t['number']}. {_cell(t['title'])} | {Status(t['status']).word} | {points} |")
    lines.append("")
    problem = file_problem(kata)
    if problem is not None:
        lines += [f"### Could not run: {tasks_cost(problem)}", for_markdown(problem.message)]
        if problem.hint:
            lines += ["", f"*Hint:* {for_markdown(problem.hint)}"]
        lines.append("")
    for t in kata["tasks"]:
        if t["status"] in (Status.PASSED, Status.SKIPPED) or (problem and problem.covers(t)):
            continue
        lines.append(f"### Task {t['number']}: {_cell(t['title'])}")
        if t["status"] == Status.NOT_STARTED:
            lines.append("Not started yet.")
        elif t["message"]:
            lines.append(for_markdown(t["message"]))
        if t.get("hint"):
            lines += ["", f"*Hint:* {for_markdown(t['hint'])}"]
        lines.append("")
    return lines


def feedback_lines(student: str, report: dict | None, problem: str = "") -> list[str]:
    lines = [f"# Feedback for {_cell(student)}", ""]
    if problem:
        lines += [f"**Note from the grader:** {for_markdown(problem)}", ""]
    if not report:
        lines.append("Your submission could not be graded, so it has no points yet. Fix what the note "
                     "above says and submit again.")
        return lines
    lines += [f"**Total: {report['score']:g} / {report['max_score']:g} points**", ""]
    for kata in report.get("katas", []):
        lines += _kata_lines(kata)
    for warning in report.get("warnings", []):
        lines.append(f"*Warning:* {for_markdown(warning)}")
    return lines


def write_feedback(path: Path, student: str, report: dict | None, problem: str = "") -> None:
    with atomic_write(path) as fh:
        fh.write("\n".join(feedback_lines(student, report, problem)).rstrip() + "\n")
