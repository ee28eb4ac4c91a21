"""The JSON report's schema and the terminal summary."""

import json

import mini_kata
from pytest_torchkata.reports.results import REPORT_VERSION, nudge
from pytest_torchkata.status import Status

TASK_KEYS = {"id", "number", "title", "status", "score", "max_score", "message", "hint", "checks", "data",
             "hints_used", "advice", "mistake", "kind"}


def test_report_schema(pytester):
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("return a + b", "return a - b"))
    pytester.runpytest("--kata=mini", "--kata-report=out/report.json", "-p", "no:cacheprovider")
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    assert report["version"] == REPORT_VERSION
    assert {"version", "score", "max_score", "katas", "seed", "isolated", "devices",
            "torch_version", "tool_version", "warnings", "language", "sandbox", "seed_digest"} <= set(report)
    assert report["score"] == 2.0 and report["max_score"] == 3.0
    kata = report["katas"][0]
    assert {"name", "title", "score", "max_score", "tasks"} <= set(kata)
    for task in kata["tasks"]:
        assert set(task) == TASK_KEYS
        assert task["status"] in {s.value for s in Status}
        for check in task["checks"]:
            assert set(check) == {"name", "status", "message", "hint", "where", "rank", "ran", "advice", "mistake",
                                  "kind"}
    add = kata["tasks"][1]
    assert add["status"] == "failed" and add["message"].startswith("add(a, b): 2 of 2 value(s) are off")
    assert add["hint"] == nudge("use +")  # a plain mismatch: the task's hint, said as a nudge
    assert add["mistake"] == "" and all(c["mistake"] == "" for c in add["checks"])  # a mismatch names none
    assert add["kind"] == "" and all(c["kind"] == "" for c in add["checks"])  # the check decided, not an answer


def test_partial_credit_counts_passed_checks(pytester):
    learner = mini_kata.SOLUTION.replace("return x * 2", "return (x * 2).detach()")
    mini_kata.setup(pytester, learner)
    pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider")
    task = json.loads((pytester.path / "r.json").read_text())["katas"][0]["tasks"][0]
    assert task["status"] == "failed"
    assert task["score"] == 1.0 and task["max_score"] == 2.0


def test_summary_shows_each_task_score_and_the_next_task(pytester):
    mini_kata.setup(pytester, mini_kata.STUB.replace(
        'raise NotImplementedError("Task 1 (Double a tensor): not written yet")', "return x * 2"))
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines([
        "*torchkata: mini - Mini kata  2/3 points*",
        "  passed       1. Double a tensor * 2/2",
        "  not started  2. Add two tensors * 0/1",
        '  Next: task 2, "Add two tensors" (not started).',
        "  Hint: use +",
    ])


def test_full_marks_summary_and_exit_code(pytester):
    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["  All tasks passed. Well done!"])


def test_gradescope_format_has_one_test_per_task(pytester):
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("return a + b", "return a - b"))
    pytester.runpytest("--kata=mini", "--kata-report=results.json", "--kata-report-format=gradescope",
                       "-p", "no:cacheprovider")
    data = json.loads((pytester.path / "results.json").read_text())
    assert data["score"] == 2.0
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in data["tests"]] == [
        ("mini 1. Double a tensor", 2.0, 2.0, "passed"), ("mini 2. Add two tensors", 0.0, 1.0, "failed")]
    assert "Hint: " + nudge("use +") in data["tests"][1]["output"]


def test_csv_format_is_a_gradebook_row_per_task(pytester):
    import csv

    mini_kata.setup(pytester, mini_kata.STUB)
    pytester.runpytest("--kata=mini", "--kata-report=grades.csv", "--kata-report-format=csv",
                       "-p", "no:cacheprovider")
    rows = list(csv.reader((pytester.path / "grades.csv").open()))
    assert rows[0] == ["kata", "task", "id", "title", "status", "score", "max_score", "message"]
    assert rows[1][:7] == ["mini", "1", "double", "Double a tensor", "not_started", "0.0", "2.0"]
    assert rows[-1][0] == "total" and rows[-1][5:7] == ["0.0", "3.0"]
