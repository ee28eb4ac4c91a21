"""Correct solutions written differently from the references (other APIs, the tutorial and
pytorch/examples styles) get full marks: a check that refuses one is wrong, not the learner.

Each kata keeps at least three in ``alternatives/NAME/``, each holding only the functions,
classes and methods it writes differently: ``kata_testing.compose`` makes the learner file,
the reference with these definitions in place of its same-named ones (a class keeps the
reference's methods it does not write) and their imports added. The mnist ones need the data
set and live in ``test_mnist_alternatives.py``.
"""

from pathlib import Path

import pytest

from kata_testing import compose, solution_source
from pytest_torchkata.registry import installed

KATAS = installed().builtin_names()  # the built-in katas, from the registry, in curriculum order

HERE = Path(__file__).parent / "alternatives"
WITH_DATA = {"mnist"}  # graded on real digits in test_mnist_alternatives.py
FILES = [(kata, path) for kata in KATAS if kata not in WITH_DATA
         for path in sorted((HERE / kata).glob("*.py"))]


@pytest.mark.parametrize("kata, path", FILES, ids=[f"{k}-{p.stem}" for k, p in FILES])
def test_correct_alternative_gets_full_marks(grade, kata, path):
    g = grade(kata, compose(solution_source(kata), path.read_text(encoding="utf-8")))
    assert g.full_marks, (g.statuses(kata), g.output)


@pytest.mark.parametrize("kata", [k for k in KATAS if k not in WITH_DATA])
def test_every_kata_has_at_least_three_alternatives(kata):
    assert len(list((HERE / kata).glob("*.py"))) >= 3, f"write three correct alternatives in alternatives/{kata}/"
