"""Extension hooks.  Implement them in a ``conftest.py`` or in an installed plugin (entry
point ``pytest11``); the built-in katas and report formats use them too.

Each hook is called with keyword arguments; an implementation may take any subset of them.
A kata pack, for example (``examples/kata-pack``)::

    # torchkata_pack_example/plugin.py, named by the pack's entry point:
    #   [project.entry-points.pytest11]
    #   torchkata_pack_example = "torchkata_pack_example.plugin"
    import pytest

    @pytest.hookimpl
    def pytest_torchkata_register_katas(register):
        register("torchkata_pack_example.norms.tasks")

Katas registered from a ``conftest.py`` are graded by pytest only; those of an installed
plugin also reach every ``torchkata`` command (``pytest_torchkata.registry``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Union

import pytest

if TYPE_CHECKING:
    from pytest_torchkata.model import Kata
    from pytest_torchkata.reports.formats import ReportFormat
    from pytest_torchkata.reports.results import SessionResult


@pytest.hookspec
def pytest_torchkata_register_katas(register: Callable[[Union[Kata, str]], None]) -> None:
    """Register katas, in the order a learner takes them.

    :param register: call ``register("pkg.NAME.tasks")`` with the dotted name of the module
        that defines ``KATA = Kata("NAME", ...)`` (imported only when the kata is used), or
        ``register(kata)`` with a ``Kata`` object.  Two katas of one name are an error.

    The built-in katas register first (``tryfirst``); the katas of other plugins follow.
    """


@pytest.hookspec
def pytest_torchkata_report_formats(register: Callable[[ReportFormat], None]) -> None:
    """Register report formats for ``--kata-report-format``.

    :param register: call ``register(ReportFormat(name, help, write))``, where ``help`` is
        the line ``pytest --help`` shows for the format and ``write(path, results)`` writes
        the whole file (``reports.formats.write_json`` writes atomically).
    """


@pytest.hookspec
def pytest_torchkata_results(config: pytest.Config, results: SessionResult) -> None:
    """Called once grading is over, with the finished results.  Reporters implement it; the
    JSON report is one.

    :param config: the pytest config of the grading run.
    :param results: the session's scores, task statuses and messages (``reports.results``).
    """
