"""A task is graded on the checks that ran to completion: a partly run task (part of its
checks deselected with -k, stopped by -x or a debugger quit, or not run after its own
time-out or the budget) is never `passed` or `solved`, says how many checks ran, and every
check not run gives its true reason; `-k N` selects exactly task N."""

from __future__ import annotations

import json
import sys

import mini_kata
import pytest
from kata_testing import mutate, solution_source

from pytest_torchkata import cli
from pytest_torchkata.i18n import set_language
from pytest_torchkata.plugin.selection import task_numbers
from pytest_torchkata.reports import progress
from pytest_torchkata.reports.results import CheckResult, grade_task
from pytest_torchkata.status import Status

# the softmax of the issue: right along dim=1 only
DIM_1_SOFTMAX = (("    shifted = x - x.amax(dim=dim, keepdim=True)\n    e = shifted.exp()\n"
                  "    return e / e.sum(dim=dim, keepdim=True)\n"),
                 ("    shifted = x - x.amax(dim=1, keepdim=True)\n    e = shifted.exp()\n"
                  "    return e / e.sum(dim=1, keepdim=True)\n"))


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("en")


def _saved(pytester) -> dict:
    return progress.load(pytester.path / "katas")


def _checks(graded, task_id: str) -> list[dict]:
    return graded.task(task_id)["checks"]


# -- -k by task number ---------------------------------------------------------------

def test_a_bare_task_number_selects_exactly_that_task(grade):
    """Check names of tasks 6 and 7 contain `1` and `1000`; tasks 1 and 10 are not 1."""
    graded = grade("tensors", solution_source("tensors"), "-k", "1")
    ran = [t for t, s in graded.statuses().items() if s != "skipped"]
    assert ran == ["create"], graded.statuses()
    assert all(c["ran"] for c in _checks(graded, "create"))
    graded.result.stdout.fnmatch_lines(["  7 tasks not run this time (deselected with -k): 2, 3, 4, 5, 6, 7, 8"])
    for number, task in [(6, "softmax"), (3, "distances")]:
        one = grade("tensors", solution_source("tensors"), "-k", str(number))
        assert [t for t, s in one.statuses().items() if s != "skipped"] == [task]


def test_expressions_of_task_numbers_and_other_expressions_still_work(grade):
    both = grade("tensors", solution_source("tensors"), "-k", "6 or 7")
    assert [t for t, s in both.statuses().items() if s == "passed"] == ["softmax", "log_softmax"]
    not_one = grade("tensors", solution_source("tensors"), "-k", "not 1")
    assert not_one.status("create") == "skipped" and not_one.status("softmax") == "passed"
    by_title = grade("tensors", solution_source("tensors"), "-k", "permute")  # left to pytest
    assert [t for t, s in by_title.statuses().items() if s != "skipped"] == ["reshape"]


@pytest.mark.parametrize("expression, numbers", [
    ("1", {1}), (" 12 ", {12}), ("1 or 3", {1, 3}), ("not 2", set(range(1, 13)) - {2}), ("(1 or 2) and not 2", {1}),
])
def test_task_number_expressions(expression, numbers):
    wanted = task_numbers(expression)
    assert {n for n in range(1, 13) if wanted(n)} == numbers


@pytest.mark.parametrize("expression", ["softmax", "1 and softmax", "dim_1", "task1", "1 or", "(1", "", "not"])
def test_other_expressions_are_left_to_pytest(expression):
    assert task_numbers(expression) is None


# -- partly run tasks ------------------------------------------------------------------

def test_a_task_partly_selected_by_k_is_not_passed_nor_solved(grade, pytester, capsys):
    """The issue's sample: a softmax right along dim=1 only passes what `-k dim_1` selects."""
    learner = mutate("tensors", DIM_1_SOFTMAX)
    partial = grade("tensors", learner, "-k", "dim_1")
    task = partial.task("softmax")
    assert task["status"] == "skipped" and task["max_score"] == 0
    assert "1 of 8 checks ran, and passed (the others: deselected with -k)" in task["message"]
    assert [c["ran"] for c in task["checks"]].count(True) == 1
    assert "softmax" not in _saved(pytester).get("tensors", {})  # nothing recorded, nothing solved
    assert cli.main(["solution", "tensors", "softmax", "--kata-dir", str(pytester.path / "katas")]) == 1
    assert "has not passed in a graded run yet" in capsys.readouterr().out
    full = grade("tensors", learner)
    assert full.status("softmax") == "failed" and full.task("softmax")["score"] == 2.25
    assert progress.is_solved(_saved(pytester), "tensors", "softmax") is False


def test_a_failure_among_the_checks_that_ran_counts_over_all_the_checks():
    checks = [CheckResult("a", Status.PASSED), CheckResult("b", Status.FAILED, "wrong"),
              CheckResult("c", Status.SKIPPED, "deselected with -k", ran=False),
              CheckResult("d", Status.SKIPPED, "deselected with -k", ran=False)]
    task = type("T", (), {"id": "t", "number": 1, "title": "T", "points": 4, "hint": "h"})()
    graded = grade_task(task, checks, {})
    assert graded.status == Status.FAILED and graded.score == 1.0 and graded.max_score == 4
    assert graded.partial and "2 of 4 checks ran; the others: deselected with -k" in graded.message
    stopped = grade_task(task, [CheckResult("a", Status.PASSED),
                                CheckResult("b", Status.ERROR, "not run: ...", ran=False)], {})
    assert stopped.status == Status.ERROR and stopped.score == 2.0  # a check not run is not passed


