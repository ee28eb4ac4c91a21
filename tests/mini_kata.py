"""A tiny kata, registered from a conftest.py, for testing the plugin itself."""

CHECKS = '''
import torch
from pytest_torchkata.checks.values import expect_close
from pytest_torchkata.model import Kata

KATA = Kata("mini", "Mini kata", "for the plugin's own tests")


def flags(learner):
    out = learner.double(torch.ones(2, requires_grad=True))
    return {"requires_grad": out.requires_grad, "is_leaf": out.is_leaf, "value": out}


@KATA.task("double", "Double a tensor", points=2, hint="multiply by 2")
class TestDouble:
    def test_doubles_floats(self, kata):
        x = torch.arange(4.0)
        expect_close(kata.call("double", x), x * 2, what="double(x)")

    def test_keeps_the_graph(self, kata):
        info = kata.run(flags)
        expect_close(info["value"], torch.full((2,), 2.0), what="double(ones)", check_dtype=False)
        expect_close(float(info["requires_grad"]), 1.0, what="double(x).requires_grad")


@KATA.task("add", "Add two tensors", points=1, hint="use +",
           forbidden={"torch.add": "use the + operator"})
class TestAdd:
    def test_adds(self, kata):
        expect_close(kata.call("add", torch.ones(2), torch.ones(2)), torch.full((2,), 2.0), what="add(a, b)")
'''

CONFTEST = '''
import pytest
import checks_mini

@pytest.hookimpl
def pytest_torchkata_register_katas(register):
    register(checks_mini.KATA)
'''

SOLUTION = '''
import torch

def double(x):
    return x * 2

def add(a, b):
    return a + b
'''

STUB = '''
def double(x):
    raise NotImplementedError("Task 1 (Double a tensor): not written yet")

def add(a, b):
    raise NotImplementedError("Task 2 (Add two tensors): not written yet")
'''


# Under --kata-isolate a conftest.py above the kata folder is refused (it may be the
# learner's), so isolated tests register the kata with a plugin module instead.
PLUGIN_ARGS = ["-p", "mini_plugin"]


def setup(pytester, learner: str = SOLUTION, extra: dict | None = None, *, as_plugin: bool = False) -> None:
    """Write the mini kata's checks, its registration (a conftest.py, or with ``as_plugin``
    the module ``mini_plugin`` that PLUGIN_ARGS loads) and the learner file."""
    if as_plugin:
        pytester.makepyfile(checks_mini=CHECKS, mini_plugin=CONFTEST)
        pytester.syspathinsert()
    else:
        pytester.makepyfile(checks_mini=CHECKS, conftest=CONFTEST)
    (pytester.path / "katas").mkdir(exist_ok=True)
    (pytester.path / "katas" / "mini.py").write_text(learner, encoding="utf-8")
    for rel, text in (extra or {}).items():
        target = pytester.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
