"""Checking oneself from a notebook: ``tk.check``, ``tk.hint``, ``tk.solution``, ``%kata``.

Unit tests first (the kernel's cells, the places in messages, the HTML, the progress file);
then a few grading runs in a fresh process; then one real kernel (nbclient + ipykernel) that
runs a notebook through the whole learner's path, in one test so that a parallel run starts
it once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from notebook_kernel import kernel_spec

import pytest_torchkata.notebook as tk
from pytest_torchkata.cli.learner import cmd_hint
from pytest_torchkata.cli.workspace import solution_text, stub_text
from pytest_torchkata.i18n import set_language
from pytest_torchkata.notebook import cells, grading, magic, view
from pytest_torchkata.notebook.convert import definitions_only
from pytest_torchkata.reports import progress

NOT_STARTED = re.compile(r"not started</td>|^ +not started +\d", re.MULTILINE)  # a task's row, HTML or text
MISTAKE = ("return t.detach().cpu().numpy()", "return t.numpy()")  # tensors task 8, a classic


class FakeShell:
    def __init__(self, inputs: list[str]) -> None:
        self.user_ns = {"In": [""] + inputs}


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TORCHKATA_LANG", "TORCHKATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    set_language("en")


def _run(source: str) -> dict:
    """What the converted ``source`` defines, run here (a test may run it; the grader loads it)."""
    namespace: dict = {"RAN": []}
    exec(compile(source, "<converted>", "exec"), namespace)
    return namespace


# -- the kernel's cells --------------------------------------------------------------

def test_cells_are_labelled_by_execution_count_and_empty_ones_skipped() -> None:
    shell = FakeShell(["x = 1", "", "def f():\n    return 2"])
    assert cells.kernel_cells(shell) == [("cell [1]", "x = 1"), ("cell [3]", "def f():\n    return 2")]


def test_history_is_read_when_the_namespace_has_no_in_list() -> None:
    class HistoryOnly:
        user_ns: dict = {}

        class history_manager:
            input_hist_parsed = ["", "def g():\n    return 3"]

    assert cells.kernel_cells(HistoryOnly()) == [("cell [1]", "def g():\n    return 3")]


def test_the_last_definition_wins_and_top_level_runs_and_magics_are_dropped() -> None:
    shell = FakeShell([
        "get_ipython().run_line_magic('pip', 'install torch')",
        "def softmax(x):\n    return 'first'",
        "get_ipython().system('nvidia-smi')\nRAN.append('shell')",
        "for epoch in range(3):\n    RAN.append('training')\nprint('loss', 0.1)",
        "class Model:\n    size = 1",
        "def softmax(x):\n    return 'second'",
        "class Model:\n    size = 2",
        "LR = 0.1\nRAN.append('call')",
        "import pytest_torchkata.notebook as tk\ntk.check('tensors')",
    ])
    found = _run(definitions_only(cells.kernel_cells(shell)).source)
    assert found["softmax"](None) == "second"
    assert found["Model"].size == 2
    assert found["LR"] == 0.1
    assert found["RAN"] == []  # no training loop, shell line, print or check ran


def test_a_timed_cell_keeps_its_definitions_from_the_typed_history() -> None:
    shell = FakeShell(["get_ipython().run_cell_magic('time', '', 'def f():\\n    return 1\\n')"])
    shell.history_manager = type("History", (), {"input_hist_raw": ["", "%%time\ndef f():\n    return 1\n"]})
    assert _run(definitions_only(cells.kernel_cells(shell)).source)["f"]() == 1


def test_a_cell_that_does_not_parse_is_left_out_and_named() -> None:
    converted = definitions_only(cells.kernel_cells(FakeShell(["def f(:\n    pass", "def g():\n    return 1"])))
    assert [label for label, _ in converted.problems] == ["cell [1]"]
    assert _run(converted.source)["g"]() == 1


# -- places in messages --------------------------------------------------------------

def _report(message: str, where: str) -> dict:
    return {"katas": [{"name": "tensors", "tasks": [
        {"message": message, "checks": [{"message": message, "where": where}]}]}], "warnings": [message]}


@pytest.mark.parametrize("place", ["tensors.py:12 (softmax): return e / s",
                                   "/tmp/torchkata-check-ab12/tensors.py:12 (softmax): return e / s",
                                   'File "/tmp/torchkata-check-ab12/tensors.py", line 12, in softmax'])
def test_places_in_the_converted_file_name_the_learners_cell(place: str) -> None:
    converted = definitions_only([("cell [3]", "import torch"), ("cell [7]", "def softmax(x):\n    e = x.exp()\n"
                                                                            "    s = e.sum()\n    return e / s")])
    line = next(n for n, text in enumerate(converted.source.splitlines(), 1) if "return e / s" in text)
    report = _report(f"softmax went wrong (at {place.replace('12', str(line))})", place.replace("12", str(line)))
    grading.relabel(report, re.escape("tensors.py"), lambda n: converted.where(n))
    task = report["katas"][0]["tasks"][0]
    assert "cell [7], line 4, in softmax" in task["message"]
    assert "cell [7], line 4, in softmax" in task["checks"][0]["where"]
    assert "tensors.py" not in json.dumps(report)


def test_another_file_with_a_similar_name_is_left_as_it_is() -> None:
    report = _report("at my_tensors.py:3 (f) and tensors.py:99", "")
    grading.relabel(report, re.escape("tensors.py"), lambda n: None if n == 99 else "cell [1], line 1")
    assert report["katas"][0]["tasks"][0]["message"] == "at my_tensors.py:3 (f) and tensors.py:99"


# -- what the notebook shows ----------------------------------------------------------

HOSTILE = "<script>alert('x')</script> & <b>bold</b>\x1b[31m"


def _kata(status: str = "failed", message: str = HOSTILE, title: str = HOSTILE) -> dict:
    return {"name": "tensors", "title": "Tensors", "tasks": [
        {"number": 1, "title": title, "status": "passed", "score": 2, "max_score": 2, "message": "", "hint": "h1",
         "data": {}},
        {"number": 6, "title": "Softmax", "status": status, "score": 1, "max_score": 3, "message": message,
         "hint": HOSTILE, "data": {}}]}


def test_the_html_escapes_learner_text_and_the_text_has_no_control_characters() -> None:
    shown = view.check_view(_kata(), None, [HOSTILE], 1.5)
    page = shown._repr_html_()
    assert "<script>" not in page and "<b>bold" not in page
    assert "&lt;script&gt;" in page and "&amp;" in page
    assert "\x1b" not in page and "\x1b" not in repr(shown)
    assert "<script>alert('x')</script>" in repr(shown)  # plain text shows it as it is


def test_the_result_shows_points_the_message_the_first_hint_and_what_to_call_next() -> None:
    shown = view.check_view(_kata(message="softmax([1000.]) contains NaN", title="Tensors from lists"), None, [], 1)
    text = repr(shown)
    assert "tensors - Tensors: 3/5 points" in text
    assert "FAILED" in text and "softmax([1000.]) contains NaN" in text
    assert "Hint: <script>" in text and "tk.hint('tensors', 6)" in text
    assert "tk.hint(&#x27;tensors&#x27;, 6)" in shown._repr_html_()


def test_one_task_checked_shows_that_task_and_where_its_reference_is() -> None:
    kata = _kata(status="passed", message="")
    text = repr(view.check_view(kata, 6, [], 1))
    assert "Softmax" in text and "1. " not in text
    assert "tk.solution('tensors', 6)" in text


def test_a_loss_history_draws_a_curve_when_matplotlib_is_there() -> None:
    pytest.importorskip("matplotlib")
    kata = _kata()
    kata["tasks"][1]["data"] = {"loss_history": [1.0, 0.5, None, 0.25]}  # None: a loss that was not finite
    assert 'src="data:image/png;base64,' in view.check_view(kata, None, [], 1)._repr_html_()
    assert "<img" not in view.check_view(_kata(), None, [], 1)._repr_html_()


def test_chinese_titles_points_and_next_steps() -> None:
    set_language("zh")
    text = repr(view.check_view(_kata(message="出错了"), None, [], 1))
    assert "3/5 分" in text and "未通过" in text and "更多提示：tk.hint('tensors', 6)" in text


# -- the progress file, hints and solutions ------------------------------------------

def test_a_graded_run_is_merged_into_the_workspace_keeping_hints_seen_meanwhile(tmp_path: Path) -> None:
    workspace, run = tmp_path / "katas", tmp_path / "run"
    progress.save(run, {"tensors": {"softmax": {"status": "passed", "score": 3.0, "max_score": 3.0,
                                                "solved": True, "hints_seen": 0}}})
    progress.save(workspace, {"tensors": {"softmax": {"hints_seen": 2}}, "autograd": {"grad": {"hints_seen": 1}}})
    grading._merge_progress(run, workspace, "tensors")
    found = progress.load(workspace)
    assert found["tensors"]["softmax"] == {"status": "passed", "score": 3.0, "max_score": 3.0, "solved": True,
                                           "hints_seen": 2}
    assert found["autograd"] == {"grad": {"hints_seen": 1}}


def test_hints_go_one_level_further_each_call_in_the_clis_progress_file(tmp_path, capsys) -> None:
    first = repr(tk.hint("tensors", "softmax", kata_dir=tmp_path))
    assert "hint 1 of" in first and "tk.hint('tensors', 6) (level 2)" in first
    cmd_hint("tensors", ["6"], None, tmp_path, "en")  # the terminal continues where the notebook stopped
    assert "hints 1 to 2" in capsys.readouterr().out
    last = repr(tk.hint("tensors", 6, kata_dir=tmp_path))
    assert "hints 1 to 2 of 2" in last and "That was the last level" in last
    assert progress.hints_seen(progress.load(tmp_path), "tensors", "softmax") == 2


def test_the_reference_waits_until_the_task_passed(tmp_path: Path) -> None:
    before = repr(tk.solution("tensors", 6, kata_dir=tmp_path))
    assert "has not passed" in before and "amax" not in before
    progress.save(tmp_path, {"tensors": {"softmax": {"status": "passed", "solved": True}}})
    assert "amax" in repr(tk.solution("tensors", 6, kata_dir=tmp_path))


def test_what_the_learner_typed_wrong_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    assert "Did you mean 'tensors'" in repr(tk.hint("tensorz", kata_dir=tmp_path))
    assert "has no task" in repr(tk.check("tensors", "no such task", shell=FakeShell([]), kata_dir=tmp_path))
    assert "source=" in repr(tk.check("tensors", shell=None, kata_dir=tmp_path))  # no kernel here
    assert "define nothing" in repr(tk.check("tensors", shell=FakeShell(["print(1)"]), kata_dir=tmp_path))
    assert "not valid JSON" in repr(tk.check("tensors", source=_write(tmp_path / "x.ipynb", "{"), kata_dir=tmp_path))


def test_a_failure_of_ours_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(grading, "grade", full_disk)
    shown = repr(tk.check("tensors", shell=FakeShell(["def f():\n    pass"]), kata_dir=tmp_path))
    assert shown == "torchkata could not do this: OSError: [Errno 28] No space left on device"


def test_the_kata_magic_reads_a_kata_task_words_and_options() -> None:
    assert magic.parse("tensors numpy bridge --lang zh --isolate") == (
        "tensors", ["numpy", "bridge"], {"lang": "zh", "isolate": True})
    assert magic.parse("  ") is None


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- grading in a fresh process (each run imports torch: a few seconds) ---------------

def test_kernel_cells_are_graded_without_touching_the_learners_file(tmp_path: Path) -> None:
    workspace = tmp_path / "katas"
    workspace.mkdir()
    mine = _write(workspace / "tensors.py", "# my own work\n")
    shell = FakeShell([stub_text("tensors"), "tk.check('tensors')"])
    text = repr(tk.check("tensors", shell=shell, kata_dir=workspace))
    assert "0/19 points" in text and len(NOT_STARTED.findall(text)) == 8
    assert mine.read_text() == "# my own work\n"
    assert progress.load(workspace)["tensors"]["softmax"]["status"] == "not_started"


def test_a_notebook_file_is_graded_and_its_cells_named(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Tensors"),
                      nbformat.v4.new_code_cell("!pip install pytest-torchkata\n%matplotlib inline"),
                      nbformat.v4.new_code_cell(solution_text("tensors").replace(*MISTAKE), execution_count=4),
                      nbformat.v4.new_code_cell("def broken(:\n    pass", execution_count=5)]
    path = tmp_path / "tensors.ipynb"
    nbformat.write(notebook, str(path))
    text = repr(tk.check("tensors", "numpy bridge", source=path, kata_dir=tmp_path / "katas", lang="zh"))
    assert "1.33/2 分" in text and "`.detach()`" in text
    assert re.search(r"单元格 \[4\] 第 \d+ 行，to_numpy 中", text), text
    assert "单元格 [5] 被跳过" in text  # a cell that does not parse costs only what depends on it
    assert "tensors.py" not in text


def test_the_warm_helper_and_a_fresh_process_grade_alike_and_a_dead_helper_is_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_torchkata.notebook import warm

    monkeypatch.setenv("PYTEST_ADDOPTS", "--kata-seed=not-a-number")  # the kernel's: not the grade's
    shell = FakeShell([solution_text("tensors").replace(*MISTAKE)])

    def checked() -> str:
        return re.sub(r"\(\d+(\.\d+)? s\)", "", tk.check("tensors", shell=shell, kata_dir=tmp_path)._repr_html_())

    warm_result = checked()
    assert "18.33/19 points" in warm_result
    if warm.available():
        assert warm._helper is not None and warm._helper.poll() is None
        warm._helper.kill()  # a helper gone (killed, out of memory): the next check starts another
        warm._helper.wait()
        assert checked() == warm_result
    monkeypatch.setenv("TORCHKATA_NOTEBOOK_WARM", "0")
    assert checked() == warm_result


# -- a real kernel ----------------------------------------------------------------------

def _outputs(cell) -> str:
    found = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        found.append(data.get("text/html") or data.get("text/plain") or output.get("text", "")
                     or "\n".join(output.get("traceback", [])))
    return "\n".join(found)


def test_a_real_kernel_checks_hints_and_shows_the_solution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="the real-kernel test needs nbclient (the dev extra)")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel", reason="the real-kernel test needs ipykernel (the dev extra)")
    kernel_spec(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    reference = solution_text("tensors")
    sources = [
        "import pytest_torchkata.notebook as tk",
        stub_text("tensors"),
        "tk.check('tensors')",  # 3: every task not started
        reference.replace(*MISTAKE),
        "for step in range(3):\n    print('training', step)",  # a top-level loop: runs here, not in the grade
        "tk.check('tensors')",  # 6: the mistake, named, in its cell
        "tk.check('tensors', 'numpy bridge', lang='zh')",  # 7: the same in Chinese
        "def to_numpy(t):\n    return t.detach().cpu().numpy()",
        "%load_ext pytest_torchkata\n%kata tensors",  # 9: full marks
        "tk.hint('tensors', 8)",
        "tk.solution('tensors', 8)",
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    work = tmp_path / "work"
    work.mkdir()
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(work)}})
    client.execute()
    out = {n: _outputs(cell) for n, cell in enumerate(notebook.cells, start=1)}
    assert "0/19 points" in out[3] and len(NOT_STARTED.findall(out[3])) == 8, out[3]
    assert "18.33/19 points" in out[6] and "`.detach()`" in out[6], out[6]
    assert re.search(r"cell \[4\], line \d+, in to_numpy", out[6]), out[6]
    assert "tmp" not in re.sub(r"<[^>]*>", "", out[6]).lower() and "tensors.py" not in out[6]
    assert "1.33/2 分" in out[7] and "单元格 [4]" in out[7], out[7]
    assert "19/19 points" in out[9] and "All tasks passed" in out[9], out[9]
    assert "hint 1 of" in out[10], out[10]
    assert "detach().cpu().numpy()" in out[11] and "has not passed" not in out[11], out[11]
    found = progress.load(work / "katas")["tensors"]
    assert found["numpy_bridge"]["solved"] is True and found["numpy_bridge"]["hints_seen"] == 1
    assert not (work / "katas" / "tensors.py").exists()


def test_a_notebook_check_hands_the_kata_packs_plugins_to_its_grading_run(monkeypatch, tmp_path):
    """Plugin autoloading is off in a notebook's grading run, so an installed kata pack's plugin
    must be named for its katas to be graded there (as ``torchkata grade`` hands them over)."""
    import types

    from pytest_torchkata.notebook import grading

    pack = types.ModuleType("torchkata_pack_example.plugin")
    monkeypatch.setattr("pytest_torchkata.registry.installed",
                        lambda: types.SimpleNamespace(plugins=[pack], problems=[]))
    command = grading.pytest_command("norms", tmp_path, "en", None, False)
    at = command.index("torchkata_pack_example.plugin")
    assert command[at - 1] == "-p" and command.index("pytest_torchkata.plugin") < at