def test_tasks_stopped_by_x_say_so_not_k(grade, pytester):
    learner = mutate("tensors", DIM_1_SOFTMAX)
    graded = grade("tensors", learner, "-x")
    assert graded.status("softmax") == "failed"
    assert "stopped by -x (--maxfail) after 1 failure(s)" in graded.task("softmax")["message"]
    out = graded.output
    assert "deselected with -k" not in out
    graded.result.stdout.fnmatch_lines(["  2 tasks not run this time (stopped by -x (--maxfail) after 1 failure(s)): 7, 8"])
    zh = grade("tensors", learner, "-x", "--kata-lang=zh")
    assert "被 -k 排除" not in zh.output
    zh.result.stdout.fnmatch_lines(["  2 个任务本次没有运行（1 次失败后被 -x（--maxfail）停止）：7, 8"])


@pytest.mark.parametrize("lang, says, not_k", [("en", "task 2 not run this time (stopped: you quit the debugger)",
                                                "deselected with -k"),
                                               ("zh", "任务 2 本次没有运行（已停止：你退出了调试器）", "被 -k 排除")])
def test_q_in_pdb_leaves_the_task_unsolved_and_says_why_the_rest_did_not_run(pytester, lang, says, not_k):
    """The breakpoint is reached in the task's second check only: its first check passed."""
    learner = mini_kata.SOLUTION.replace("    return x * 2", "    if x.requires_grad:\n        breakpoint()\n"
                                                             "    return x * 2")
    mini_kata.setup(pytester, learner)
    report = pytester.path / "report.json"
    result = pytester.run(sys.executable, "-m", "pytest", "--kata=mini", "-s", "-p", "no:cacheprovider",
                          "-p", "no:hypothesispytest", f"--kata-report={report}", f"--kata-lang={lang}",
                          stdin=b"q\n", timeout=120)
    out = result.stdout.str()
    assert out.count("(Pdb)") == 1, out
    task = json.loads(report.read_text())["katas"][0]["tasks"][0]
    assert task["status"] == "skipped" and [c["ran"] for c in task["checks"]] == [True, False]
    assert says in out and not_k not in out
    assert "double" not in progress.load(pytester.path / "katas").get("mini", {})


# -- checks whose learner code was not run ---------------------------------------------

HANGS = mini_kata.SOLUTION.replace("    return x * 2", "    while True:\n        pass")


def test_after_a_time_out_the_tasks_other_checks_say_they_did_not_run(pytester):
    mini_kata.setup(pytester, HANGS)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider", "--kata-timeout=1", "-rs",
                                "--kata-report=report.json")
    out = result.stdout.str()
    task = json.loads((pytester.path / "report.json").read_text())["katas"][0]["tasks"][0]
    first, second = task["checks"]
    assert "`double` is still running after 1 s" in first["message"] and first["ran"]
    assert not second["ran"] and second["status"] == "error"
    assert second["message"] == "not run: task 1 ran out of time in an earlier check (`double` was still running after 1 s)"
    assert "check test_keeps_the_graph" not in out  # no failure block for a check that did not run
    assert task["status"] == "error" and "(1 of 2 checks ran)" in task["message"]


def test_after_the_budget_is_spent_the_checks_say_so_and_which_task_ran_out(pytester):
    mini_kata.setup(pytester, HANGS)
    pytester.runpytest("--kata=mini", "-p", "no:cacheprovider", "--kata-budget=1", "--kata-report=report.json")
    tasks = json.loads((pytester.path / "report.json").read_text())["katas"][0]["tasks"]
    first, second = tasks[0]["checks"]
    assert first["message"].startswith("stopped: the time budget for this submission (1 s) ran out")
    spent = "not run: the time budget for this submission (1 s) was spent (task 1 ran out of time)"
    assert second["message"] == spent and tasks[1]["checks"][0]["message"] == spent
    assert [t["status"] for t in tasks] == ["error", "error"]  # they count against the score
    assert "is still running" not in json.dumps(tasks)


def test_a_not_run_flag_from_the_learner_side_is_not_believed():
    from pytest_torchkata.plugin.notrun import Explained

    class Forger:
        stopped: dict = {}
        budget_s = None

        def left(self):
            return None

        def request(self, message, timeout):
            return {"error": {"kind": "raised", "not_run": True, "message": "x"}}

    answer = Explained(Forger(), lambda key: 1).request({"path": "p", "task": "k:t"}, 1.0)
    assert "not_run" not in answer["error"]


def test_a_file_that_hangs_while_loading_is_still_said_once_for_the_kata(pytester):
    """Every check of every task meets the same load failure: no check is `not run` there."""
    mini_kata.setup(pytester, "while True:\n    pass\n" + mini_kata.SOLUTION)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider", "--kata-timeout=0.5")
    out = result.stdout.str()
    assert out.count("No task above could run:") == 1
    assert "not run" not in out and "checks ran" not in out
