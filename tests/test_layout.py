"""The layout keeps its promises: each layer imports only what its ``__init__`` docstring
allows, and no module grows past 400 lines."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_torchkata"
NEVER = {  # layer -> the layers it must not import
    "sandbox": ("checks", "reports", "plugin", "cli", "notebook"),
    "reports": ("sandbox", "checks", "plugin"),
    "checks": ("plugin", "reports"),
}
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(NEVER))
def test_a_layer_imports_only_what_it_may(layer):
    wrong = []
    for path in sorted((PACKAGE / layer).glob("*.py")):
        for name in imported(path):
            if any(name == f"pytest_torchkata.{bad}" or name.startswith(f"pytest_torchkata.{bad}.")
                   for bad in NEVER[layer]):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, "; ".join(wrong)


@pytest.mark.parametrize("layer", ["plugin", "sandbox", "checks", "reports", "authoring", "cli", "katas", "notebook"])
def test_every_layer_says_what_it_is_for(layer):
    doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc) > 40, f"write the job of pytest_torchkata/{layer}/ in its __init__ docstring"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_no_module_is_longer_than_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by job"


KATAS = PACKAGE / "katas"
LEARNER_SIDE = sorted(KATAS.glob("*/world.py")) + [KATAS / "common" / "observe.py"]
GRADER_ONLY = ("checks", "reports", "plugin", "cli", "notebook", "authoring")


@pytest.mark.parametrize("path", LEARNER_SIDE, ids=[str(p.relative_to(PACKAGE)) for p in LEARNER_SIDE])
def test_learner_side_modules_import_no_grader_code(path):
    """A kata's ``world.py`` runs in the learner's process: it may import torch, the sandbox's
    learner-side helpers and other learner-side modules, never the checks, reports or plugin."""
    wrong = [name for name in imported(path)
             if any(name == f"pytest_torchkata.{bad}" or name.startswith(f"pytest_torchkata.{bad}.")
                    for bad in GRADER_ONLY)
             or (name.startswith("pytest_torchkata.katas.") and not
                 (name.endswith(".world") or ".world." in name or name.startswith("pytest_torchkata.katas.common.observe")))]
    assert not wrong, f"{path.relative_to(PACKAGE)} imports grader-side {wrong}"


def test_every_kata_folder_has_the_same_roles():
    from pytest_torchkata.katas import CURRICULUM

    allowed = {"__init__.py", "tasks.py", "grader.py", "world.py", "hints.py", "data.py"}
    for name in CURRICULUM:
        files = {p.name for p in (KATAS / name).glob("*.py")}
        assert {"__init__.py", "tasks.py", "world.py", "hints.py"} <= files, name
        assert files <= allowed, f"katas/{name}/ holds {sorted(files - allowed)}: name it by its role"
    assert [p.name for p in KATAS.glob("*.py")] == ["__init__.py"], "shared helpers go to katas/common/, split by side"


def test_the_sandbox_preloads_each_katas_world_by_its_fixed_name():
    from pytest_torchkata.sandbox.levels import learner_side

    assert learner_side(["pytest_torchkata.katas.tensors.tasks"]) == [
        "pytest_torchkata.katas.tensors.world", "pytest_torchkata.sandbox.gradprobe"]
