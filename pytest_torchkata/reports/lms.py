"""A class's grades in the import layout of an LMS (Canvas or Moodle), from the instructor's roster.

The roster (``read_roster``) is a CSV file, one row per student, with a header; names are read
leniently (case, spaces, ``-`` and ``_`` do not matter, and the usual LMS names are understood):

    student   the submission's name as the gradebook has it (its folder or archive name)   required
    name      the student's name                                     ("full name", "student name")
    sis_id    the SIS id / ID number                                 ("sis user id", "id number", "idnumber")
    login_id  the SIS login id / username                            ("sis login id", "username", "login")
    section   the section                                           ("group")
    email     the email address                                     ("email address", "mail")
    canvas_id Canvas's own user id (optional)                       ("canvas user id")

The file written (``export_gradebook``), one row per roster entry, in the roster's order:

- ``gradebook_canvas.csv``: Canvas's Gradebook import layout: ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per kata (or one total), and
  under the header the ``Points Possible`` row Canvas's own export has (the points of each
  column).  Canvas finds a student by ``ID``, ``SIS User ID``, ``SIS Login ID`` or name.
- ``gradebook_moodle.csv``: Moodle's CSV grade import: ``Email address``, ``ID number`` and
  ``Full name``, then one column per kata (or one total).  At import, map "Email address" to
  useremail (or "ID number" to useridnumber) and each kata column to a grade item.

A roster entry without a submission keeps its row, its grades empty; a submission that is not
in the roster cannot be imported without the LMS's ids, so it goes, with its grades, into
``roster_unmatched.csv`` beside the export (which lists the entries without a submission too),
and ``LmsExport.notes`` says both.  Nobody is dropped.  Cells are inert for a spreadsheet
(``encode.csv_row``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.encode import csv_row, one_line
from pytest_torchkata.reports.formats import atomic_write

FORMATS = ("canvas", "moodle")
COLUMN_CHOICES = ("kata", "total")
TOTAL_COLUMN = "torchkata total"
UNMATCHED_NAME = "roster_unmatched.csv"
FILES = (*(f"gradebook_{fmt}.csv" for fmt in FORMATS), UNMATCHED_NAME)  # beside gradebook.csv
MAX_ROSTER_BYTES = 20 * 2**20
CANVAS_HEAD = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS = "    Points Possible"  # as Canvas's own export writes it (its importer looks for the words)
MOODLE_HEAD = ["Email address", "ID number", "Full name"]
ALIASES = {
    "student": ("student", "folder", "submission", "student_folder"),
    "name": ("name", "full_name", "student_name", "fullname"),
    "sis_id": ("sis_id", "sis_user_id", "id_number", "idnumber", "student_id", "sisid"),
    "login_id": ("login_id", "sis_login_id", "username", "login", "user_name"),
    "section": ("section", "group"),
    "email": ("email", "email_address", "mail", "e_mail"),
    "canvas_id": ("canvas_id", "canvas_user_id"),
}


class RosterProblem(Exception):
    """The roster cannot be used; the message says why and what to fix."""


@dataclass(frozen=True)
class RosterEntry:
    student: str
    name: str = ""
    sis_id: str = ""
    login_id: str = ""
    section: str = ""
    email: str = ""
    canvas_id: str = ""
    line: int = 0  # where it is in the roster file


@dataclass
class LmsExport:
    """What ``export_gradebook`` wrote, and who could not be placed."""

    fmt: str
    path: Path
    unmatched_path: Path
    not_in_roster: list[str] = field(default_factory=list)  # submissions without a roster entry
    without_submission: list[RosterEntry] = field(default_factory=list)
    without_id: list[RosterEntry] = field(default_factory=list)  # entries the LMS cannot find

    def notes(self) -> list[str]:
        """Lines for the console, in the current language."""
        lines = [tr("{lms} gradebook: {path}", "{lms} 成绩册：{path}", lms=self.fmt.title(),
                    path=self.path)]
        if self.not_in_roster:
            lines.append(tr("{count} submission(s) not in the roster (not in the import file; their grades are "
                            "in {file}): {names}",
                            "{count} 份提交不在名册里（没有写进导入文件；成绩在 {file} 里）：{names}",
                            count=len(self.not_in_roster), file=self.unmatched_path,
                            names=one_line(", ".join(self.not_in_roster))))
        if self.without_submission:
            lines.append(tr("{count} roster entr(y/ies) without a submission (their grades are left empty): {names}",
                            "名册里有 {count} 人没有提交（成绩留空）：{names}", count=len(self.without_submission),
                            names=one_line(", ".join(e.student for e in self.without_submission))))
        if self.without_id:
            lines.append(tr("{count} roster entr(y/ies) without any id the LMS can match: {names}",
                            "名册里有 {count} 人没有 LMS 能识别的任何 id：{names}", count=len(self.without_id),
                            names=one_line(", ".join(e.student for e in self.without_id))))
        return lines


def _header_key(header: str) -> str:
    return re.sub(r"[\s\-_.]+", "_", header.strip().lstrip("\ufeff").casefold()).strip("_")


def read_roster(path: Path, key: Callable[[str], str] = str.casefold) -> list[RosterEntry]:
    """The roster's entries, or RosterProblem saying what is wrong with the file.  ``key``: how a
    roster's ``student`` meets a submission's name (two entries with one key are refused)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterProblem(tr("the roster {path} cannot be read: {why}", "无法读取名册 {path}：{why}",
                               path=path, why=exc.strerror or exc)) from None
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterProblem(tr("the roster {path} is over {mb} MB; is it the right file?",
                               "名册 {path} 超过 {mb} MB；是不是选错了文件？", path=path, mb=MAX_ROSTER_BYTES // 2**20))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterProblem(tr("the roster {path} is not UTF-8 text; save it as \"CSV UTF-8\"",
                               "名册 {path} 不是 UTF-8 文本；请另存为 “CSV UTF-8”", path=path)) from None
    if "\0" in text or not text.strip():
        raise RosterProblem(tr("the roster {path} is empty or not a CSV file", "名册 {path} 是空的，或者不是 CSV 文件",
                               path=path))
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # a spreadsheet in some locales writes ";"
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise RosterProblem(tr("the roster {path} is not a valid CSV file: {why}", "名册 {path} 不是合法的 CSV 文件：{why}",
                               path=path, why=exc)) from None
    header = [_header_key(h) for h in rows[0]]
    where = {}
    for column, aliases in ALIASES.items():
        found = [i for i, h in enumerate(header) if h in aliases]
        if len(found) > 1:
            raise RosterProblem(tr("the roster {path} has {count} columns for {column}: {headers}; keep one",
                                   "名册 {path} 有 {count} 列都表示 {column}：{headers}；只保留一列", path=path,
                                   count=len(found), column=column, headers=", ".join(rows[0][i] for i in found)))
        if found:
            where[column] = found[0]
    if "student" not in where:
        raise RosterProblem(tr("the roster {path} has no 'student' column (the submission folder's name); its "
                               "header is: {header}. Columns read: {columns}",
                               "名册 {path} 没有 “student” 列（提交文件夹的名字）；它的表头是：{header}。可识别的列：{columns}",
                               path=path, header=one_line(", ".join(rows[0])), columns=", ".join(ALIASES)))
    entries, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        values = {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}
        if not values["student"]:
            raise RosterProblem(tr("the roster {path}, line {line}: the student column is empty",
                                   "名册 {path} 第 {line} 行：student 列是空的", path=path, line=line))
        found_key = key(values["student"])
        if found_key in seen:
            raise RosterProblem(tr("the roster {path} names the student {student!r} twice (lines {first} and {line})",
                                   "名册 {path} 两次出现学生 {student!r}（第 {first} 行和第 {line} 行）", path=path,
                                   student=one_line(values["student"]), first=seen[found_key], line=line))
        seen[found_key] = line
        entries.append(RosterEntry(line=line, **values))
    if not entries:
        raise RosterProblem(tr("the roster {path} has a header but no student", "名册 {path} 只有表头，没有学生",
                               path=path))
    return entries


