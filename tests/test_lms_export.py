"""LMS gradebooks: Canvas's and Moodle's import layouts from the instructor's roster, nobody
dropped (students missing from the roster and roster entries without a submission are listed),
a lenient roster reader, and a clear message for a roster that cannot be used."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pytest_torchkata.cli import main
from pytest_torchkata.cli.class_extras import student_key, write_lms
from pytest_torchkata.reports.lms import (CANVAS_HEAD, CANVAS_POINTS, MOODLE_HEAD, TOTAL_COLUMN, RosterProblem,
                                          export_gradebook, read_roster)

ROWS = [  # as the gradebook has them (reports.classbook)
    {"student": "alice", "total": 12.5, "max_total": 30.0, "katas": {"tensors": 10.0, "autograd": 2.5}},
    {"student": "Bob_Stone", "total": 30.0, "max_total": 30.0, "katas": {"tensors": 19.0, "autograd": 11.0}},
    {"student": "zed", "total": 4.0, "max_total": 30.0, "katas": {"tensors": 4.0, "autograd": 0.0}},
]
REPORTS = {"alice": {"katas": [{"name": "tensors", "max_score": 19.0}, {"name": "autograd", "max_score": 11.0}]}}
ROSTER = ("Student,Name,SIS User ID,SIS Login ID,Section,Email\n"
          "alice,\"Liddell, Alice\",1001,aliddell,A1,alice@example.org\n"
          "Bob Stone,Bob Stone,1002,bstone,A2,bob@example.org\n"
          "carol,Carol King,1003,cking,A1,carol@example.org\n")


def _roster(tmp_path: Path, text: str = ROSTER, encoding: str = "utf-8") -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8", newline="")))


def test_canvas_layout_one_column_per_kata_with_the_points_possible_row(tmp_path):
    export = export_gradebook(tmp_path, ROWS, REPORTS, fmt="canvas", roster=_roster(tmp_path), key=student_key)
    assert export.path == tmp_path / "gradebook_canvas.csv"
    assert _read(export.path) == [
        [*CANVAS_HEAD, "tensors", "autograd"],
        [CANVAS_POINTS, "", "", "", "", "19", "11"],
        ["Liddell, Alice", "", "1001", "aliddell", "A1", "10", "2.5"],
        ["Bob Stone", "", "1002", "bstone", "A2", "19", "11"],  # "Bob Stone" is the folder Bob_Stone
        ["Carol King", "", "1003", "cking", "A1", "", ""],  # no submission: kept, grades empty
    ]
    assert CANVAS_HEAD == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def test_moodle_layout_one_total_column(tmp_path):
    export = export_gradebook(tmp_path, ROWS, REPORTS, fmt="moodle", roster=_roster(tmp_path), columns="total",
                              key=student_key)
    assert _read(export.path) == [
        [*MOODLE_HEAD, TOTAL_COLUMN],
        ["alice@example.org", "1001", "Liddell, Alice", "12.5"],
        ["bob@example.org", "1002", "Bob Stone", "30"],
        ["carol@example.org", "1003", "Carol King", ""],
    ]
    assert MOODLE_HEAD[0] == "Email address"


def test_nobody_is_dropped_missing_students_and_entries_without_submission_are_listed(tmp_path, capsys):
    assert write_lms(tmp_path, ROWS, REPORTS, fmt="canvas", roster=_roster(tmp_path)) == 0
    err = capsys.readouterr().err
    assert "1 submission(s) not in the roster" in err and "zed" in err
    assert "1 roster entr(y/ies) without a submission" in err and "carol" in err
    listed = {(r["reason"], r["student"]): r for r in csv.DictReader((tmp_path / "roster_unmatched.csv").open())}
    assert set(listed) == {("not_in_roster", "zed"), ("no_submission", "carol")}
    assert listed[("not_in_roster", "zed")]["tensors"] == "4", "the grades of a student not in the roster are kept"
    assert listed[("no_submission", "carol")]["sis_id"] == "1003"


def test_the_roster_is_read_leniently(tmp_path):
    text = ("\ufeff STUDENT ;full name;ID-Number;e-mail;GROUP\n"  # BOM, case, spaces, semicolons, aliases
            "alice;Alice L;1001;alice@example.org;A1\n\n")
    (entry,) = read_roster(_roster(tmp_path, text))
    assert (entry.student, entry.name, entry.sis_id, entry.email, entry.section) == (
        "alice", "Alice L", "1001", "alice@example.org", "A1")


@pytest.mark.parametrize("text, words", [
    ("name,email\nAlice,a@x.org\n", "no 'student' column"),
    ("student,name\nalice,A\nALICE,B\n", "twice (lines 2 and 3)"),
    ("student,name\n,A\n", "line 2: the student column is empty"),
    ("student,name\n", "has a header but no student"),
    ("", "empty or not a CSV file"),
    ("student,sis_id,ID number\na,1,2\n", "2 columns for sis_id"),
])
def test_a_roster_that_cannot_be_used_says_why(tmp_path, text, words):
    with pytest.raises(RosterProblem, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_roster(_roster(tmp_path, text))


def test_a_roster_in_another_encoding_or_missing_says_so(tmp_path):
    with pytest.raises(RosterProblem, match="not UTF-8"):
        read_roster(_roster(tmp_path, "student,name\nj\u00fcrgen,J\u00fcrgen\n", encoding="latin-1"))
    with pytest.raises(RosterProblem, match="cannot be read"):
        read_roster(tmp_path / "nowhere.csv")


def test_cells_a_spreadsheet_would_run_are_made_inert(tmp_path):
    roster = _roster(tmp_path, 'student,name\nalice,"=HYPERLINK(""http://x"")"\n')
    export = export_gradebook(tmp_path, ROWS[:1], REPORTS, fmt="canvas", roster=roster)
    assert _read(export.path)[2][0] == "'=HYPERLINK(\"http://x\")"


def test_moodle_entries_without_email_or_id_number_are_listed(tmp_path):
    roster = _roster(tmp_path, "student,name\nalice,Alice\n")
    export = export_gradebook(tmp_path, ROWS[:1], REPORTS, fmt="moodle", roster=roster)
    assert [e.student for e in export.without_id] == ["alice"]
    assert "without any id the LMS can match" in " ".join(export.notes())


@pytest.mark.parametrize("extra, words", [
    (["--gradebook-format", "canvas"], "needs --roster"),
    (["--roster", "r.csv"], "--roster is used with --gradebook-format"),
    (["--gradebook-format", "moodle", "--roster", "{bad}"], "no 'student' column"),
    (["--gradebook-format", "canvas", "--roster", "{bad}", "--shard", "0/2"], "needs the whole class"),
])
def test_grade_says_a_roster_problem_before_grading(tmp_path, capsys, extra, words):
    klass = tmp_path / "class" / "ann" / "katas"
    klass.mkdir(parents=True)
    (klass / "tensors.py").write_text("x = 1\n")
    bad = _roster(tmp_path, "name\nAnn\n")
    extra = [e.replace("{bad}", str(bad)) for e in extra]
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "class"), "--out", str(out), "--kata", "tensors", *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (out / "gradebook.csv").exists(), "nothing is graded with a roster that cannot be used"


def test_grade_writes_the_lms_gradebook_after_grading(tmp_path, capsys, monkeypatch):
    """The grading itself is ``cli.grade``'s (tested there); a stand-in returns the rows."""
    from pytest_torchkata.cli import grade

    klass = tmp_path / "class" / "alice" / "katas"
    klass.mkdir(parents=True)
    (klass / "tensors.py").write_text("x = 1\n")
    monkeypatch.setattr(grade, "grade_class", lambda *a, **k: ROWS)
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "class"), "--out", str(out), "--kata", "tensors",
                 "--gradebook-format", "canvas", "--roster", str(_roster(tmp_path)),
                 "--gradebook-columns", "total"]) == 0
    rows = _read(out / "gradebook_canvas.csv")
    assert rows[0][-1] == TOTAL_COLUMN and rows[1][-1] == "30" and rows[2][-1] == "12.5"
    assert "zed" in capsys.readouterr().err
