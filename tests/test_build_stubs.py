"""A wheel never ships a learner file that is not the generated stub: built from a checkout
whose katas/ a learner solved (or whose stubs are stale), the build is refused with the command
that fixes it; built from a fresh checkout, it ships the stubs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from kata_testing import ROOT, solution_source

BUILD = "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))"


def _checkout(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    copy.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    ignore = shutil.ignore_patterns("__pycache__", ".torchkata", ".backup")
    for name in ("pytest_torchkata", "katas", "solutions"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    return copy


def _build(checkout: Path, out: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("hatchling.build")
    return subprocess.run([sys.executable, "-c", BUILD, str(out)], cwd=checkout, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    return _checkout(tmp_path_factory.mktemp("build"))


def test_a_fresh_checkout_builds_a_wheel_with_the_stubs(checkout, tmp_path):
    done = _build(checkout, tmp_path)
    assert done.returncode == 0, done.stderr
    wheel = zipfile.ZipFile(tmp_path / done.stdout.strip().splitlines()[-1])
    stub = wheel.read("pytest_torchkata/_stubs/tensors.py").decode()
    assert stub == (ROOT / "katas" / "tensors.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("change", ["solved", "new file", "manifest gone"])
def test_a_checkout_whose_katas_are_not_the_stubs_is_refused(tmp_path, change):
    checkout = _checkout(tmp_path)
    if change == "solved":
        (checkout / "katas" / "zh" / "tensors.py").write_text(solution_source("tensors"), encoding="utf-8")
    elif change == "new file":
        (checkout / "katas" / "scratch.py").write_text("x = 1\n")
    else:
        (checkout / "katas" / "STUBS.sha256").unlink()
    done = _build(checkout, tmp_path / "out")
    assert done.returncode != 0
    assert "torchkata gen" in done.stderr and "torchkata init DIR" in done.stderr, done.stderr
    assert not list((tmp_path / "out").glob("*.whl")) if (tmp_path / "out").exists() else True


def test_the_header_sends_a_learner_from_the_checkouts_katas_to_a_folder_of_their_own(pytester):
    checkout = pytester.runpytest("--kata=tensors", f"--kata-dir={ROOT / 'katas'}", "-p", "no:cacheprovider")
    header = " ".join(checkout.stdout.str().split())  # the header wraps at the terminal's width
    assert "these are the project's own katas/; work in a folder of your own: `torchkata init" in header
    (pytester.path / "katas").mkdir()
    shutil.copy(ROOT / "katas" / "tensors.py", pytester.path / "katas" / "tensors.py")
    own = pytester.runpytest("--kata=tensors", "-p", "no:cacheprovider")
    assert "project's own katas" not in own.stdout.str()
