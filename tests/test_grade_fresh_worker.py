"""`torchkata grade`: one student cannot reach the next.  Every submission is graded by a
sandboxed worker of its own, so whatever a hostile submission leaves behind (files in every
writable place, SysV shared memory, a process that lives on, a flooded log, its solved code
left for the next student to run) is gone before the next one, which gets the same report as
when graded alone.  Run one after another in one job slot, at the ``bwrap`` and ``user``
levels (skipped where a level cannot work)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
from kata_testing import solution_source, stub_source
from test_grade_cli import ENV

from pytest_torchkata.sandbox.levels import problem

# Leaves a sign everywhere it can write, a SysV segment, a process that outlives its task,
# its own solved source where a later student's code could run it, and a flooded output.
PLANT = '''
import ctypes as _c, os as _os, sys as _sys, threading as _t, time as _time
_WHERE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue", _os.path.expanduser("~"), _os.getcwd(),
          _os.path.dirname(__file__))
for _w in _WHERE:
    for _name in ("planted-by-a", "planted_answers.py"):
        try:
            with open(_os.path.join(_w, _name), "w") as _fh:
                _fh.write(open(__file__).read())
            _os.chmod(_os.path.join(_w, _name), 0o777)
        except OSError:
            pass
try:
    _c.CDLL(None).shmget(0x7A11CE, 4096, 0o1000 | 0o666)  # IPC_CREAT, readable by all
except Exception:
    pass
if _os.fork() == 0:  # lives on, planting again later
    _os.setsid()
    for _ in range(100):
        for _w in _WHERE:
            try:
                open(_os.path.join(_w, "planted-later"), "w").write("x")
            except OSError:
                pass
        _time.sleep(0.1)
    _os._exit(0)
try:
    _sys.stderr.write("x" * (300 << 20))  # the log grows to the file-size limit
except Exception:
    pass
'''
# Any sign of an earlier submission makes this file fail to load (every task scores 0).
CHECK = '''
import ctypes as _c, glob as _glob, os as _os
_left = [p for w in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue", _os.path.expanduser("~"),
                     _os.getcwd(), _os.path.dirname(__file__))
         for p in _glob.glob(_os.path.join(w, "*")) if "planted" in p]
if _c.CDLL(None).shmget(0x7A11CE, 0, 0) != -1:
    _left.append("a SysV segment")
if _left:
    raise SystemExit(f"an earlier submission left {_left}")
'''
# A stub that runs whatever solved code an earlier submission left where it could find it.
RUN_LEFT = '''
import glob as _glob, os as _os
for _p in _glob.glob("/*/planted_answers.py") + _glob.glob("/*/*/planted_answers.py") + _glob.glob(
        _os.path.join(_os.path.expanduser("~"), "planted_answers.py")):
    try:
        exec(compile(open(_p).read().split("_WHERE = ", 1)[0], _p, "exec"))
        break
    except Exception:
        pass
'''


@pytest.mark.parametrize("level", ["bwrap", "user"])
def test_the_next_submission_sees_nothing_an_earlier_one_left(tmp_path, level):
    if problem(level):
        pytest.skip(f"--kata-sandbox {level} cannot work here: {problem(level)}")
    ref = solution_source("tensors")
    stub = stub_source("tensors")
    sources = {"a_planter": PLANT + ref, "b_checker": CHECK + ref, "c_stub": stub + RUN_LEFT,
               "d_planter": PLANT + ref, "e_checker": CHECK + ref}
    klass = tmp_path / "class"
    for name, text in sources.items():
        (klass / name / "katas").mkdir(parents=True)
        (klass / name / "katas" / "tensors.py").write_text(text)
    out = tmp_path / "grades"
    run = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "grade", str(klass), "--out", str(out),
                          "--jobs", "1", "--kata=tensors", f"--kata-sandbox={level}"], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:]
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    full = rows["a_planter"]["max_total"]
    for name in ("a_planter", "b_checker", "d_planter", "e_checker"):
        assert rows[name]["total"] == full, (name, rows[name], (out / name / "grading.log").read_text()[-800:])
    assert float(rows["c_stub"]["total"]) == 0, rows["c_stub"]
    first = json.loads((out / "b_checker" / "report.json").read_text())
    second = json.loads((out / "e_checker" / "report.json").read_text())
    statuses = [[(t["id"], t["status"], t["score"]) for t in k["tasks"]] for k in first["katas"]]
    assert statuses == [[(t["id"], t["status"], t["score"]) for t in k["tasks"]] for k in second["katas"]]
