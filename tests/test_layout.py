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
