#!/usr/bin/env python3
"""Classroom 50 autograder for pytest-torchkata katas.

Written by ``torchkata classroom50``; write it again with that command rather than editing it.
It goes at ``CLASSROOM/autograders/ASSIGNMENT/autograder.py`` in the organisation's
``classroom50`` repository.

The contract it follows (Classroom 50's wiki, "Advanced Autograding"): the runner runs it once per
submission with the student's checkout as the working directory and ``CLASSROOM``,
``ASSIGNMENT``, ``SUBMISSION_TAG``, ``COMMIT_URL``, ``RELEASE_URL`` and ``REVIEW_URL`` in the
environment; it leaves ``./result.json`` (schema ``classroom50/result/v1``, whole-number scores),
and may leave ``./release-body.md`` and ``status=``/``summary=`` lines in ``$GITHUB_OUTPUT``.
Exit 0: it graded (a failing student is a score).  Exit 1: it could not grade, and the runner
records an error instead of a grade, so a broken install never shows as a student's 0.

What it does:

1. Installs the CPU-only build of torch and the plugin, then deletes the reference solutions from
   the installed package.  ``TORCHKATA_SKIP_INSTALL=1`` skips this (an image that has them).
2. Runs ``python -m pytest_torchkata.cli classroom50-run`` from an empty folder: the checkout's
   kata files are graded under the sandbox (``--kata-isolate``) and result.json gets one test per
   task, with partial credit.
3. Writes a result.json of its own when that left none.

The seed comes from the environment variable ``TORCHKATA_SEED`` (give it as a secret), never from
this file or a command line: the runner fetches this file from the classroom's Pages site.
``TORCHKATA_PYTHON`` names another interpreter to install into and grade with.
"""

import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

CONFIG = {"katas": ["tensors"], "install": "pytest-torchkata", "torch_index": "", "torch": ["torch"],
          "scale": 10, "budget": 600, "options": []}  # replaced by `torchkata classroom50`

RESULT = "result.json"
BODY = "release-body.md"
UNGRADED = ("The autograder could not grade this submission, so it has no grade yet; please tell your "
            "instructor. / 自动评分器无法给这份提交评分，所以还没有成绩；请告诉你的老师。")
REMOVE_SOLUTIONS = ("import pathlib, shutil, pytest_torchkata; shutil.rmtree(pathlib.Path("
                    "pytest_torchkata.__file__).parent / '_solutions', ignore_errors=True)")


def _run(args, cwd, timeout=None):
    """Run a step from ``cwd``; whether it succeeded.  ``python -m`` imports from the current
    folder first, so no step runs in the checkout, where a student's ``pip/`` would be imported."""
    print("autograder: " + " ".join(shlex.quote(a) for a in args[1:]), flush=True)
    env = dict(os.environ)
    # an "externally managed" Python (PEP 668) refuses pip; this runner exists only to grade
    env["PIP_BREAK_SYSTEM_PACKAGES"] = "1"
    try:
        return subprocess.run(args, cwd=cwd, env=env, timeout=timeout, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"autograder: {type(exc).__name__}: {exc}", flush=True)
        return False


def install(python, neutral):
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # the CPU-only build first: the runner has no GPU, and it is a twentieth of the CUDA build's size
    if CONFIG["torch_index"] and not _run(pip + CONFIG["torch"] + ["--index-url", CONFIG["torch_index"]], neutral):
        return False
    return (_run(pip + shlex.split(CONFIG["install"]), neutral)
            and _run([python, "-c", REMOVE_SOLUTIONS], neutral))


def grade(python, neutral, checkout):
    args = [python, "-m", "pytest_torchkata.cli", "classroom50-run", "--submission", str(checkout),
            "--result", str(checkout / RESULT), "--body", str(checkout / BODY),
            "--kata=" + ",".join(CONFIG["katas"]), f"--scale={CONFIG['scale']}",
            f"--budget={CONFIG['budget']}", *CONFIG["options"]]
    return _run(args, neutral, timeout=CONFIG["budget"] + 180)


def ungraded(checkout, reason):
    """result.json, release-body.md and the step outputs when grading did not happen."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = os.environ.get
    result = {"schema": "classroom50/result/v1", "classroom": env("CLASSROOM", ""),
              "assignment": env("ASSIGNMENT", ""), "submission": env("SUBMISSION_TAG", ""),
              "commit": env("COMMIT_URL", ""), "release": env("RELEASE_URL", ""),
              "review": env("REVIEW_URL") or env("COMMIT_URL", ""), "datetime": now,
              "score": 0, "max-score": 0, "tests": [], "torchkata": {"error": reason, "message": UNGRADED}}
    (checkout / RESULT).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (checkout / BODY).write_text(f"### torchkata: not graded\n\n{UNGRADED}\n", encoding="utf-8")
    if env("GITHUB_OUTPUT"):
        with open(env("GITHUB_OUTPUT"), "a", encoding="utf-8") as fh:
            fh.write(f"status=error\nsummary=torchkata: not graded ({reason})\n")


def main():
    checkout = Path.cwd()
    for name in (RESULT, BODY):  # a student's own copy must never pass for a grade
        (checkout / name).unlink(missing_ok=True)
    python = os.environ.get("TORCHKATA_PYTHON") or sys.executable
    with tempfile.TemporaryDirectory(prefix="torchkata-classroom50-") as neutral:
        if not os.environ.get("TORCHKATA_SKIP_INSTALL") and not install(python, neutral):
            ungraded(checkout, "installing the grader failed")
            return 1
        graded = grade(python, neutral, checkout)
    if not (checkout / RESULT).is_file():
        ungraded(checkout, "the grader stopped before writing a result")
        return 1
    return 0 if graded else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # noqa: BLE001 - the runner must find a result.json whatever happens
        print(f"autograder: {type(exc).__name__}: {exc}", flush=True)
        ungraded(Path.cwd(), f"the autograder failed: {type(exc).__name__}")
        sys.exit(1)
