"""Bad learner input gets a clear message, never a traceback from the plugin."""

import json

import mini_kata
import pytest


def graded(pytester, learner, *args):
    mini_kata.setup(pytester, learner)
    result = pytester.runpytest("--kata=mini", "--kata-report=r.json", "-p", "no:cacheprovider", *args)
    report = json.loads((pytester.path / "r.json").read_text())
    return result, {t["id"]: t for t in report["katas"][0]["tasks"]}


def test_syntax_error_names_the_line_for_every_task(pytester):
    result, tasks = graded(pytester, "def double(x)\n    return x * 2\n")
    for task in tasks.values():
        assert task["status"] == "error"
        assert "mini.py could not be loaded" in task["message"]
        assert "line 1" in task["message"] or "mini.py:1" in task["message"]
    assert "Traceback" not in result.stdout.str()


SWALLOWED = "try:\n        return torch.add(a, b)\n    except Exception:\n        return a + b"


@pytest.mark.parametrize("old, new, task, status, says", [
    ("return x * 2", "return [1, 2]", "double", "failed",
     "double(x) should return a tensor, but returned a list of 2"),
    ("return x * 2", "y = x * 2", "double", "failed", "is a `return` missing?"),
    ("def add(", "def plus(", "add", "error", "has no `add`"),
    ("return a + b", "return torch.add(a, b)", "add", "failed",
     "`add` called `torch.add`, which this task rules out: use the + operator"),
    ("return a + b", SWALLOWED, "add", "failed", "torch.add"),
], ids=["wrong_return_type_is_named", "missing_return_is_suggested", "missing_function_may_have_been_renamed",
        "forbidden_call_says_which_and_why", "forbidden_call_caught_even_when_the_learner_swallows_it"])
def test_a_mistake_in_one_function_is_named_in_its_task(pytester, old, new, task, status, says):
    _, tasks = graded(pytester, mini_kata.SOLUTION.replace(old, new))
    assert tasks[task]["status"] == status
    assert says in tasks[task]["message"]


def test_learner_exception_shows_the_line_and_a_hint(pytester):
    learner = mini_kata.SOLUTION.replace("return x * 2", "return x.view(-1, 3)")
    result, tasks = graded(pytester, learner)
    task = tasks["double"]
    assert task["status"] == "failed"
    assert "`double` raised RuntimeError" in task["message"]
    assert "mini.py:5 (double): return x.view(-1, 3)" in task["message"]
    result.stdout.fnmatch_lines(["*Task 1 (Double a tensor), check test_doubles_floats:*"])
    assert "site-packages" not in result.stdout.str()


def test_torch_message_is_mapped_to_a_hint(pytester):
    learner = mini_kata.SOLUTION.replace(
        "return x * 2", "y = x * 2\n    y.backward()\n    return y")
    _, tasks = graded(pytester, learner)
    assert "reduce with `.sum()`" in tasks["double"]["hint"] or "does not require grad" in tasks["double"]["message"]


def test_not_started_is_not_a_failure_in_the_output(pytester):
    result, tasks = graded(pytester, mini_kata.STUB)
    assert {t["status"] for t in tasks.values()} == {"not_started"}
    result.assert_outcomes(skipped=3)
    assert result.ret == 1


def test_breakpoint_left_in_the_file_is_skipped_with_a_warning(pytester):
    learner = mini_kata.SOLUTION.replace("return x * 2", "breakpoint()\n    return x * 2")
    result, tasks = graded(pytester, learner)
    assert tasks["double"]["status"] == "passed"
    said = " ".join(result.stdout.str().split())  # the warning is wrapped at the terminal's width
    assert "Warning: mini.py line 5 has breakpoint(): grading skips it (to stop there, run pytest with -s)" in said
    assert "would stop" not in result.stdout.str()


def test_endless_loop_at_import_is_stopped_in_process(pytester):
    result, tasks = graded(pytester, "while True:\n    pass\n" + mini_kata.SOLUTION, "--kata-timeout=0.5")
    for task in tasks.values():
        assert task["status"] == "error"
        assert "still running after 0.5 s" in task["message"]


def test_debugger_calls_are_found_in_code_but_not_in_strings_or_comments():
    from pytest_torchkata.plugin import debugger_calls

    source = ('"""call breakpoint() to stop"""\n# pdb.set_trace()\n'
              "def f():\n    breakpoint()\n    import pdb; pdb.set_trace()\n    obj.breakpoint()\n")
    assert debugger_calls(source) == [(4, "breakpoint()"), (5, "pdb.set_trace()")]


def test_summary_says_when_some_tasks_were_skipped(pytester):
    checks = mini_kata.CHECKS.replace(
        "    def test_adds(self, kata):\n",
        "    def test_adds(self, kata):\n        import pytest; pytest.skip('needs data')\n")
    pytester.makepyfile(checks_mini=checks, conftest=mini_kata.CONFTEST)
    (pytester.path / "katas").mkdir()
    (pytester.path / "katas" / "mini.py").write_text(mini_kata.SOLUTION)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["  All graded tasks passed; 1 skipped (see above)."])
    assert result.ret == 0
