"""Learner code is always compiled from the source the report shows: bytecode shipped beside
a kata file (an unchecked hash-based ``.pyc`` compiled from a solved file, which Python would
otherwise run in place of the source) and modules shipped beside it are never loaded, in-process
and at every sandbox level."""

from __future__ import annotations

import json
import py_compile
import sys

import pytest

import mini_kata
from pytest_torchkata.sandbox import levels

LEVELS = ["in-process", "bwrap", "user", "none"]

# A stub that imports a module of the same folder: a shipped `helper.py` would answer for it.
STUB_IMPORTING = mini_kata.STUB.replace(
    'def add(a, b):\n    raise NotImplementedError("Task 2 (Add two tensors): not written yet")',
    'def add(a, b):\n    try:\n        import helper_answers\n    except ImportError:\n'
    '        raise NotImplementedError("Task 2 (Add two tensors): not written yet")\n'
    '    return helper_answers.add(a, b)')
HELPER = "def add(a, b):\n    return a + b\n"


def _args(level: str) -> list[str]:
    if level == "in-process":
        return []
    why = levels.problem(level)
    if why:
        pytest.skip(f"--kata-sandbox {level} cannot work here: {why}")
    return ["--kata-isolate", f"--kata-sandbox={level}"]


def _plant_bytecode(pytester) -> None:
    """Compile the solved file into the place Python looks for the stub's bytecode."""
    katas = pytester.path / "katas"
    solved = pytester.path / "solved_mini.py"
    solved.write_text(mini_kata.SOLUTION)
    cache = katas / "__pycache__" / f"mini.{sys.implementation.cache_tag}.pyc"
    cache.parent.mkdir(exist_ok=True)
    py_compile.compile(str(solved), cfile=str(cache), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    solved.unlink()


@pytest.mark.parametrize("level", LEVELS)
def test_bytecode_beside_a_stub_is_never_run(pytester, level):
    args = _args(level)
    mini_kata.setup(pytester, mini_kata.STUB, as_plugin=True)
    _plant_bytecode(pytester)
    pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider",
                       *mini_kata.PLUGIN_ARGS, *args)
    data = json.loads((pytester.path / "r.json").read_text())
    assert data["score"] == 0, data
    assert {t["status"] for k in data["katas"] for t in k["tasks"]} == {"not_started"}


@pytest.mark.parametrize("level", ["bwrap", "user", "none"])
def test_a_module_shipped_beside_the_kata_file_is_not_imported(pytester, level):
    args = _args(level)
    mini_kata.setup(pytester, STUB_IMPORTING, {"katas/helper_answers.py": HELPER}, as_plugin=True)
    pytester.syspathinsert(pytester.path / "katas")  # as `PYTHONPATH=. pytest` run in the folder would
    pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider",
                       *mini_kata.PLUGIN_ARGS, *args)
    data = json.loads((pytester.path / "r.json").read_text())
    tasks = {t["id"]: t for k in data["katas"] for t in k["tasks"]}
    assert tasks["add"]["score"] == 0 and tasks["add"]["status"] == "not_started", tasks["add"]


def test_a_second_in_process_session_grades_the_file_as_it_is_now(pytester):
    """The source is read once per session, not once per process: an edit between two runs in
    one process (a pytester run, an editor's test runner) is graded."""
    mini_kata.setup(pytester, mini_kata.STUB, as_plugin=True)
    args = ["--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider", *mini_kata.PLUGIN_ARGS]
    pytester.runpytest(*args)
    assert json.loads((pytester.path / "r.json").read_text())["score"] == 0
    (pytester.path / "katas" / "mini.py").write_text(mini_kata.SOLUTION)
    pytester.runpytest(*args)
    assert json.loads((pytester.path / "r.json").read_text())["score"] == 3
