"""A kata handed in as ``NAME.ipynb`` is graded where ``NAME.py`` would be, without a kernel:
its cells are parsed, their definitions loaded like a kata file, messages cite the cells,
and a bad notebook costs only its kata."""

from __future__ import annotations

import ast
import json
import sys

import pytest
from kata_testing import solution_source, stub_source

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("IPython")

MODES = pytest.mark.parametrize("mode", [[], ["--kata-isolate"]], ids=["in-process", "isolated"])
CHATTY = "%matplotlib inline\n!pip install torch\nprint(softmax(torch.ones(3), 0))\n"


def cells_of(source: str) -> list[str]:
    """``source`` cut into cells as a learner would: the imports, then one cell per def/class."""
    lines = source.splitlines()
    starts = [0] + [min([n.lineno] + [d.lineno for d in n.decorator_list]) - 1
                    for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    return ["\n".join(lines[a:b]) for a, b in zip(starts, starts[1:] + [len(lines)])]


def notebook(cells: list[str]) -> str:
    """A notebook whose code cell k ran k-th (``cell [k]``), a Markdown cell before each."""
    nb = nbformat.v4.new_notebook()
    for count, code in enumerate(cells, start=1):
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## Part {count}"))
        nb.cells.append(nbformat.v4.new_code_cell(code, execution_count=count))
    return nbformat.writes(nb)


def grade(pytester, files: dict, *args: str, kata: str = "tensors"):
    for name, content in files.items():
        path = pytester.path / "katas" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    report = pytester.path / "report.json"
    result = pytester.runpytest(f"--kata={kata}", "--kata-dir=katas", f"--kata-report={report}",
                                "-p", "no:cacheprovider", *args)
    return result, json.loads(report.read_text(encoding="utf-8"))


def tasks(report, kata="tensors") -> dict:
    found = next(k for k in report["katas"] if k["name"] == kata)
    return {t["id"]: t for t in found["tasks"]}


def cell_of(cells: list[str], text: str) -> tuple[int, int]:
    """(execution count, line in its cell) of the line holding ``text``."""
    for count, code in enumerate(cells, start=1):
        for line, content in enumerate(code.splitlines(), start=1):
            if text in content:
                return count, line
    raise AssertionError(text)


@MODES
def test_a_solved_notebook_gets_full_marks(pytester, mode):
    result, report = grade(pytester, {"tensors.ipynb": notebook(cells_of(solution_source("tensors")) + [CHATTY])},
                           *mode)
    assert report["score"] == report["max_score"] == 19
    assert result.ret == 0


def test_a_stub_notebook_is_not_started(pytester):
    _, report = grade(pytester, {"tensors.ipynb": notebook(cells_of(stub_source("tensors")))})
    assert {t["status"] for t in tasks(report).values()} == {"not_started"}


@MODES
def test_a_mistake_names_the_notebook_cell_never_a_generated_file(pytester, mode):
    wrong = "return e / e.sum(dim=dim + 7, keepdim=True)"
    cells = cells_of(solution_source("tensors").replace("return e / e.sum(dim=dim, keepdim=True)", wrong))
    result, report = grade(pytester, {"tensors.ipynb": notebook(cells)}, *mode)
    count, line = cell_of(cells, wrong)
    softmax = tasks(report)["softmax"]
    assert softmax["status"] == "failed"
    assert f"katas/tensors.ipynb, cell [{count}], line {line} (softmax)" in softmax["message"]
    output = result.stdout.str()
    assert f"at katas/tensors.ipynb, cell [{count}], line {line} (softmax)" in output
    assert "torchkata-notebooks" not in output + json.dumps(report) and "tensors.py" not in output
    assert report["score"] == 16


def test_a_cell_that_does_not_parse_is_said_once_and_costs_only_what_it_defines(pytester):
    cells = cells_of(solution_source("tensors"))
    count, _ = cell_of(cells, "def softmax(")
    cells[count - 1] += "\n    oops = (\n"
    result, report = grade(pytester, {"tensors.ipynb": notebook(cells)})
    softmax = tasks(report)["softmax"]
    assert softmax["score"] == 0 and f"cell [{count}] does not parse (line" in softmax["message"]
    assert "so `softmax` was left out" in softmax["message"]
    assert [t["status"] for i, t in tasks(report).items() if i != "softmax"] == ["passed"] * 7
    said = [w for w in report["warnings"] if "does not parse" in w]
    assert len(said) == 1 and f"cell [{count}]" in said[0]


def test_top_level_cells_never_run_in_a_notebook(pytester, tmp_path):
    marker = tmp_path / "ran"
    hostile = [f"open({str(marker)!r}, 'w').write('ran')\n",
               "open('report.json', 'w').write('{\"score\": 99}')\n",
               "import os\nos._exit(0)\n", "while True:\n    pass\n"]
    _, report = grade(pytester, {"tensors.ipynb": notebook(cells_of(solution_source("tensors")) + hostile)},
                      "--kata-isolate")
    assert report["score"] == report["max_score"] == 19 and not marker.exists()


@pytest.mark.parametrize("body", ["import os\n    os._exit(0)", "while True:\n        pass",
                                  "open('report.json', 'w').write('{}')\n    return x"])
def test_hostile_code_in_a_function_acts_as_in_a_py_file(pytester, body):
    source = mutate_softmax(body)
    _, as_py = grade(pytester, {"tensors.py": source}, "--kata-isolate", "--kata-timeout=2")
    (pytester.path / "katas" / "tensors.py").unlink()
    _, as_nb = grade(pytester, {"tensors.ipynb": notebook(cells_of(source))}, "--kata-isolate", "--kata-timeout=2")
    assert ({i: (t["status"], t["score"]) for i, t in tasks(as_nb).items()}
            == {i: (t["status"], t["score"]) for i, t in tasks(as_py).items()})
    assert tasks(as_nb)["softmax"]["score"] == 0 and tasks(as_nb)["create"]["status"] == "passed"


def mutate_softmax(body: str) -> str:
    old = "    # BEGIN SOLUTION softmax"
    source = solution_source("tensors")
    assert source.count(old) == 1
    return source.replace(old, f"    {body}\n{old}")


BAD = {
    "not-json": (b"{\"cells\": [", "is not a notebook: its content is not valid JSON"),
    "old-format": (json.dumps({"nbformat": 2, "nbformat_minor": 0, "metadata": {}, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "x = 1"}]}]}).encode(), "is in notebook format version 2"),
    "no-cells": (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode(), "is not a notebook: it has no list of cells"),
    "words-only": (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# my answers"}]}).encode(), "has no code cell"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_notebook_costs_only_its_kata(pytester, case):
    content, says = BAD[case]
    result, report = grade(pytester, {"tensors.ipynb": content, "functions.py": solution_source("functions")},
                           kata="tensors,functions")
    functions = next(k for k in report["katas"] if k["name"] == "functions")
    assert functions["score"] == functions["max_score"] > 0
    assert {t["status"] for t in tasks(report).values()} == {"error"}
    assert all(f"katas/tensors.ipynb {says}" in t["message"] for t in tasks(report).values())
    assert result.stdout.str().count(says) >= 1 and "Traceback" not in result.stdout.str()


def test_a_notebook_of_200_mb_is_refused_by_its_size_in_chinese_too(pytester):
    folder = pytester.path / "katas"
    folder.mkdir()
    with open(folder / "tensors.ipynb", "wb") as fh:
        fh.truncate(200 * 2**20)  # sparse: reading it would take 200 MB
    _, report = grade(pytester, {}, "--kata-lang=zh")
    assert all("katas/tensors.ipynb：有 200 MB，超过 notebook 的上限 20 MB" in t["message"]
               for t in tasks(report).values())


def test_the_py_file_wins_over_a_notebook_beside_it_and_a_note_says_so(pytester):
    _, report = grade(pytester, {"tensors.py": solution_source("tensors"),
                                 "tensors.ipynb": notebook(cells_of(stub_source("tensors")))})
    assert report["score"] == 19
    assert any("tensors.py and tensors.ipynb are both there: tensors.py was graded" in w
               for w in report["warnings"])


def test_without_nbformat_a_notebook_names_the_extra_to_install(pytester, monkeypatch):
    written = notebook(cells_of(solution_source("tensors")))
    monkeypatch.setitem(sys.modules, "nbformat", None)  # import nbformat raises ImportError
    _, report = grade(pytester, {"tensors.ipynb": written})
    assert all('pip install "pytest-torchkata[notebook]"' in t["message"] for t in tasks(report).values())


# -- torchkata grade: notebooks in a class -------------------------------------------------

WRONG = ("return e / e.sum(dim=dim, keepdim=True)", "return e / e.sum(dim=dim + 7, keepdim=True)")


def test_a_class_of_notebooks_gets_the_totals_of_the_same_code_in_py_files(tmp_path):
    import csv
    import subprocess
    import zipfile

    from kata_testing import ROOT

    klass = tmp_path / "class"
    versions = {"ref": solution_source("tensors"), "stub": stub_source("tensors"),
                "wrong": solution_source("tensors").replace(*WRONG)}
    for name, source in versions.items():
        (klass / f"py_{name}" / "katas").mkdir(parents=True)
        (klass / f"py_{name}" / "katas" / "tensors.py").write_text(source)
        (klass / f"nb_{name}" / "katas").mkdir(parents=True)
        (klass / f"nb_{name}" / "katas" / "tensors.ipynb").write_text(notebook(cells_of(source)))
        with zipfile.ZipFile(klass / f"zip_{name}.zip", "w") as zf:
            zf.writestr(f"zip_{name}/tensors.ipynb", notebook(cells_of(source)))
    (klass / "big" / "katas").mkdir(parents=True)
    with open(klass / "big" / "katas" / "tensors.ipynb", "wb") as fh:
        fh.truncate(200 * 2**20)
    out = tmp_path / "grades"
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "grade", str(klass), "--out", str(out),
                           "--kata=tensors", "--jobs=2", "--kata-timeout", "2"], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    assert done.returncode == 0, done.stdout
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    totals = {name: float(row["total"]) for name, row in rows.items()}
    for name in versions:
        assert totals[f"py_{name}"] == totals[f"nb_{name}"] == totals[f"zip_{name}"], totals
    assert totals["py_ref"] == 19 and totals["py_wrong"] == 16 and totals["big"] == 0
    count, line = cell_of(cells_of(versions["wrong"]), WRONG[1])
    report = json.loads((out / "nb_wrong" / "report.json").read_text(encoding="utf-8"))
    assert f"katas/tensors.ipynb, cell [{count}], line {line} (softmax)" in tasks(report)["softmax"]["message"]
    feedback = (out / "nb_wrong" / "feedback.md").read_text(encoding="utf-8")
    assert f"katas/tensors.ipynb, cell \\[{count}\\], line {line}" in feedback
    assert "torchkata-notebooks" not in feedback + json.dumps(report)
    big = json.loads((out / "big" / "report.json").read_text(encoding="utf-8"))
    assert all("over the 20 MB a notebook may have" in t["message"] for t in big["katas"][0]["tasks"])


