"""Notebook cells -> plain Python holding their definitions, by parsing only.

``read_notebook`` reads an ``.ipynb`` file with nbformat and turns each code cell into plain
Python with IPython's own input transformer (``transform``: magics, ``!shell`` lines).
``definitions_only`` keeps what a kata grades (imports, ``def``, ``class``, constants) and
drops every other top-level statement, so a training run, a print or a hostile call at a
cell's top level never runs.  Nothing here runs learner code: the result is loaded like any
learner ``.py`` file (in the sandbox where one is used), and ``Converted.where`` maps a line
of it back to the notebook's cell ("cell [7], line 3").

The filter, top-level statement by statement:

- kept: ``import``/``from ... import``; ``def``/``async def``/``class`` (whole, decorators
  included, as in a ``.py`` file); assignments to plain names (``NAME = ...``,
  ``A, B = ...``, ``NAME: int = ...``) whose value makes no call, except calls of the
  harmless constructors in ``ALLOWED_CALLS`` (``torch.device("cpu")``, ``torch.tensor([1.])``,
  ``range(3)``, ...) whose arguments make no other call; ``try`` blocks and ``if`` blocks
  whose every statement is kept by these rules (``try: import x / except ImportError: x =
  None``), an ``if`` test making no call but allowed ones;
- dropped: everything else (calls, loops, ``with``, ``print``, plots, attribute and item
  assignments, augmented assignments, ``del``), and every ``if __name__ == "__main__":``.

Cells are kept in order, so the last definition of a name wins, as when the notebook runs
top to bottom.  A cell that does not parse is left out and reported once in
``Converted.problems``; the other cells are kept, so only what depends on it fails: each
function or class it would have defined (and no earlier cell did) becomes, at its own line,
a function raising ``SyntaxError`` that names the cell, so a check needing it says why.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from pytest_torchkata.i18n import Text

MAX_BYTES = 20 * 1024 * 1024
EXTRA = 'pip install "pytest-torchkata[notebook]"'

# Calls an assignment may make and still count as a constant: constructors of plain values
# that run no learner code and touch nothing outside the process.
ALLOWED_CALLS = frozenset({
    "torch.device", "torch.tensor", "torch.Size", "torch.dtype", "torch.cuda.is_available",
    "torch.backends.mps.is_available", "torch.get_default_dtype",
    "int", "float", "complex", "str", "bytes", "bool", "tuple", "list", "dict", "set",
    "frozenset", "range", "slice", "len", "min", "max", "abs", "round", "sum",
    "math.sqrt", "math.log", "math.exp", "math.pow", "Path", "pathlib.Path",
    "namedtuple", "collections.namedtuple", "TypeVar", "typing.TypeVar",
    "NewType", "typing.NewType", "object",
})
# Cell magics whose body is Python run in the user's namespace: their body is kept.
PYTHON_BODY_MAGICS = frozenset({"time", "capture", "prun"})


class NotebookProblem(Exception):
    """A notebook that cannot be graded; ``text`` says why in both languages."""

    def __init__(self, message: Union[str, Text], **values: object):
        text = message if isinstance(message, Text) else Text(message, message)
        self.text = Text(text.en.format(**values), text.zh.format(**values)) if values else text
        super().__init__(self.text.en)

    def __str__(self) -> str:
        return str(self.text)


@dataclass
class CellSpan:
    """Where one kept cell's code lies in the generated source."""

    label: str  # how messages cite the cell: "cell [7]" (execution count) or "cell 3" (position)
    first_line: int  # 1-based line in Converted.source where the cell's line 1 lies
    last_line: int


@dataclass
class Converted:
    source: str  # plain Python: the definitions of the kept cells, in order
    spans: list = field(default_factory=list)  # list[CellSpan]
    problems: list = field(default_factory=list)  # list[tuple[str, str]]: (cell label, message)

    def where(self, line: int) -> "str | None":
        """``"cell [7], line 3"`` for a line of ``source``; None for a line of no cell."""
        for span in self.spans:
            if span.first_line <= line <= span.last_line:
                return f"{span.label}, line {line - span.first_line + 1}"
        return None


@functools.lru_cache(maxsize=1)
def _transformer():
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError as exc:
        raise NotebookProblem(Text("reading a notebook needs IPython: {extra}",
                                   "读取 notebook 需要 IPython：{extra}"), extra=EXTRA) from exc
    return TransformerManager()


