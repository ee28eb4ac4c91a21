"""`torchkata grade` over a small class: right totals, a report and feedback per student,
hostile and broken submissions that cost only their own row, and a resumed run that
regrades nothing.  The class is graded once (a subprocess, --kata=tensors) per module."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from kata_testing import ROOT, solution_source, stub_source

from pytest_torchkata.cli.grade import UsageProblem, split_passthrough
from pytest_torchkata.cli.submissions import Refused, unpack

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def torchkata(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", *args], env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)


def _zip(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)


NOT_GRADED = {"empty", "sneaky"}  # no kata file; a refused archive


def make_class(root: Path) -> Path:
    klass = root / "class"
    sources = {
        "ref": solution_source("tensors"),
        "stub": stub_source("tensors"),
        "syntax": solution_source("tensors") + "\ndef oops(:\n",
        "exiter": "import os\nos._exit(0)\n" + solution_source("tensors"),
        "hanger": "while True:\n    pass\n" + solution_source("tensors"),
    }
    for name, text in sources.items():
        (klass / name / "katas").mkdir(parents=True)
        (klass / name / "katas" / "tensors.py").write_text(text)
    (klass / "flat").mkdir()  # kata files at the top, as Gradescope uploads give them
    (klass / "flat" / "tensors.py").write_text(solution_source("tensors"))
    (klass / "empty").mkdir()
    _zip(klass / "zipped.zip", {"zipped/katas/tensors.py": solution_source("tensors")})
    _zip(klass / "sneaky.zip", {"../../tensors.py": solution_source("tensors")})
    with tarfile.open(klass / "tarred.tar.gz", "w:gz") as tf:
        tf.add(klass / "ref" / "katas", arcname="katas")
    return klass


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grade")
    klass = make_class(root)
    out = klass / "grades"  # inside the class folder: never taken for a student
    result = torchkata("grade", str(klass), "--out", str(out), "--kata=tensors", "--jobs=2",
                       "--kata-timeout", "2")
    assert result.returncode == 0, result.stdout
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    return root, klass, out, rows, result.stdout


def test_every_student_gets_the_right_total(graded):
    _root, _klass, _out, rows, _ = graded
    totals = {name: float(r["total"]) for name, r in rows.items()}
    assert totals == {"empty": 0, "exiter": 0, "flat": 19, "hanger": 0, "ref": 19, "sneaky": 0,
                      "stub": 0, "syntax": 0, "tarred": 19, "zipped": 19}
    assert {r["max_total"] for r in rows.values()} == {"19.0"}


def test_broken_and_hostile_rows_say_why(graded):
    _root, _klass, out, rows, _ = graded
    assert rows["stub"]["errors"] == "0" and rows["stub"]["problem"] == ""
    assert rows["syntax"]["errors"] == "8" and "invalid syntax" in rows["syntax"]["problem"]
    assert int(rows["hanger"]["timeouts"]) >= 1 and "still running after 2 s" in rows["hanger"]["problem"]
    assert "exited with code 0" in rows["exiter"]["problem"]
    assert rows["sneaky"]["refused"] == "1" and "unsafe path" in rows["sneaky"]["problem"]
    assert "no kata files found" in rows["empty"]["problem"]
    syntax = json.loads((out / "syntax" / "report.json").read_text())
    assert "invalid syntax" in syntax["katas"][0]["tasks"][0]["message"]
    exiter = json.loads((out / "exiter" / "report.json").read_text())
    assert {t["status"] for t in exiter["katas"][0]["tasks"]} == {"error"}


def test_a_report_and_a_feedback_page_per_student_without_grading_machine_paths(graded):
    root, _klass, out, rows, _ = graded
    for name in rows:
        assert (out / name / "feedback.md").read_text().startswith(f"# Feedback for {name}")
        if name in NOT_GRADED:  # refused, or no kata file: nothing was run, so no report
            assert not (out / name / "report.json").exists()
            continue
        report = (out / name / "report.json").read_text()
        assert str(root) not in report and "/tmp/" not in report, name
    stub_page = (out / "stub" / "feedback.md").read_text()
    assert "Total: 0 / 19 points" in stub_page and "*Hint:*" in stub_page
    where = json.loads((out / "flat" / "report.json").read_text())
    assert where["score"] == 19


def test_class_tables_and_item_analysis(graded):
    _root, _klass, out, rows, _ = graded
    tasks = list(csv.DictReader((out / "tasks.csv").open()))
    assert len(tasks) == (len(rows) - len(NOT_GRADED)) * 8
    items = list(csv.DictReader((out / "item_analysis.csv").open()))
    assert [int(r["task"]) for r in items] == list(range(1, 9))
    softmax = next(r for r in items if r["id"] == "softmax")
    assert float(softmax["share_passed"]) == round(4 / 8, 3)  # ref, flat, zipped, tarred
    assert float(softmax["mean_score"]) == round(4 * 3 / 8, 2)
    assert int(softmax["not_started"]) == 1 and softmax["most_common_failure"]
    text = (out / "item_analysis.md").read_text()
    assert "| tensors 6. Numerically stable softmax |" in text
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in text
    else:
        assert (out / "item_analysis.png").read_bytes()[:4] == b"\x89PNG"


def test_a_resumed_run_regrades_only_what_changed(graded):
    _root, klass, out, _rows, _ = graded
    before = {p: p.stat().st_mtime_ns for p in out.glob("*/report.json")}
    again = torchkata("grade", str(klass), "--out", str(out), "--kata=tensors", "--kata-timeout=2")
    assert again.returncode == 0 and "0 graded, 8 unchanged since the last run, 2 not graded" in again.stdout, \
        again.stdout
    assert before == {p: p.stat().st_mtime_ns for p in out.glob("*/report.json")}
    (klass / "stub" / "katas" / "tensors.py").write_text(solution_source("tensors"))
    changed = torchkata("grade", str(klass), "--out", str(out), "--kata=tensors", "--kata-timeout=2")
    assert "1 graded, 7 unchanged" in changed.stdout, changed.stdout
    assert json.loads((out / "stub" / "report.json").read_text())["score"] == 19
    assert before[out / "ref" / "report.json"] == (out / "ref" / "report.json").stat().st_mtime_ns


# -- unpacking and options, without grading ---------------------------------------

def test_archives_with_links_or_escaping_paths_are_refused(tmp_path):
    _zip(tmp_path / "up.zip", {"a/../../x.py": "x"})
    with pytest.raises(Refused, match="unsafe path"):
        unpack(tmp_path / "up.zip", tmp_path / "u1")
    link = zipfile.ZipInfo("katas/tensors.py")
    link.external_attr = (0o120777) << 16
    with zipfile.ZipFile(tmp_path / "link.zip", "w") as zf:
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(Refused, match="link"):
        unpack(tmp_path / "link.zip", tmp_path / "u2")
    with tarfile.open(tmp_path / "link.tar.gz", "w:gz") as tf:
        member = tarfile.TarInfo("katas/tensors.py")
        member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(member)
    with pytest.raises(Refused, match="link"):
        unpack(tmp_path / "link.tar.gz", tmp_path / "u3")
    assert not (tmp_path / "x.py").exists() and not (tmp_path / "u2" / "katas" / "tensors.py").exists()


def test_an_archive_that_unpacks_too_big_is_refused(tmp_path, monkeypatch):
    import pytest_torchkata.cli.submissions as submissions

    monkeypatch.setattr(submissions, "MAX_BYTES", 1000)
    with tarfile.open(tmp_path / "big.tar.gz", "w:gz") as tf:
        data = b"0" * 5000
        member = tarfile.TarInfo("katas/tensors.py")
        member.size = len(data)
        tf.addfile(member, io.BytesIO(data))
    with pytest.raises(Refused, match="more than"):
        unpack(tmp_path / "big.tar.gz", tmp_path / "u")


def test_kata_options_pass_through_as_flag_equals_value():
    own, passed = split_passthrough(["grade", "x", "--kata-timeout", "2", "--kata-seed=7", "--kata-isolate",
                                     "--out", "o"])
    assert own == ["grade", "x", "--out", "o"] and passed == ["--kata-timeout=2", "--kata-seed=7"]
    with pytest.raises(UsageProblem, match="not an option of the plugin"):
        split_passthrough(["grade", "--kata-bogus=1"])
    with pytest.raises(UsageProblem, match="set by torchkata grade"):
        split_passthrough(["grade", "--kata-dir=elsewhere"])


def test_without_matplotlib_the_analysis_says_how_to_get_the_picture(tmp_path, monkeypatch):
    from pytest_torchkata.reports.analysis import NO_PLOTS, write_analysis

    task = {"id": "t", "number": 1, "title": "T", "status": "failed", "score": 0.5, "max_score": 1.0,
            "message": "off by one (at katas/k.py:3 in f: return x)", "hint": "",
            "checks": [{"name": "c", "status": "failed", "message": "off by one", "hint": "", "where": "", "rank": 2}]}
    report = {"katas": [{"name": "k", "title": "K", "score": 0.5, "max_score": 1.0, "tasks": [task]}]}
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    write_analysis(tmp_path, [("ann", report), ("bob", report)])
    assert not (tmp_path / "item_analysis.png").exists()
    text = (tmp_path / "item_analysis.md").read_text()
    assert NO_PLOTS in text and "| off by one (2) |" in text


def test_a_submission_past_the_whole_limit_is_stopped_and_its_row_says_so(tmp_path):
    (tmp_path / "stuck" / "katas").mkdir(parents=True)
    (tmp_path / "stuck" / "katas" / "tensors.py").write_text("while True:\n    pass\n")
    result = torchkata("grade", str(tmp_path / "stuck"), "--out", str(tmp_path / "out"), "--kata=tensors",
                       "--kata-timeout=0", "--limit=6")
    assert result.returncode == 0, result.stdout
    (row,) = csv.DictReader((tmp_path / "out" / "gradebook.csv").open())
    assert row["total"] == "0.0" and row["timeouts"] == "1"
    assert "stopped after 6 s" in row["problem"]
    assert "stopped after 6 s" in (tmp_path / "out" / "stuck" / "feedback.md").read_text()
