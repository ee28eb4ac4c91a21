"""Report files: a registry of formats (name -> writer) and the reporter that
writes ``--kata-report PATH`` in ``--kata-report-format``.

The built-in formats (json, gradescope, csv, classroom, html) are registered through the
``pytest_torchkata_report_formats`` hook, like any third party's.  Every file
is written atomically: a temporary file in the same folder, then a rename.
Learner text is encoded for where it is shown (``encode``): Markdown in
Gradescope's output, one plain line in Classroom's console, inert CSV cells.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.encode import csv_row, for_markdown, one_line
from pytest_torchkata.reports.instructor import file_problem, in_language, tasks_cost
from pytest_torchkata.reports.results import SessionResult
from pytest_torchkata.status import Status


@dataclass(frozen=True)
class ReportFormat:
    """A report file format: ``write(path, results)`` writes the whole file."""

    name: str
    help: str
    write: Callable[[Path, SessionResult], None]


class FileReporter:
    """Writes ``--kata-report PATH`` with the chosen format's writer (schemas in the README)."""

    def __init__(self, path: Path, fmt: ReportFormat) -> None:
        self.path = path
        self.fmt = fmt

    @pytest.hookimpl
    def pytest_torchkata_results(self, config: pytest.Config, results: SessionResult) -> None:
        self.fmt.write(self.path, results)


VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
# what Gradescope's results.json keeps of how a submission was graded: the sandbox level used,
# the digest of the secret seed (never the seed), the versions
GRADED_HOW = ("sandbox", "seed_digest", "tool_version", "torch_version")


def gradescope(results: SessionResult) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for this session (see ``gradescope_results``)."""
    return gradescope_results(results.to_json())


def _visibility(rules: dict[str, str], kata: str, task: str) -> str:
    return rules.get(f"{kata}.{task}") or rules.get(kata) or rules.get("") or "visible"


def _task_output(task: dict[str, Any], encode: Callable[[str], str]) -> str:
    """What a task's test says: its message and hint, each passed through ``encode``."""
    if task["status"] == Status.PASSED:
        return tr("Passed.", "通过。")
    text = tr("Not started yet.", "还没有开始。") if task["status"] == Status.NOT_STARTED else encode(task["message"])
    if task.get("hint"):
        text += "\n\n" + tr("Hint: {hint}", "提示：{hint}", hint=encode(task["hint"]))
    return text.strip()


def gradescope_results(report: dict[str, Any], visibility: dict[str, str] | None = None,
                       execution_time: float | None = None,
                       stdout_visibility: str = "hidden") -> dict[str, Any]:
    """Gradescope's ``results.json`` from a JSON report (``_gradescope_results``), written
    in the report's language: a student reads it."""
    with in_language(report.get("language")):
        return _gradescope_results(report, visibility, execution_time, stdout_visibility)


def _gradescope_results(report: dict[str, Any], visibility: dict[str, str] | None,
                        execution_time: float | None, stdout_visibility: str) -> dict[str, Any]:
    """Gradescope's ``results.json`` from a JSON report, field by field: ``score``,
    ``execution_time``, ``output`` (Markdown; a problem that stopped several tasks of a
    kata is said there once, each of those tasks points to it), ``visibility``,
    ``stdout_visibility``, ``extra_data`` (``GRADED_HOW``), one test per graded task
    (``name``, ``number``, ``score``, ``max_score``, ``status``, ``output``,
    ``visibility``) and a ``leaderboard`` entry per recorded accuracy.
    ``visibility`` maps "" (default), "KATA" or "KATA.TASK_ID" to one of VISIBILITIES."""
    rules = visibility or {}
    tests, board = [], []
    problems = {kata["name"]: file_problem(kata) for kata in report.get("katas", [])}
    for k_index, kata in enumerate(report.get("katas", []), start=1):
        problem = problems[kata["name"]]
        for task in kata["tasks"]:
            if task["status"] == Status.SKIPPED:  # counts toward nothing, like in our report
                continue
            shared = problem is not None and problem.covers(task)  # said once, at the top
            tests.append({
                "name": one_line(f"{kata['name']} {task['number']}. {task['title']}"),
                "number": f"{k_index}.{task['number']}",
                "score": task["score"], "max_score": task["max_score"],
                "status": "passed" if task["status"] == Status.PASSED else "failed",
                "output": (tr("Could not run: the problem with {kata} told at the top stopped {cost}.",
                              "无法运行：上面说明的 {kata} 的问题使{cost}都无法运行。",
                              kata=for_markdown(one_line(kata["title"])), cost=tasks_cost(problem))
                           if shared and problem else _task_output(task, for_markdown)),
                "output_format": "md",
                "visibility": _visibility(rules, kata["name"], task["id"]),
            })
            accuracy = (task.get("data") or {}).get("accuracy")
            if isinstance(accuracy, (int, float)):
                board.append({"name": one_line(f"{kata['title']} accuracy (%)"),
                              "value": round(100 * accuracy, 2), "order": "desc"})
    lines = [tr("**torchkata: {score} / {max_score} points**", "**torchkata：{score} / {max_score} 分**",
                score=f"{report.get('score', 0):g}", max_score=f"{report.get('max_score', 0):g}")]
    for kata in report.get("katas", []):
        lines.append(f"- {for_markdown(one_line(kata['title']))}: {kata['score']:g} / {kata['max_score']:g}")
    for kata in report.get("katas", []):
        problem = problems[kata["name"]]
        if problem is not None:
            lines.append("\n" + tr("**{kata}: could not run {cost}**", "**{kata}：{cost}无法运行**",
                                   kata=for_markdown(one_line(kata["title"])), cost=tasks_cost(problem))
                         + f"\n\n{for_markdown(problem.message)}"
                         + ("\n\n" + tr("Hint: {hint}", "提示：{hint}", hint=for_markdown(problem.hint))
                            if problem.hint else ""))
    lines += ["\n" + tr("*Warning:* {warning}", "*注意*：{warning}", warning=for_markdown(w))
              for w in report.get("warnings", [])]
    seconds = report.get("seconds", 0.0) if execution_time is None else execution_time
    data = {"score": report.get("score", 0.0), "execution_time": int(round(seconds or 0)),
            "output": "\n".join(lines), "output_format": "md", "test_output_format": "md",
            "visibility": rules.get("") or "visible", "stdout_visibility": stdout_visibility,
            "tests": tests,
            # for the instructor (Gradescope keeps it, students do not see it): how this was graded
            "extra_data": {key: report.get(key, "") for key in GRADED_HOW}}
    if board:
        data["leaderboard"] = board
    return data


