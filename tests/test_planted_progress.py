"""A progress file is never trusted: `torchkata grade` does not read one from a submission
(planted in it, or written there by its code while it runs), and the learner's own damaged
file is read defensively, said in one line and started afresh, never a crash."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from kata_testing import ROOT, solution_source

from pytest_torchkata.i18n import set_language
from pytest_torchkata.reports import progress

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
MALFORMED = '{"version": 1, "katas": {"tensors": {"create": {"solved": tru'
HOSTILE = json.dumps({"version": 1, "katas": {
    "tensors": {"create": {"status": ["passed"], "score": "19", "max_score": {"a": 1}, "solved": "yes",
                           "hints_seen": "lots"},
                "softmax": {"status": "passed", "score": float("inf"), "solved": 1, "hints_seen": 10 ** 30},
                "reshape": [1, 2, 3]},
    "autograd": "everything",
    **{f"k{i}": {"t": {"hints_seen": -5, "score": float("nan")}} for i in range(3)},
}}) + " " * (2 << 20)  # wrong types everywhere, and more than a megabyte


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("en")


def _plant(folder, text: str) -> None:
    (folder / ".torchkata").mkdir(parents=True, exist_ok=True)
    (folder / ".torchkata" / "progress.json").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("text", [MALFORMED, HOSTILE, HOSTILE.strip(), "[]", '{"katas": [1]}', "null",
                                  "[" * 100_000 + "]" * 100_000],
                         ids=["malformed", "huge", "wrong-types", "a-list", "katas-a-list", "null", "deep"])
def test_a_damaged_progress_file_reads_as_what_is_sound_with_a_note(tmp_path, text):
    _plant(tmp_path, text)
    found, note = progress.read(tmp_path)
    assert note and "progress.json" in note
    for tasks in found.values():
        for entry in tasks.values():
            assert set(entry) <= progress.FIELDS
            assert isinstance(entry.get("solved", False), bool)
            assert 0 <= entry.get("hints_seen", 0) <= progress.MAX_HINTS
            assert all(isinstance(entry.get(k, 0.0), float) for k in ("score", "max_score"))
    assert progress.hints_seen(found, "tensors", "create") == 0
    assert not progress.is_solved(found, "tensors", "create")  # "yes" is not true
    assert not progress.is_solved(found, "tensors", "softmax")  # 1 is not true either


def test_a_sound_progress_file_reads_without_a_note(tmp_path):
    progress.record_hints(tmp_path, "tensors", "softmax", 2)
    found, note = progress.read(tmp_path)
    assert note == "" and progress.hints_seen(found, "tensors", "softmax") == 2


@pytest.mark.parametrize("text", [MALFORMED, HOSTILE.strip()], ids=["malformed", "wrong-types"])
def test_the_learners_run_grades_says_one_line_and_starts_the_file_afresh(grade, pytester, text):
    _plant(pytester.path / "katas", text)
    graded = grade("tensors", solution_source("tensors"))
    assert graded.full_marks, graded.output
    assert graded.task("create")["hints_used"] == 0
    assert " ".join(graded.output.split()).count("was damaged") == 1  # said once (wrapped at 80 columns)
    assert "Traceback" not in graded.output and "INTERNALERROR" not in graded.output
    found, note = progress.read(pytester.path / "katas")
    assert note == "" and progress.is_solved(found, "tensors", "create")


def _torchkata(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", *args], env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)


# learner code that writes a hostile progress file beside itself while it is graded
WRITES_ONE = ("import os as _os\n"
              "_d = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), '.torchkata')\n"
              "_os.makedirs(_d, exist_ok=True)\n"
              f"open(_os.path.join(_d, 'progress.json'), 'w').write({HOSTILE.strip()!r})\n")


def test_grade_reads_no_progress_file_of_a_submission(tmp_path):
    klass = tmp_path / "class"
    for name, planted in [("clean", None), ("malformed", MALFORMED), ("hostile", HOSTILE)]:
        folder = klass / name / "katas"
        folder.mkdir(parents=True)
        (folder / "tensors.py").write_text(solution_source("tensors"), encoding="utf-8")
        if planted is not None:
            _plant(folder, planted)
    (klass / "writer" / "katas").mkdir(parents=True)
    (klass / "writer" / "katas" / "tensors.py").write_text(WRITES_ONE + solution_source("tensors"),
                                                           encoding="utf-8")
    out = tmp_path / "out"
    result = _torchkata("grade", str(klass), "--out", str(out), "--kata=tensors", "--jobs=1",
                        "--kata-sandbox=none")
    assert result.returncode == 0, result.stdout
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert set(rows) == {"clean", "malformed", "hostile", "writer"}
    for name, row in rows.items():
        report = json.loads((out / name / "report.json").read_text())
        assert report["score"] == report["max_score"] == 19, (name, row)
        assert all(t["hints_used"] == 0 for t in report["katas"][0]["tasks"])
        assert not any("progress" in w for w in report["warnings"]), report["warnings"]
