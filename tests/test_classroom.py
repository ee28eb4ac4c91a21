"""Gradescope and GitHub Classroom: results.json per Gradescope's specification (from a
report, and from run_autograder against a temporary autograder root, even for an empty or
hostile submission), and the Classroom workflow and payload, decoded."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mini_kata
import pytest
from kata_testing import ROOT, solution_source

from pytest_torchkata import cli
from pytest_torchkata.reports.formats import VISIBILITIES, gradescope_results
from pytest_torchkata.reports.results import nudge

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
VISIBILITY = {"enum": list(VISIBILITIES)}
# Gradescope's autograder results.json, as its documentation specifies the fields we write
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["score", "execution_time", "output", "output_format", "visibility",
                 "stdout_visibility", "tests"],
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "integer", "minimum": 0},
        "output": {"type": "string"}, "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
        "tests": {"type": "array", "items": {
            "type": "object", "required": ["name", "number", "score", "max_score", "status", "output", "visibility"],
            "properties": {"name": {"type": "string"}, "number": {"type": "string"},
                           "score": {"type": "number"}, "max_score": {"type": "number"},
                           "status": {"enum": ["passed", "failed"]}, "output": {"type": "string"},
                           "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                           "visibility": VISIBILITY}}},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"],
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
}


def valid(results: dict) -> dict:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(results, RESULTS_SCHEMA)
    return results


@pytest.fixture
def mini_report(pytester):
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("return a + b", "return a - b"))
    pytester.runpytest("--kata=mini", "--kata-report=report.json", "-p", "no:cacheprovider")
    return pytester.path / "report.json"


def test_gradescope_results_follow_the_spec_with_visibility_per_kata_and_task(mini_report):
    report = json.loads(mini_report.read_text())
    report["katas"][0]["tasks"][0]["data"] = {"accuracy": 0.9812}
    results = valid(gradescope_results(report, {"": "after_published", "mini.add": "hidden"}, execution_time=3.6))
    assert results["score"] == 2.0 and results["execution_time"] == 4 and results["output_format"] == "md"
    assert results["visibility"] == "after_published" and results["stdout_visibility"] == "hidden"
    assert [(t["number"], t["score"], t["max_score"], t["status"], t["visibility"]) for t in results["tests"]] == [
        ("1.1", 2.0, 2.0, "passed", "after_published"), ("1.2", 0.0, 1.0, "failed", "hidden")]
    assert "Hint: " + nudge("use +") in results["tests"][1]["output"]
    assert results["leaderboard"] == [{"name": "Mini kata accuracy (%)", "value": 98.12, "order": "desc"}]


def test_classroom_result_prints_the_reporters_payload(mini_report, capsys):
    assert cli.main(["classroom-result", str(mini_report)]) == 0
    payload = json.loads(base64.b64decode(capsys.readouterr().out.strip()))
    assert payload["max_score"] == 3.0 and payload["status"] == "fail"
    assert [(t["name"], t["status"], t["score"], t["max_score"]) for t in payload["tests"]] == [
        ("mini 1. Double a tensor", "pass", 2.0, 2.0), ("mini 2. Add two tensors", "fail", 0.0, 1.0)]
    assert "use +" in payload["tests"][1]["message"]
    assert sum(t["score"] for t in payload["tests"]) == 2.0  # what the reporter adds up


def _workflow(tmp_path, *args: str) -> dict:
    yaml = pytest.importorskip("yaml")
    out = tmp_path / "classroom.yml"
    assert cli.main(["classroom", "--out", str(out), *args]) == 0
    return yaml.safe_load(out.read_text())


def test_classroom_workflow_grades_once_and_feeds_the_reporter(tmp_path):
    flow = _workflow(tmp_path, "--kata=tensors,autograd", "--kata-timeout", "30")
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    grade = next(s for s in steps if s.get("id") == "torchkata")
    assert "torchkata grade . --single " in grade["run"] and "--kata=tensors,autograd" in grade["run"]
    assert "--kata-timeout=30" in grade["run"]
    assert 'torchkata classroom-result "$RUNNER_TEMP/torchkata"' in grade["run"]
    reporter = steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "torchkata"
    assert reporter["env"]["TORCHKATA_RESULTS"] == "${{ steps.torchkata.outputs.result }}"


def test_classroom_workflow_has_the_name_and_single_job_the_reporter_requires(tmp_path):
    # the reporter's README: any other workflow name or job id, and no score reaches Classroom
    flow = _workflow(tmp_path, "--kata=tensors")
    assert flow["name"] == "Autograding Tests"
    assert list(flow["jobs"]) == ["run-autograding-tests"]


@pytest.mark.parametrize("katas, torch", [("tensors", "torch"), ("tensors,mnist", "torch torchvision"),
                                          ("all", "torch torchvision")])
def test_classroom_workflow_installs_cpu_torch_then_the_plugin_then_drops_the_references(tmp_path, katas, torch):
    flow = _workflow(tmp_path, f"--kata={katas}", "--install", "git+https://example.org/pytest-torchkata@v1")
    install = next(s for s in flow["jobs"]["run-autograding-tests"]["steps"] if s.get("name") == "Install the grader")
    lines = install["run"].strip().splitlines()
    assert lines[0] == f"python -m pip install {torch} --index-url https://download.pytorch.org/whl/cpu"
    assert lines[1] == "python -m pip install git+https://example.org/pytest-torchkata@v1"
    assert "_solutions" in lines[2] and "rmtree" in lines[2]  # the references leave the runner
    # run outside the checkout, where a student's pip/ or pytest_torchkata/ folder is not imported
    assert install["working-directory"] == "${{ runner.temp }}"


def test_classroom_workflow_gives_the_seed_through_the_environment_only(tmp_path, capsys):
    flow = _workflow(tmp_path, "--kata=tensors")
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    grade = next(s for s in steps if s.get("id") == "torchkata")
    assert grade["env"]["TORCHKATA_SEED"] == "${{ secrets.TORCHKATA_SEED }}"
    assert not any("seed" in s.get("run", "").lower() for s in steps)  # never on a command line
    out = tmp_path / "refused.yml"
    for given in (["--kata-seed", "1234"], ["--kata-seed=1234"]):
        assert cli.main(["classroom", "--out", str(out), *given]) == 2
        assert "TORCHKATA_SEED" in capsys.readouterr().err and not out.exists()


# -- the Gradescope autograder, run against a temporary root ------------------------------

@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    pytest.importorskip("hatchling.build")
    where = tmp_path_factory.mktemp("gradescope")
    code = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "gradescope", str(where),
                           "--kata=tensors", "--budget=120", "--visibility=after_published",
                           "--visibility=tensors.softmax=hidden", "--kata-timeout=5"],
                          env=ENV, cwd=ROOT, capture_output=True, text=True)
    assert code.returncode == 0, code.stderr
    return where


def run_autograder(autograder: Path, root: Path, files: dict[str, str], python: str = sys.executable) -> dict:
    shutil.copytree(autograder / "autograder", root / "source")
    (root / "submission").mkdir(parents=True)
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          env={**ENV, "TORCHKATA_AUTOGRADER_ROOT": str(root), "TORCHKATA_PYTHON": python},
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return valid(json.loads((root / "results" / "results.json").read_text()))


def test_the_autograder_zip_holds_the_scripts_the_wheel_and_the_config(autograder):
    import zipfile

    names = zipfile.ZipFile(autograder / "autograder.zip").namelist()
    assert {"setup.sh", "run_autograder", "torchkata-autograder.json"} <= set(names)
    assert any(n.startswith("wheels/pytest_torchkata-") and n.endswith(".whl") for n in names)
    setup = (autograder / "autograder" / "setup.sh").read_text()
    assert "pip install" in setup and "wheels/*.whl" in setup
    for script in ("setup.sh", "run_autograder"):  # both parse as bash
        assert subprocess.run(["bash", "-n", str(autograder / "autograder" / script)]).returncode == 0


@pytest.mark.parametrize("build, first", [([], "torch torchvision --index-url https://download.pytorch.org/whl/cpu"),
                                          (["--torch=pypi"], None)])
def test_setup_sh_installs_the_cpu_only_torch_unless_told_otherwise(tmp_path, build, first):
    wheel = tmp_path / "pytest_torchkata-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not read here")
    code = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "gradescope", str(tmp_path / "out"),
                           f"--wheel={wheel}", "--pip-args=--break-system-packages", *build],
                          env=ENV, cwd=tmp_path, capture_output=True, text=True)
    assert code.returncode == 0, code.stderr
    fake = tmp_path / "bin"  # a python3 that only writes down what it was asked to install
    fake.mkdir()
    (fake / "python3").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "calls"}\n')
    (fake / "python3").chmod(0o755)
    done = subprocess.run(["bash", str(tmp_path / "out" / "autograder" / "setup.sh")], capture_output=True,
                          text=True, env={**ENV, "PATH": f"{fake}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    installs = [c for c in (tmp_path / "calls").read_text().splitlines() if c.startswith("-m pip install")]
    assert installs[-1] == "-m pip install --break-system-packages wheels/pytest_torchkata-0.1.0-py3-none-any.whl"
    assert installs[:-1] == ([f"-m pip install --break-system-packages {first}"] if first else [])
    # then the references leave the installed package, and the wheel that holds them the image
    calls = (tmp_path / "calls").read_text()
    assert "_solutions" in calls.split("wheels/pytest_torchkata-0.1.0-py3-none-any.whl", 1)[1]
    assert not (tmp_path / "out" / "autograder" / "wheels").exists()


def test_run_autograder_grades_a_submission(autograder, tmp_path):
    results = run_autograder(autograder, tmp_path / "ag", {"tensors.py": solution_source("tensors")})
    assert results["score"] == 19 and len(results["tests"]) == 8
    assert all(t["score"] == t["max_score"] for t in results["tests"])
    visibility = {t["name"].split(". ", 1)[1]: t["visibility"] for t in results["tests"]}
    assert visibility["Numerically stable softmax"] == "hidden"
    assert set(visibility.values()) == {"hidden", "after_published"}
    assert str(tmp_path) not in json.dumps(results)
    config = tmp_path / "ag" / "source" / "torchkata-autograder.json"  # it may hold the secret seed
    assert config.stat().st_mode & 0o077 == 0


def test_run_autograder_writes_results_for_an_empty_or_hostile_submission(autograder, tmp_path):
    empty = run_autograder(autograder, tmp_path / "empty", {})
    assert empty["score"] == 0 and "no kata files found" in empty["output"]
    hostile = run_autograder(autograder, tmp_path / "hostile",
                             {"tensors.py": "import os\nos._exit(0)\n" + solution_source("tensors")})
    assert hostile["score"] == 0 and len(hostile["tests"]) == 8
    assert str(tmp_path) not in json.dumps(hostile)
    broken = run_autograder(autograder, tmp_path / "nopython", {}, python="/bin/false")
    assert broken["score"] == 0 and "could not start" in broken["output"]


def test_bundled_mnist_files_ship_in_the_zip_and_are_used(autograder, tmp_path):
    import zipfile

    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte").write_bytes(b"\0" * 16)
    wheel = next((autograder / "autograder" / "wheels").glob("*.whl"))
    assert cli.main(["gradescope", str(tmp_path / "build"), "--kata=mnist", "--wheel", str(wheel),
                     "--bundle-data", str(tmp_path / "data")]) == 0
    names = zipfile.ZipFile(tmp_path / "build" / "autograder.zip").namelist()
    assert "data/MNIST/raw/train-images-idx3-ubyte" in names
    config = json.loads((tmp_path / "build" / "autograder" / "torchkata-autograder.json").read_text())
    assert config["data"] == "data" and config["katas"] == ["mnist"]
    assert cli.main(["gradescope", str(tmp_path / "bad"), "--wheel", str(wheel),
                     "--bundle-data", str(tmp_path / "nowhere")]) == 2
