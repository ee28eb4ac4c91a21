"""Every rule a check enforces is stated where the learner reads: a name a task forbids
appears in the docstring of the function or class that holds the task's solution block."""

import ast
from pathlib import Path

import pytest

from pytest_torchkata.registry import installed

KATAS = installed().builtin_names()  # the built-in katas, from the registry, in curriculum order

ROOT = Path(__file__).resolve().parents[1]


def _kata(name):
    return installed().load_kata(name)


def _docstrings_around(source: str, lineno: int) -> str:
    """The docstrings of every def/class enclosing ``lineno`` (innermost last), and the module's."""
    tree = ast.parse(source)
    found = [ast.get_docstring(tree) or ""]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.lineno <= lineno <= (node.end_lineno or node.lineno):
                found.append(ast.get_docstring(node) or "")
    return "\n".join(found)


def mentions(doc: str, name: str) -> bool:
    """``torch.Tensor.softmax`` may be written `Tensor.softmax` or `.softmax(`;
    ``torch.nn.functional.one_hot`` as `F.one_hot`; anything as its full dotted name."""
    last = name.rsplit(".", 1)[-1]
    spellings = {name, name.replace("torch.nn.functional.", "F.")}
    if name.startswith("torch.Tensor."):
        spellings |= {f".{last}(", f"Tensor.{last}"}
    return any(s in doc for s in spellings)


CASES = [(kata, task.id) for kata in KATAS for task in _kata(kata).tasks if task.forbidden]


@pytest.mark.parametrize("kata, task_id", CASES)
def test_every_forbidden_name_is_in_the_task_docstring(kata, task_id):
    task = _kata(kata).get_task(task_id)
    source = (ROOT / "solutions" / f"{kata}.py").read_text(encoding="utf-8")
    marker = f"# BEGIN SOLUTION {task_id}"
    line = next(i for i, text in enumerate(source.splitlines(), 1) if text.strip() == marker)
    doc = _docstrings_around(source, line)
    missing = [name for name in task.forbidden if not mentions(doc, name)]
    assert not missing, (f"solutions/{kata}.py, task {task_id}: the docstring never says that "
                         f"{', '.join(missing)} is ruled out; say so (and why) where the learner reads")


def test_the_mention_rule_itself():
    assert mentions("do not use `F.one_hot`", "torch.nn.functional.one_hot")
    assert mentions("no `x.softmax(dim)` here", "torch.Tensor.softmax")
    assert not mentions("write softmax yourself", "torch.softmax")
