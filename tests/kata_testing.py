"""Helpers for the plugin's own tests, loaded as a pytest plugin (``pytest_plugins``
in ``tests/conftest.py``): the ``grade`` fixture runs a kata under pytester;
``mutate`` makes a mistaken learner version of a reference solution.

Test modules import the plain functions from here (``from kata_testing import
mutate``), never from ``conftest``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "katas"


def solution_source(kata: str) -> str:
    return (SOLUTIONS / f"{kata}.py").read_text(encoding="utf-8")


def stub_source(kata: str) -> str:
    return (STUBS / f"{kata}.py").read_text(encoding="utf-8")


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
    if case.others_pass:
        wrong = {t for t, s in statuses.items() if s not in ("passed", "skipped")} - {case.task}
        assert not wrong, f"{case.id}: other tasks affected: {statuses}"
    return g
