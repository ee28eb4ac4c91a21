"""Extension hooks: a conftest.py or an installed plugin adds a kata and a reporter."""

from pathlib import Path

import mini_kata
from pytest_torchkata.plugin import hookspecs

REPORTER = '''
import pytest

@pytest.hookimpl
def pytest_torchkata_results(config, results):
    rows = [f"{k.name},{t.id},{t.status},{t.score}" for k in results.katas for t in k.tasks]
    with open("grades.csv", "w") as fh:
        fh.write("\\n".join(rows) + "\\n")
'''


def test_conftest_registers_a_kata_and_a_reporter(pytester):
    mini_kata.setup(pytester)
    (pytester.path / "conftest.py").write_text(mini_kata.CONFTEST + REPORTER)
    result = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider")
    assert result.ret == 0
    assert (pytester.path / "grades.csv").read_text().splitlines() == [
        "mini,double,passed,2.0", "mini,add,passed,1.0"]


def test_an_installed_plugin_registers_a_kata_by_module_name(pytester):
    mini_kata.setup(pytester)
    (pytester.path / "conftest.py").unlink()
    # A lazily registered module's last name is the kata's name.
    (pytester.path / "checks_mini.py").rename(pytester.path / "mini.py")
    pytester.makepyfile(my_kata_plugin='''
import pytest

@pytest.hookimpl
def pytest_torchkata_register_katas(register):
    register("mini")   # imported only when graded
''' + REPORTER)
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "my_kata_plugin", "--kata=mini", "-p", "no:cacheprovider")
    assert result.ret == 0
    assert "mini,add,passed,1.0" in (pytester.path / "grades.csv").read_text()


def test_every_hook_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    hooks = [name for name in dir(hookspecs) if name.startswith("pytest_torchkata_")]
    assert hooks
    for name in hooks:
        assert name in readme, f"{name} is not described in README.md"


def test_a_conftest_kata_follows_the_built_in_katas_in_the_curriculum(pytester):
    """The built-in katas register first (their hook implementation is ``tryfirst``), though
    pytest calls a conftest's implementation before an installed plugin's."""
    mini_kata.setup(pytester)
    result = pytester.runpytest("--kata-list", "-p", "no:cacheprovider", "--kata-lang=en")
    listed = [line.split()[0] for line in result.stdout.lines if line.startswith("  ") and not line.startswith("   ")]
    assert listed[0] == "tensors" and listed[-1] == "mini", listed
    graded = pytester.runpytest("--kata=mini", "-p", "no:cacheprovider", "--kata-lang=en")
    assert "That was the last kata of the curriculum." in graded.stdout.str()