def transform(text: str) -> str:
    """A cell's code as plain Python, turned by IPython's own input transformer.

    A cell magic whose body is Python (``%%time``, ``%%capture``) keeps its body, with the
    magic line blanked so the cell's line numbers hold; other cell magics (``%%bash``,
    ``%%writefile``) become one call, which the filter drops.
    """
    lines = text.splitlines()
    blank = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    first = lines[blank] if blank < len(lines) else ""
    if first.startswith("%%") and first[2:].split(" ")[0].strip() in PYTHON_BODY_MAGICS:
        lines[blank] = ""
        text = "\n".join(lines) + "\n"
    lead = _leading_blank_lines(text)
    python = _transformer().transform_cell(text)
    # IPython drops leading blank lines; put them back so the cell's line numbers hold
    return "\n" * max(0, lead - _leading_blank_lines(python)) + python


def _leading_blank_lines(text: str) -> int:
    lines = text.splitlines()
    return next((i for i, line in enumerate(lines) if line.strip()), len(lines))


def _dotted(node: ast.AST) -> "str | None":
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _calls_only_allowed(node: ast.AST) -> bool:
    """True when evaluating ``node`` makes no call but of ``ALLOWED_CALLS`` (lambdas are not run)."""
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, ast.Lambda):
            continue
        if isinstance(item, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
        if isinstance(item, ast.Call) and _dotted(item.func) not in ALLOWED_CALLS:
            return False
        todo.extend(ast.iter_child_nodes(item))
    return True


def _plain_target(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_plain_target(e) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _plain_target(node.value)
    return False


def _is_main_guard(test: ast.AST) -> bool:
    names = {_dotted(n) for n in ast.walk(test) if isinstance(n, ast.Name)}
    strings = {n.value for n in ast.walk(test) if isinstance(n, ast.Constant)}
    return "__name__" in names and "__main__" in strings


def keeps(stmt: ast.stmt) -> bool:
    """Whether the filter keeps one top-level (or nested ``if``/``try``) statement."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                         ast.ClassDef, ast.Pass)):
        return True
    if isinstance(stmt, ast.Assign):
        return all(_plain_target(t) for t in stmt.targets) and _calls_only_allowed(stmt.value)
    if isinstance(stmt, ast.AnnAssign):
        return (isinstance(stmt.target, ast.Name) and _calls_only_allowed(stmt.annotation)
                and (stmt.value is None or _calls_only_allowed(stmt.value)))
    if isinstance(stmt, ast.If):
        return (not _is_main_guard(stmt.test) and _calls_only_allowed(stmt.test)
                and all(map(keeps, stmt.body)) and all(map(keeps, stmt.orelse)))
    if isinstance(stmt, ast.Try):
        handlers = [s for h in stmt.handlers for s in h.body]
        types = [h.type for h in stmt.handlers if h.type is not None]
        return (all(map(keeps, stmt.body + handlers + stmt.orelse + stmt.finalbody))
                and all(map(_calls_only_allowed, types)))
    return False


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno] + [d.lineno for d in decorators])


def _kept_lines(code: str, tree: ast.Module) -> "list[str]":
    """The cell's lines with every dropped statement blanked (line numbers hold)."""
    lines = code.splitlines()
    out = [""] * len(lines)
    groups: list[list[ast.stmt]] = []  # statements sharing a line (``a = 1; f()``) go together
    for stmt in tree.body:
        if groups and _first_line(stmt) <= groups[-1][-1].end_lineno:
            groups[-1].append(stmt)
        else:
            groups.append([stmt])
    for group in groups:
        kept = [s for s in group if keeps(s)]
        start, end = _first_line(group[0]), group[-1].end_lineno
        if kept and len(kept) == len(group):
            out[start - 1:end] = lines[start - 1:end]
        elif kept:
            joined = "; ".join(ast.get_source_segment(code, s) for s in kept).splitlines()
            out[start - 1:start - 1 + len(joined)] = joined
    while out and not out[-1].strip():
        out.pop()
    return out


_DEFINES = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)", re.MULTILINE)


def _stand_ins(code: str, label: str, message: str, defined: set) -> "list[str]":
    """For a cell that does not parse: at each line where it defines a function or class not
    defined before, a function that raises SyntaxError naming the cell, so that a check
    needing it says why (in the kernel, the earlier definition would still stand)."""
    out = [""] * len(code.splitlines())
    for match in _DEFINES.finditer(code):
        name = match.group(1)
        if name not in defined:
            line = code.count("\n", 0, match.start())
            why = f"{label} does not parse ({message}), so `{name}` was left out"
            out[line] = f"def {name}(*args, **kwargs): raise SyntaxError({why!r})"
    return out


def _names(kept: "list[str]") -> set:
    """The names the kept lines bind at top level."""
    found = set()
    for node in ast.parse("\n".join(kept)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return found


def definitions_only(cells: "list[tuple[str, str]]") -> Converted:
    """The definitions of ``cells`` ((label, plain Python) pairs) as one source, with spans."""
    source: list[str] = []
    result = Converted(source="")
    defined: set = set()
    for label, code in cells:
        try:
            kept = _kept_lines(code, ast.parse(code))
            # what only the compiler sees (a duplicate argument name): compiled, never run
            compile("\n".join(kept) + "\n", label, "exec", dont_inherit=True)
            defined |= _names(kept)
        except (SyntaxError, ValueError) as exc:  # left out, and said once (ValueError: a NUL byte, Python < 3.12)
            message = f"line {getattr(exc, 'lineno', None) or 1}: {getattr(exc, 'msg', None) or exc}"
            result.problems.append((label, message))
            kept = _stand_ins(code, label, message, defined)
        while kept and not kept[-1].strip():
            kept.pop()
        if not kept:
            continue
        first = len(source) + 1
        source.extend(kept)
        result.spans.append(CellSpan(label, first, len(source)))
        source.append("")  # a blank line between cells: no cell's code runs into the next
    result.source = "\n".join(source) + ("\n" if source else "")
    return result


def _nbformat():
    try:
        import nbformat
    except ImportError as exc:
        raise NotebookProblem(Text("grading a notebook (.ipynb) needs nbformat: {extra}",
                                   "评分 notebook（.ipynb）需要 nbformat：{extra}"), extra=EXTRA) from exc
    return nbformat


def _load(path: Path) -> dict:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotebookProblem(Text("cannot be read: {why}", "无法读取：{why}"),
                              why=exc.strerror) from exc
    if size > MAX_BYTES:
        mb, cap = round(size / 2**20), MAX_BYTES // 2**20
        raise NotebookProblem(Text(
            "is {mb} MB, over the {cap} MB a notebook may have; clear its outputs "
            "(Edit > Clear All Outputs), save and hand it in again",
            "有 {mb} MB，超过 notebook 的上限 {cap} MB；请清除所有输出（Edit > Clear All Outputs）后保存再提交"),
            mb=mb, cap=cap)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotebookProblem(Text("is not a notebook: its content is not valid JSON ({why})",
                                   "不是 notebook：内容不是合法的 JSON（{why}）"), why=exc) from exc
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        raise NotebookProblem(Text("is not a notebook: it has no nbformat version",
                                   "不是 notebook：没有 nbformat 版本号"))
    if data["nbformat"] >= 4 and not isinstance(data.get("cells"), list):
        raise NotebookProblem(Text("is not a notebook: it has no list of cells",
                                   "不是 notebook：没有 cells 列表"))
    return data


def read_notebook(path: "str | os.PathLike[str]") -> "list[tuple[str, str]]":
    """The code cells of a notebook file as (label, plain Python) pairs.

    A cell's label is ``cell [N]`` when it has an execution count, else ``cell K`` (its
    position among all the notebook's cells, from 1).  Raises ``NotebookProblem`` for a file
    over ``MAX_BYTES`` (refused from its size, unread), not JSON, without a ``cells`` list,
    in a format version nbformat cannot bring to 4, or with no code cell.
    """
    data = _load(Path(path))
    nbformat = _nbformat()
    version = data["nbformat"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises validation and conversion errors of many types
        if version < 4:
            raise NotebookProblem(Text(
                "is in notebook format version {version}, which cannot be read; open it in "
                "a current Jupyter and save it (format 4)",
                "是第 {version} 版的 notebook 格式，无法读取；请在新版 Jupyter 中打开并保存（第 4 版格式）"),
                version=version) from exc
        raise NotebookProblem(Text("is not a valid notebook: {why}", "不是合法的 notebook：{why}"),
                              why=str(exc).splitlines()[0]) from exc
    cells = []
    for position, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        count = cell.get("execution_count")
        label = f"cell [{count}]" if isinstance(count, int) else f"cell {position}"
        code = str(cell.get("source", ""))
        try:
            code = transform(code)
        except NotebookProblem:
            raise
        except Exception:  # noqa: BLE001 - IPython gave up on it: the parser will say what is wrong
            pass
        cells.append((label, code))
    if not cells:
        raise NotebookProblem(Text("has no code cell", "没有代码单元格"))
    return cells


def convert_file(path: "str | os.PathLike[str]") -> Converted:
    """``definitions_only(read_notebook(path))``."""
    return definitions_only(read_notebook(path))
