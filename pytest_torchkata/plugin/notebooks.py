"""Where a kata's learner code comes from: ``NAME.py``, or ``NAME.ipynb`` when there is no
``NAME.py``.

A notebook is converted by parsing alone (``notebook.convert``: nbformat and IPython's input
transformer; no kernel, and nothing of the learner's runs here) into a generated ``NAME.py``
in a folder of this run, which the learner side loads like any kata file (in the sandbox
under ``--kata-isolate``).  ``KataSource.cite`` turns every place in that generated file that
a message names (``/tmp/.../tensors.py:12 (softmax): ...``) into the notebook's cell
(``katas/tensors.ipynb, cell [7], line 3 (softmax): ...``).  A notebook that cannot be read
costs only its kata: ``KataSource.problem`` says why, once per kata.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pytest_torchkata.i18n import tr


@dataclass
class KataSource:
    """One kata's learner file as this run grades it."""

    path: Path  # what the learner side loads: the kata file, or the file generated from a notebook
    shown: Path  # the learner's own file (NAME.py or NAME.ipynb)
    converted: Any = None  # notebook.convert.Converted, for a notebook
    problem: Any = None  # notebook.convert.NotebookProblem: the notebook cannot be graded
    notes: list[str] = field(default_factory=list)  # for the summary's warnings

    def cite(self, text: str) -> str:
        """``text`` with each place in the generated file named as the notebook's cell."""
        if self.converted is None or not text:
            return text
        from pytest_torchkata.sandbox.guards import _short

        forms = sorted({str(self.path), os.path.abspath(self.path), _short(str(self.path))}, key=len, reverse=True)
        pattern = "(?:" + "|".join(map(re.escape, forms)) + r")(?::(\d+))?"
        shown = _short(os.path.abspath(self.shown))

        def place(match: "re.Match[str]") -> str:
            if match.group(1) is None:
                return shown
            line = int(match.group(1))
            return f"{shown}, {self.converted.where(line) or tr('line {line}', '第 {line} 行', line=line)}"

        return re.sub(pattern, place, text)

    def failure(self) -> Exception:
        """The outcome every check of the kata ends with when the notebook cannot be graded."""
        from pytest_torchkata.checks.errors import LearnerCrashed
        from pytest_torchkata.sandbox.guards import _short

        failed = LearnerCrashed(tr("{file} {problem}", "{file}：{problem}",
                                   file=_short(os.path.abspath(self.shown)), problem=self.problem))
        failed.load_failure = True  # said once per kata, like a file that cannot be loaded
        return failed


def find_source(kata_dir: Path, name: str, folder: Callable[[], Path]) -> KataSource:
    """The learner file of kata ``name`` in ``kata_dir``; a notebook is converted into the
    folder ``folder()`` gives (made on first use)."""
    script, notebook = kata_dir / f"{name}.py", kata_dir / f"{name}.ipynb"
    if script.is_file() or not notebook.is_file():
        source = KataSource(script, script)
        if script.is_file() and notebook.is_file():
            source.notes.append(tr("{py} and {nb} are both there: {py} was graded",
                                   "{py} 和 {nb} 都在：评分用的是 {py}", py=script.name, nb=notebook.name))
        return source
    source = KataSource(folder() / f"{name}.py", notebook)
    from pytest_torchkata.notebook.convert import NotebookProblem, convert_file

    try:
        source.converted = convert_file(notebook)
    except NotebookProblem as exc:
        source.problem = exc
        return source
    source.path.write_text(source.converted.source, encoding="utf-8")
    for label, message in source.converted.problems:
        source.notes.append(tr("{file}, {cell} does not parse ({message}): it was left out, and the "
                               "checks that need what it defines fail",
                               "{file} 的 {cell} 无法解析（{message}）：它被略过了，用到它所定义内容的检查会失败",
                               file=notebook.name, cell=label, message=message))
    return source