def test_prepare_takes_a_huge_notebook_by_its_size_alone(tmp_path, monkeypatch):
    from pathlib import Path

    from pytest_torchkata.cli.submissions import Submission, fingerprint, lay_out, prepare

    student = tmp_path / "alice" / "katas"
    student.mkdir(parents=True)
    with open(student / "tensors.ipynb", "wb") as fh:
        fh.truncate(200 * 2**20)
    (student / "functions.ipynb").write_text(notebook(["x = 1"]))
    sub = Submission("alice", tmp_path / "alice")
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: pytest.fail("read") if p.name == "tensors.ipynb" else real(p))
    prepare(sub, tmp_path / "staging", ["tensors", "functions"])
    assert not sub.problem and sub.oversize == {"tensors.ipynb": 200 * 2**20}
    assert sub.kata_rel == "katas" and sub.files["functions.ipynb"].startswith(b"{")
    folder = lay_out(sub, tmp_path / "work")
    assert (folder / "tensors.ipynb").stat().st_size == 200 * 2**20
    smaller = Submission("alice", sub.source, "katas", dict(sub.files), oversize={"tensors.ipynb": 21 * 2**20})
    assert fingerprint(sub, []) != fingerprint(smaller, [])


def test_run_autograder_grades_a_notebook_submission(tmp_path):
    import os
    import shutil
    import subprocess

    from kata_testing import ROOT

    pytest.importorskip("hatchling.build")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    built = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "gradescope", str(tmp_path / "ag"),
                            "--kata=tensors", "--budget=120", "--kata-timeout=5"],
                           env=env, cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    root = tmp_path / "root"
    shutil.copytree(tmp_path / "ag" / "autograder", root / "source")
    (root / "submission").mkdir(parents=True)
    cells = cells_of(solution_source("tensors").replace(*WRONG))
    (root / "submission" / "tensors.ipynb").write_text(notebook(cells))
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          env={**env, "TORCHKATA_AUTOGRADER_ROOT": str(root), "TORCHKATA_PYTHON": sys.executable},
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 16 and len(results["tests"]) == 8
    count, line = cell_of(cells, WRONG[1])
    softmax = next(t for t in results["tests"] if "softmax" in t["name"] and "log" not in t["name"])
    assert f"(at tensors.ipynb, cell \\[{count}\\], line {line} (softmax)" in softmax["output"]
