"""Every text a learner sees exists in English and 简体中文.

Scanned per module (so a kata whose translation is still missing shows by name):
every ``Text(en, zh)`` has its Chinese; the two templates of every ``tr`` call and
``Text`` name the same placeholders; learner-facing exceptions and check-helper
messages are not plain English literals; and every kata's title, task titles and
hint levels carry their translation.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import pytest_torchkata
from pytest_torchkata.i18n import Text
from pytest_torchkata.katas import CURRICULUM

PACKAGE = Path(pytest_torchkata.__file__).resolve().parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if not p.relative_to(PACKAGE).parts[0].startswith("_s"))
IDS = [str(p.relative_to(PACKAGE)) for p in MODULES]

LEARNER_EXCEPTIONS = {"CheckFailed", "Mistake", "LearnerError", "ForbiddenCall", "LearnerCrashed",
                      "LearnerTimeout", "NotStarted", "KataOutcome", "UsageError", "UsageProblem"}
MESSAGE_KEYWORDS = {"message", "hint", "what", "tensor_note"}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _prose(node: ast.AST) -> bool:
    """Whether a literal (or the fixed parts of an f-string) reads as English words, not code."""
    if isinstance(node, ast.JoinedStr):
        text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        text = _literal(node)
    if text is None:
        return False
    text = re.sub(r"`[^`]*`", " ", text)  # code in backticks
    text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", text)  # arguments, indices
    return len(re.findall(r"(?<![\w.=])[A-Za-z]{2,}(?=[\s,;:]|$)", text)) >= 3


def _calls(tree: ast.AST, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called == name:
                yield node


def _fields(template: str) -> set[str]:
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(re.split(r"[.\[]", field)[0])
    return names


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_every_text_has_its_chinese_and_the_same_placeholders(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for name in ("Text", "tr"):
        for call in _calls(tree, name):
            if len(call.args) < 2:
                if name == "Text" or call.args:
                    problems.append(f"{_where(path, call)}: {name}(...) needs an English and a Chinese text")
                continue
            en, zh = _literal(call.args[0]), _literal(call.args[1])
            if any(isinstance(a, ast.JoinedStr) for a in call.args[:2]):
                problems.append(f"{_where(path, call)}: {name}() takes templates, not f-strings")
                continue
            if en is None or zh is None:
                continue  # built from constants elsewhere; checked where they are defined
            if not zh.strip():
                problems.append(f"{_where(path, call)}: {en[:50]!r} has no Chinese")
            elif _fields(en) != _fields(zh):
                problems.append(f"{_where(path, call)}: placeholders differ: {sorted(_fields(en))} "
                                f"in English, {sorted(_fields(zh))} in Chinese")
            elif (en.strip() and re.search(r"[A-Za-z]{3,}", en) and zh == en
                  and not (en.strip().startswith("`") and en.strip().endswith("`"))):  # code reads the same
                problems.append(f"{_where(path, call)}: the Chinese is the English text")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_learner_messages_are_not_plain_english_literals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in LEARNER_EXCEPTIONS and node.exc.args and _prose(node.exc.args[0]):
                problems.append(f"{_where(path, node)}: raise {name}(...) with a plain English text; use tr(en, zh)")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            for kw in node.keywords:
                if kw.arg in MESSAGE_KEYWORDS and _prose(kw.value) and name not in ("Option", "add_argument",
                                                                                       "add_parser", "addoption",
                                                                                       "filterwarnings"):
                    problems.append(f"{_where(path, kw.value)}: {kw.arg}= is a plain English text; use tr(en, zh)")
            if name == "expect_true" and len(node.args) >= 2 and _prose(node.args[1]):
                problems.append(f"{_where(path, node)}: expect_true message is a plain English text; use tr(en, zh)")
    assert not problems, "\n".join(problems)


def _translated(value) -> bool:
    return isinstance(value, Text) and bool(value.zh.strip())


@pytest.mark.parametrize("name", CURRICULUM)
def test_kata_titles_and_hints_are_translated(name):
    from pytest_torchkata.model import Registry

    registry = Registry()
    registry.register(f"pytest_torchkata.katas.{name}.tasks")
    kata = registry.get(name)
    missing = [] if _translated(kata.title_text) else [f"the kata title {kata.title!r}"]
    for task in kata.tasks:
        if not _translated(task.title_text):
            missing.append(f"task {task.number} title {task.title!r}")
        if len(task.hints) < 2:
            missing.append(f"task {task.number} has {len(task.hints)} hint level(s); write at least 2")
        for level, hint in enumerate(task.hints, start=1):
            if not _translated(hint):
                missing.append(f"task {task.number} hint level {level}")
            elif _fields(hint.en) != _fields(hint.zh):
                missing.append(f"task {task.number} hint level {level}: placeholders differ")
    assert not missing, f"{name}: write Text(en, zh) for: " + "; ".join(missing)


def test_the_summary_words_are_translated():
    from pytest_torchkata.status import _WORDS

    assert all(_translated(word) for word in _WORDS.values())


def test_the_scan_catches_what_it_looks_for(tmp_path):
    """The scanners fail on the mistakes they name (so they cannot pass on nothing)."""
    bad = ast.parse('raise CheckFailed(f"{what} should return a tensor")\n'
                    'expect_close(a, b, what="the loss after one step")\n')
    raised = next(n for n in ast.walk(bad) if isinstance(n, ast.Raise))
    assert _prose(raised.exc.args[0])
    call = next(_calls(bad, "expect_close"))
    assert _prose(call.keywords[0].value)
    assert not _prose(ast.parse('"softmax(x, dim=1)"').body[0].value)
    assert _fields("{what} has shape {got}") != _fields("{what} 的形状是 {want}")


def test_check_messages_in_chinese_keep_the_numbers_and_names():
    import torch

    from pytest_torchkata.checks.errors import CheckFailed
    from pytest_torchkata.checks.hints import hint_for
    from pytest_torchkata.checks.values import expect_close, expect_shape
    from pytest_torchkata.i18n import set_language

    set_language("zh")
    try:
        with pytest.raises(CheckFailed) as shape:
            expect_shape(torch.zeros(2, 3), (3, 2), what="softmax(x)")
        with pytest.raises(CheckFailed) as values:
            expect_close(torch.tensor([1.0, 5.0]), torch.tensor([1.0, 2.0]), what="f(x)")
        hint = hint_for("view size is not compatible with input tensor's size and stride")
    finally:
        set_language("en")
    assert "softmax(x) 的形状是 (2, 3)，应为 (3, 2)" in shape.value.message
    assert "f(x)：2 个值中有 1 个不对" in values.value.message and "得到 5，应为 2" in values.value.message
    assert "`view` 需要内存连续的张量" in hint
