"""``torchkata classroom50``: the ``autograder.py`` of a Classroom 50 assignment, and
``torchkata classroom50-run``, what that autograder calls to grade one checkout.

GitHub Classroom has been sunset; Classroom 50 (foundation50/classroom50) is its open-source
successor.  Its runner, a GitHub Actions workflow in the student's repository, fetches
``CLASSROOM/autograders/ASSIGNMENT/autograder.py`` from the organisation's ``classroom50``
repository (through its Pages site) and runs it with the student's checkout as the working
directory.  The contract, from Classroom 50's wiki ("Autograding Basics", "Advanced
Autograding") and its runner's tests, as read in December 2026:

- environment: ``CLASSROOM``, ``ASSIGNMENT``, ``SUBMISSION_TAG``, ``COMMIT_URL``,
  ``RELEASE_URL``, ``REVIEW_URL`` (may be missing: then the commit's URL), ``GITHUB_*``;
  no secret is passed on unless the instructor's workflow passes it (``TORCHKATA_SEED``);
- ``./result.json``: ``schema`` ``classroom50/result/v1``, ``classroom``, ``assignment``,
  ``submission``, ``commit``, ``release``, ``review``, ``datetime``, ``score`` and
  ``max-score`` (non-negative **integers**, the sums of the tests'; a float is rejected) and
  ``tests``: ``test-name``, ``passed``, ``score``, ``max-score``; extra fields are kept.
  The runner stamps ``owner``, ``assignment_type`` and ``datetime`` itself;
- optional ``./release-body.md`` (the Release's Markdown) and ``status=`` / ``summary=`` lines
  in ``$GITHUB_OUTPUT``;
- exit 0 when grading ran; non-zero is an infrastructure error (no grade is recorded).

Partial credit therefore travels as whole numbers: a task's points times ``--scale`` (default
10, tenths of a point), rounded down; the exact points stay in each test's ``points``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pprint
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_torchkata.i18n import set_language, tr

SCHEMA = "classroom50/result/v1"
TEMPLATE = Path(__file__).with_name("classroom50_autograder.py")
DEFAULT_SCALE = 10
DEFAULT_BUDGET_S = 600.0  # the grade job stops after 15 minutes, installing included
JOB_LIMIT_S = 15 * 60
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
_CONFIG_LINE = re.compile(r"^CONFIG = \{.*?\}  # replaced by `torchkata classroom50`$", re.DOTALL | re.MULTILINE)


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("classroom50", help="write the autograder.py of a Classroom 50 assignment",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kata", default="all", metavar="NAMES", help="katas to grade: NAME[,NAME...] or all")
    p.add_argument("--out", type=Path, default=Path("autograder.py"), metavar="PATH",
                   help="where autograder.py goes (a folder: PATH/autograder.py); in the classroom50 "
                        "repository that is CLASSROOM/autograders/ASSIGNMENT/")
    p.add_argument("--install", default="pytest-torchkata", metavar="PIP_ARGS",
                   help="what `pip install` gets on the runner (a version, a git URL, index options)")
    p.add_argument("--torch", choices=("cpu", "pypi"), default="cpu",
                   help="cpu (default): the CPU-only build of torch from download.pytorch.org, "
                        "installed first; pypi: what pip resolves (a 5 GB CUDA build on Linux)")
    p.add_argument("--scale", type=int, default=DEFAULT_SCALE, metavar="N",
                   help=f"Classroom 50 takes whole numbers: a task's points are multiplied by N and "
                        f"rounded down (default {DEFAULT_SCALE}, tenths of a point)")
    p.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, metavar="SECONDS",
                   help=f"time for grading one submission (default {DEFAULT_BUDGET_S:g}; the runner's "
                        f"job stops after {JOB_LIMIT_S // 60} minutes, installing included)")
    p.set_defaults(run=write_autograder)
    r = sub.add_parser("classroom50-run", help="(inside autograder.py) grade a checkout into result.json")
    r.add_argument("--submission", type=Path, default=Path.cwd(), metavar="PATH",
                   help="the student's checkout (default: the current folder)")
    r.add_argument("--result", type=Path, default=Path("result.json"), metavar="PATH")
    r.add_argument("--body", type=Path, default=None, metavar="PATH", help="where release-body.md goes")
    r.add_argument("--kata", default="all", metavar="NAMES")
    r.add_argument("--scale", type=int, default=DEFAULT_SCALE, metavar="N")
    r.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, metavar="SECONDS")
    r.set_defaults(run=run)


# -- the instructor's command ------------------------------------------------------------

def autograder_text(katas: list[str], passthrough: list[str], *, install: str = "pytest-torchkata",
                    torch: str = "cpu", scale: int = DEFAULT_SCALE, budget: float = DEFAULT_BUDGET_S) -> str:
    """The autograder: the template module with its configuration filled in."""
    from pytest_torchkata.cli.classroom import refuse_seed

    refuse_seed(passthrough, "autograder.py (published on the classroom's Pages site)")
    if scale < 1:
        raise ValueError("--scale must be 1 or more")
    config = {"katas": katas, "install": install, "torch_index": CPU_TORCH_INDEX if torch == "cpu" else "",
              "torch": ["torch", "torchvision"] if "mnist" in katas else ["torch"],
              "scale": scale, "budget": budget, "options": list(passthrough)}
    literal = pprint.pformat(config, width=100, sort_dicts=False)
    text, found = _CONFIG_LINE.subn(lambda _: f"CONFIG = {literal}", TEMPLATE.read_text(encoding="utf-8"))
    assert found == 1, "the autograder template lost its CONFIG line"
    return text


def write_autograder(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pytest_torchkata.cli.classroom import SeedOnCommandLine
    from pytest_torchkata.cli.grade import UsageProblem, kata_names
    from pytest_torchkata.reports.formats import atomic_write

    out = args.out / "autograder.py" if args.out.is_dir() else args.out
    try:
        text = autograder_text(kata_names(args.kata), passthrough, install=args.install, torch=args.torch,
                               scale=args.scale, budget=args.budget)
    except (UsageProblem, SeedOnCommandLine, ValueError) as exc:
        print(f"torchkata classroom50: {exc}", file=sys.stderr)
        return 2
    with atomic_write(out) as fh:
        fh.write(text)
    out.chmod(0o755)
    print(f"torchkata classroom50: wrote {out}. Commit it to the classroom50 repository at "
          f"CLASSROOM/autograders/ASSIGNMENT/autograder.py, and pass the secret TORCHKATA_SEED to the "
          f"grading step's environment (see the README, Classroom 50, step by step).")
    if args.budget + 180 > JOB_LIMIT_S:
        print(f"torchkata classroom50: --budget {args.budget:g} leaves too little of the runner's "
              f"{JOB_LIMIT_S // 60} minutes for installing; the job may be stopped", file=sys.stderr)
    return 0


# -- inside the autograder ---------------------------------------------------------------

def _whole(points: float, scale: int) -> int:
    return max(0, math.floor(points * scale + 1e-6))  # 2.4 points at scale 10 are 24, not 23


def _message(task: dict[str, Any]) -> str:
    """A task's message and hint, for the learner, in the report's language."""
    if task["status"] == "passed":
        return ""
    if task["status"] == "not_started":
        text = tr("Not started yet.", "还没有开始。")
    else:
        text = task.get("message") or ""
    if task.get("hint"):
        text += " " + tr("Hint: {hint}", "提示：{hint}", hint=task["hint"])
    return text.strip()


def result_tests(report: dict[str, Any], scale: int) -> list[dict[str, Any]]:
    """One test per graded task: whole-number scores (points times ``scale``, rounded down),
    the exact points beside them, and the learner's message on one inert line."""
    from pytest_torchkata.reports.encode import one_line

    tests = []
    for kata in report.get("katas", []):
        for task in kata["tasks"]:
            if task["status"] == "skipped":  # counts toward nothing, as in every report
                continue
            top = round(task["max_score"] * scale)
            tests.append({"test-name": one_line(f"{kata['name']} {task['number']}. {task['title']}"),
                          "passed": task["status"] == "passed",
                          "score": min(top, _whole(task["score"], scale)), "max-score": top,
                          "points": task["score"], "max-points": task["max_score"],
                          "status": task["status"], "message": one_line(_message(task))})
    return tests


