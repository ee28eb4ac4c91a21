"""``torchkata classroom``: a GitHub Classroom workflow with partial credit per task, and
``torchkata classroom-result``: the payload its grading reporter reads.

Classroom's grading reporter (``classroom-resources/autograding-grading-reporter``)
reads, for each runner id it is given, the environment variable ``<ID>_RESULTS``:
base64 of a JSON object with ``max_score`` and ``tests`` (each with a ``score``),
and sums the scores.  The command grader gives all or nothing per step, so the
workflow grades once in a plain step that writes that payload as its output.
Options travel as flags in the workflow, except the seed: the workflow lives in
the student's repository, so it comes from the secret ``TORCHKATA_SEED`` through
the step's ``env:``, never a command line.  The reporter finds the run only in a
workflow named ``Autograding Tests`` whose one job is ``run-autograding-tests``
(its README; otherwise no score reaches Classroom).  GitHub Classroom itself has
been sunset; ``torchkata classroom50`` serves its successor.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

WORKFLOW = Path(".github/workflows/classroom.yml")
RUNNER_ID = "torchkata"  # the reporter wants letters and digits only
WORKFLOW_NAME = "Autograding Tests"  # the reporter's requirement, with the job id below
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"  # runners have no GPU: 200 MB, not 5.5 GB

TEMPLATE = """\
# Written by `torchkata classroom`: grades the katas once and gives GitHub Classroom
# one test per task, with partial credit.  Keep the workflow's name and its job's id:
# the grading reporter sends no score to Classroom from any other.
name: {name}
"on":
  - push
  - workflow_dispatch
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - name: Install the grader
        # outside the checkout: `python -m` and `-c` import from the current folder first,
        # where a student's `pip/` or `pytest_torchkata/` would stand in for the real ones
        working-directory: ${{{{ runner.temp }}}}
        run: |
          python -m pip install {torch} --index-url {index}
          python -m pip install {install}
          python -c "import pathlib, shutil, pytest_torchkata; shutil.rmtree(pathlib.Path(pytest_torchkata.__file__).parent / '_solutions', ignore_errors=True)"
      - name: Grade the katas
        id: {runner}
        env:
          TORCHKATA_SEED: "${{{{ secrets.TORCHKATA_SEED }}}}"
        run: |
          torchkata grade . --single --out "$RUNNER_TEMP/torchkata" --kata={katas} --jobs=1 {options}
          echo "result=$(torchkata classroom-result "$RUNNER_TEMP/torchkata")" >> "$GITHUB_OUTPUT"
      - name: Autograding Reporter
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          {env_name}: "${{{{ steps.{runner}.outputs.result }}}}"
        with:
          runners: {runner}
"""


class SeedOnCommandLine(ValueError):
    """A ``--kata-seed`` given for a file that students can read."""


def refuse_seed(passthrough: list[str], where: str) -> None:
    if any(o.split("=", 1)[0] == "--kata-seed" for o in passthrough):
        raise SeedOnCommandLine(f"--kata-seed would be written into {where}, which students can read; "
                                f"set the secret TORCHKATA_SEED instead (it reaches the grader through "
                                f"the environment)")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("classroom", help="write .github/workflows/classroom.yml for GitHub Classroom",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kata", default="all", metavar="NAMES", help="katas to grade: NAME[,NAME...] or all")
    p.add_argument("--out", type=Path, default=WORKFLOW, metavar="PATH",
                   help=f"where the workflow goes (default {WORKFLOW})")
    p.add_argument("--install", default="pytest-torchkata", metavar="PIP_ARGS",
                   help="what `pip install` gets in the workflow (a version, a git URL, index options)")
    p.add_argument("--python", default="3.11", metavar="VERSION", help="Python version of the runner")
    p.set_defaults(run=write_workflow)
    r = sub.add_parser("classroom-result",
                       help="print the Classroom grading reporter's payload for a report (base64 JSON)")
    r.add_argument("report", type=Path, metavar="REPORT",
                   help="a JSON report, or a `torchkata grade --out` folder holding one student")
    r.set_defaults(run=print_result)


def workflow_text(katas: str, passthrough: list[str], install: str = "pytest-torchkata",
                  python: str = "3.11") -> str:
    refuse_seed(passthrough, "the workflow")
    torch = "torch torchvision" if katas == "all" or "mnist" in katas.split(",") else "torch"
    return TEMPLATE.format(name=WORKFLOW_NAME, python=python, install=install, torch=torch,
                           index=CPU_TORCH_INDEX, runner=RUNNER_ID, katas=shlex.quote(katas),
                           options=" ".join(shlex.quote(o) for o in passthrough),
                           env_name=f"{RUNNER_ID.upper()}_RESULTS")


def write_workflow(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pytest_torchkata.cli.grade import UsageProblem, kata_names
    from pytest_torchkata.reports.formats import atomic_write

    try:
        katas = ",".join(kata_names(args.kata)) if args.kata != "all" else "all"
        text = workflow_text(katas, passthrough, args.install, args.python)
    except (UsageProblem, SeedOnCommandLine) as exc:
        print(f"torchkata classroom: {exc}", file=sys.stderr)
        return 2
    with atomic_write(args.out) as fh:
        fh.write(text)
    print(f"torchkata classroom: wrote {args.out}. Commit it to the assignment's template repository; "
          f"set the secret TORCHKATA_SEED to keep the seed out of sight. GitHub Classroom has been "
          f"sunset: for its successor, Classroom 50, see `torchkata classroom50`.")
    return 0


def _find_report(path: Path) -> Path | None:
    if path.is_file():
        return path
    found = sorted(path.glob("*/report.json"))
    return found[0] if len(found) == 1 else None


def print_result(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pytest_torchkata.reports.formats import classroom_text

    path = _find_report(args.report)
    try:
        report = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        report = {}
    if not report:
        print(f"torchkata classroom-result: no single report found at {args.report}", file=sys.stderr)
    print(classroom_text(report))
    return 0
