"""One typed surface for kata authors: ``pytest_torchkata.kata`` gives every name a kata
needs, loads nothing until a name is used, and types the ``kata`` fixture; the package is
marked typed; ``dtype_name`` is one function; ``pytest --help`` names every report format."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_torchkata
from pytest_torchkata import kata as surface

AUTHOR_NAMES = {"Kata", "Task", "Text", "tr", "KataFixture", "CheckFailed", "Mistake", "expect_close",
                "expect_shape", "expect_tensor", "expect_true", "expect_float", "expect_finite",
                "expect_on_cpu", "expect_gradients", "expect_gradgrad", "expect_converged", "Variant",
                "Variants", "matches", "dtype_name", "labelled", "trusted"}


def test_every_name_a_kata_needs_comes_from_one_module():
    assert set(surface.__all__) == AUTHOR_NAMES
    from pytest_torchkata.checks.errors import Mistake
    from pytest_torchkata.checks.values import expect_close
    from pytest_torchkata.model import Kata

    assert surface.Kata is Kata and surface.Mistake is Mistake and surface.expect_close is expect_close
    for name in AUTHOR_NAMES:
        assert getattr(surface, name) is not None
    with pytest.raises(AttributeError):
        surface.no_such_name  # noqa: B018


def test_importing_it_loads_no_grader_code_and_no_torch():
    code = ("import sys; import pytest_torchkata.kata; "
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('pytest_torchkata.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(pytest_torchkata.__file__).parents[1])
    assert done.stdout.strip() == "['pytest_torchkata.kata']"


def test_the_kata_fixtures_protocol_is_what_the_fixture_gives():
    from pytest_torchkata.plugin.access import KataAccess
    from pytest_torchkata.plugin.fixtures import kata

    fields = {f.name for f in dataclasses.fields(KataAccess)}
    for name in surface.KataFixture.__annotations__:
        assert name in fields, f"KataFixture.{name} is not a field of KataAccess"
    for method in ("call", "run", "record"):
        assert callable(getattr(KataAccess, method))
    assert "KataFixture" in str(kata.__wrapped__.__annotations__["return"])


def test_the_package_is_marked_typed():
    assert (Path(pytest_torchkata.__file__).parent / "py.typed").is_file()


def test_dtype_name():
    import torch

    assert surface.dtype_name(torch.float32) == "float32"
    assert surface.dtype_name("torch.int64") == "int64" and surface.dtype_name("bool") == "bool"


FORMAT_PLUGIN = '''
from pytest_torchkata.reports.formats import ReportFormat

def pytest_torchkata_report_formats(register):
    register(ReportFormat("tsv", "tab-separated rows, one per task (100% plain)", lambda path, results: None))
'''


def test_help_names_every_registered_format_with_its_help(pytester):
    pytester.makeconftest(FORMAT_PLUGIN)
    result = pytester.runpytest("--help")
    text = " ".join(result.stdout.str().split())
    assert "tsv: tab-separated rows, one per task (100% plain)" in text
    assert "html: a page to open in a browser" in text and "json: the full report" in text