def classroom_payload(report: dict[str, Any]) -> dict[str, Any]:
    """What GitHub Classroom's grading reporter reads from a runner (base64 of this JSON):
    ``max_score`` and one test per task with its ``score``, so the gradebook gets partial
    credit per task.  The reporter prints names and messages to the Actions log, one line
    each: a line of a learner's there could be taken for a workflow command."""
    tests, max_score = [], 0.0
    for kata in report.get("katas", []):
        for task in kata["tasks"]:
            if task["status"] == Status.SKIPPED:
                continue
            max_score += task["max_score"]
            passed = task["status"] == Status.PASSED
            tests.append({"name": one_line(f"{kata['name']} {task['number']}. {task['title']}"),
                          "status": "pass" if passed else "fail",
                          "score": task["score"], "max_score": task["max_score"],
                          "message": None if passed else one_line(_task_output(task, str)),
                          "test_code": f"pytest --kata={kata['name']} -k {task['id']}",
                          "filename": "", "line_no": 0, "execution_time": ""})
    everything = bool(tests) and all(t["status"] == "pass" for t in tests)
    return {"version": 1, "status": "pass" if everything else ("fail" if tests else "error"),
            "max_score": round(max_score, 2), "tests": tests}


def classroom_text(report: dict[str, Any]) -> str:
    import base64

    return base64.b64encode(json.dumps(classroom_payload(report)).encode()).decode()


CSV_COLUMNS = ["kata", "task", "id", "title", "status", "score", "max_score", "message"]


def write_csv(path: Path, results: SessionResult) -> None:
    import csv

    with atomic_write(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for kata in results.katas:
            for t in kata.tasks:
                writer.writerow(csv_row([kata.name, t.number, t.id, t.title, t.status, t.score,
                                         t.max_score, one_line(t.message)]))
        writer.writerow(["total", "", "", "", "", results.score, results.max_score, ""])


@contextlib.contextmanager
def atomic_write(path: Path, newline: str | None = None) -> Iterator[Any]:
    """Open a temporary file beside ``path`` for writing; rename it over ``path`` on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_write(path) as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")




def _write_results_json(path: Path, results: SessionResult) -> None:
    write_json(path, results.to_json())


def _write_gradescope(path: Path, results: SessionResult) -> None:
    write_json(path, gradescope(results))


def _write_classroom(path: Path, results: SessionResult) -> None:
    with atomic_write(path) as fh:
        fh.write(classroom_text(results.to_json()) + "\n")


def _write_html(path: Path, results: SessionResult) -> None:
    from pytest_torchkata.reports.html_feedback import write_feedback_html

    write_feedback_html(path, None, results.to_json())


BUILTIN_FORMATS = [
    ReportFormat("json", "the full report: every task, check, message and hint", _write_results_json),
    ReportFormat("gradescope", "Gradescope's results.json, one test per task", _write_gradescope),
    ReportFormat("csv", "one row per task", write_csv),
    ReportFormat("classroom", "GitHub Classroom's grading reporter payload (base64 JSON)", _write_classroom),
    ReportFormat("html", "a page to open in a browser: tasks, points, messages, hints, loss curves", _write_html),
]
