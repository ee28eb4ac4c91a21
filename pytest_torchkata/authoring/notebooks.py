"""Katas as notebooks: ``torchkata init --notebooks`` writes ``katas/NAME.ipynb`` for each kata.

A notebook is made from the kata's pristine learner file (``cli.workspace.stub_text``, the same
text ``init`` writes as ``NAME.py``) at the moment it is written, never stored: so it is always
in step with the references, and ``torchkata gen --check`` (which compares the stored ``.py``
stubs) has nothing more to keep in step.

Its cells (nbformat v4), in the stub's language:

- an install cell: pip-installs ``pytest-torchkata[notebook]`` only when the kernel lacks it
  (Colab, Kaggle, AI Studio), with the mirror line for mainland China commented, then
  ``import pytest_torchkata.notebook as tk`` (and, for ``mnist``, where the data goes);
- the kata's instructions (the stub's module docstring) as Markdown;
- the stub's imports and constants, as code;
- per task: a Markdown cell (number, title, points, the docstring contract of its functions and
  classes), a code cell with its stub code, then ``tk.check("NAME", N)``.

Each cell's ``metadata["torchkata"]`` says which of these it is (``install``, ``instructions``,
``setup``, ``task``, ``code``, ``check``), so tools and tests can find them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from pytest_torchkata.i18n import Text

MIRROR = "https://pypi.tuna.tsinghua.edu.cn/simple"
PACKAGE_SPEC = "pytest-torchkata[notebook]"
_TASK_RAISE = re.compile(r'NotImplementedError\("Task (\d+)\b')
_BANNER = re.compile(r"^#\s*--.*-{3,}\s*$")  # "# -- Task 1: ... -----": the Markdown heading says it


@dataclass
class Part:
    """A run of the stub's top-level statements that belong to the same task(s)."""
    tasks: tuple[int, ...]
    code: list[str] = field(default_factory=list)
    nodes: list[ast.stmt] = field(default_factory=list)


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":``, which a notebook would run: left out."""
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__")


def split_stub(stub: str) -> tuple[str, list[str], list[Part]]:
    """The stub's instructions (module docstring), its setup code (imports and whatever comes
    before the first task) and its task parts, in the file's order."""
    tree = ast.parse(stub)
    lines = stub.splitlines()
    instructions = ast.get_docstring(tree) or ""
    body = tree.body[1:] if instructions else tree.body
    setup: list[str] = []
    parts: list[Part] = []
    previous_end = tree.body[0].end_lineno if instructions else 0
    for node in body:
        end = node.end_lineno or node.lineno
        chunk = [line for line in lines[previous_end:end] if not _BANNER.match(line.strip())]
        previous_end = end
        if _is_main_guard(node):
            continue
        numbers = tuple(sorted({int(n) for n in _TASK_RAISE.findall("\n".join(lines[node.lineno - 1:end]))}))
        if not numbers and not parts:
            setup.extend(chunk)
        elif numbers and (not parts or parts[-1].tasks != numbers):
            parts.append(Part(numbers, chunk, [node]))
        else:  # a helper or a constant after a task goes with that task's code
            parts[-1].code.extend(chunk)
            parts[-1].nodes.append(node)
    return instructions, setup, parts


def _tidy(lines: list[str]) -> str:
    """The lines as one cell: no blank lines at either end, at most one blank line in a row."""
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n")


def _signature(node: ast.AST, lines: list[str]) -> str:
    """``name(args) -> result`` of a def, ``class Name(Base)`` of a class, as written."""
    first = node.body[0]  # type: ignore[attr-defined]
    header = " ".join(line.strip() for line in lines[node.lineno - 1:first.lineno - 1])  # type: ignore[attr-defined]
    if not header:  # a one-line def: "def f(): ..."
        header = lines[node.lineno - 1].strip()  # type: ignore[attr-defined]
    header = re.sub(r"\s+", " ", header.split("#")[0]).strip()
    header = re.sub(r"\(\s+", "(", re.sub(r",?\s*\)", ")", header))
    header = re.sub(r'^(def|async def)\s+', "", header)
    return header.rstrip(":").strip()


def _contract(nodes: list[ast.stmt], lines: list[str]) -> list[str]:
    """The docstring contract of the functions and classes of one part, as Markdown."""
    out: list[str] = []
    for node in nodes:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        out.append(f"`{_signature(node, lines)}`")
        doc = ast.get_docstring(node)
        if doc:
            out.append("")
            out.append(doc)
        out.append("")
        if isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(method):
                    out.append(f"`{node.name}.{_signature(method, lines)}`")
                    out.append("")
                    out.append(ast.get_docstring(method) or "")
                    out.append("")
    return out


