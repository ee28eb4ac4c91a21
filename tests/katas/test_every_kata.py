"""What every kata must do, checked for each one in the curriculum: the reference
gets full marks (in-process and isolated), and the stub is all *not started*.

Kata-specific mistakes live in test_<kata>.py beside this file.
"""

import os
from pathlib import Path

import pytest

from pytest_torchkata.registry import installed

KATAS = installed().builtin_names()  # the built-in katas, from the registry, in curriculum order

DATA = os.environ.get("TORCHKATA_DATA", "")
DATA_ARGS = [f"--kata-data={DATA}"] if DATA and Path(DATA).is_dir() else []


@pytest.mark.parametrize("kata", KATAS)
def test_reference_gets_full_marks(grade, kata):
    g = grade(kata, None, *DATA_ARGS, solution=True)
    assert g.full_marks, g.output
    assert g.result.ret == 0


@pytest.mark.parametrize("kata", KATAS)
def test_stub_is_all_not_started(grade, kata):
    g = grade(kata, None, *DATA_ARGS)
    statuses = g.statuses()
    assert g.report["score"] == 0
    assert "not_started" in statuses.values()
    # a task whose every check was skipped (CUDA here, MNIST data without data) is the only exception
    for task_id, status in statuses.items():
        if status != "not_started":
            task = g.task(task_id)
            assert status == "skipped" and all(c["status"] == "skipped" for c in task["checks"]), task
    assert g.result.ret == 1


def test_whole_curriculum_gets_full_marks_isolated(grade):
    g = grade(",".join(KATAS), None, "--kata-isolate", *DATA_ARGS, solution=True)
    assert g.full_marks, g.output
    assert [k["name"] for k in g.report["katas"]] == KATAS
