"""Kata authors: this file tells you what a kata is missing.

Each built-in kata needs a folder pytest_torchkata/katas/NAME/ (tasks.py, world.py, hints.py), an entry
in CURRICULUM, a reference in solutions/, a generated stub in katas/, a hint
per task, a solution block per task, and at least one check per task.
"""

import ast
import pkgutil
from pathlib import Path

import pytest

import pytest_torchkata.katas as katas_pkg
from pytest_torchkata import cli
from pytest_torchkata.katas import CURRICULUM
from pytest_torchkata.registry import KataRegistry, installed
from pytest_torchkata.authoring.stubs import solution_tasks

ROOT = Path(__file__).resolve().parents[1]


KATAS = installed().builtin_names()  # the built-in katas, as every command sees them


def registry() -> KataRegistry:
    return installed()


def test_the_registry_lists_the_built_in_katas_first_in_curriculum_order():
    assert KATAS == CURRICULUM, "the built-in katas register themselves in CURRICULUM's order"
    assert installed().names()[:len(CURRICULUM)] == CURRICULUM


def test_every_checks_module_is_in_the_curriculum():
    # one folder per kata; common/ holds what several katas share
    modules = {m.name for m in pkgutil.iter_modules(katas_pkg.__path__) if m.ispkg and m.name != "common"}
    assert modules == set(KATAS), "add the kata's name to CURRICULUM in pytest_torchkata/katas/__init__.py"


@pytest.mark.parametrize("name", KATAS)
def test_kata_has_reference_stub_hints_blocks_and_checks(name):
    kata = registry().get(name)
    solution = ROOT / "solutions" / f"{name}.py"
    assert solution.is_file(), f"write the reference solutions/{name}.py"
    assert (ROOT / "katas" / f"{name}.py").is_file(), "run `torchkata gen` to make the stub"
    assert len(kata.tasks) >= 1
    blocks = set(solution_tasks(solution.read_text(encoding="utf-8")))
    for task in kata.tasks:
        assert task.hint.strip(), f"task {task.id} needs a hint"
        assert task.id in blocks, f"solutions/{name}.py has no '# BEGIN SOLUTION {task.id}' block"
    tree = ast.parse(Path(kata.checks_file).read_text(encoding="utf-8"))
    decorated = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "task":
                    decorated.add(dec.args[0].value)
    assert decorated == {t.id for t in kata.tasks}


def test_katas_folder_is_exactly_what_generation_produces():
    assert cli.main(["gen", "--check", "--root", str(ROOT)]) == 0, "run `torchkata gen`"


def test_every_stub_task_raises_not_implemented_naming_its_task():
    for name in KATAS:
        kata = registry().get(name)
        stub = (ROOT / "katas" / f"{name}.py").read_text(encoding="utf-8")
        for task in kata.tasks:
            assert f'raise NotImplementedError("{task.label}: not written yet")' in stub
        assert "BEGIN SOLUTION" not in stub


@pytest.mark.parametrize("name", KATAS)
def test_kata_has_its_own_test_file(name):
    assert (ROOT / "tests" / "katas" / f"test_{name}.py").is_file(), (
        f"write tests/katas/test_{name}.py: the classic mistakes of {name}, each caught by name")


def test_readme_kata_table_matches_the_katas():
    """The README's table and its point total are facts of the katas: this keeps them in step."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 3 and cells[1].isdigit():
            rows[cells[0].split("`")[1]] = (int(cells[1]), float(cells[2]))
    reg = registry()
    want = {n: (len(reg.get(n).tasks), reg.get(n).max_score) for n in KATAS}
    assert rows == want, "update the kata table in README.md (kata: tasks, points)"
    total = sum(points for _, points in want.values())
    words = ["One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve"]
    assert f"{words[len(KATAS) - 1]} katas, {total:g} points." in readme, (
        f"README.md should say '{words[len(KATAS) - 1]} katas, {total:g} points.'")


def test_a_misspelt_forbidden_name_fails_when_the_kata_is_declared():
    from pytest_torchkata.model import Kata

    kata = Kata("demo", "Demo")
    with pytest.raises(ValueError, match=r"kata 'demo', task 'soft'.*'torch.sofmax'"):
        kata.task("soft", "Softmax", hint="h", forbidden={"torch.sofmax": "write it yourself"})
    kata.task("ok", "Fine", hint="h", forbidden={"torch.Tensor.softmax": "write it yourself"})
