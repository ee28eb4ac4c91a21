"""Classroom 50: the generated autograder.py, run for real as Classroom 50's runner runs it (the
student's checkout as the working directory, the runner's variables in the environment) against
temporary checkouts: partly solved, solved, a stub with hostile messages, broken, empty; and its
install and failure paths with a stand-in interpreter.  result.json is checked field by field
against the contract in ``cli/classroom50.py``'s docstring."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from kata_testing import ROOT, solution_source, stub_source

from pytest_torchkata import cli
from pytest_torchkata.cli import classroom50
from pytest_torchkata.i18n import set_language

RUNNER_ENV = {"CLASSROOM": "ml-101", "ASSIGNMENT": "tensors", "SUBMISSION_TAG": "submit/2026-12-07T10-00-00Z-abc1234",
              "COMMIT_URL": "https://github.com/org/ml-101-tensors-ada/commit/abc1234",
              "RELEASE_URL": "https://github.com/org/ml-101-tensors-ada/releases/tag/submit%2F2026",
              "REVIEW_URL": "", "TORCHKATA_SEED": "918273645"}
TASKS = [("tensors 1. Tensors from lists and NumPy", 20), ("tensors 2. Permute, then flatten", 20),
         ("tensors 3. Pairwise distances by broadcasting", 30),
         ("tensors 4. Masked mean that never divides by zero", 30), ("tensors 5. One-hot labels and back", 20),
         ("tensors 6. Numerically stable softmax", 30), ("tensors 7. Numerically stable log-softmax", 20),
         ("tensors 8. The NumPy bridge", 20)]
SOFTMAX = ("shifted = x - x.amax(dim=dim, keepdim=True)\n    e = shifted.exp()\n"
           "    return e / e.sum(dim=dim, keepdim=True)")
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(")  # a Markdown link's "](", its bracket not escaped
HOSTILE = '''

def masked_mean(x, mask):
    print("::error::printed by the learner")
    raise ValueError("nope\\n::error::pwned <img src=x onerror=alert(1)> | [click](http://evil.example) \\x1b[2J")
'''


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("classroom50") / "autograder.py"
    assert cli.main(["classroom50", "--kata=tensors", "--out", str(where), "--kata-timeout=5",
                     "--install", "git+https://example.org/pytest-torchkata@v1"]) == 0
    return where


def run_autograder(autograder: Path, checkout: Path, files: dict[str, str], **env: str) -> dict:
    """Lay out a checkout (with a planted result.json of the student's own) and run the autograder
    there; what it left behind."""
    checkout.mkdir(parents=True)
    for name, text in {"result.json": '{"score": 999, "max-score": 999}', **files}.items():
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_text(text)
    outputs = checkout.parent / f"{checkout.name}.github_output"
    outputs.write_text("")
    environ = {**os.environ, **RUNNER_ENV, "GITHUB_OUTPUT": str(outputs), "TORCHKATA_SKIP_INSTALL": "1",
               "PYTHONPATH": str(ROOT), **env}
    done = subprocess.run([sys.executable, str(autograder)], cwd=checkout, env=environ, capture_output=True,
                          text=True, timeout=300, check=False)
    body = checkout / "release-body.md"
    return {"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
            "result": json.loads((checkout / "result.json").read_text()),
            "body": body.read_text() if body.is_file() else "", "outputs": outputs.read_text()}


def check_identity(result: dict) -> None:
    assert result["schema"] == "classroom50/result/v1"
    assert (result["classroom"], result["assignment"], result["submission"]) == (
        "ml-101", "tensors", "submit/2026-12-07T10-00-00Z-abc1234")
    assert result["commit"] == result["review"] == RUNNER_ENV["COMMIT_URL"]  # no REVIEW_URL: the commit
    assert result["release"] == RUNNER_ENV["RELEASE_URL"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", result["datetime"])


def check_scores(result: dict, scores: list[int]) -> None:
    """Whole numbers only (the runner rejects 5.5), sums that match, a test per task."""
    tests = result["tests"]
    assert [(t["test-name"], t["max-score"]) for t in tests] == TASKS
    assert [t["score"] for t in tests] == scores
    assert all(type(t["score"]) is int and type(t["max-score"]) is int for t in tests)
    assert [t["passed"] for t in tests] == [s == m for s, (_, m) in zip(scores, TASKS)]
    assert result["score"] == sum(scores) and result["max-score"] == 190
    assert type(result["score"]) is int and type(result["max-score"]) is int


def test_a_partly_solved_checkout_gets_partial_credit_per_task(autograder, tmp_path):
    source = solution_source("tensors")
    assert source.count(SOFTMAX) == 1
    run = run_autograder(autograder, tmp_path / "ada", {"katas/tensors.py": source.replace(
        SOFTMAX, SOFTMAX.replace("dim=dim", "dim=1"))})  # right along the last dim only
    assert run["code"] == 0, run["stdout"] + run["stderr"]
    result = run["result"]
    check_identity(result)
    softmax = result["tests"][5]
    check_scores(result, [20, 20, 30, 30, 20, 22, 20, 20])  # softmax: 2.25 of 3 points (6 of its 8 checks)
    assert (softmax["points"], softmax["max-points"], softmax["status"]) == (2.25, 3.0, "failed")
    assert "dim" in softmax["message"] and "\n" not in softmax["message"]
    meta = result["torchkata"]
    assert meta["sandbox"] and meta["seed"] == "secret" and meta["scale"] == 10
    assert (meta["points"], meta["max-points"]) == (18.25, 19.0)
    assert RUNNER_ENV["TORCHKATA_SEED"] not in json.dumps(result) + run["body"] + run["stdout"]
    assert run["outputs"] == "status=failure\nsummary=torchkata: 182/190 (7 of 8 tasks passed)\n"
    assert run["body"].startswith("### torchkata: 182 / 190\n")
    assert "| tensors 6. Numerically stable softmax | not passed | 22 / 30 |" in run["body"]


def test_a_solved_checkout_gets_full_marks_and_success(autograder, tmp_path):
    run = run_autograder(autograder, tmp_path / "bob", {"tensors.py": solution_source("tensors")},
                         TORCHKATA_SEED="")
    assert run["code"] == 0, run["stdout"] + run["stderr"]
    check_identity(run["result"])
    check_scores(run["result"], [m for _, m in TASKS])
    assert run["result"]["torchkata"]["seed"] == "default"  # the secret was not passed on: say so
    assert run["outputs"].startswith("status=success\n")


def test_a_stub_scores_zero_and_hostile_learner_text_stays_inert(autograder, tmp_path):
    run = run_autograder(autograder, tmp_path / "cy", {"katas/tensors.py": stub_source("tensors") + HOSTILE})
    assert run["code"] == 0, run["stdout"] + run["stderr"]
    check_scores(run["result"], [0] * 8)
    tests = run["result"]["tests"]
    assert tests[0]["status"] == "not_started" and tests[0]["message"].startswith("Not started yet.")
    hostile = tests[3]["message"]
    assert "pwned" in hostile and "\n" not in hostile and "\x1b" not in hostile
    body = run["body"]
    assert "pwned" in body and "<img" not in body and not UNESCAPED_LINK.search(body)
    assert "\x1b" not in body and not re.search(r"^::", body, re.MULTILINE)
    # learner output reaches the Actions log only while workflow commands are stopped
    lines = run["stdout"].splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].split("::")[2]
    resume = lines.index(f"::{token}::")
    assert any("::error::pwned" in line for line in lines[stop:resume])
    assert not any(line.strip().startswith("::error::") for line in lines[:stop] + lines[resume:])


def test_a_broken_or_empty_checkout_is_graded_zero_with_every_task_listed(autograder, tmp_path):
    broken = run_autograder(autograder, tmp_path / "dee",
                            {"katas/tensors.py": solution_source("tensors") + "\ndef oops(:\n"})
    empty = run_autograder(autograder, tmp_path / "eve", {"README.md": "nothing here\n"})
    for run in (broken, empty):
        assert run["code"] == 0, run["stdout"] + run["stderr"]  # the student's doing: a grade, not an error
        check_identity(run["result"])
        check_scores(run["result"], [0] * 8)
        assert run["outputs"].startswith("status=failure\n")
        assert str(tmp_path) not in json.dumps(run["result"]) + run["body"]  # paths as the student knows them
    note = broken["result"]["torchkata"]["note"]
    assert "katas/tensors.py could not be loaded: invalid syntax" in note
    assert broken["body"].count("invalid syntax") == 2  # the note, and the reason once for the eight tasks
    assert "no kata files found" in empty["result"]["torchkata"]["note"]
    assert "no kata files found" in empty["body"]


# -- the install and the failure paths, with a stand-in interpreter (no torch import) ------

@pytest.fixture
def fake_python(tmp_path) -> Path:
    """An interpreter that writes down its arguments, folder and TORCHKATA_SEED, then exits
    with $FAKE_EXIT (0 by default) and grades nothing."""
    script = tmp_path / "python"
    script.write_text(f'#!/bin/sh\necho "$(pwd)|seed=$TORCHKATA_SEED|$*" >> {tmp_path / "calls"}\n'
                      f'exit "${{FAKE_EXIT:-0}}"\n')
    script.chmod(0o755)
    return script


def test_the_autograder_installs_cpu_torch_then_the_plugin_then_drops_the_references(autograder, fake_python,
                                                                                      tmp_path):
    run = run_autograder(autograder, tmp_path / "checkout", {"tensors.py": "x = 1\n"},
                         TORCHKATA_SKIP_INSTALL="", TORCHKATA_PYTHON=str(fake_python))
    calls = [line.split("|", 2) for line in (tmp_path / "calls").read_text().splitlines()]
    args = [c[2] for c in calls]
    assert args[0] == ("-m pip install --quiet --disable-pip-version-check torch "
                       "--index-url https://download.pytorch.org/whl/cpu")
    assert args[1] == "-m pip install --quiet --disable-pip-version-check git+https://example.org/pytest-torchkata@v1"
    assert args[2].startswith("-c ") and "_solutions" in args[2] and "rmtree" in args[2]
    assert args[3].startswith("-m pytest_torchkata.cli classroom50-run --submission ")
    assert "--kata=tensors" in args[3] and "--kata-timeout=5" in args[3]
    # the seed reaches the grader in its environment, never on a command line
    assert all(c[1] == f"seed={RUNNER_ENV['TORCHKATA_SEED']}" for c in calls)
    assert not any("seed" in a for a in args)
    # no step runs in the checkout, where a student's pip/ or pytest_torchkata/ would be imported
    assert not any(Path(c[0]).resolve() == (tmp_path / "checkout").resolve() for c in calls)
    # the grader left no result: the student's planted one is gone, and the runner is told "error"
    assert run["code"] == 1
    result = run["result"]
    check_identity(result)
    assert (result["score"], result["max-score"], result["tests"]) == (0, 0, [])
    assert "stopped before writing a result" in result["torchkata"]["error"]
    assert run["outputs"].startswith("status=error\n") and "not graded" in run["body"]


def test_a_failed_install_grades_nothing_and_reports_an_error(autograder, fake_python, tmp_path):
    run = run_autograder(autograder, tmp_path / "checkout", {"tensors.py": "x = 1\n"},
                         TORCHKATA_SKIP_INSTALL="", TORCHKATA_PYTHON=str(fake_python), FAKE_EXIT="1")
    assert len((tmp_path / "calls").read_text().splitlines()) == 1  # it stopped at the first pip
    assert run["code"] == 1 and run["result"]["score"] == 0
    assert run["result"]["torchkata"]["error"] == "installing the grader failed"
    assert run["outputs"].startswith("status=error\n")


def test_an_autograder_that_breaks_still_leaves_an_error_result(autograder, tmp_path):
    broken = tmp_path / "autograder.py"  # as if the runner's Python had no tempfile folder to use
    broken.write_text(autograder.read_text().replace('prefix="torchkata-classroom50-"', "dir='/nonexistent'"))
    run = run_autograder(broken, tmp_path / "checkout", {"tensors.py": "x = 1\n"})
    assert run["code"] == 1 and run["result"]["score"] == 0 and run["result"]["tests"] == []
    assert run["result"]["torchkata"]["error"] == "the autograder failed: FileNotFoundError"
    assert run["outputs"].startswith("status=error\n")


# -- the pieces, without a run ---------------------------------------------------------------

def _task(number: int, status: str, score: float, max_score: float, **extra) -> dict:
    return {"number": number, "title": f"T{number}", "status": status, "score": score, "max_score": max_score,
            "message": "", "hint": "", **extra}


def test_scores_become_whole_numbers_rounded_down_and_skipped_tasks_count_for_nothing():
    report = {"katas": [{"name": "k", "tasks": [
        _task(1, "failed", 2.4, 3), _task(2, "failed", 2 / 3, 1), _task(3, "passed", 2, 2),
        _task(4, "skipped", 0, 5)]}]}
    assert [(t["score"], t["max-score"]) for t in classroom50.result_tests(report, 10)] == [(24, 30), (6, 10), (20, 20)]
    assert [(t["score"], t["max-score"]) for t in classroom50.result_tests(report, 1)] == [(2, 3), (0, 1), (2, 2)]
    payload = classroom50.result_payload(report, scale=10, environ={})
    assert (payload["score"], payload["max-score"]) == (50, 60)
    assert payload["review"] == "" and payload["torchkata"]["seed"] == "default"


def test_the_release_body_and_step_outputs_keep_learner_text_inert():
    message = "bad\n::error::x | <script>alert(1)</script> [a](javascript:x) # title"
    report = {"katas": [{"name": "k", "tasks": [_task(1, "failed", 0, 1, message=message)]}]}
    payload = classroom50.result_payload(report, scale=1, environ={"TORCHKATA_SEED": "5"},
                                         note="<b>note</b>\n::warning::y")
    body = classroom50.release_body(payload)
    assert "<script>" not in body and "<b>" not in body and not UNESCAPED_LINK.search(body)
    assert not re.search(r"^(::|#+ title)", body, re.MULTILINE) and body.count("\n| k 1. T1 |") == 1
    assert classroom50.step_status(payload) == ("failure", "torchkata: 0/1 (0 of 1 tasks passed)")


def test_the_release_body_speaks_the_learners_language():
    report = {"katas": [{"name": "k", "tasks": [_task(1, "not_started", 0, 2, hint="看 dim")]}]}
    set_language("zh")
    try:
        payload = classroom50.result_payload(report, scale=10, environ={})
        body = classroom50.release_body(payload)
    finally:
        set_language("en")
    assert payload["tests"][0]["message"] == "还没有开始。 提示：看 dim"
    assert "| 任务 | 结果 | 分数 |" in body and "| k 1. T1 | 未通过 | 0 / 20 |" in body
    assert "分数是得分乘以 10" in body and "需要改正的地方" in body


def test_the_autograder_refuses_a_seed_and_is_written_where_asked(tmp_path, capsys):
    assert cli.main(["classroom50", "--kata=tensors", "--out", str(tmp_path), "--kata-seed=1234"]) == 2
    assert "TORCHKATA_SEED" in capsys.readouterr().err and not (tmp_path / "autograder.py").exists()
    assert cli.main(["classroom50", "--kata=tensors,mnist", "--out", str(tmp_path), "--torch=pypi"]) == 0
    text = (tmp_path / "autograder.py").read_text()
    (assigned,) = [node for node in ast.parse(text).body
                   if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CONFIG"]
    config = ast.literal_eval(assigned.value)
    assert config["katas"] == ["tensors", "mnist"] and config["torch_index"] == ""
    assert config["torch"] == ["torch", "torchvision"] and config["scale"] == 10
    assert (tmp_path / "autograder.py").stat().st_mode & 0o111  # the runner may run it as a program
