"""The one kata registry (pytest_torchkata.registry), outside pytest: built from the
``pytest11`` entry points of the distributions that depend on pytest-torchkata, the
built-in katas first, a broken pack named and left out, names unknown said so.

Fake distributions are ``.dist-info`` folders on ``sys.path``, as pip leaves them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pytest_torchkata import registry
from pytest_torchkata.katas import CURRICULUM


def dist(root: Path, name: str, requires: list[str], entry: str, module: str, source: str) -> None:
    """A distribution ``name`` with a ``pytest11`` entry point ``entry`` to module ``module``."""
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: " + name + "\nVersion: 1.0\n"
                                   + "".join(f"Requires-Dist: {r}\n" for r in requires), encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[pytest11]\n{entry} = {module}\n", encoding="utf-8")
    (root / f"{module}.py").write_text(source, encoding="utf-8")


KATA_MODULE = '''
from pytest_torchkata.kata import Kata, Text
KATA = Kata("{name}", Text("A {name}", "{name} 练习"))

@KATA.task("one", Text("One", "一"), hint=Text("h", "提示"))
class TestOne:
    def test_it(self, kata):
        pass
'''


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith("fakepack")]:
        monkeypatch.delitem(sys.modules, name)
    return tmp_path


def test_packs_follow_the_built_in_katas_and_other_plugins_are_not_imported(site):
    folder = site / "fakepack_katas" / "chapter1"
    folder.mkdir(parents=True)
    (folder.parent / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (folder / "tasks.py").write_text(KATA_MODULE.format(name="chapter1"), encoding="utf-8")
    # an unmarked hook implementation counts, as pytest counts it
    dist(site, "fakepack-one", ["pytest-torchkata>=0.1"], "fakepack_one", "fakepack_one",
         "def pytest_torchkata_register_katas(register):\n    register('fakepack_katas.chapter1.tasks')\n")
    # a plugin that does not depend on pytest-torchkata is never imported (it would fail)
    dist(site, "fakepack-other", ["pytest"], "fakepack_other", "fakepack_other", "raise RuntimeError('imported')\n")
    built = registry.build()
    assert built.problems == []
    assert built.names() == [*CURRICULUM, "chapter1"]
    assert built.next_kata(CURRICULUM[-1]) == "chapter1" and built.next_kata("chapter1") == ""
    assert built.next_kata("nothing") is None
    assert built.load_kata("chapter1").title == "A chapter1"
    files = built.files("chapter1")
    assert not files.builtin
    assert files.reference == folder / "solutions" / "chapter1.py" and files.stubs == folder / "stubs"
    assert [p.__name__ for p in built.plugins] == ["fakepack_one"]


def test_a_pack_that_cannot_be_imported_is_named_and_left_out(site):
    dist(site, "fakepack-broken", ["pytest_torchkata"], "broken", "fakepack_broken", "import no_such_module_here\n")
    built = registry.build()
    assert built.names() == CURRICULUM
    (problem,) = built.problems
    assert "fakepack_broken" in problem and "fakepack-broken" in problem
    assert "ModuleNotFoundError" in problem and "left out" in problem


def test_two_katas_of_one_name_keep_the_first_and_say_so(site):
    dist(site, "fakepack-twin", ["pytest-torchkata"], "twin", "fakepack_twin",
         "def pytest_torchkata_register_katas(register):\n    register('fakepack_x.tensors.tasks')\n")
    built = registry.build()
    assert built.names() == CURRICULUM
    assert built.module_name("tensors") == "pytest_torchkata.katas.tensors.tasks"
    assert any("two katas are named 'tensors'" in p for p in built.problems)


def test_an_unknown_kata_lists_the_registered_ones():
    with pytest.raises(registry.UnknownKata, match="unknown kata 'tensor'; registered katas: tensors, autograd"):
        registry.installed().load_kata("tensor")


def test_a_built_in_katas_files_are_the_checkouts():
    files = registry.installed().files("tensors")
    assert files.builtin and files.reference.name == "tensors.py" and files.reference.is_file()


def test_every_torchkata_command_names_a_broken_pack_once_and_still_works(site, monkeypatch, capsys, tmp_path):
    from pytest_torchkata import cli

    dist(site, "fakepack-broken", ["pytest-torchkata"], "broken", "fakepack_broken", "raise ValueError('oops')\n")
    built = registry.build()
    monkeypatch.setattr(registry, "installed", lambda: built)
    assert cli.main(["progress", "--kata-dir", str(tmp_path), "--lang", "en"]) == 0
    assert cli.main(["hint", "tensors", "--kata-dir", str(tmp_path), "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    assert err.count("torchkata: the kata plugin fakepack_broken (entry point 'broken' of fakepack-broken) "
                     "cannot be imported, so its katas are left out: ValueError: oops") == 1, err
    assert "tensors" in out