def result_payload(report: dict[str, Any], *, scale: int, environ: Mapping[str, str],
                   note: str = "") -> dict[str, Any]:
    """Classroom 50's result.json for a JSON report: the submission's identity from the runner's
    environment, the tests, their sums, and what an instructor needs to trust the grade (the
    sandbox level; whether the seed came from the secret; never the seed)."""
    from pytest_torchkata.reports.encode import one_line

    tests = result_tests(report, scale)
    commit = environ.get("COMMIT_URL", "")
    return {
        "schema": SCHEMA, "classroom": environ.get("CLASSROOM", ""), "assignment": environ.get("ASSIGNMENT", ""),
        "submission": environ.get("SUBMISSION_TAG", ""), "commit": commit,
        "release": environ.get("RELEASE_URL", ""), "review": environ.get("REVIEW_URL") or commit,
        "datetime": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "score": sum(t["score"] for t in tests), "max-score": sum(t["max-score"] for t in tests),
        "tests": tests,
        "torchkata": {"version": report.get("tool_version", ""), "sandbox": report.get("sandbox", ""),
                      "seed": "secret" if environ.get("TORCHKATA_SEED") else "default", "scale": scale,
                      "points": report.get("score", 0.0), "max-points": report.get("max_score", 0.0),
                      "note": one_line(note)},
    }


