"""`torchkata reset KATA TASK` puts back every function and class that holds one of the
task's TODOs (some tasks have two: tensors 1, 2, 5, 8; autograd 3, 5), keeps the other
tasks' code, and speaks the language of the learner's file, not of the locale."""

from __future__ import annotations

import re

import pytest
from kata_testing import solution_source

from pytest_torchkata import cli
from pytest_torchkata.authoring.stubs import translate
from pytest_torchkata.cli.workspace import load_kata, stub_text
from pytest_torchkata.i18n import set_language
from pytest_torchkata.registry import installed

KATAS = installed().builtin_names()  # the built-in katas, from the registry, in curriculum order


@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("TORCHKATA_LANG", "TORCHKATA_DIR", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # an English locale
    folder = tmp_path / "katas"
    folder.mkdir()
    return folder


def solved(source: str) -> str:
    """A learner's finished file: the reference without its solution markers."""
    return re.sub(r"[ \t]*# (BEGIN SOLUTION [\w-]+|END SOLUTION)\n", "", source)


def unwritten(text: str, number: int) -> int:
    return text.count(f'raise NotImplementedError("Task {number} (')


TASKS = [pytest.param(name, task.number, id=f"{name}-{task.number}")
         for name in KATAS for task in load_kata(name).tasks]


@pytest.mark.parametrize("kata, number", TASKS)
def test_reset_puts_back_every_part_of_the_task_and_only_it(workspace, kata, number):
    (workspace / f"{kata}.py").write_text(solved(solution_source(kata)), encoding="utf-8")
    assert cli.main(["reset", kata, str(number)]) == 0
    now = (workspace / f"{kata}.py").read_text(encoding="utf-8")
    stub = stub_text(kata, "en")
    assert unwritten(now, number) == unwritten(stub, number) > 0
    assert now.count("NotImplementedError(") == unwritten(stub, number)  # the other tasks keep their code


def test_the_tasks_with_two_parts_are_covered():
    """The tasks the issue names really have two parts: the test above is about them too."""
    two = {(name, task.number) for name in ("tensors", "autograd") for task in load_kata(name).tasks
           if unwritten(stub_text(name, "en"), task.number) > 1}
    assert {("tensors", 1), ("tensors", 2), ("tensors", 5), ("tensors", 8),
            ("autograd", 3), ("autograd", 5)} <= two


def _definition(text: str, name: str) -> str:
    """The text of the top-level ``def name`` up to the next top-level statement."""
    found = re.search(rf"^def {name}\(.*?(?=^\S)", text, re.S | re.M)
    assert found, name
    return found.group(0)


@pytest.mark.parametrize("kata, task, functions", [("tensors", "softmax", ["softmax"]),
                                                   ("autograd", "3", ["backward_twice", "clear_grad"])])
def test_a_chinese_file_gets_the_chinese_stub_under_an_english_locale(workspace, capsys, kata, task, functions):
    mine = solved(translate(solution_source(kata), "zh"))
    (workspace / f"{kata}.py").write_text(mine, encoding="utf-8")
    assert cli.main(["reset", kata, task]) == 0
    now = (workspace / f"{kata}.py").read_text(encoding="utf-8")
    zh = stub_text(kata, "zh")
    for name in functions:
        assert _definition(now, name) == _definition(zh, name)
    assert cli.main(["reset", kata]) == 0
    assert (workspace / f"{kata}.py").read_text(encoding="utf-8") == zh


def test_an_english_file_stays_english_under_a_chinese_locale(workspace, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    (workspace / "tensors.py").write_text(solved(solution_source("tensors")), encoding="utf-8")
    assert cli.main(["reset", "tensors", "softmax"]) == 0
    now = (workspace / "tensors.py").read_text(encoding="utf-8")
    assert _definition(now, "softmax") == _definition(stub_text("tensors", "en"), "softmax")


def test_a_file_without_a_docstring_follows_the_language_asked_for(workspace):
    (workspace / "tensors.py").write_text("import torch\n", encoding="utf-8")
    assert cli.main(["reset", "tensors", "--lang", "zh"]) == 0
    assert (workspace / "tensors.py").read_text(encoding="utf-8") == stub_text("tensors", "zh")
