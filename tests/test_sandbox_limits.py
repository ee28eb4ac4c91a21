"""Bounded cost, fresh processes, the sandbox level in the header and report, and the
folders an isolated run refuses to grade from."""

from __future__ import annotations

import json
import os
import sys

import pytest

import mini_kata

ISOLATED = ["--kata-isolate", *mini_kata.PLUGIN_ARGS]
MODES = {"in-process": [], "isolated": ISOLATED}


def graded(pytester, learner, *args, plugin=True):
    mini_kata.setup(pytester, learner, as_plugin=plugin)
    extra = [] if "--kata-isolate" in args or not plugin else mini_kata.PLUGIN_ARGS
    result = pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider", *extra, *args)
    report = json.loads((pytester.path / "r.json").read_text()) if (pytester.path / "r.json").exists() else {}
    return result, report, {t["id"]: t for k in report.get("katas", []) for t in k["tasks"]}


def counting(body: str, counter) -> str:
    """The solution whose `double` counts its calls in ``counter`` and then runs ``body``."""
    return mini_kata.SOLUTION.replace(
        "    return x * 2", f"    open({str(counter)!r}, 'a').write('x')\n{body}\n    return x * 2")


SWALLOWING_LOOP = ("    while True:\n        try:\n            while True:\n                pass\n"
                   "        except BaseException:\n            pass")


@pytest.mark.parametrize("mode", [[], ["--kata-isolate", *mini_kata.PLUGIN_ARGS, "--kata-sandbox=none"]],
                         ids=["in-process", "isolated"])
def test_a_task_that_hangs_runs_once_and_all_its_checks_get_the_time_out(pytester, mode):
    counter = pytester.path / "calls.txt"
    body = SWALLOWING_LOOP if mode else "    while True:\n        pass"
    _, report, tasks = graded(pytester, counting(body, counter), "--kata-timeout=0.5", *mode)
    checks = tasks["double"]["checks"]
    assert len(checks) == 2 and all("still running after 0.5 s" in c["message"] for c in checks)
    assert counter.read_text() == "x"  # the second check did not run the learner code again
    assert tasks["add"]["status"] == "passed"


def test_a_crash_costs_its_task_only(pytester):
    learner = mini_kata.SOLUTION.replace("    return x * 2", "    import ctypes\n    ctypes.string_at(0)")
    _, _, tasks = graded(pytester, learner, *ISOLATED)
    assert tasks["double"]["status"] == "error" and "SIGSEGV" in tasks["double"]["message"]
    assert all("SIGSEGV" in c["message"] for c in tasks["double"]["checks"])
    assert tasks["add"]["status"] == "passed"


@pytest.mark.parametrize("mode", list(MODES))
def test_a_hang_at_import_is_a_time_out_in_both_modes(pytester, mode):
    _, _, tasks = graded(pytester, "while True:\n    pass\n" + mini_kata.SOLUTION, "--kata-timeout=0.5", *MODES[mode])
    for task in tasks.values():
        assert task["status"] == "error"
        assert "still running after 0.5 s" in task["message"], task["message"]


@pytest.mark.parametrize("mode", list(MODES))
def test_a_spent_budget_makes_the_remaining_tasks_errors(pytester, mode):
    learner = mini_kata.SOLUTION.replace("    return x * 2", "    import time\n    time.sleep(3)\n    return x * 2")
    _, report, tasks = graded(pytester, learner, "--kata-budget=1", *MODES[mode])
    spent = "the time budget for this submission (1 s)"
    assert tasks["double"]["status"] == "error" and spent in tasks["double"]["message"]
    assert tasks["add"]["status"] == "error" and tasks["add"]["message"].startswith(f"not run: {spent} was spent")
    assert report["score"] == 0


def test_one_tasks_global_state_does_not_reach_the_next(pytester):
    learner = mini_kata.SOLUTION.replace(
        "    return x * 2", "    import os\n    os.environ['TK_LEAK'] = '1'\n    return x * 2").replace(
        "    return a + b", "    import os\n    return a + b + (1 if os.environ.get('TK_LEAK') else 0)")
    _, _, tasks = graded(pytester, learner, *ISOLATED)
    assert tasks["double"]["status"] == "passed" and tasks["add"]["status"] == "passed"


