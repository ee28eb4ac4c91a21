"""The instructors' commands of ``torchkata``: their registration and dispatch.

    torchkata grade SUB... --out DIR [--kata NAMES] [--jobs N] [--force] [--kata-*...]
                   [--shard K/N|auto] [--regrade KATA[:TASK],...]
                                  grade a class into a gradebook, or one shard of it (``cli.grade``)
    torchkata merge SHARD_DIR... --out DIR
                                  the shards of a class in one gradebook (``cli.merge``)
    torchkata recipe slurm|kubernetes|actions --shards N
                                  a job array, Indexed Job or matrix that grades in shards (``cli.recipe``)
    torchkata gradescope DIR [--kata NAMES] [--budget S] [--bundle-data PATH]
                                  a Gradescope autograder folder and zip (``cli.gradescope``)
    torchkata classroom [--kata NAMES]
                                  .github/workflows/classroom.yml for GitHub Classroom
    torchkata classroom-result REPORT.json
                                  the Classroom grading reporter's payload (``cli.classroom``)
    torchkata classroom50 [--kata NAMES] [--out PATH]
                                  autograder.py for a Classroom 50 assignment (``cli.classroom50``)

Each command takes the plugin's ``--kata-*`` options and passes them to every
grading run (``grade.split_passthrough``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pytest_torchkata.i18n import Text

COMMANDS = {"grade", "merge", "recipe", "gradescope", "gradescope-run", "classroom", "classroom-result", "classroom50",
            "classroom50-run"}

# the Chinese of each command's line in ``torchkata --help`` (the English is where it is registered)
HELP_ZH = {
    "grade": "把多份提交评分，汇成全班的成绩册",
    "merge": "把在多台机器上评分的各个分片合并成一份成绩册",
    "recipe": "写出按分片给全班评分的 SLURM、Kubernetes 或 GitHub Actions 文件",
    "gradescope": "生成 Gradescope 自动评分器的文件夹和 zip",
    "gradescope-run": "（在自动评分器里）给 ROOT/submission 评分",
    "classroom": "为 GitHub Classroom 写出 .github/workflows/classroom.yml",
    "classroom-result": "打印一份报告对应的 Classroom 评分上报内容（base64 JSON）",
    "classroom50": "为 Classroom 50 的作业写出 autograder.py",
    "classroom50-run": "（在 autograder.py 里）给一份仓库评分，写出 result.json",
}


class _Listing:
    """The subcommands' ``add_parser``, giving each command's one-line help in the current language."""

    def __init__(self, sub: Any) -> None:
        self._sub = sub

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if "help" in kwargs:
            kwargs["help"] = Text(kwargs["help"], HELP_ZH.get(name, "")).get()
        return self._sub.add_parser(name, **kwargs)


def add_commands(sub: Any) -> None:
    from pytest_torchkata.cli import (
        classroom,
        classroom50,
        grade,
        gradescope,
        merge,
        recipe,
    )

    listing = _Listing(sub)
    grade.add_parser(listing)
    merge.add_parser(listing)
    recipe.add_parser(listing)
    gradescope.add_parsers(listing)
    classroom.add_parsers(listing)
    classroom50.add_parsers(listing)


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
