"""A class's gradebook: one row per student from each grading run, and the class files.

In the output folder: ``STUDENT/report.json`` (the plugin's JSON report, with
the grading machine's folders taken out), ``STUDENT/feedback.md``,
``gradebook.csv`` (a row per student: totals, a column per kata, flags for
errors, time-outs and refusals, and why), ``tasks.csv`` (a row per student and
task) and the item analysis (``reports.analysis``).  A student whose grading
produced no report still gets a row that says why.  Learner text is made inert
for each (``encode``): CSV cells a spreadsheet cannot run, a Markdown page
that shows it as itself, a ``grading.log`` without control characters.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from pytest_torchkata.reports.encode import csv_row, for_terminal, one_line
from pytest_torchkata.reports.formats import atomic_write, write_json

# the sandbox's words for learner code stopped at its time limit ("still running after 20 s")
TIMED_OUT = "still running after"
GRADEBOOK_TAIL = ["errors", "timeouts", "refused", "problem", "seconds", "peak_mib"]
TASK_COLUMNS = ["student", "kata", "task", "id", "title", "status", "score", "max_score", "message"]
# the files of the whole class, beside the students' folders: no student may be named so
CLASS_FILES = ("gradebook.csv", "tasks.csv", "item_analysis.csv", "item_analysis.md", "item_analysis.png")


def scrub(value: Any, prefixes: list[str]) -> Any:
    """``value`` with the grading machine's folders taken out of every text."""
    if isinstance(value, str):
        for prefix in prefixes:
            value = value.replace(prefix + os.sep, "").replace(prefix, ".")
        return value
    if isinstance(value, list):
        return [scrub(v, prefixes) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, prefixes) for k, v in value.items()}
    return value


def _log_tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:] if line.strip())[:300]


def make_log_inert(log: Path, chunk: int = 1 << 20) -> None:
    """Rewrite ``log`` (what a grading run printed, learner text included) without control
    characters, a piece at a time; a log that cannot be read is left as it is."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    try:
        with open(log, "rb") as src, atomic_write(log) as out:
            while piece := src.read(chunk):
                out.write(for_terminal(decoder.decode(piece)))
            out.write(for_terminal(decoder.decode(b"", final=True)))
    except OSError:
        pass


def finish_student(folder: Path, sub: Any, job: Any, limit: float, prefixes: list[str]) -> dict:
    """The gradebook row of one graded submission; cleans its report and its log and writes
    its feedback."""
    from pytest_torchkata.reports.feedback import write_feedback

    make_log_inert(job.log)

    report_path = folder / "report.json"
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = None
    problems = [sub.problem] if sub.problem else []
    row: dict[str, Any] = {"student": sub.name, "total": 0.0, "max_total": None, "katas": {},
                           "errors": 0, "timeouts": 0, "refused": sub.refused,
                           "seconds": round(job.seconds, 1),
                           "peak_mib": round((job.stats.get("grader_kib", 0) + job.stats.get("worker_kib", 0)) / 1024)}
    if report is not None:
        report = scrub(report, prefixes)
        write_json(report_path, report)
        tasks = [t for k in report.get("katas", []) for t in k.get("tasks", [])]
        row.update(total=report.get("score", 0.0), max_total=report.get("max_score"),
                   katas={k["name"]: k["score"] for k in report.get("katas", [])},
                   errors=sum(t["status"] == "error" for t in tasks),
                   timeouts=sum(TIMED_OUT in t.get("message", "") for t in tasks))
        broken = list(dict.fromkeys(t["message"] for t in tasks if t["status"] == "error"))
        if broken:  # the why, in the row: a syntax error, an exit or a hang at import, ...
            count = sum(t["status"] == "error" for t in tasks)
            problems.append(f"{count} task(s) could not run"
                            + (f": {broken[0]}" if len(broken) == 1 else f", e.g. {broken[0]}"))
    if job.killed:
        row["timeouts"] += 1
        problems.append(f"stopped after {limit:g} s: the whole grading ran past its limit")
    elif report is None:
        problems.append(f"the grading run ended without a report (exit status {job.code})"
                        + (f": {_log_tail(job.log)}" if _log_tail(job.log) else ""))
    elif job.code not in (0, 1):
        problems.append(f"the grading run ended with exit status {job.code}: {_log_tail(job.log)}")
    row["problem"] = scrub("; ".join(problems), prefixes)  # a log tail may name the work folder
    write_feedback(folder / "feedback.md", sub.name, report, row["problem"])
    return row


def row_line(row: dict) -> str:
    """The row as one console line, without control characters."""
    total = f"{row['total']:g}/{row['max_total']:g}" if row["max_total"] is not None else "no grade"
    flags = [f"{row[k]} {k}" for k in ("errors", "timeouts") if row[k]]
    if row["refused"]:
        flags.append("refused")
    text = f"{total} points ({row['seconds']:g} s)" + (f"; {', '.join(flags)}" if flags else "")
    return one_line(text + (f"; {row['problem']}" if row["problem"] else ""))


def write_class(out: Path, rows: list[dict], reports: dict[str, dict]) -> None:
    """gradebook.csv, tasks.csv and the item analysis for the whole class."""
    from pytest_torchkata.reports.analysis import write_analysis

    katas: list[str] = []
    for row in rows:
        katas.extend(k for k in row["katas"] if k not in katas)
    known_max = max((r["max_total"] for r in rows if r["max_total"] is not None), default=None)
    with atomic_write(out / "gradebook.csv", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(csv_row(["student", "total", "max_total", *katas, *GRADEBOOK_TAIL]))
        for row in rows:
            max_total = row["max_total"] if row["max_total"] is not None else known_max
            writer.writerow(csv_row([row["student"], row["total"], "" if max_total is None else max_total,
                                     *[row["katas"].get(k, 0.0) for k in katas],
                                     row["errors"], row["timeouts"], int(bool(row["refused"])),
                                     one_line(row["problem"]), row["seconds"], row["peak_mib"]]))
    with atomic_write(out / "tasks.csv", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(TASK_COLUMNS)
        for row in rows:
            for kata in reports.get(row["student"], {}).get("katas", []):
                for t in kata["tasks"]:
                    writer.writerow(csv_row([row["student"], kata["name"], t["number"], t["id"], t["title"],
                                             t["status"], t["score"], t["max_score"], one_line(t["message"])]))
    write_analysis(out, [(r["student"], reports[r["student"]]) for r in rows if reports.get(r["student"])])
