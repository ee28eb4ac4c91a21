"""The grading session is a plugin of its own, registered only under ``--kata`` or
``--kata-list``: a plain pytest run meets none of its hooks; and the header's wording
(reports.header) from plain facts."""

from __future__ import annotations

import mini_kata

from pytest_torchkata.i18n import set_language
from pytest_torchkata.reports.header import NEEDS_MB, HeaderFacts, header_lines, memory_line, sandbox_line

GRADING_HOOKS = ("pytest_runtest_makereport", "pytest_collection_modifyitems", "pytest_sessionfinish",
                 "pytest_terminal_summary", "pytest_report_header", "pytest_generate_tests",
                 "pytest_pycollect_makemodule", "pytest_collection")

PROBE = '''
import pytest

HOOKS = {hooks!r}

@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    hook = session.config.pluginmanager.hook
    found = {{name: sorted(impl.plugin_name for impl in getattr(hook, name).get_hookimpls()
                           if impl.plugin_name.startswith("torchkata")) for name in HOOKS}}
    with open("owners.txt", "w") as fh:
        fh.write(repr(found))
'''


def _owners(pytester, *args):
    (pytester.path / "conftest.py").write_text(
        (pytester.path / "conftest.py").read_text() + PROBE.format(hooks=GRADING_HOOKS)
        if (pytester.path / "conftest.py").exists() else PROBE.format(hooks=GRADING_HOOKS))
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    pytester.runpytest("-p", "no:cacheprovider", *args)
    return eval((pytester.path / "owners.txt").read_text())


def test_a_plain_run_meets_none_of_the_grading_hooks(pytester):
    owners = _owners(pytester)
    assert owners == {name: [] for name in GRADING_HOOKS}


def test_under_kata_the_session_object_implements_them(pytester):
    mini_kata.setup(pytester)
    owners = _owners(pytester, "--kata=mini")
    assert owners == {name: ["torchkata-session"] for name in GRADING_HOOKS}


def _facts(**changes):
    values = dict(version="0.1.0", katas=["tensors"], kata_dir="/k", devices=["cpu"], seed=7, digest="abc",
                  torch_version="2.x", isolate=True, level="none", level_summary="none (a session of its own)",
                  weak_note="none stops nothing", memory_mb=None)
    values.update(changes)
    return HeaderFacts(**values)


def test_the_memory_warning_needs_an_isolated_run_in_too_small_a_container():
    set_language("en")
    assert memory_line(_facts(memory_mb=NEEDS_MB["cpu"])) is None
    assert memory_line(_facts(memory_mb=300, isolate=False)) is None
    assert "allows 300 MB, but an isolated run needs about 640 MB" in memory_line(_facts(memory_mb=300))
    cuda = memory_line(_facts(memory_mb=800, cuda_build=True))
    assert "CUDA build of torch needs about 1024 MB" in cuda and "--index-url" in cuda
    assert memory_line(_facts(memory_mb=800, cuda_build=True, cuda_available=True)).endswith("killed for memory")


def test_the_header_says_the_sandbox_and_fits_the_columns():
    set_language("zh")
    try:
        assert sandbox_line(_facts()) == "隔离的工作进程，沙箱 none (a session of its own)；警告：none stops nothing"
        assert sandbox_line(_facts(isolate=False)) == "在评分进程内运行"
    finally:
        set_language("en")
    lines = header_lines(_facts(katas=["tensors"] * 12, memory_mb=100), columns=60)
    assert lines[0].startswith("torchkata 0.1.0: katas tensors, tensors")
    assert all(len(line) <= 60 for line in lines)
    text = " ".join(line.strip() for line in lines)
    assert "(no CUDA device: CUDA cases are skipped); seed 7 (digest abc); torch 2.x;" in text
    assert "torchkata: WARNING: this container allows 100 MB" in text
