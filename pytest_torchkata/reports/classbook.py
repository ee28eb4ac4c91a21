"""A class's gradebook: one row per student from each grading run, and the class files.

In the output folder: ``STUDENT/report.json`` (the plugin's JSON report, with
the grading machine's folders taken out), ``STUDENT/feedback.md``,
``gradebook.csv`` (a row per student: totals, a column per kata, counts of the
tasks that could not run, ran out of time, crashed or sent back an answer the
grader does not read, whether the submission was refused, and why), ``tasks.csv``
(a row per student and task) and the item analysis (``reports.analysis``).  Those
counts come from each task's ``kind`` in the report (``sandbox.answers.Kind``),
never from its wording, so they are the same in every ``--kata-lang``.  A student whose grading
produced no report, or whose submission was not graded at all (a refused
archive, no kata file), still gets a row that says why, and stays out of the
item analysis's statistics.  Learner text is made inert for each (``encode``):
CSV cells a spreadsheet cannot run, a Markdown page that shows it as itself, a
``grading.log`` without control characters or the grading machine's folders.
Every file is private to the instructor (``FILE_MODE``, ``FOLDER_MODE``), and
report.json keeps the seed's digest, never the secret seed.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_torchkata.reports.encode import csv_row, for_terminal, one_line
from pytest_torchkata.reports.formats import atomic_write, write_json
from pytest_torchkata.reports.html_class import CLASS_PAGE
from pytest_torchkata.reports.instructor import plural
from pytest_torchkata.reports.lms import FILES as LMS_FILES
from pytest_torchkata.reports.similarity_page import FILES as SIMILARITY_FILES

# File modes of the class outputs.  Every file holds a student's grade, feedback or code
# they wrote (a log quotes it), so all of them are private to the instructor's account:
# files 0600 (what atomic_write's temporary files already are), folders 0700.  Sharing
# with teaching assistants is then a deliberate act (a group and chmod), never a default.
FILE_MODE = 0o600
FOLDER_MODE = 0o700

# a task's ``kind`` (the learner side's answer that ended its speaking check, ``sandbox.answers.Kind``)
# -> the gradebook count it adds to; a report without kinds (an older one) counts none
KIND_COUNTS = {"timeout": "timeouts", "crash": "crashes", "out_of_memory": "crashes",
               "refused": "refused_answers"}
LOG_NAME = "grading.log"  # what the grading run printed (``cli.batch`` writes it)
GRADEBOOK_TAIL = ["errors", "timeouts", "crashes", "refused_answers", "refused", "problem", "seconds", "peak_mib"]
TASK_COLUMNS = ["student", "kata", "task", "id", "title", "status", "score", "max_score", "message", "kind"]
# the files of the whole class, beside the students' folders: no student may be named so
CLASS_FILES = ("gradebook.csv", "tasks.csv", "item_analysis.csv", "item_analysis.md", "item_analysis.png",
               CLASS_PAGE, *SIMILARITY_FILES, *LMS_FILES)


def scrub(value: Any, prefixes: Sequence[str]) -> Any:
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


def private_folder(path: Path) -> Path:
    """``path`` made (as needed) and kept readable by the instructor's account only."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    path.chmod(FOLDER_MODE)
    return path


