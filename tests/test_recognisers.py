"""The katas name their mistake recognisers one way and share one `matches` and one `dtype_name`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import torch

import pytest_torchkata.katas as katas
from pytest_torchkata.checks.variants import matches

KATAS = Path(katas.__file__).parent
OLD_VERBS = re.compile(r"(_slip|_signature|_verdict|_mistakes?)$|^diagnose")
COPIES = {"matches", "dtype_name", "_dtype"}


def _functions():
    for path in sorted(KATAS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.relative_to(KATAS), node


def _thin(node) -> bool:
    """A kata's own tolerance, kept as a call of the shared ``matches`` (imported as ``shared_matches``)."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "shared_matches"
               for n in ast.walk(node))


def test_recognisers_use_one_verb_and_one_convention():
    odd = [f"{path}: {node.name}" for path, node in _functions()
           if OLD_VERBS.search(node.name) and not node.name.startswith(("expect_", "mistake_in_"))]
    odd += [f"{path}: {node.name} -> {ast.unparse(node.returns) if node.returns else None}"
            for path, node in _functions() if node.name.startswith("mistake_in_")
            and not (node.returns and ast.unparse(node.returns) == "Mistake | None")]
    assert odd == []


def test_no_kata_copies_the_shared_helpers():
    copies = [f"{path}: {node.name}" for path, node in _functions() if node.name in COPIES and not _thin(node)]
    spelled = [str(path.relative_to(KATAS)) for path in KATAS.rglob("*.py")
               if re.search(r"""replace\(\s*["']torch\.["']""", path.read_text(encoding="utf-8"))]
    assert copies == [] and spelled == []


def test_matches_takes_a_kata_tolerance_and_keeps_its_own():
    want = torch.tensor([1.0, 2.0])
    near = want + 1e-5
    assert matches(near, want)                              # within rtol 1e-4
    assert not matches(near, want, rtol=1e-7, atol=1e-7)    # a kata may ask for less
    assert matches(near, want, rtol=0.0, atol=1e-4)
    assert matches((near, 3.0), (want, 3.0), rtol=1e-7, atol=1e-5)  # tolerance reaches each element
    assert not matches((near, 3.0), (want, 3.0), rtol=1e-7, atol=1e-7)