def release_body(payload: dict[str, Any]) -> str:
    """The Release's Markdown: the score, a row per task, then what to fix; learner text escaped."""
    from pytest_torchkata.reports.encode import for_markdown

    tests, meta = payload["tests"], payload["torchkata"]
    lines = [f"### torchkata: {payload['score']} / {payload['max-score']}", ""]
    if meta["scale"] != 1:
        lines += [tr("Scores are points times {scale} (Classroom 50 counts whole numbers): "
                     "{points:g} of {max:g} points.", "分数是得分乘以 {scale}（Classroom 50 只记整数）："
                     "{max:g} 分中得了 {points:g} 分。", scale=meta["scale"], points=meta["points"],
                     max=meta["max-points"]), ""]
    if meta["note"]:
        lines += [tr("**Note:** {note}", "**注意：**{note}", note=for_markdown(meta["note"])), ""]
    lines += [tr("| Task | Result | Score |", "| 任务 | 结果 | 分数 |"), "| --- | --- | --- |"]
    for t in tests:
        verdict = tr("passed", "通过") if t["passed"] else tr("not passed", "未通过")
        lines.append(f"| {for_markdown(t['test-name'])} | {verdict} | {t['score']} / {t['max-score']} |")
    tasks_of: dict[str, list[str]] = {}  # a file-level problem is said once, not once per task
    for t in tests:
        if not t["passed"] and t["message"]:
            tasks_of.setdefault(t["message"], []).append(t["test-name"])
    fixes = [f"- **{for_markdown('; '.join(names))}**: {for_markdown(message)}" for message, names in tasks_of.items()]
    if fixes:
        lines += ["", tr("#### What to fix", "#### 需要改正的地方"), "", *fixes]
    return "\n".join(lines) + "\n"


def step_status(payload: dict[str, Any]) -> tuple[str, str]:
    """The commit status and its one-line summary, as the runner would derive them; numbers only."""
    tests = payload["tests"]
    done = sum(t["passed"] for t in tests)
    status = "success" if tests and done == len(tests) else "failure"
    return status, f"torchkata: {payload['score']}/{payload['max-score']} ({done} of {len(tests)} tasks passed)"


