"""Katas as notebooks (``torchkata init --notebooks``): every kata's notebook in both languages
is valid nbformat, its code cells are the stub (every function and class, nothing lost, nothing
run at import), each task is checked once, and one real kernel (nbclient + ipykernel) runs the
generated ``tensors`` notebook: the stub as written (every task not started), then the reference
code pasted into each task's cell (full marks).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest
from notebook_kernel import kernel_spec

from pytest_torchkata.authoring.notebooks import notebook_text
from pytest_torchkata.authoring.stubs import solution_blocks
from pytest_torchkata.cli.learner import cmd_init
from pytest_torchkata.cli.workspace import (
    curriculum,
    load_kata,
    solution_text,
    stub_text,
)
from pytest_torchkata.i18n import set_language

nbformat = pytest.importorskip("nbformat", reason="notebooks need nbformat (the notebook extra)")

LANGS = ["en", "zh"]
TODO = re.compile(r'^(?P<indent>[ \t]*)# TODO\(task (?P<n>\d+)\): write this part\n[ \t]*raise NotImplementedError\(.*\)\n',
                  re.MULTILINE)


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TORCHKATA_LANG", "TORCHKATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    set_language("en")


def _notebook(name: str, lang: str = "en"):
    return nbformat.reads(notebook_text(name, lang), as_version=4)


def _role(cell) -> str:
    return cell.metadata.get("torchkata", "")


def _top_level_names(source: str) -> list[str]:
    return [n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", curriculum())
def test_every_kata_notebook_is_valid_and_holds_its_stub(name: str, lang: str) -> None:
    notebook = _notebook(name, lang)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4 and notebook.cells[0].cell_type == "code" and _role(notebook.cells[0]) == "install"
    code = "\n\n".join(c.source for c in notebook.cells if _role(c) in ("setup", "code"))
    compile(code, f"{name}.ipynb", "exec")
    assert _top_level_names(code) == _top_level_names(stub_text(name, lang))  # same definitions, same order
    assert "__main__" not in code  # a script's main block would run in a notebook
    checks = [c.source for c in notebook.cells if _role(c) == "check"]
    assert checks == [f'tk.check("{name}", {t.number})' for t in load_kata(name).tasks]
    headings = "\n".join(c.source for c in notebook.cells if _role(c) == "task")
    for task in load_kata(name).tasks:
        title = task.title_text.get(lang)
        assert title in headings, title
    assert notebook.metadata["torchkata"] == {"kata": name, "lang": lang}


@pytest.mark.parametrize("lang", LANGS)
def test_the_first_cell_installs_only_when_missing_names_the_mirror_and_imports_tk(lang: str) -> None:
    first = _notebook("tensors", lang).cells[0].source
    tree = ast.parse(first)  # plain Python: a kernel without the package runs it as it is
    guard = next(n for n in tree.body if isinstance(n, ast.If))
    assert "find_spec" in ast.unparse(guard.test) and "pip" in ast.unparse(guard.body[0])
    assert "pypi.tuna.tsinghua.edu.cn/simple" in first and "pytest-torchkata[notebook]" in first
    assert first.rstrip().endswith("import pytest_torchkata.notebook as tk")
    mnist = _notebook("mnist", lang).cells[0].source
    assert "TORCHKATA_DATA" in mnist and "MNIST/raw/" in mnist and "TORCHKATA_DATA" not in first
    assert ('os.environ.setdefault("TORCHKATA_LANG", "zh")' in first) == (lang == "zh")


def test_task_cells_speak_the_notebooks_language_with_points_and_the_contract() -> None:
    en = [c.source for c in _notebook("tensors", "en").cells if _role(c) == "task"]
    zh = [c.source for c in _notebook("tensors", "zh").cells if _role(c) == "task"]
    assert en[0].startswith("## Task 1: Tensors from lists and NumPy (2 points)\n")
    assert "`from_list(data: list) -> torch.Tensor`" in en[0] and "float32" in en[0]
    assert zh[0].startswith("## 任务 1：") and "（2 分）" in zh[0] and "[zh]" not in zh[0]
    assert "沿 `dim` 把 exp(x) 归一化" in zh[5] and "Softmax along" not in zh[5]  # the contract, in Chinese
    mnist = [c.source for c in _notebook("mnist").cells if _role(c) == "task"]
    assert mnist[0].count("## Task") == 2  # Net holds tasks 1 and 2: one cell, both headings


def test_init_notebooks_writes_every_kata_and_never_overwrites(tmp_path: Path, capsys) -> None:
    mine = tmp_path / "katas" / "tensors.ipynb"
    mine.parent.mkdir()
    mine.write_text("my work", encoding="utf-8")
    assert cmd_init(tmp_path, force=False, lang="zh", notebooks=True) == 0
    written = sorted(p.name for p in (tmp_path / "katas").iterdir())
    assert written == sorted(f"{n}.ipynb" for n in curriculum())
    assert mine.read_text(encoding="utf-8") == "my work"
    assert json.loads((tmp_path / "katas" / "autograd.ipynb").read_text(encoding="utf-8"))["metadata"][
        "torchkata"]["lang"] == "zh"
    assert "tensors.ipynb" in capsys.readouterr().out


def test_the_command_line_flag_writes_notebooks_in_chinese(tmp_path: Path, capsys) -> None:
    from pytest_torchkata.cli import main

    assert main(["init", "--notebooks", str(tmp_path), "--lang", "zh"]) == 0
    assert not list((tmp_path / "katas").glob("*.py"))  # the notebook is the learner file: no .py to shadow it
    notebook = nbformat.read(tmp_path / "katas" / "tensors.ipynb", as_version=4)
    assert notebook.cells[1].source.startswith("# tensors: 张量") and "下一步" in capsys.readouterr().out


def test_without_nbformat_init_notebooks_says_what_to_install(tmp_path: Path, monkeypatch, capsys) -> None:
    from pytest_torchkata.cli import main

    monkeypatch.setitem(sys.modules, "nbformat", None)  # import nbformat -> ImportError
    assert main(["init", "--notebooks", str(tmp_path)]) != 0
    assert 'pip install "pytest-torchkata[notebook]"' in capsys.readouterr().err
    assert not (tmp_path / "katas").exists()


# -- a real kernel ----------------------------------------------------------------------

def _outputs(cell) -> str:
    found = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        found.append(data.get("text/plain") or output.get("text", "") or "\n".join(output.get("traceback", [])))
    return "\n".join(found)


def _solved(cell_source: str, blocks: dict[str, list[str]], kata) -> str:
    """A task's stub cell with each TODO replaced by the next reference block of its task."""
    def paste(found: re.Match) -> str:
        return blocks[kata.tasks[int(found["n"]) - 1].id].pop(0)

    return TODO.sub(paste, cell_source + "\n").rstrip("\n")


