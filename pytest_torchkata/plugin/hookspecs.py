"""Extension hooks.  Implement them in a ``conftest.py`` or in an installed
plugin (entry point ``pytest11``); the built-in katas and reporters use them too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Union

import pytest

if TYPE_CHECKING:
    from pytest_torchkata.reports.formats import ReportFormat
    from pytest_torchkata.reports.results import SessionResult
    from pytest_torchkata.model import Kata



def pytest_torchkata_register_katas(register: "Callable[[Union[Kata, str]], None]") -> None:
    """Register katas: call ``register(kata)`` with a ``Kata`` object, or with the
    dotted name of a module that defines ``KATA`` (imported only when graded)."""


def pytest_torchkata_report_formats(register: "Callable[[ReportFormat], None]") -> None:
    """Register report formats for ``--kata-report-format``: call
    ``register(ReportFormat(name, help, write))``, where ``write(path, results)``
    writes the whole file (``reports.formats.write_json`` writes atomically)."""


def pytest_torchkata_results(config: pytest.Config, results: "SessionResult") -> None:
    """Called once grading is over with the finished results (scores, task
    statuses, messages).  Reporters implement it; the JSON report is one."""