def print_untrusted(text: str) -> None:
    """Print the grading log to the Actions log.  A line starting with ``::`` there is a
    workflow command (even after blanks), and learner output is in the log: commands stay off
    until a token the learner's code never saw."""
    from pytest_torchkata.reports.encode import for_terminal

    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}")
    print(for_terminal(text))
    print(f"::{token}::", flush=True)


def _planned(names: list[str], problem: str) -> dict[str, Any]:
    """A report of the tasks that were to be graded, none graded: when grading left no report."""
    from pytest_torchkata.registry import load_kata

    return {"katas": [{"name": kata.name, "tasks": [
        {"number": t.number, "title": t.title, "status": "error", "score": 0.0, "max_score": t.points,
         "message": problem} for t in kata.tasks]} for kata in map(load_kata, names)]}


def _grade(submission: Path, names: list[str], options: list[str], budget: float) -> tuple[dict | None, str, str]:
    """Grade the checkout as ``torchkata grade --single`` does (under ``--kata-isolate``):
    its report (None when there is none), the problem its gradebook row names, and its log."""
    from pytest_torchkata.cli.grade import grade_class
    from pytest_torchkata.plugin.options import OPTIONS

    limit = budget
    if any(o.flag == "--kata-budget" for o in OPTIONS) and not any(o.startswith("--kata-budget=") for o in options):
        options = [*options, f"--kata-budget={budget:g}"]
        limit = budget + 60.0  # the plugin stops itself; this only catches a stuck grader
    out = Path(tempfile.mkdtemp(prefix="torchkata-classroom50-"))
    try:
        (row,) = grade_class([submission], out, names, options, jobs=1, force=True, limit=limit,
                             progress=False, single=True)
        folder = out / row["student"]
        report = json.loads((folder / "report.json").read_text()) if (folder / "report.json").is_file() else None
        log = (folder / "grading.log").read_text(errors="replace") if (folder / "grading.log").is_file() else ""
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return report, row.get("problem") or "", log


def run(args: argparse.Namespace, passthrough: list[str]) -> int:
    """Grade the checkout into result.json (and release-body.md, and the step's outputs).
    Returns 1, with a result.json all the same, when the grader itself failed."""
    from pytest_torchkata.cli.grade import kata_names
    from pytest_torchkata.cli.submissions import Refused
    from pytest_torchkata.reports.encode import one_line
    from pytest_torchkata.reports.formats import atomic_write, write_json

    code = 0
    try:
        names = kata_names(args.kata)
        try:
            report, problem, log = _grade(args.submission.resolve(), names, passthrough, args.budget)
        except Refused as exc:  # the submission's doing: a grade of 0, not an error
            report, problem, log = None, str(exc), ""
        print_untrusted(log)
    except Exception as exc:  # noqa: BLE001 - a result.json is written whatever happens
        print(f"torchkata classroom50-run: {one_line(type(exc).__name__)}: {one_line(exc)}", flush=True)
        report, problem, names, code = None, tr("The autograder failed while grading this submission; "
                                                "please tell your instructor.",
                                                "自动评分器在评分时出错；请告诉你的老师。"), [], 1
    if report is not None and report.get("language") in ("en", "zh"):
        set_language(report["language"])
    if report is None:
        report = _planned(names, problem) if names else {"katas": []}
    payload = result_payload(report, scale=args.scale, environ=os.environ, note=problem)
    write_json(args.result, payload)
    if args.body is not None:
        with atomic_write(args.body) as fh:
            fh.write(release_body(payload))
    status, summary = ("error", "torchkata: not graded") if code else step_status(payload)
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as fh:
            fh.write(f"status={status}\nsummary={summary}\n")
    print(summary, flush=True)
    return code