def _points(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def install_cell(name: str, lang: str) -> str:
    """The first cell: install the package only where the kernel lacks it, then import ``tk``."""
    rows = [
        Text("# pytest-torchkata: installed only when this kernel does not have it yet "
             "(Colab, Kaggle, AI Studio).",
             "# pytest-torchkata：只有当前内核还没有安装时才会安装（Colab、Kaggle、AI Studio）。").get(lang),
        Text("# In mainland China, use the mirror: swap the install line for the commented one below it.",
             "# 在中国大陆，请使用镜像：把安装那一行换成它下面被注释掉的那一行。").get(lang),
        "import importlib.util",
        "",
        'if importlib.util.find_spec("pytest_torchkata") is None:',
        f'    get_ipython().run_line_magic("pip", \'install "{PACKAGE_SPEC}"\')',
        f'    # get_ipython().run_line_magic("pip", \'install "{PACKAGE_SPEC}" -i {MIRROR}\')',
    ]
    if name == "mnist":
        rows += [
            "",
            Text("# MNIST is downloaded on the first check into a cache folder (~/.cache/torchkata/data).",
                 "# MNIST 会在第一次检查时下载到缓存文件夹（~/.cache/torchkata/data）。").get(lang),
            Text("# Offline, or on a platform with the data set already mounted: point TORCHKATA_DATA",
                 "# 离线时，或者平台上已经挂载了数据集：把 TORCHKATA_DATA").get(lang),
            Text("# at a folder that holds MNIST/raw/, e.g.",
                 "# 指向包含 MNIST/raw/ 的文件夹，例如").get(lang),
            '# import os; os.environ["TORCHKATA_DATA"] = "/kaggle/input/mnist"',
        ]
    if lang != "en":  # results, hints and references in the notebook's language (unless TORCHKATA_LANG says)
        rows += ["", "import os", "", f'os.environ.setdefault("TORCHKATA_LANG", "{lang}")']
    rows += ["", "import pytest_torchkata.notebook as tk"]
    return "\n".join(rows)


def check_cell(name: str, number: int) -> str:
    return f'tk.check("{name}", {number})'


def _task_markdown(kata: Any, numbers: tuple[int, ...], contract: list[str], lang: str) -> str:
    rows = []
    for number in numbers:
        task = kata.tasks[number - 1]
        title = task.title_text.get(lang) if isinstance(task.title_text, Text) else str(task.title_text)
        heading = (Text("## Task {number}: {title} (1 point)", "## 任务 {number}：{title}（1 分）") if task.points == 1
                   else Text("## Task {number}: {title} ({points} points)", "## 任务 {number}：{title}（{points} 分）"))
        rows.append(heading.get(lang).format(number=number, title=title, points=_points(task.points)))
        rows.append("")
    rows.append(Text("Replace each `raise NotImplementedError(...)` below with your code, run the cell, "
                     "then run the check under it.",
                     "把下面每个 `raise NotImplementedError(...)` 换成你的代码，运行这个单元格，"
                     "再运行它下面的检查。").get(lang))
    rows.append("")
    return "\n".join(rows + contract).strip("\n")


def _instructions(kata: Any, doc: str, lang: str) -> str:
    title = kata.title_text.get(lang) if isinstance(kata.title_text, Text) else str(kata.title_text)
    after = Text("**In this notebook**: run the first cell once, then write each task's code and run the "
                 "check cell under it; `tk.check(\"{name}\")` checks the whole kata, `tk.hint(\"{name}\", N)` "
                 "gives the next hint, `tk.solution(\"{name}\", N)` the reference once task N passed.",
                 "**在这个笔记本里**：先运行第一个单元格一次，然后写每个任务的代码，并运行它下面的检查单元格；"
                 "`tk.check(\"{name}\")` 检查整个练习，`tk.hint(\"{name}\", N)` 给出下一级提示，"
                 "任务 N 通过之后 `tk.solution(\"{name}\", N)` 显示参考答案。").get(lang).format(name=kata.name)
    return f"# {kata.name}: {title}\n\n{doc}\n\n{after}"


def kata_notebook(name: str, stub: str, kata: Any, lang: str = "en") -> Any:
    """The notebook (an ``nbformat`` v4 node) of kata ``name`` made from its learner file ``stub``."""
    import nbformat

    v4 = nbformat.v4
    instructions, setup, parts = split_stub(stub)
    lines = stub.splitlines()
    cells: list[tuple[str, Any]] = [
        ("install", v4.new_code_cell(install_cell(name, lang))),
        ("instructions", v4.new_markdown_cell(_instructions(kata, instructions, lang))),
    ]
    if _tidy(setup):
        cells.append(("setup", v4.new_code_cell(_tidy(setup))))
    last_part = {n: i for i, part in enumerate(parts) for n in part.tasks}  # a task is checked after its last part
    shown: set[int] = set()
    for i, part in enumerate(parts):
        new = tuple(n for n in part.tasks if n not in shown)
        shown.update(new)
        cells.append(("task", v4.new_markdown_cell(_task_markdown(kata, new, _contract(part.nodes, lines), lang))))
        cells.append(("code", v4.new_code_cell(_tidy(part.code))))
        for number in part.tasks:
            if last_part[number] == i:
                cells.append(("check", v4.new_code_cell(check_cell(name, number))))
    notebook = v4.new_notebook()
    for n, (role, cell) in enumerate(cells, start=1):
        cell.id = f"{name}-{n}"  # stable ids: the same notebook each time
        cell.metadata["torchkata"] = role
    notebook.cells = [cell for _, cell in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["torchkata"] = {"kata": name, "lang": lang}
    return notebook


def notebook_text(name: str, lang: str = "en") -> str:
    """``katas/NAME.ipynb`` as ``init --notebooks`` writes it, from the pristine stub in ``lang``."""
    import nbformat

    from pytest_torchkata.cli.workspace import load_kata, stub_text

    notebook = kata_notebook(name, stub_text(name, lang), load_kata(name), lang)
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"