def test_a_real_kernel_runs_the_generated_notebook_stub_then_solved(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="the real-kernel test needs nbclient (the dev extra)")
    pytest.importorskip("ipykernel", reason="the real-kernel test needs ipykernel (the dev extra)")
    kernel_spec(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    kata = load_kata("tensors")
    reference = solution_text("tensors")
    blocks = {t.id: solution_blocks(reference, t.id) for t in kata.tasks}
    notebook = _notebook("tensors")
    stub_cells = list(notebook.cells)
    solved_cells = []  # the same task and check cells, the references pasted in: run after the stub's
    for cell in stub_cells:
        if _role(cell) in ("code", "check"):
            copy = nbformat.v4.new_code_cell(_solved(cell.source, blocks, kata))
            copy.metadata["torchkata"] = _role(cell) + "-solved"
            solved_cells.append(copy)
    assert all(not left for left in blocks.values())  # every reference block found its TODO
    whole = nbformat.v4.new_code_cell('tk.check("tensors")')
    whole.metadata["torchkata"] = "whole"
    chinese = _notebook("tensors", "zh")  # its first cell makes the same check cell speak Chinese
    zh_cells = [chinese.cells[0], next(c for c in chinese.cells if _role(c) == "check")]
    for cell in zh_cells:
        cell.metadata["torchkata"] = "zh-" + _role(cell)
    notebook.cells = stub_cells + solved_cells + [whole] + zh_cells
    work = tmp_path / "work"
    work.mkdir()
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(work)}})
    client.execute()
    errors = [_outputs(c) for c in notebook.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert not errors, errors[0]
    stub_checks = [_outputs(c) for c in notebook.cells if _role(c) == "check"]
    assert len(stub_checks) == len(kata.tasks)
    for number, out in enumerate(stub_checks, start=1):  # each check cell shows its own task, not started
        assert re.search(rf"^ +not started +{number}\. ", out, re.MULTILINE), out
        assert re.search(r"at cell \[\d+\], line \d+", out), out  # the learner's cell, no temp file
    solved_checks = [_outputs(c) for c in notebook.cells if _role(c) == "check-solved"]
    assert len(solved_checks) == len(kata.tasks)
    for number, out in enumerate(solved_checks, start=1):
        assert re.search(rf"^ +passed +{number}\. ", out, re.MULTILINE) and f"Task {number} passed" in out, out
    total = sum(int(t.points) for t in kata.tasks)
    assert f"{total}/{total} points" in _outputs(notebook.cells[-3]), _outputs(notebook.cells[-3])
    assert "2/2 分" in _outputs(notebook.cells[-1]) and "points" not in _outputs(notebook.cells[-1]), \
        _outputs(notebook.cells[-1])
