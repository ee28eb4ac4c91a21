"""`torchkata grade` at the bwrap level: the submissions graded one after another in a job slot
share its sandboxed worker (torch imported once per slot), and none of them sees what an
earlier one left behind; one that breaks the worker costs only itself (a new worker serves the
next).  Skipped where bwrap cannot work."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
from kata_testing import solution_source
from test_grade_cli import ENV

from pytest_torchkata.sandbox.levels import problem

pytestmark = pytest.mark.skipif(bool(problem("bwrap")), reason=f"bwrap cannot work here: {problem('bwrap')}")

PLANT = '''
import os as _os
for _where in ("/tmp", "/dev/shm", _os.path.expanduser("~"), _os.getcwd()):
    try:
        open(_os.path.join(_where, "planted-by-a"), "w").write("x")
    except OSError:
        pass
'''
# Any sign of an earlier submission makes this one's file fail to load (every task scores 0).
CHECK = '''
import glob as _glob, os as _os
_left = [p for w in ("/tmp", "/dev/shm", _os.path.expanduser("~"), _os.getcwd(), _os.path.dirname(__file__))
         for p in _glob.glob(_os.path.join(w, "*")) if "planted" in p or "a_planter" in p]
if _left:
    raise SystemExit(f"an earlier submission left {_left}")
'''
KILL = "import os as _k\n_k.kill(_k.getppid(), 9)  # the process that forked this task's\n"

COUNT_STARTS = '''
import sys
from pathlib import Path
from pytest_torchkata.cli import slots
from pytest_torchkata.cli.grade import grade_class
starts = []
original = slots.Slots._start
def counted(self, k):
    starts.append(k)
    return original(self, k)
slots.Slots._start = counted
grade_class([Path(sys.argv[1])], Path(sys.argv[2]), ["tensors"], [], jobs=1, progress=False)
print("STARTS", len(starts))
'''


def _with_kill(source: str) -> str:
    head, rest = source.split("def from_list(data: list) -> torch.Tensor:\n", 1)
    return head + "def from_list(data: list) -> torch.Tensor:\n    " + KILL.replace("\n", "\n    ") + "\n" + rest


def test_a_slot_worker_serves_the_next_submissions_and_hides_what_earlier_ones_left(tmp_path):
    ref = solution_source("tensors")
    sources = {"a_planter": PLANT + ref, "b_checker": CHECK + ref, "c_killer": _with_kill(PLANT + ref),
               "d_checker": CHECK + ref, "e_checker": CHECK + ref}
    klass = tmp_path / "class"
    for name, text in sources.items():
        (klass / name / "katas").mkdir(parents=True)
        (klass / name / "katas" / "tensors.py").write_text(text)
    out = tmp_path / "grades"
    run = subprocess.run([sys.executable, "-c", COUNT_STARTS, str(klass), str(out)], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    assert run.returncode == 0, run.stdout
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    full = rows["a_planter"]["max_total"]
    for name in ("a_planter", "b_checker", "d_checker", "e_checker"):
        assert rows[name]["total"] == full, (name, rows[name], (out / name / "grading.log").read_text()[-800:])
    killer = json.loads((out / "c_killer" / "report.json").read_text())
    lost = [t["id"] for k in killer["katas"] for t in k["tasks"] if t["score"] < t["max_score"]]
    assert lost == ["create"], lost  # only the task whose code killed its process's parent
    # one worker for a, b and c; c broke it, so one more for d and e
    assert "STARTS 2" in run.stdout, run.stdout
