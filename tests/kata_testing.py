"""Helpers for the plugin's own tests, loaded as a pytest plugin (``pytest_plugins``
in ``tests/conftest.py``): the ``grade`` fixture runs a kata under pytester;
``mutate`` makes a mistaken learner version of a reference solution; ``mnist_digits``
says where the MNIST digits are for the tests that grade on them.

Test modules import the plain functions from here (``from kata_testing import
mutate``), never from ``conftest``.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "katas"
MNIST_OFFLINE = Path("/work/shared/data/mnist/offline")


def solution_source(kata: str) -> str:
    return (SOLUTIONS / f"{kata}.py").read_text(encoding="utf-8")


def stub_source(kata: str) -> str:
    return (STUBS / f"{kata}.py").read_text(encoding="utf-8")


def mnist_digits() -> tuple[Path | None, pytest.MarkDecorator]:
    """The MNIST folder to grade on (``TORCHKATA_DATA``, else the offline copy; None when
    neither holds the digits) and the mark that skips a test without it."""
    from pytest_torchkata.katas.mnist.data import has_mnist  # imports torch: only where asked

    found = next((Path(c) for c in (os.environ.get("TORCHKATA_DATA"), MNIST_OFFLINE)
                  if c and has_mnist(Path(c))), None)
    return found, pytest.mark.skipif(found is None, reason=f"no MNIST here: set TORCHKATA_DATA to a folder "
                                                           f"with MNIST/raw/ (offline copy: {MNIST_OFFLINE})")


def mutate(kata: str, *replacements: tuple[str, str]) -> str:
    """The reference solution with text replaced: a deliberately mistaken learner version.
    Each ``old`` must occur exactly once, so a test cannot silently stop mutating anything."""
    source = solution_source(kata)
    for old, new in replacements:
        count = source.count(old)
        assert count == 1, f"{old!r} occurs {count} times in solutions/{kata}.py"
        source = source.replace(old, new)
    return source


class Graded:
    def __init__(self, result: pytest.RunResult, report: dict[str, Any] | None) -> None:
        self.result = result
        self.report = report or {}

    @property
    def output(self) -> str:
        return self.result.stdout.str()

    def kata(self, name: str | None = None) -> dict[str, Any]:
        katas = self.report["katas"]
        return katas[0] if name is None else next(k for k in katas if k["name"] == name)

    def task(self, task_id: str, kata: str | None = None) -> dict[str, Any]:
        return next(t for t in self.kata(kata)["tasks"] if t["id"] == task_id)

    def status(self, task_id: str, kata: str | None = None) -> str:
        return self.task(task_id, kata)["status"]

    def message(self, task_id: str, kata: str | None = None) -> str:
        task = self.task(task_id, kata)
        return f"{task['message']} | {task['hint']}"

    def statuses(self, kata: str | None = None) -> dict[str, str]:
        return {t["id"]: t["status"] for t in self.kata(kata)["tasks"]}

    @property
    def full_marks(self) -> bool:
        return self.report["max_score"] > 0 and self.report["score"] == self.report["max_score"]


@pytest.fixture
def grade(pytester: pytest.Pytester):
    """grade(kata, source=None, *args, files=None, solution=False) -> Graded.

    Writes ``katas/<kata>.py`` (``source``, else the reference when
    ``solution``, else the stub) into a fresh folder, runs
    ``pytest --kata=<kata> --kata-report=report.json`` there and reads the report.
    """

    def run(kata: str, source: str | None = None, *args: str, files: dict[str, str] | None = None,
            solution: bool = False, subprocess: bool = False) -> Graded:
        names = kata.split(",")
        pytester.syspathinsert()  # plugin modules written with ``files`` load with ``-p NAME``
        katas_dir = pytester.path / "katas"
        katas_dir.mkdir(exist_ok=True)
        for name in names:
            text = source if source is not None and len(names) == 1 else (
                solution_source(name) if solution else stub_source(name))
            (katas_dir / f"{name}.py").write_text(text, encoding="utf-8")
        for rel, text in (files or {}).items():
            target = pytester.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        report = pytester.path / "report.json"
        if report.exists():
            report.unlink()
        argv = [f"--kata={kata}", f"--kata-report={report}", "-p", "no:cacheprovider", *args]
        result = pytester.runpytest_subprocess(*argv) if subprocess else pytester.runpytest(*argv)
        data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
        return Graded(result, data)

    return run


@dataclass(frozen=True)
class Case:
    """One classic mistake for a kata's mistake table: the reference with ``replace``
    applied (each old text must occur once) is graded, and ``task`` must end with
    ``status`` and a message (or hint) containing every phrase in ``says``."""

    id: str
    task: str
    replace: tuple  # ((old, new), ...)
    says: tuple  # phrases that name the mistake
    status: str = "failed"
    args: tuple = ()  # extra pytest arguments, e.g. ("-k", "softmax")
    others_pass: bool = True  # every other graded task still passes
    mistake: str = ""  # the id the task must report (checks.variants: "kata.short_name"); "" = not asserted


def cases(table: list) -> list:
    """The table as pytest parameters named by mistake id."""
    return [pytest.param(case, id=case.id) for case in table]


def expect_caught(grade, kata: str, case: Case) -> Graded:
    g = grade(kata, mutate(kata, *case.replace), *case.args)
    statuses = g.statuses()
    assert statuses[case.task] == case.status, (statuses, g.output)
    message = g.message(case.task)
    for phrase in case.says:
        assert phrase in message, f"{case.id}: {phrase!r} not in {message!r}"
    if case.mistake:
        assert g.task(case.task)["mistake"] == case.mistake, (case.id, g.task(case.task)["mistake"], message)
    if case.others_pass:
        wrong = {t for t, s in statuses.items() if s not in ("passed", "skipped")} - {case.task}
        assert not wrong, f"{case.id}: other tasks affected: {statuses}"
    return g


# -- correct alternatives: only what differs from the reference ------------------------

def _span(node):
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return start - 1, node.end_lineno


def _methods(node) -> dict:
    return {m.name: m for m in node.body if isinstance(m, ast.FunctionDef)}


def _class_with_reference_methods(alt_node, alt_lines, ref_node, ref_lines) -> str:
    """The alternative's class, with the reference's methods it does not write put in,
    each before the first of the alternative's methods that comes after it in the reference."""
    order = list(_methods(ref_node))
    mine = _methods(alt_node)
    start, end = _span(alt_node)
    before: dict[int, list[str]] = {}  # line of one of the alternative's methods -> text put before it
    for name in (n for n in order if n not in mine):
        later = [m for m in mine.values() if m.name in order and order.index(m.name) > order.index(name)]
        at = _span(min(later, key=lambda m: m.lineno))[0] if later else end
        a, b = _span(_methods(ref_node)[name])
        before.setdefault(at, []).extend(["\n"] + ref_lines[a:b] if at == end else ref_lines[a:b] + ["\n"])
    out = []
    for i in range(start, end + 1):
        out.extend(before.get(i, []))
        if i < end:
            out.append(alt_lines[i] if alt_lines[i].endswith("\n") else alt_lines[i] + "\n")
    return "".join(out)


