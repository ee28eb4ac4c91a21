"""Each task's last status, kept between runs in pytest's cache, per kata
folder; ``--kata-list`` reads it.  The store is a ``pytest_torchkata_results``
hook implementation, like any third-party reporter."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_torchkata.reports.results import SessionResult
from pytest_torchkata.reports.summary import _points
from pytest_torchkata.status import Status

PROGRESS_KEY = "torchkata/progress"


class ProgressStore:
    """Remembers each task's last status in pytest's cache, per kata folder."""

    def __init__(self, kata_dir: Path) -> None:
        self.kata_dir = str(kata_dir)

    @staticmethod
    def read(config: pytest.Config, kata_dir: Path) -> dict[str, dict[str, str]]:
        cache = getattr(config, "cache", None)
        if cache is None:
            return {}
        return cache.get(PROGRESS_KEY, {}).get(str(kata_dir), {})

    @pytest.hookimpl
    def pytest_torchkata_results(self, config: pytest.Config, results: SessionResult) -> None:
        cache = getattr(config, "cache", None)
        if cache is None:
            return
        everything = cache.get(PROGRESS_KEY, {})
        mine = everything.setdefault(self.kata_dir, {})
        for kata in results.katas:
            known = mine.setdefault(kata.name, {})
            for task in kata.tasks:
                if task.status != Status.SKIPPED:
                    known[task.id] = Status(task.status).value
        cache.set(PROGRESS_KEY, everything)


def list_lines(katas: list, progress: dict[str, dict[str, str]], kata_dir: Path) -> list[str]:
    lines = [f"Katas (learner files in {kata_dir}):"]
    for kata in katas:
        done = progress.get(kata.name, {})
        passed = sum(1 for t in kata.tasks if done.get(t.id) == Status.PASSED)
        exists = (kata_dir / f"{kata.name}.py").is_file()
        lines.append(f"  {kata.name:<20} {kata.title}  [{passed}/{len(kata.tasks)} passed]"
                     + ("" if exists else "  (no learner file yet)"))
        for task in kata.tasks:
            seen = done.get(task.id)
            status = Status(seen).word if seen in Status._value2member_map_ else "not graded yet"
            lines.append(f"      {task.number}. {task.title:<44} {_points(task.points):>3} pts  {status}")
    lines.append("Grade one with: pytest --kata=NAME")
    return lines
