"""--kata-isolate: same grades as in-process on honest code; hostile code scores 0."""

import json

import pytest

import mini_kata

REPORT = "--kata-report=report.json"


def setup(pytester, learner, extra=None):
    mini_kata.setup(pytester, learner, extra, as_plugin=True)


def run(pytester, *args):
    result = pytester.runpytest("--kata=mini", REPORT, "-p", "no:cacheprovider", *mini_kata.PLUGIN_ARGS, *args)
    report = json.loads((pytester.path / "report.json").read_text())
    return result, report


def statuses(report):
    return {t["id"]: (t["status"], t["score"]) for k in report["katas"] for t in k["tasks"]}


HALF_RIGHT = mini_kata.SOLUTION.replace("return a + b", "return a - b")


@pytest.mark.parametrize("learner", [mini_kata.SOLUTION, mini_kata.STUB, HALF_RIGHT],
                         ids=["solution", "stub", "half-right"])
def test_isolated_and_in_process_give_the_same_grades(pytester, learner):
    setup(pytester, learner)
    _, in_process = run(pytester)
    _, isolated = run(pytester, "--kata-isolate")
    assert statuses(in_process) == statuses(isolated)
    assert isolated["isolated"] is True and in_process["isolated"] is False


def test_exit_at_import_scores_zero(pytester):
    setup(pytester, "import os\nos._exit(0)\n" + mini_kata.SOLUTION)
    result, report = run(pytester, "--kata-isolate")
    assert report["score"] == 0
    assert {t["status"] for t in report["katas"][0]["tasks"]} == {"error"}
    assert "while loading" in report["katas"][0]["tasks"][0]["message"] or \
        "loading mini.py" in report["katas"][0]["tasks"][0]["message"]
    assert result.ret == 1


def test_exit_inside_a_task_costs_only_that_task(pytester):
    learner = mini_kata.SOLUTION.replace("    return x * 2", "    import os\n    os._exit(0)")
    setup(pytester, learner)
    _, report = run(pytester, "--kata-isolate")
    tasks = {t["id"]: t for t in report["katas"][0]["tasks"]}
    assert tasks["double"]["status"] == "error" and tasks["double"]["score"] == 0
    assert "exited with code 0" in tasks["double"]["message"]
    assert tasks["add"]["status"] == "passed"


def test_endless_loop_that_swallows_everything_is_stopped(pytester):
    learner = mini_kata.SOLUTION.replace(
        "    return x * 2",
        "    while True:\n        try:\n            while True:\n                pass\n"
        "        except BaseException:\n            pass",
    )
    setup(pytester, learner)
    _, report = run(pytester, "--kata-isolate", "--kata-timeout=1")
    tasks = {t["id"]: t for t in report["katas"][0]["tasks"]}
    assert tasks["double"]["status"] == "error" and tasks["double"]["score"] == 0
    assert "still running after 1 s" in tasks["double"]["message"]
    assert tasks["add"]["status"] == "passed"


def test_endless_loop_in_process_is_stopped_by_the_time_limit(pytester):
    learner = mini_kata.SOLUTION.replace("    return x * 2", "    while True:\n        pass")
    setup(pytester, learner)
    _, report = run(pytester, "--kata-timeout=0.5")
    task = report["katas"][0]["tasks"][0]
    assert task["status"] == "error"
    assert "still running after 0.5 s" in task["message"]
    assert "mini.py:5" in task["message"]


CHEATING_CONFTEST = '''
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
'''


@pytest.mark.parametrize("mode", [[], ["--kata-isolate"]], ids=["in-process", "isolated"])
def test_conftest_in_the_kata_folder_changes_nothing(pytester, mode):
    setup(pytester, mini_kata.STUB, {"katas/conftest.py": CHEATING_CONFTEST})
    result, report = run(pytester, *mode)
    assert report["score"] == 0
    assert result.ret == 1


def test_a_loaded_kata_folder_conftest_is_refused_when_isolated(pytester):
    setup(pytester, mini_kata.STUB, {"katas/conftest.py": CHEATING_CONFTEST})
    result = pytester.runpytest("--kata=mini", "--kata-isolate", "--kata-dir=katas",
                                "-p", "no:cacheprovider", *mini_kata.PLUGIN_ARGS, "katas")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*conftest.py in the kata folder*"])


PATCHER = '''
import torch
import torch.testing

def _yes(*args, **kwargs):
    return True

def _none(*args, **kwargs):
    return None

torch.testing.assert_close = _none
torch.allclose = _yes
torch.equal = _yes

def double(x):
    return x * 3

def add(a, b):
    return a * b
'''


def test_patching_comparisons_in_the_kata_file_scores_zero(pytester):
    setup(pytester, PATCHER)
    _, report = run(pytester, "--kata-isolate")
    assert report["score"] == 0
    assert {t["status"] for t in report["katas"][0]["tasks"]} == {"failed"}


def test_isolated_learner_code_never_runs_in_the_grading_process(pytester):
    import os

    pid_file = pytester.path / "pids.txt"  # only the weakest level lets learner code write here
    learner = f"import os\nopen({str(pid_file)!r}, 'a').write(str(os.getpid()) + '\\n')\n" + mini_kata.SOLUTION
    setup(pytester, learner)
    _, report = run(pytester, "--kata-isolate", "--kata-sandbox=none")
    pids = set(pid_file.read_text().split())
    assert pids and str(os.getpid()) not in pids
    assert report["score"] == report["max_score"]
