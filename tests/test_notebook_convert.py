"""Notebook cells become plain Python holding their definitions, by parsing alone: magics and
``!`` lines through IPython's transformer, top-level statements dropped, cells cited back."""

from __future__ import annotations

import json

import pytest

nbformat = pytest.importorskip("nbformat")

from pytest_torchkata.notebook.convert import (  # noqa: E402
    MAX_BYTES, NotebookProblem, convert_file, definitions_only, keeps, read_notebook, transform)


def write_notebook(path, cells, counts=True):
    nb = nbformat.v4.new_notebook()
    for i, code in enumerate(cells, start=1):
        if code.startswith("#md "):
            nb.cells.append(nbformat.v4.new_markdown_cell(code[4:]))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(code, execution_count=i if counts else None))
    nbformat.write(nb, str(path))
    return path


def run(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "<converted>", "exec"), namespace)
    return namespace


def test_magics_and_shell_lines_are_turned_by_ipython_and_dropped():
    cells = [("cell [1]", transform("%matplotlib inline\n!pip install torch\nimport math\n"
                                    "%time x = 1\nRATE = 0.1\n"))]
    converted = definitions_only(cells)
    namespace = run(converted.source)
    assert namespace["RATE"] == 0.1 and "math" in namespace
    assert "get_ipython" not in converted.source and "x = 1" not in converted.source


def test_a_python_cell_magic_keeps_its_body_at_its_lines():
    code = transform("%%time\ndef twice(x):\n    return 2 * x\n")
    converted = definitions_only([("cell [4]", code)])
    assert run(converted.source)["twice"](3) == 6
    assert converted.where(converted.source.splitlines().index("def twice(x):") + 1) == "cell [4], line 2"


def test_a_shell_cell_magic_is_dropped_whole():
    converted = definitions_only([("cell [1]", transform("%%bash\nrm -rf /\n"))])
    assert converted.source == "" and converted.spans == []


def test_the_last_definition_of_a_function_or_class_wins():
    converted = definitions_only([
        ("cell [1]", "def f(x):\n    return x\n\nclass Net:\n    size = 1\n"),
        ("cell [2]", "f(3)\n"),
        ("cell [3]", "def f(x):\n    return x + 1\n"),
        ("cell [4]", "class Net:\n    size = 2\n"),
    ])
    namespace = run(converted.source)
    assert namespace["f"](1) == 2 and namespace["Net"].size == 2


def test_top_level_work_never_runs(tmp_path):
    marker = tmp_path / "ran"
    converted = definitions_only([
        ("cell [1]", "import torch\ndef loss(x):\n    return x.sum()\n"),
        ("cell [2]", f"open({str(marker)!r}, 'w').write('x')\n"),
        ("cell [3]", "while True:\n    pass\n"),
        ("cell [4]", "for epoch in range(10**9):\n    loss(torch.ones(2)).backward()\n"),
        ("cell [5]", "model = torch.nn.Linear(2, 2)\nprint(model)\nimport os; os._exit(0)\n"),
        ("cell [6]", "with open('x') as f:\n    pass\ndel loss\nN = 3; print(N)\n"),
    ])
    namespace = run(converted.source)  # would hang, exit or write if any of it ran
    assert not marker.exists() and "model" not in namespace and namespace["N"] == 3
    assert "loss" in namespace and "os" in namespace and "_exit" not in converted.source


def test_main_guards_are_dropped_and_import_fallbacks_kept():
    converted = definitions_only([("cell [1]", (
        "try:\n    import numpy as np\nexcept ImportError:\n    np = None\n"
        "if __name__ == '__main__':\n    raise SystemExit\n"
        "if '__main__' == __name__:\n    raise SystemExit\n"))])
    namespace = run(converted.source)
    assert "np" in namespace and "SystemExit" not in converted.source


@pytest.mark.parametrize("statement, kept", [
    ("N = 3", True), ("A, B = 1, [2, 3]", True), ("DTYPE = torch.float32", True),
    ("DEVICE = torch.device('cuda' if torch.cuda.is_available() else 'cpu')", True),
    ("W = torch.tensor([1.0, 2.0])", True), ("F = lambda x: print(x)", True),
    ("SIZES: list = [1, 2]", True), ("S = {i: i for i in range(3)}", True),
    ("W = torch.randn(3)", False), ("model = Net()", False), ("N = len(open('f').read())", False),
    ("x.y = 1", False), ("d[0] = 1", False), ("N += 1", False), ("print(1)", False),
    ("W = torch.tensor(torch.randn(3))", False), ("if x():\n    N = 1", False),
    ("if DEBUG:\n    N = 1\nelse:\n    N = 2", True), ("try:\n    f()\nexcept Exception:\n    pass", False),
])
def test_the_filter_keeps_definitions_and_constants_only(statement, kept):
    import ast
    assert keeps(ast.parse(statement).body[0]) is kept