def test_the_header_and_the_report_name_the_sandbox_level(pytester, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # header lines whole (at 80 columns they wrap)
    result, report, _ = graded(pytester, mini_kata.SOLUTION, *ISOLATED, "--kata-sandbox=none")
    result.stdout.fnmatch_lines(["*sandbox none*does not stop a determined student*bubblewrap*"])
    assert report["sandbox"] == "none"
    _, in_process, _ = graded(pytester, mini_kata.SOLUTION)
    assert in_process["sandbox"] == "in-process"


def test_an_unknown_sandbox_level_is_a_usage_error(pytester):
    result, _, _ = graded(pytester, mini_kata.SOLUTION, *ISOLATED, "--kata-sandbox=chroot")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--kata-sandbox: 'chroot' (from the command line --kata-sandbox) is not one of auto, bwrap, user, none*"])


def test_a_forced_level_that_cannot_work_here_is_a_usage_error(pytester, monkeypatch):
    mini_kata.setup(pytester, mini_kata.SOLUTION, as_plugin=True)
    monkeypatch.setenv("PATH", str(pytester.path))  # no bwrap on it
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in sys.path if p))
    result = pytester.runpytest_subprocess("--kata=mini", *ISOLATED, "--kata-sandbox=bwrap")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--kata-sandbox bwrap cannot work here: bubblewrap (bwrap) is not installed*"])


def test_a_conftest_above_the_kata_folder_is_refused_when_isolated(pytester):
    # the learner's submission root: a conftest.py one folder above katas/
    result, _, _ = graded(pytester, mini_kata.SOLUTION, "--kata-isolate", plugin=False)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*conftest.py above the kata folder*run pytest from a neutral folder*"])


def test_the_container_memory_limit_is_read_from_cgroup_v1_and_v2(tmp_path):
    from pytest_torchkata.sandbox.limits import container_memory_mb

    v2 = tmp_path / "v2"
    (v2 / "box" / "inner").mkdir(parents=True)
    (v2 / "box" / "memory.max").write_text(str(768 << 20))
    (v2 / "box" / "inner" / "memory.max").write_text("max\n")
    (tmp_path / "v2.cgroup").write_text("0::/box/inner\n")
    assert container_memory_mb(str(tmp_path / "v2.cgroup"), str(v2)) == 768  # the tighter one above
    v1 = tmp_path / "v1"
    (v1 / "memory" / "docker").mkdir(parents=True)
    (v1 / "memory" / "memory.limit_in_bytes").write_text(str(2**63 - 4096))  # v1's "no limit"
    (v1 / "memory" / "docker" / "memory.limit_in_bytes").write_text(str(1 << 30))
    (tmp_path / "v1.cgroup").write_text("5:cpu,cpuacct:/docker\n4:memory:/docker\n")
    assert container_memory_mb(str(tmp_path / "v1.cgroup"), str(v1)) == 1024
    (v1 / "memory" / "docker" / "memory.limit_in_bytes").write_text(str(2**63 - 4096))
    assert container_memory_mb(str(tmp_path / "v1.cgroup"), str(v1)) is None
    assert container_memory_mb(str(tmp_path / "missing"), str(v1)) is None


@pytest.mark.parametrize("cuda, limit, warned", [("13.0", 768, "CUDA build of torch needs about 1024 MB"), ("13.0", 4096, None),
                                                 (None, 768, None), (None, 512, "an isolated run needs")])
def test_a_container_too_small_for_this_torch_is_named_in_the_header(pytester, monkeypatch, cuda, limit, warned):
    import torch

    import pytest_torchkata.sandbox.limits as limits

    monkeypatch.setattr(limits, "container_memory_mb", lambda: limit)
    monkeypatch.setenv("COLUMNS", "300")  # header lines whole (at 80 columns they wrap)
    monkeypatch.setattr(torch.version, "cuda", cuda)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result, report, _ = graded(pytester, mini_kata.SOLUTION, *ISOLATED, "--kata-sandbox=none")
    assert report["score"] == report["max_score"]
    warnings = [line for line in result.stdout.lines if "WARNING: this container allows" in line]
    if warned is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and f"allows {limit} MB" in warnings[0] and warned in warnings[0]
        assert ("download.pytorch.org/whl/cpu" in warnings[0]) == (cuda is not None)
    in_process, _, _ = graded(pytester, mini_kata.SOLUTION)  # one torch: never this warning
    assert not [line for line in in_process.stdout.lines if "WARNING: this container allows" in line]


def test_memory_held_in_memfds_counts_against_the_limit():
    """No resident size shows a memfd that is not mapped; the watchdog adds what a process holds in them."""
    import os

    from pytest_torchkata.sandbox.limits import memfd_mb

    fd = os.memfd_create("held")
    try:
        os.write(fd, b"\x01" * (8 << 20))
        assert memfd_mb(os.getpid()) >= 8
    finally:
        os.close(fd)
    assert memfd_mb(os.getpid()) < 8