def compose(reference: str, alternative: str) -> str:
    """A learner file: the reference with the alternative's top-level functions and classes
    in place of its same-named ones (new ones appended) and the alternative's imports added,
    so an alternative file holds only what it does differently; a class keeps the
    reference's methods that the alternative's class does not write."""
    ref_lines = reference.splitlines(keepends=True)
    ref = ast.parse(reference)
    alt_lines = alternative.splitlines(keepends=True)
    alt = ast.parse(alternative)
    named = {n.name: n for n in ref.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    imports, replace, extra = [], {}, []
    for node in alt.body:
        a, b = _span(node)
        text = "".join(alt_lines[a:b])
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if isinstance(node, ast.ClassDef) and isinstance(named.get(node.name), ast.ClassDef):
                replace[node.name] = _class_with_reference_methods(node, alt_lines, named[node.name],
                                                                   ref_lines)
            elif node.name in named:
                replace[node.name] = text
            else:
                extra.append(text)
        elif not (isinstance(node, ast.ImportFrom) and node.module == "__future__") and not (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            imports.append(text)  # imports and module constants, before the reference's code
    out = list(ref_lines)
    for name, node in sorted(named.items(), key=lambda kv: -kv[1].lineno):
        if name in replace:
            a, b = _span(node)
            out[a:b] = [replace[name]]
    # imports go after the module docstring and `from __future__` lines
    at = 0
    for node in ref.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) or (
                isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            at = node.end_lineno
        else:
            break
    head = "".join(out)
    lines = head.splitlines(keepends=True)
    lines[at:at] = [i if i.endswith("\n") else i + "\n" for i in imports]
    return "".join(lines) + "".join("\n\n" + e + ("" if e.endswith("\n") else "\n") for e in extra)