def test_a_cell_that_does_not_parse_is_reported_once_and_costs_only_itself():
    converted = definitions_only([
        ("cell [1]", "def ok():\n    return 1\n"),
        ("cell [2]", "x = 1\ndef broken(:\n    pass\n"),
        ("cell [3]", "def later():\n    return ok() + 1\n"),
    ])
    assert converted.problems == [("cell [2]", "line 2: invalid syntax")]
    namespace = run(converted.source)
    assert namespace["later"]() == 2 and "x" not in namespace


def test_what_a_broken_cell_defines_says_why_at_its_line_unless_defined_before():
    converted = definitions_only([
        ("cell [1]", "def kept():\n    return 1\n"),
        ("cell [2]", "import torch\n\ndef kept():\n    return 2\n\nclass Net:\n    oops = (\n"),
    ])
    namespace = run(converted.source)
    assert namespace["kept"]() == 1  # in the kernel the earlier definition still stands
    with pytest.raises(SyntaxError, match=r"cell \[2\] does not parse \(line 7: .*\), so `Net` was left out"):
        namespace["Net"]()
    line = converted.source.splitlines().index(next(x for x in converted.source.splitlines() if "def Net" in x))
    assert converted.where(line + 1) == "cell [2], line 6"
    assert "torch" not in namespace


def test_a_cell_only_the_compiler_refuses_is_left_out_too():
    converted = definitions_only([("cell [1]", "def ok():\n    return 1\n"),
                                  ("cell [2]", "N = 1\ndef twice(x, x):\n    pass\n"),
                                  ("cell 3", "return 5\nawait later()\nM = 2\n")])
    assert converted.problems == [("cell [2]", "line 2: duplicate argument 'x' in function definition")]
    namespace = run(converted.source)
    assert namespace["ok"]() == 1 and namespace["M"] == 2 and "N" not in namespace


def test_where_cites_the_cell_and_its_own_line():
    converted = definitions_only([
        ("cell [3]", "print('hi')\nimport torch\n\ndef f(x):\n    return 1 / 0\n"),
        ("cell 5", "def g():\n    pass\n"),
    ])
    lines = converted.source.splitlines()
    assert converted.where(lines.index("    return 1 / 0") + 1) == "cell [3], line 5"
    assert converted.where(lines.index("def g():") + 1) == "cell 5, line 1"
    assert converted.where(len(lines) + 5) is None
    try:
        run(converted.source)["f"](1)
    except ZeroDivisionError as exc:
        line = exc.__traceback__.tb_next.tb_lineno
    assert converted.where(line) == "cell [3], line 5"


def test_a_notebook_file_gives_its_code_cells_with_labels(tmp_path):
    path = write_notebook(tmp_path / "t.ipynb", ["#md # Title", "import torch", "!ls\nN = 1"])
    assert read_notebook(path) == [("cell [2]", "import torch\n"),
                                   ("cell [3]", "get_ipython().system('ls')\nN = 1\n")]
    path = write_notebook(tmp_path / "u.ipynb", ["#md # Title", "import torch"], counts=False)
    assert read_notebook(path) == [("cell 2", "import torch\n")]
    assert "import torch" in convert_file(path).source


@pytest.mark.parametrize("content, says", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (json.dumps([1, 2]).encode(), "no nbformat version"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode(), "no list of cells"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "x"}).encode(),
     "no list of cells"),
    (json.dumps({"nbformat": 2, "nbformat_minor": 0, "metadata": {},
                 "worksheets": [{"cells": [{"cell_type": "code", "input": "x"}]}]}).encode(),
     "format version 2"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# only words"}]}).encode(), "no code cell"),
])
def test_a_bad_notebook_raises_a_clear_problem(tmp_path, content, says):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookProblem, match=says) as info:
        read_notebook(path)
    assert info.value.text.zh and info.value.text.zh != info.value.text.en


def test_a_huge_notebook_is_refused_from_its_size_unread(tmp_path, monkeypatch):
    path = tmp_path / "big.ipynb"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES * 10)  # 200 MB, sparse: reading it would be the bug
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read a huge notebook"))
    with pytest.raises(NotebookProblem, match="200 MB"):
        read_notebook(path)


def test_an_old_format_notebook_is_read_through_nbformat_s_own_conversion(tmp_path):
    path = tmp_path / "v3.ipynb"
    path.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [
        {"metadata": {}, "cells": [{"cell_type": "code", "input": "def f():\n    return 1", "language": "python",
                                    "metadata": {}, "outputs": [], "collapsed": False, "prompt_number": 4}]}]}))
    assert read_notebook(path) == [("cell [4]", "def f():\n    return 1\n")]


def test_a_cell_ipython_cannot_transform_is_left_to_the_parser(tmp_path, monkeypatch):
    from IPython.core.inputtransformer2 import TransformerManager

    def gives_up(self, cell):
        raise ValueError("tokenize failed")

    monkeypatch.setattr(TransformerManager, "transform_cell", gives_up)
    path = write_notebook(tmp_path / "t.ipynb", ["N = 1", "%ls"])
    assert read_notebook(path) == [("cell [1]", "N = 1"), ("cell [2]", "%ls")]
    converted = definitions_only(read_notebook(path))
    assert converted.problems == [("cell [2]", "line 1: invalid syntax")] and "N = 1" in converted.source
