"""What an instructor reads (feedback.md, Gradescope's results, the gradebook, the item
analysis, grading.log): a problem that stopped a whole kata said once, with its own hint
and the tasks it cost; no command meant for a learner's own workspace; refused and empty
submissions not graded and kept out of the statistics; counts in good English; a log with
a header (sandbox level, seed digest, never the seed) and no warning; private files."""

from __future__ import annotations

import ast
import csv
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import mini_kata
import pytest
from kata_testing import ROOT, solution_source, stub_source

import pytest_torchkata
from pytest_torchkata.plugin.access import derive_seed, seed_digest
from pytest_torchkata.reports.analysis import write_analysis
from pytest_torchkata.reports.classbook import row_line, write_class
from pytest_torchkata.reports.feedback import feedback_lines
from pytest_torchkata.reports.formats import gradescope_results

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
# a command only a learner can run, in their own workspace
LEARNER_COMMAND = re.compile(r"torchkata (reset|hint|solution|init|watch|progress)\b")
SECRET = 918273645


# -- a file-level problem, once per kata --------------------------------------------

SYNTAX = "katas/k.py could not be loaded: invalid syntax (k.py, line 9)"
SYNTAX_HINT = "look at the line it names for a missing bracket"
MISSING = "there is no learner file katas/m.py"


def _task(number: int, status: str, message: str, check_hint: str, points: float = 2.0) -> dict:
    return {"id": f"t{number}", "number": number, "title": f"Title {number}", "status": status,
            "score": points if status == "passed" else 0.0, "max_score": points, "message": message,
            "hint": check_hint or f"unrelated hint of task {number}",
            "checks": [{"name": f"c{number}", "status": status, "message": message, "hint": check_hint,
                        "where": "", "rank": 2, "ran": True}]}


def _report() -> dict:
    kata_k = [_task(n, "error", SYNTAX, SYNTAX_HINT) for n in (1, 2, 3)]
    kata_m = [_task(n, "error", MISSING, "") for n in (1, 2)] + [_task(3, "passed", "", "")]
    # two tasks that failed each their own way: no shared problem, each told apart
    kata_n = [_task(1, "error", "f raised ValueError: a", ""), _task(2, "error", "g raised KeyError: b", "")]
    katas = [{"name": name, "title": name.upper(), "score": sum(t["score"] for t in tasks),
              "max_score": sum(t["max_score"] for t in tasks), "tasks": tasks}
             for name, tasks in (("k", kata_k), ("m", kata_m), ("n", kata_n))]
    return {"score": 2.0, "max_score": 16.0, "katas": katas, "warnings": [], "sandbox": "bwrap",
            "seed_digest": seed_digest(SECRET), "tool_version": "x", "torch_version": "y"}


def test_feedback_says_a_file_level_problem_once_with_its_own_hint_and_the_tasks_it_cost():
    page = "\n".join(feedback_lines("ann", _report()))
    assert page.count(SYNTAX) == 1 and page.count(SYNTAX_HINT) == 1
    assert page.count(MISSING) == 1
    assert "Could not run: tasks 1, 2 and 3 (6 points)" in page
    assert "Could not run: tasks 1 and 2 (4 points)" in page
    # the unrelated hints of the tasks it stopped are not given; the missing file had none of its own
    for number in (1, 2, 3):
        assert f"unrelated hint of task {number}" not in page.split("## N")[0]
    # problems that differ are still told task by task, each with its hint
    assert "f raised ValueError: a" in page and "g raised KeyError: b" in page
    assert "unrelated hint of task 1" in page.split("## N")[1]


def test_the_pages_a_learner_reads_are_in_the_reports_language():
    from pytest_torchkata.i18n import language

    before = language()
    report = {**_report(), "language": "zh"}
    page = "\n".join(feedback_lines("ann", report, "迟交"))
    assert page.startswith("# ann 的反馈") and "**评分说明**：迟交" in page and "**总分：2 / 16 分**" in page
    assert "### 无法运行：任务 1、2 和 3（6 分）" in page and f"*提示*：{SYNTAX_HINT}" in page
    assert "Could not run" not in page and "Hint" not in page
    results = gradescope_results(report)
    assert "**K：任务 1、2 和 3（6 分）无法运行**" in results["output"]
    assert all("Could not run" not in t["output"] and "Hint" not in t["output"] for t in results["tests"])
    assert language() == before  # the grader's own language is left as it was
    assert "Could not run: tasks 1, 2 and 3 (6 points)" in "\n".join(feedback_lines("ann", _report()))


