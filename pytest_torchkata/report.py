"""What the learner and the instructor see: the terminal summary, the JSON
report, and the progress kept between runs for ``--kata-list``.

The JSON reporter and the progress store are implementations of the
``pytest_torchkata_results`` hook, like any third-party reporter.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from pytest_torchkata.grading import KataResult, SessionResult

PROGRESS_KEY = "torchkata/progress"
STATUS_WORDS = {
    "passed": "passed", "failed": "FAILED", "not_started": "not started",
    "error": "ERROR", "skipped": "skipped",
}


def _points(x: float) -> str:
    return f"{x:g}"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_lines(kata: KataResult) -> list[str]:
    lines = []
    width = max((len(t.title) for t in kata.tasks), default=10) + 4
    for task in kata.tasks:
        score = f"{_points(task.score)}/{_points(task.max_score)}" if task.status != "skipped" else "-"
        lines.append(f"  {STATUS_WORDS[task.status]:<12} {f'{task.number}. {task.title}':<{width}} {score}")
        if task.status in ("failed", "error") and task.message:
            lines.append(f"  {'':<12}   {_short(task.message)}")
        elif task.status == "skipped" and task.message:
            lines.append(f"  {'':<12}   {_short(task.message, 120)}")
    nxt = kata.next_task()
    if nxt is not None:
        lines.append(f"  Next: task {nxt.number}, \"{nxt.title}\" ({STATUS_WORDS[nxt.status]}).")
        if nxt.hint:
            lines.append(f"  Hint: {_short(nxt.hint, 240)}")
    elif kata.max_score:
        skipped = sum(1 for t in kata.tasks if t.status == "skipped")
        lines.append("  All tasks passed. Well done!" if not skipped else
                     f"  All graded tasks passed; {skipped} skipped (see above).")
    return lines


def write_summary(terminal: Any, results: SessionResult) -> None:
    for kata in results.katas:
        terminal.write_sep("=", f"torchkata: {kata.name} - {kata.title}  "
                                f"{_points(kata.score)}/{_points(kata.max_score)} points")
        for line in summary_lines(kata):
            terminal.write_line(line)
    for warning in results.warnings:
        terminal.write_line(f"Warning: {warning}", yellow=True)
    if len(results.katas) > 1:
        terminal.write_line(f"Total: {_points(results.score)}/{_points(results.max_score)} points")


class FileReporter:
    """Writes ``--kata-report PATH`` in ``--kata-report-format`` (schemas in the README)."""

    def __init__(self, path: Path, fmt: str = "json") -> None:
        self.path = path
        self.fmt = fmt

    @pytest.hookimpl
    def pytest_torchkata_results(self, config: pytest.Config, results: SessionResult) -> None:
        if self.fmt == "gradescope":
            write_json(self.path, gradescope(results))
        elif self.fmt == "csv":
            write_csv(self.path, results)
        else:
            write_json(self.path, results.to_json())


def gradescope(results: SessionResult) -> dict[str, Any]:
    """Gradescope's autograder ``results.json``: one test per task."""
    tests = []
    for kata in results.katas:
        for task in kata.tasks:
            if task.status == "skipped":
                continue
            output = task.message + (f"\nHint: {task.hint}" if task.status != "passed" and task.hint else "")
            tests.append({
                "name": f"{kata.name} {task.number}. {task.title}",
                "score": task.score, "max_score": task.max_score,
                "status": "passed" if task.status == "passed" else "failed",
                "output": output.strip(),
            })
    return {"score": results.score, "output": f"torchkata: {results.score:g}/{results.max_score:g} points",
            "visibility": "visible", "tests": tests}


CSV_COLUMNS = ["kata", "task", "id", "title", "status", "score", "max_score", "message"]


def write_csv(path: Path, results: SessionResult) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for kata in results.katas:
            for t in kata.tasks:
                writer.writerow([kata.name, t.number, t.id, t.title, t.status, t.score, t.max_score,
                                 " ".join(t.message.split())])
        writer.writerow(["total", "", "", "", "", results.score, results.max_score, ""])


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)


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
                if task.status != "skipped":
                    known[task.id] = task.status
        cache.set(PROGRESS_KEY, everything)


def list_lines(katas: list, progress: dict[str, dict[str, str]], kata_dir: Path) -> list[str]:
    lines = [f"Katas (learner files in {kata_dir}):"]
    for kata in katas:
        done = progress.get(kata.name, {})
        passed = sum(1 for t in kata.tasks if done.get(t.id) == "passed")
        exists = (kata_dir / f"{kata.name}.py").is_file()
        lines.append(f"  {kata.name:<20} {kata.title}  [{passed}/{len(kata.tasks)} passed]"
                     + ("" if exists else "  (no learner file yet)"))
        for task in kata.tasks:
            status = STATUS_WORDS.get(done.get(task.id, ""), "not graded yet")
            lines.append(f"      {task.number}. {task.title:<44} {_points(task.points):>3} pts  {status}")
    lines.append("Grade one with: pytest --kata=NAME")
    return lines
