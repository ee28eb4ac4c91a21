"""The instructors' commands of ``torchkata``: their registration and dispatch.

    torchkata grade SUB... --out DIR [--kata NAMES] [--jobs N] [--force] [--kata-*...]
                                  grade a class into a gradebook (``cli.grade``)
    torchkata gradescope DIR [--kata NAMES] [--budget S] [--bundle-data PATH]
                                  a Gradescope autograder folder and zip (``cli.gradescope``)
    torchkata classroom [--kata NAMES]
                                  .github/workflows/classroom.yml for GitHub Classroom
    torchkata classroom-result REPORT.json
                                  the Classroom grading reporter's payload (``cli.classroom``)

Each command takes the plugin's ``--kata-*`` options and passes them to every
grading run (``grade.split_passthrough``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

COMMANDS = {"grade", "gradescope", "gradescope-run", "classroom", "classroom-result"}


def add_commands(sub: Any) -> None:
    from pytest_torchkata.cli import classroom, grade, gradescope

    grade.add_parser(sub)
    gradescope.add_parsers(sub)
    classroom.add_parsers(sub)


def wanted(argv: list[str] | None) -> bool:
    args = sys.argv[1:] if argv is None else argv
    return bool(args) and args[0] in COMMANDS


def run(parser: argparse.ArgumentParser, argv: list[str] | None) -> int:
    from pytest_torchkata.cli.grade import UsageProblem, split_passthrough

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        own, passthrough = split_passthrough(args)
    except UsageProblem as exc:
        print(f"torchkata {args[0]}: {exc}", file=sys.stderr)
        return 2
    parsed = parser.parse_args(own)
    return int(parsed.run(parsed, passthrough))
