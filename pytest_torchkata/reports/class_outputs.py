"""Every class output, rebuilt from the students' folders alone.

``torchkata grade`` (after grading) and ``torchkata merge`` (after putting shards together)
both end here, so a merged class gets exactly the files a one-machine run writes.  What
is read: ``STUDENT/grade.json`` (the gradebook row its grading made, the cache's keys)
and ``STUDENT/report.json`` (the plugin's report; none for a submission not graded).
A new class output (a page, a chart) is written from these in ``write_class_outputs``
and so comes with both commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STUDENT_META = "grade.json"  # a student's row and the keys of its cached grade


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def missing_row(student: str) -> dict[str, Any]:
    """The row of a student whose folder holds no record of a grading."""
    problem = "no record of a grading in this folder (grade.json is missing): grade the class again"
    return {"student": student, "total": 0.0, "max_total": None, "katas": {}, "errors": 0, "timeouts": 0,
            "refused": False, "problem": problem, "note": problem, "seconds": 0.0, "peak_mib": 0, "graded": False}


def student_record(out: Path, student: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A student's gradebook row and report (``{}`` when there is none)."""
    row = read_json(out / student / STUDENT_META).get("row")
    return (row if isinstance(row, dict) else missing_row(student)), read_json(out / student / "report.json")


def write_class_outputs(out: Path, students: list[str]) -> list[dict[str, Any]]:
    """gradebook.csv, tasks.csv and the item analysis (``reports.classbook``) and the HTML pages
    (``reports.html_class``) of ``students``, in that order, from their folders in ``out``;
    returns the gradebook rows."""
    from pytest_torchkata.reports import classbook, html_class

    rows, reports = [], {}
    for student in students:
        row, report = student_record(out, student)
        rows.append(row)
        reports[student] = report
    classbook.write_class(out, rows, reports)
    html_class.write_html_reports(out, reports, notes={r["student"]: r.get("note", "") for r in rows})
    return rows
