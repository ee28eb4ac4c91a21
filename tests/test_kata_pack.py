"""A kata pack installed as a distribution of its own (examples/kata-pack: the kata
``norms``, registered through its ``pytest11`` entry point) works with pytest and with
every ``torchkata`` command: hint, reset, solution, progress, gen --check and grade.

The pack is installed once per module into a virtual environment that sees this one's
packages (``--system-site-packages``), offline (no build isolation, no dependencies), and
every command runs in that environment's Python: the isolated grading worker sees the
pack where it sees every installed package."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from kata_testing import ROOT

PACK = ROOT / "examples" / "kata-pack"
NORMS = PACK / "torchkata_pack_example" / "norms"


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """The environment's Python, with the pack installed."""
    folder = tmp_path_factory.mktemp("pack") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(folder)],
                   check=True, timeout=120)
    python = folder / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps",
                           "--no-index", str(PACK)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if done.returncode != 0:
        pytest.skip(f"pip could not install the example pack offline: {done.stdout.strip()[-500:]}")
    return python


def run(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "TORCHKATA_LANG": "en"}
    env.pop("TORCHKATA_DIR", None)
    return subprocess.run([str(python), "-m", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)


DRIVER = """
import contextlib, io, json, sys
from pytest_torchkata import cli
answers = []
for argv in json.loads(sys.argv[1]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    answers.append([code, out.getvalue()])
print(json.dumps(answers))
"""


def torchkata(python: Path, cwd: Path, *commands: list[str]) -> list[tuple[int, str]]:
    """Run ``torchkata`` commands one after another in one process (torch is imported once):
    (exit status, output) of each."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "TORCHKATA_LANG": "en"}
    env.pop("TORCHKATA_DIR", None)
    done = subprocess.run([str(python), "-c", DRIVER, json.dumps(commands)], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    return [(code, text) for code, text in json.loads(done.stdout.splitlines()[-1])]


def solved(source: str) -> str:
    return re.sub(r"[ \t]*# (BEGIN SOLUTION [\w-]+|END SOLUTION)\n", "", source)


def test_the_packs_table_passes_with_the_pack_installed(venv, tmp_path):
    """Stub not started, reference and an alternative full marks, each mistake named: pytest
    finds the kata through the pack's entry point alone."""
    done = run(venv, tmp_path, "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
               "-p", "no:benchmark", str(PACK / "tests"))
    assert done.returncode == 0, done.stdout[-3000:]
    assert "9 passed" in done.stdout


def test_every_torchkata_command_works_on_the_pack(venv, tmp_path):
    katas = tmp_path / "katas"
    stub = (NORMS / "stubs" / "norms.py").read_text(encoding="utf-8")
    listed, reset, reset_zh, hint, hint_zh, hidden = torchkata(
        venv, tmp_path, ["progress"], ["reset", "norms"],
        ["reset", "norms", "--kata-dir", str(tmp_path / "zh"), "--lang", "zh"],
        ["hint", "norms"], ["hint", "norms", "--level", "1", "--lang", "zh"], ["solution", "norms", "1"])

    assert listed[0] == 0, listed
    assert re.search(r"norms\s+Vector norms 0/4 points", listed[1]), listed[1]
    assert listed[1].index("debugging") < listed[1].index("norms")  # packs after the built-ins
    assert reset[0] == 0 and (katas / "norms.py").read_text(encoding="utf-8") == stub, reset
    assert reset_zh[0] == 0 and (tmp_path / "zh" / "norms.py").read_text(encoding="utf-8") == (
        NORMS / "stubs" / "zh" / "norms.py").read_text(encoding="utf-8"), reset_zh
    assert hint[0] == 0 and "norms, task 1 (The L2 norm): hint 1 of 2" in hint[1], hint
    assert "the square root of the sum of squares" in hint[1]
    assert "沿某一个维度的平方和的平方根" in hint_zh[1], hint_zh
    assert hidden[0] == 1 and "has not passed" in hidden[1], hidden

    (katas / "norms.py").write_text(solved((NORMS / "solutions" / "norms.py").read_text(encoding="utf-8")))
    graded = run(venv, tmp_path, "pytest", "-p", "no:cacheprovider", "--kata=norms")
    assert graded.returncode == 0, graded.stdout[-3000:]
    assert "That was the last kata of the curriculum." in graded.stdout

    where = subprocess.run([str(venv), "-c", "import torchkata_pack_example as p; print(p.__file__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    installed_stub = Path(where).parent / "norms" / "stubs" / "norms.py"
    shown, progress, check = torchkata(venv, tmp_path, ["solution", "norms", "1"], ["progress"],
                                       ["gen", "--check", "norms"])
    assert shown[0] == 0 and "return (x ** 2).sum(dim=dim).sqrt()" in shown[1], shown
    assert re.search(r"Vector norms\s+4/4 points", progress[1]), progress
    assert check[0] == 0 and "0 file(s) stale" in check[1], check
    installed_stub.write_text(stub + "# edited\n", encoding="utf-8")
    try:
        ((code, text),) = torchkata(venv, tmp_path, ["gen", "--check", "norms"])
    finally:
        installed_stub.write_text(stub, encoding="utf-8")
    assert code == 1 and "out of date" in text and "stubs/norms.py" in text, text


# a stub that, once loaded, replaces its functions with the pack's own reference if it can read it
THIEF = """
import importlib.util as _util, pathlib as _pathlib
_ref = _pathlib.Path(_util.find_spec("torchkata_pack_example").origin).parent / "norms" / "solutions" / "norms.py"
try:
    exec(compile(_ref.read_text(encoding="utf-8"), "norms.py", "exec"))
except OSError:
    pass
"""


def test_torchkata_grade_grades_a_class_on_the_pack(venv, tmp_path):
    found = subprocess.run([str(venv), "-I", "-c", "import pytest_torchkata; print(pytest_torchkata.__file__)"],
                           capture_output=True, text=True)
    if found.returncode != 0 or not found.stdout.strip().startswith(str(ROOT)):
        pytest.skip("the isolated worker (python -I) does not import this checkout's pytest_torchkata here: "
                    f"its install points elsewhere ({found.stdout.strip() or found.stderr.strip()[-200:]})")
    klass = tmp_path / "class"
    for student, text in {"ref": solved((NORMS / "solutions" / "norms.py").read_text(encoding="utf-8")),
                          "stub": (NORMS / "stubs" / "norms.py").read_text(encoding="utf-8"),
                          "thief": (NORMS / "stubs" / "norms.py").read_text(encoding="utf-8") + THIEF}.items():
        (klass / student / "katas").mkdir(parents=True)
        (klass / student / "katas" / "norms.py").write_text(text, encoding="utf-8")
    out = tmp_path / "grades"
    ((code, text),) = torchkata(venv, tmp_path, ["grade", str(klass), "--out", str(out), "--kata=norms", "--jobs=1"])
    assert code == 0, text[-3000:]
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    # the pack's references are hidden from learner code as the built-in ones are
    assert {name: float(r["total"]) for name, r in rows.items()} == {"ref": 4.0, "stub": 0.0, "thief": 0.0}
    report = json.loads((out / "stub" / "report.json").read_text(encoding="utf-8"))
    assert [t["status"] for t in report["katas"][0]["tasks"]] == ["not_started", "not_started"]


def test_a_notebook_check_grades_the_packs_kata(venv, tmp_path):
    """``tk.check`` grades in a fresh pytest run with plugin autoloading off: the pack's plugin
    is handed to it, so its kata is known there too."""
    (tmp_path / "katas").mkdir()
    (tmp_path / "katas" / "norms.py").write_text(solved((NORMS / "solutions" / "norms.py").read_text(encoding="utf-8")),
                                                 encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "TORCHKATA_LANG": "en"}
    done = subprocess.run([str(venv), "-c", "from pytest_torchkata.notebook import api; "
                           "print(api.check('norms', source='katas/norms.py', kata_dir='katas'))"],
                          cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300)
    assert "4/4 points" in done.stdout, done.stdout[-2000:]