def test_gradescope_says_a_file_level_problem_once_and_each_task_points_to_it():
    results = gradescope_results(_report())
    assert results["output"].count(SYNTAX) == 1 and results["output"].count(SYNTAX_HINT) == 1
    assert results["output"].count(MISSING) == 1
    assert "could not run tasks 1, 2 and 3 (6 points)" in results["output"]
    stopped = [t for t in results["tests"] if t["name"][0] in "km" and t["status"] == "failed"]
    assert len(stopped) == 5
    for test in stopped:
        assert SYNTAX not in test["output"] and MISSING not in test["output"] and "unrelated" not in test["output"]
        assert test["output"].startswith("Could not run: the problem with ")
    told = [t["output"] for t in results["tests"] if t["name"].startswith("n ")]
    assert "ValueError" in told[0] and "KeyError" in told[1]


def test_gradescope_results_say_the_sandbox_level_and_the_seed_digest_never_the_seed():
    results = gradescope_results({**_report(), "seed": SECRET})
    assert results["extra_data"]["sandbox"] == "bwrap"
    assert results["extra_data"]["seed_digest"] == seed_digest(SECRET)
    assert str(SECRET) not in json.dumps(results)


# -- the seed's digest --------------------------------------------------------------

def test_the_seed_digest_tells_seeds_apart_and_reveals_no_check_seed():
    assert seed_digest(SECRET) == seed_digest(SECRET) != seed_digest(SECRET + 1)
    assert re.fullmatch(r"[0-9a-f]{12}", seed_digest(0))
    assert str(SECRET) not in seed_digest(SECRET)
    for parts in ([], ["seed digest"], ["pytest-torchkata seed digest"]):  # no check's seed is the digest
        assert format(derive_seed(SECRET, *parts), "x")[:12] != seed_digest(SECRET)


# -- learner-only advice ------------------------------------------------------------

