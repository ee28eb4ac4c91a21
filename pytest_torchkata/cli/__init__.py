"""``torchkata``: the command line.  This module only parses and dispatches.

    torchkata init [DIR]          copy the learner files into DIR/katas (default: .)
    torchkata gen [--check]       regenerate katas/ from solutions/ (kata authors)
    torchkata grade SUB... --out DIR [--kata NAMES] [--jobs N] [--force] [--kata-*...]
                                  grade a class into a gradebook (instructors)
    torchkata gradescope DIR [--kata NAMES] [--budget S] [--bundle-data PATH]
                                  write a Gradescope autograder folder and its zip
    torchkata classroom [--kata NAMES]
                                  write .github/workflows/classroom.yml for GitHub Classroom
    torchkata classroom-result REPORT.json
                                  print the Classroom grading reporter's payload (base64 JSON)

Rooms: ``workspace`` (init, gen), ``submissions`` and ``batch`` (finding, unpacking
and grading submissions), ``grade``, ``gradescope``, ``classroom``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pytest_torchkata.cli.workspace import CHECKOUT, PACKAGE, cmd_gen, cmd_init, stub_folder

__all__ = ["CHECKOUT", "PACKAGE", "main", "stub_folder"]
PASSES_KATA_OPTIONS = {"grade", "gradescope", "classroom", "gradescope-run"}


def _parser() -> argparse.ArgumentParser:
    from pytest_torchkata.cli import classroom, grade, gradescope

    parser = argparse.ArgumentParser(prog="torchkata", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_init = sub.add_parser("init", help="copy the learner kata files into DIR/katas")
    p_init.add_argument("dir", nargs="?", default=".", type=Path)
    p_init.add_argument("--force", action="store_true", help="overwrite existing kata files")
    p_gen = sub.add_parser("gen", help="regenerate katas/ from solutions/ (kata authors)")
    p_gen.add_argument("--root", type=Path, default=None,
                       help="the checkout holding solutions/ and katas/ (default: the current folder)")
    p_gen.add_argument("--check", action="store_true", help="only report stale files")
    grade.add_parser(sub)
    gradescope.add_parsers(sub)
    classroom.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pytest_torchkata.cli.grade import UsageProblem, split_passthrough

    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if argv and argv[0] in PASSES_KATA_OPTIONS:
        try:
            argv, passthrough = split_passthrough(argv)
        except UsageProblem as exc:
            print(f"torchkata {argv[0]}: {exc}", file=sys.stderr)
            return 2
    args = _parser().parse_args(argv)
    if args.command == "init":
        return cmd_init(args.dir, args.force)
    if args.command == "gen":
        return cmd_gen(args.root or Path.cwd(), args.check)
    return int(args.run(args, passthrough))


if __name__ == "__main__":
    sys.exit(main())