def _number(value: float | None) -> Any:
    return "" if value is None else (int(value) if float(value).is_integer() else round(float(value), 2))


def _columns(rows: list[dict], reports: dict[str, dict], columns: str) -> list[tuple[str, Any]]:
    """(header, points possible) of each grade column."""
    if columns == "total":
        known = [r["max_total"] for r in rows if r.get("max_total") is not None]
        return [(TOTAL_COLUMN, max(known, default=None))]
    katas: list[str] = []
    for row in rows:
        katas.extend(k for k in row.get("katas", {}) if k not in katas)
    points = {}
    for report in reports.values():
        for kata in (report or {}).get("katas", []):
            points[kata["name"]] = max(points.get(kata["name"], 0.0), kata.get("max_score") or 0.0)
    return [(k, points.get(k)) for k in katas]


def _grades(row: dict | None, columns: list[tuple[str, Any]], by: str) -> list[Any]:
    if row is None:
        return ["" for _ in columns]
    if by == "total":
        return [_number(row.get("total", 0.0))]
    return [_number(row.get("katas", {}).get(name, 0.0)) for name, _ in columns]


def export_gradebook(out: Path, rows: list[dict], reports: dict[str, dict], *, fmt: str,
                     roster: Path | list[RosterEntry], columns: str = "kata",
                     key: Callable[[str], str] = str.casefold) -> LmsExport:
    """Write ``out/gradebook_FMT.csv`` and ``out/roster_unmatched.csv`` from the gradebook ``rows``
    (``classbook`` rows: student, total, max_total, katas) and the students' JSON ``reports``
    (for each kata's points; may be empty).  ``roster``: its path or its entries; ``key``: how a
    roster's ``student`` meets a row's (``cli.class_extras`` passes the gradebook's own naming)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown LMS format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if columns not in COLUMN_CHOICES:
        raise ValueError(f"unknown column choice {columns!r}; choose one of {', '.join(COLUMN_CHOICES)}")
    entries = read_roster(roster, key) if isinstance(roster, Path) else roster
    by_key = {key(r["student"]): r for r in rows}
    listed = {key(e.student) for e in entries}
    grade_columns = _columns(rows, reports, columns)
    export = LmsExport(fmt, out / FILES[FORMATS.index(fmt)], out / UNMATCHED_NAME)
    with atomic_write(export.path, newline="") as fh:
        writer = csv.writer(fh)
        if fmt == "canvas":
            writer.writerow(CANVAS_HEAD + [name for name, _ in grade_columns])
            writer.writerow([CANVAS_POINTS, "", "", "", ""] + [_number(p) for _, p in grade_columns])
        else:
            writer.writerow(MOODLE_HEAD + [name for name, _ in grade_columns])
        for entry in entries:
            row = by_key.get(key(entry.student))
            if row is None:
                export.without_submission.append(entry)
            ids = ([entry.canvas_id, entry.sis_id, entry.login_id, entry.name] if fmt == "canvas"
                   else [entry.email, entry.sis_id])
            if not any(ids):
                export.without_id.append(entry)
            head = ([entry.name or entry.student, entry.canvas_id, entry.sis_id, entry.login_id, entry.section]
                    if fmt == "canvas" else [entry.email, entry.sis_id, entry.name or entry.student])
            writer.writerow(csv_row(head) + _grades(row, grade_columns, columns))
    export.not_in_roster = [r["student"] for r in rows if key(r["student"]) not in listed]
    _write_unmatched(export, rows, grade_columns, columns)
    return export


def _write_unmatched(export: LmsExport, rows: list[dict], grade_columns: list, columns: str) -> None:
    roster_fields = [f.name for f in fields(RosterEntry) if f.name != "line"]
    by_student = {r["student"]: r for r in rows}
    with atomic_write(export.unmatched_path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["reason", *roster_fields, "roster_line", *[name for name, _ in grade_columns]])
        for student in export.not_in_roster:
            writer.writerow(csv_row(["not_in_roster", student, *[""] * (len(roster_fields) - 1), ""])
                            + _grades(by_student[student], grade_columns, columns))
        for reason, group in (("no_submission", export.without_submission), ("no_lms_id", export.without_id)):
            for entry in group:
                writer.writerow(csv_row([reason, *[getattr(entry, f) for f in roster_fields], entry.line])
                                + ["" for _ in grade_columns])