def make_log_inert(log: Path, prefixes: Sequence[str] = (), chunk: int = 1 << 20) -> None:
    """Rewrite ``log`` (what a grading run printed, learner text included) without control
    characters and without the grading machine's folders (``scrub``), a piece at a time
    (cut after a line, so no folder name is split); a log that cannot be read is left as
    it is."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    try:
        with open(log, "rb") as src, atomic_write(log) as out:
            rest = ""
            while piece := src.read(chunk):
                text = rest + decoder.decode(piece)
                cut = text.rfind("\n") + 1 if len(text) < 4 * chunk else len(text)
                out.write(for_terminal(scrub(text[:cut], prefixes)))
                rest = text[cut:]
            out.write(for_terminal(scrub(rest + decoder.decode(b"", final=True), prefixes)))
    except OSError:
        pass


def finish_student(folder: Path, sub: Any, job: Any, limit: float, prefixes: list[str]) -> dict:
    """The gradebook row of one graded submission; cleans its report and its log and writes
    its feedback."""
    from pytest_torchkata.reports.feedback import write_feedback

    make_log_inert(job.log, prefixes)

    report_path = folder / "report.json"
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = None
    problems = [sub.problem] if sub.problem else []
    told_by_report = ""
    row: dict[str, Any] = {"student": sub.name, "total": 0.0, "max_total": None, "katas": {},
                           "errors": 0, "timeouts": 0, "crashes": 0, "refused_answers": 0, "refused": sub.refused,
                           "seconds": round(job.seconds, 1),
                           "peak_mib": round((job.stats.get("grader_kib", 0) + job.stats.get("worker_kib", 0)) / 1024)}
    if report is not None:
        report = scrub(report, prefixes)
        report.pop("seed", None)  # the class outputs never hold the secret seed; its digest stays
        write_json(report_path, report)
        tasks = [t for k in report.get("katas", []) for t in k.get("tasks", [])]
        row.update(total=report.get("score", 0.0), max_total=report.get("max_score"),
                   katas={k["name"]: k["score"] for k in report.get("katas", [])},
                   # katas whose file was not handed in: the item analysis leaves them out
                   without_file=[k["name"] for k in report.get("katas", [])
                                 if not {f"{k['name']}.py", f"{k['name']}.ipynb"} & set(sub.files)],
                   errors=sum(t["status"] == "error" for t in tasks), **kind_counts(tasks))
        broken = list(dict.fromkeys(t["message"] for t in tasks if t["status"] == "error"))
        if broken:  # the why, in the row: a syntax error, an exit or a hang at import, ...
            count = sum(t["status"] == "error" for t in tasks)
            told_by_report = (f"{plural(count, 'task')} could not run"
                              + (f": {broken[0]}" if len(broken) == 1 else f", e.g. {broken[0]}"))
    if job.killed:
        row["timeouts"] += 1
        problems.append(f"stopped after {limit:g} s: the whole grading ran past its limit")
    elif report is None:
        problems.append(f"the grading run ended without a report (exit status {job.code})"
                        + (f": {_log_tail(job.log)}" if _log_tail(job.log) else ""))
    elif job.code not in (0, 1):
        problems.append(f"the grading run ended with exit status {job.code}: {_log_tail(job.log)}")
    # the note: what the report cannot tell (the submission, the run); the row's problem adds
    # the tasks that could not run, which the feedback and Gradescope tell from the report
    row["note"] = scrub("; ".join(problems), prefixes)  # a log tail may name the work folder
    row["problem"] = "; ".join(filter(None, [row["note"], told_by_report]))
    write_feedback(folder / "feedback.md", sub.name, report, row["note"])
    return row


def kind_counts(tasks: list[dict]) -> dict[str, int]:
    """How many of ``tasks`` (a report's) ran out of time, crashed or sent back an answer the
    grader does not read, from their ``kind``."""
    counts = dict.fromkeys(KIND_COUNTS.values(), 0)
    for task in tasks:
        column = KIND_COUNTS.get(task.get("kind", ""))
        if column:
            counts[column] += 1
    return counts


def ungraded_student(folder: Path, sub: Any) -> dict:
    """The gradebook row of a submission that is not graded at all: a refused archive, or
    nothing to grade (no kata file).  Its feedback says why; it has no report, so the item
    analysis leaves it out of the statistics and lists it apart."""
    from pytest_torchkata.reports.feedback import write_feedback

    for stale in ("report.json", LOG_NAME):  # from an earlier grading of this student
        (folder / stale).unlink(missing_ok=True)
    write_feedback(folder / "feedback.md", sub.name, None, sub.problem)
    return {"student": sub.name, "total": 0.0, "max_total": None, "katas": {}, "errors": 0,
            "timeouts": 0, "crashes": 0, "refused_answers": 0, "refused": sub.refused, "problem": sub.problem,
            "note": sub.problem,
            "seconds": 0.0, "peak_mib": 0, "graded": False}


FLAG_WORDS = {"errors": ("error", None), "timeouts": ("time-out", None), "crashes": ("crash", "crashes"),
              "refused_answers": ("refused answer", None)}


def row_line(row: dict) -> str:
    """The row as one console line, without control characters."""
    total = f"{row['total']:g}/{row['max_total']:g}" if row["max_total"] is not None else "no grade"
    flags = [plural(row[k], *words) for k, words in FLAG_WORDS.items() if row.get(k)]
    if row["refused"]:
        flags.append("refused")
    elif row.get("graded") is False:
        flags.append("not graded")
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
                                     row["errors"], row["timeouts"], row.get("crashes", 0),
                                     row.get("refused_answers", 0), int(bool(row["refused"])),
                                     one_line(row["problem"]), row["seconds"], row["peak_mib"]]))
    with atomic_write(out / "tasks.csv", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(TASK_COLUMNS)
        for row in rows:
            for kata in reports.get(row["student"], {}).get("katas", []):
                for t in kata["tasks"]:
                    writer.writerow(csv_row([row["student"], kata["name"], t["number"], t["id"], t["title"],
                                             t["status"], t["score"], t["max_score"], one_line(t["message"]),
                                             t.get("kind", "")]))
    graded = [(r["student"], reports[r["student"]]) for r in rows if reports.get(r["student"])]
    # refused, nothing to grade, or no report: not in the statistics, listed apart with why
    apart = [(r["student"], r["problem"]) for r in rows if not reports.get(r["student"])]
    write_analysis(out, graded, apart, {r["student"]: r.get("without_file", []) for r in rows})
