"""Report files: a registry of formats (name -> writer) and the reporter that
writes ``--kata-report PATH`` in ``--kata-report-format``.

The built-in formats (json, gradescope, csv) are registered through the
``pytest_torchkata_report_formats`` hook, like any third party's.  Every file
is written atomically: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from pytest_torchkata.reports.results import SessionResult
from pytest_torchkata.status import Status


@dataclass(frozen=True)
class ReportFormat:
    """A report file format: ``write(path, results)`` writes the whole file."""

    name: str
    help: str
    write: Callable[[Path, SessionResult], None]


class FileReporter:
    """Writes ``--kata-report PATH`` with the chosen format's writer (schemas in the README)."""

    def __init__(self, path: Path, fmt: ReportFormat) -> None:
        self.path = path
        self.fmt = fmt

    @pytest.hookimpl
    def pytest_torchkata_results(self, config: pytest.Config, results: SessionResult) -> None:
        self.fmt.write(self.path, results)


def gradescope(results: SessionResult) -> dict[str, Any]:
    """Gradescope's autograder ``results.json``: one test per task."""
    tests = []
    for kata in results.katas:
        for task in kata.tasks:
            if task.status == Status.SKIPPED:
                continue
            output = task.message + (f"\nHint: {task.hint}" if task.status != Status.PASSED and task.hint else "")
            tests.append({
                "name": f"{kata.name} {task.number}. {task.title}",
                "score": task.score, "max_score": task.max_score,
                "status": "passed" if task.status == Status.PASSED else "failed",
                "output": output.strip(),
            })
    return {"score": results.score, "output": f"torchkata: {results.score:g}/{results.max_score:g} points",
            "visibility": "visible", "tests": tests}


CSV_COLUMNS = ["kata", "task", "id", "title", "status", "score", "max_score", "message"]


def write_csv(path: Path, results: SessionResult) -> None:
    import csv

    with atomic_write(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for kata in results.katas:
            for t in kata.tasks:
                writer.writerow([kata.name, t.number, t.id, t.title, t.status, t.score, t.max_score,
                                 " ".join(t.message.split())])
        writer.writerow(["total", "", "", "", "", results.score, results.max_score, ""])


@contextlib.contextmanager
def atomic_write(path: Path, newline: str | None = None) -> Iterator[Any]:
    """Open a temporary file beside ``path`` for writing; rename it over ``path`` on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_write(path) as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")




def _write_results_json(path: Path, results: SessionResult) -> None:
    write_json(path, results.to_json())


def _write_gradescope(path: Path, results: SessionResult) -> None:
    write_json(path, gradescope(results))


BUILTIN_FORMATS = [
    ReportFormat("json", "the full report: every task, check, message and hint", _write_results_json),
    ReportFormat("gradescope", "Gradescope's results.json, one test per task", _write_gradescope),
    ReportFormat("csv", "one row per task", write_csv),
]
