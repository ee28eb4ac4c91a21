"""The extension hooks are documented where a plugin author reads: each hookspec says what
every parameter is (``:param NAME:``), and README.md shows each hook's signature, in a
```python block, exactly as the spec declares it (names, order, annotations)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pytest_torchkata.plugin import hookspecs

ROOT = Path(__file__).resolve().parents[1]
SPECS = ast.parse(Path(hookspecs.__file__).read_text(encoding="utf-8"))
HOOKS = {node.name: node for node in SPECS.body
         if isinstance(node, ast.FunctionDef) and node.name.startswith("pytest_torchkata_")}


def signature(node: ast.FunctionDef) -> list[tuple[str, str]]:
    """(name, annotation) per parameter, an annotation written as a string read as code."""
    def text(annotation: ast.expr | None) -> str:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = ast.parse(annotation.value, mode="eval").body
        return ast.unparse(annotation) if annotation is not None else ""
    return [(arg.arg, text(arg.annotation)) for arg in node.args.args] + [("return", text(node.returns))]


def readme_definitions() -> dict[str, list[ast.FunctionDef]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found: dict[str, list[ast.FunctionDef]] = {}
    for block in re.findall(r"^```python\n(.*?)^```", readme, re.S | re.M):
        try:
            tree = ast.parse(block)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("pytest_torchkata_"):
                found.setdefault(node.name, []).append(node)
    return found


def test_there_are_hooks():
    assert set(HOOKS) == {"pytest_torchkata_register_katas", "pytest_torchkata_report_formats",
                          "pytest_torchkata_results"}


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_each_parameter_of_a_hook_is_described(name):
    doc = ast.get_docstring(HOOKS[name]) or ""
    for arg in HOOKS[name].args.args:
        assert f":param {arg.arg}:" in doc, f"hookspecs.{name}: describe {arg.arg} with a ':param {arg.arg}:' line"


def test_the_module_shows_an_example_implementation():
    assert "def pytest_torchkata_register_katas(register):" in (ast.get_docstring(SPECS) or "")


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_the_readme_shows_the_hooks_signature_as_the_spec_declares_it(name):
    shown = readme_definitions().get(name)
    assert shown, (f"README.md has no ```python block defining {name}: show its signature "
                   f"as pytest_torchkata/plugin/hookspecs.py declares it")
    want = signature(HOOKS[name])
    for node in shown:
        assert signature(node) == want, (f"README.md shows {name}{signature(node)}, "
                                         f"but the spec declares {want}")