def _string_owners(tree: ast.AST) -> dict[int, ast.AST]:
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def _in_advice(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Whether a text is given as ``advice=...`` or assigned to ``advice``, or raised as a
    usage error (which stops pytest before any grading)."""
    while id(node) in parents:
        parent = parents[id(node)]
        if isinstance(parent, ast.keyword) and parent.arg == "advice":
            return True
        if isinstance(parent, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "advice"
                                                  for t in parent.targets):
            return True
        if isinstance(parent, ast.Raise) and "UsageError" in ast.unparse(parent.exc or parent):
            return True
        node = parent
    return False


@pytest.mark.parametrize("layer", ["plugin", "checks", "katas", "sandbox"])
def test_no_check_message_carries_a_learner_command_except_as_advice(layer):
    """Whatever a check says reaches the report and every instructor output; a command for
    the learner's workspace travels apart, as ``advice``, to the learner's terminal only."""
    package = Path(pytest_torchkata.__file__).parent / layer
    offenders = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        parents = _string_owners(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and LEARNER_COMMAND.search(node.value) and not _in_advice(node, parents):
                offenders.append(f"{path.name}:{node.lineno}: {node.value[:60]}")
    assert not offenders


def test_a_missing_function_is_said_in_the_message_and_the_command_apart_for_the_learner(pytester):
    from pytest_torchkata.cli.watch import screen

    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("def add(", "def plus("))
    result = pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider")
    report = json.loads((pytester.path / "r.json").read_text())
    add = report["katas"][0]["tasks"][1]
    assert "has no `add`" in add["message"] and "torchkata" not in add["message"] + add["hint"]
    assert add["advice"] == "get a fresh copy with `torchkata reset mini`"
    # the learner's terminals show it: the failure block and the summary of pytest, and watch's screen
    shown = result.stdout.str().split("short test summary info")[0]  # under CI pytest repeats it there whole
    assert shown.count("To do: get a fresh copy with `torchkata reset mini`") == 2
    assert any("To do: get a fresh copy with `torchkata reset mini`" in line for line in screen(report, None))
    # the pages made from the report never do
    assert not LEARNER_COMMAND.search("\n".join(feedback_lines("ann", report)) + json.dumps(gradescope_results(report)))


def test_a_grading_run_outside_the_learners_workspace_names_no_learner_command(pytester):
    mini_kata.setup(pytester, mini_kata.STUB)
    (pytester.path / "katas" / "mini.py").write_text(mini_kata.STUB.replace("def add(", "def plus("))
    learner = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    assert LEARNER_COMMAND.search(learner.stdout.str())  # the learner is told what to run
    graded = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider", "-p", "no:torchkata-progress")
    assert not LEARNER_COMMAND.search(graded.stdout.str()), graded.stdout.str()
    assert "To do:" not in graded.stdout.str() and "has no `add`" in graded.stdout.str()
    graded = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider", "-p", "no:torchkata-progress",
                                "--kata-report=r.json")
    assert not LEARNER_COMMAND.search((pytester.path / "r.json").read_text())  # no advice is recorded


def test_a_breakpoint_left_in_is_reported_to_a_grader_without_how_to_stop_there(pytester):
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("    return x * 2", "    breakpoint()\n    return x * 2"))
    pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider")
    (said,) = json.loads((pytester.path / "r.json").read_text())["warnings"]
    assert "grading skips it" in said and "pytest with -s" in said  # the learner is told how to stop there
    pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider", "-p", "no:torchkata-progress")
    (said,) = json.loads((pytester.path / "r.json").read_text())["warnings"]
    assert said == "mini.py line 5 has breakpoint(): grading skipped it"


# -- counts, and students who were not graded ----------------------------------------

def test_counts_are_said_in_good_english():
    row = {"total": 0.0, "max_total": 4.0, "errors": 1, "timeouts": 1, "refused": False, "seconds": 1.0,
           "problem": ""}
    assert "1 error, 1 time-out" in row_line(row)
    assert "2 errors, 3 time-outs" in row_line({**row, "errors": 2, "timeouts": 3})


def test_a_single_task_not_run_is_said_in_the_singular(pytester):
    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata=mini", "-k", "1", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["  task 2 not run this time (deselected with -k)"])
    assert "(s)" not in result.stdout.str()


def test_students_without_a_report_stay_out_of_the_item_analysis_and_are_listed_apart(tmp_path):
    graded = _report()
    rows = [{"student": name, "total": 0.0, "max_total": None, "katas": {}, "errors": 0, "timeouts": 0,
             "refused": name == "sneaky", "problem": why, "seconds": 0.0, "peak_mib": 0}
            for name, why in (("ann", ""), ("sneaky", "the archive holds an unsafe path"),
                              ("empty", "no kata files found"))]
    write_class(tmp_path, rows, {"ann": graded})
    items = list(csv.DictReader((tmp_path / "item_analysis.csv").open()))
    assert {r["students"] for r in items} == {"1"}
    assert not any("no kata files" in r["most_common_failure"] for r in items)
    text = (tmp_path / "item_analysis.md").read_text()
    assert "(1 graded student)" in text
    apart = text.split("## Not graded", 1)[1]
    assert "sneaky: the archive holds an unsafe path" in apart and "empty: no kata files found" in apart
    write_analysis(tmp_path, [("ann", graded), ("bob", graded)])
    assert "(2 graded students)" in (tmp_path / "item_analysis.md").read_text()
    # bob handed in no m.py: kata m's rows count ann alone, and say one student had no file
    write_analysis(tmp_path, [("ann", graded), ("bob", graded)], without={"bob": ["m"]})
    items = list(csv.DictReader((tmp_path / "item_analysis.csv").open()))
    assert {(r["students"], r["without_file"]) for r in items if r["kata"] == "m"} == {("1", "1")}
    assert {(r["students"], r["without_file"]) for r in items if r["kata"] == "k"} == {("2", "0")}


# -- a whole class through torchkata grade ---------------------------------------------

def torchkata(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", *args], env=ENV, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    klass = tmp_path_factory.mktemp("instructor") / "class"
    for name, text in {"stub": stub_source("tensors"),
                       "syntax": solution_source("tensors") + "\ndef oops(:\n"}.items():
        (klass / name / "katas").mkdir(parents=True)
        (klass / name / "katas" / "tensors.py").write_text(text)
    (klass / "empty").mkdir()
    with zipfile.ZipFile(klass / "sneaky.zip", "w") as zf:
        zf.writestr("../../tensors.py", solution_source("tensors"))
    out = klass.parent / "grades"
    # autograd.py is handed in by no one
    result = torchkata("grade", str(klass), "--out", str(out), "--kata=tensors,autograd", "--jobs=2",
                       f"--kata-seed={SECRET}", "--kata-timeout=5")
    assert result.returncode == 0, result.stdout
    return out, result.stdout


def test_refused_and_empty_submissions_are_not_graded(graded_class):
    out, said = graded_class
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert rows["sneaky"]["refused"] == "1" and "unsafe path" in rows["sneaky"]["problem"]
    assert "no kata files found" in rows["empty"]["problem"]
    for name in ("sneaky", "empty"):  # nothing was run: no log, no report; the page says why
        assert sorted(p.name for p in (out / name).iterdir()) == ["feedback.html", "feedback.md", "grade.json"]
        assert rows[name]["problem"] in (out / name / "feedback.md").read_text()
    assert "2 graded" in said and "2 not graded" in said
    assert {r["student"] for r in csv.DictReader((out / "tasks.csv").open())} == {"stub", "syntax"}


def test_the_grading_log_has_a_header_and_nothing_for_the_learners_workspace(graded_class):
    out, _ = graded_class
    for name in ("stub", "syntax"):
        log = (out / name / "grading.log").read_text()
        first, second = log.splitlines()[:2]
        assert first.startswith(f"torchkata {pytest_torchkata.__version__} grading log, 20")
        level = json.loads((out / name / "report.json").read_text())["sandbox"]
        assert "katas tensors, autograd; torch " in second and f"sandbox {level};" in second
        assert f"seed digest {seed_digest(SECRET)}" in second
        assert str(SECRET) not in log and "Warning" not in log and "warnings summary" not in log
        assert not LEARNER_COMMAND.search(log) and "Next: task" not in log
        assert "/tmp/" not in log and str(out.parent) not in log


def test_the_reports_keep_the_seed_digest_never_the_seed_nor_a_learner_command(graded_class):
    out, _ = graded_class
    for name in ("stub", "syntax"):
        text = (out / name / "report.json").read_text()
        assert str(SECRET) not in text and json.loads(text)["seed_digest"] == seed_digest(SECRET)
        assert not LEARNER_COMMAND.search(text)  # autograd.py is missing: its advice is not kept
    for table in ("gradebook.csv", "tasks.csv", "item_analysis.csv", "item_analysis.md"):
        assert not LEARNER_COMMAND.search((out / table).read_text())


def test_the_syntax_error_is_told_once_in_the_feedback(graded_class):
    out, _ = graded_class
    page = (out / "syntax" / "feedback.md").read_text()
    assert page.count("could not be loaded: invalid syntax") == 1
    assert "### Could not run: tasks 1, 2, 3, 4, 5, 6, 7 and 8 (19 points)" in page
    assert "### Task " not in page and "Python could not read the file" in page
    assert page.count("there is no learner file katas/autograd.py") == 1
    assert "### Could not run: tasks 1, 2, 3, 4, 5, 6, 7 and 8 (25 points)" in page


def test_a_kata_file_not_handed_in_is_left_out_of_that_katas_statistics(graded_class):
    out, _ = graded_class
    items = list(csv.DictReader((out / "item_analysis.csv").open()))
    by_kata = {kata: [r for r in items if r["kata"] == kata] for kata in ("tensors", "autograd")}
    assert {(r["students"], r["without_file"]) for r in by_kata["tensors"]} == {("2", "0")}
    assert {(r["students"], r["without_file"], r["most_common_failure"]) for r in by_kata["autograd"]} \
        == {("0", "2", "")}


def test_every_class_output_is_private(graded_class):
    out, _ = graded_class
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


# -- Gradescope ------------------------------------------------------------------------

def test_gradescope_run_shows_the_instructor_the_sandbox_level_and_the_seed_digest(tmp_path):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "source" / "torchkata-autograder.json").write_text(json.dumps(
        {"katas": ["tensors"], "budget": 120, "options": [f"--kata-seed={SECRET}", "--kata-timeout=5"]}))
    (root / "submission" / "tensors.py").write_text(stub_source("tensors") + "\ndef oops(:\n")
    done = torchkata("gradescope-run", "--root", str(root), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    results = json.loads((root / "results" / "results.json").read_text())
    level = results["extra_data"]["sandbox"]
    assert level in ("bwrap", "user", "none")
    assert results["extra_data"]["seed_digest"] == seed_digest(SECRET)
    assert f"sandbox {level}; seed digest {seed_digest(SECRET)}" in done.stdout  # the log, on stdout
    assert str(SECRET) not in done.stdout + json.dumps(results)
    assert results["output"].count("could not be loaded") == 1
    assert not LEARNER_COMMAND.search(done.stdout + json.dumps(results))
