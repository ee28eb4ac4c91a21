"""Shared fixtures for the plugin's own tests.

torch is imported before any ``pytester`` run: pytester restores
``sys.modules`` after each in-process run, and torch must not be unloaded.
The heavy imports wait for ``pytest_configure`` and are skipped under
``--kata``, which loads this file too when run from the repository root.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["kata_testing"]


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("kata", None) or config.getoption("kata_list", None):
        return
    import torch  # noqa: F401
    import torch._dynamo  # noqa: F401  (the first optimizer imports it: ~900 modules)
    import torchvision  # noqa: F401

    import pytest_torchkata.plugin.access  # noqa: F401
    import pytest_torchkata.checks.values  # noqa: F401
    import pytest_torchkata.sandbox.runner  # noqa: F401
    # the CLI's modules too: a module first imported inside a pytester run is dropped after
    # it, and a class re-imported later (UsageProblem) no longer matches its old instances
    import pytest_torchkata.cli.instructor  # noqa: F401
    import pytest_torchkata.cli.learner  # noqa: F401
    import pytest_torchkata.cli.watch  # noqa: F401
    import pytest_torchkata.cli.workspace  # noqa: F401


@pytest.fixture(autouse=True)
def _language_restored():
    """A test that switches the message language (set_language, a --kata-lang=zh run in this
    process) leaves the next test in the language it found."""
    from pytest_torchkata.i18n import language, set_language

    before = language()
    yield
    set_language(before)


@pytest.fixture(autouse=True)
def _lean_inner_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner pytester runs skip hypothesis's plugin, which re-imports itself every run."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")
