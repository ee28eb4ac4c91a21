"""What ``torchkata grade`` (and ``merge``) can write beside the gradebook, on request.

    --similarity                    similarity.html and similarity.csv (``cli.similarity``)
    --similarity-threshold SHARE    a pair is listed from this share of matching code on
    --gradebook-format canvas|moodle --roster ROSTER.csv [--gradebook-columns kata|total]
                                    gradebook_canvas.csv or gradebook_moodle.csv and
                                    roster_unmatched.csv (``reports.lms``)

``check`` runs before any grading, so a missing library or a bad roster is said at once,
not after an hour of grading; ``write`` runs after it, with the gradebook's rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pytest_torchkata.i18n import tr


def add_lms_options(parser: argparse.ArgumentParser) -> None:
    """``--gradebook-format``, ``--roster`` and ``--gradebook-columns`` (``grade`` and ``merge``)."""
    from pytest_torchkata.reports.lms import COLUMN_CHOICES, FORMATS

    parser.add_argument("--gradebook-format", choices=FORMATS, default=None, metavar="LMS",
                        help=tr("also write the gradebook in the import layout of this LMS: {choices} "
                                "(needs --roster)", "同时按这个 LMS 的导入格式写出成绩册：{choices}（需要 --roster）",
                                choices=", ".join(FORMATS)))
    parser.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                        help=tr("CSV with a header: student (the submission's folder or archive name), and any of "
                                "name, sis_id, login_id, section, email, canvas_id",
                                "带表头的 CSV：student（提交的文件夹或压缩包名），以及 name、sis_id、login_id、"
                                "section、email、canvas_id 中的任意几列"))
    parser.add_argument("--gradebook-columns", choices=COLUMN_CHOICES, default="kata",
                        help=tr("one grade column per kata, or one total (default: kata)",
                                "每个练习一列成绩，或只有一列总分（默认：kata）"))


def add_options(parser: argparse.ArgumentParser) -> None:
    """Every option of this module, for ``torchkata grade``."""
    from pytest_torchkata.cli.similarity import add_threshold_option

    parser.add_argument("--similarity", action="store_true",
                        help=tr("also write similarity.html and similarity.csv: students whose code is similar",
                                "同时写出 similarity.html 和 similarity.csv：代码相似的学生"))
    add_threshold_option(parser, "--similarity-threshold")
    add_lms_options(parser)


class ExtrasProblem(Exception):
    """An extra output cannot be made as asked; the message says why."""


def check(args: argparse.Namespace) -> None:
    """Before grading: what the asked-for extras need is there (else ExtrasProblem)."""
    from pytest_torchkata.reports.lms import RosterProblem, read_roster

    if getattr(args, "similarity", False):
        from pytest_torchkata.reports.similarity import MissingLibrary, engine

        try:
            engine()
        except MissingLibrary as exc:
            raise ExtrasProblem(str(exc)) from None
    fmt, roster = getattr(args, "gradebook_format", None), getattr(args, "roster", None)
    if roster is not None and fmt is None:
        raise ExtrasProblem(tr("--roster is used with --gradebook-format canvas|moodle",
                               "--roster 要和 --gradebook-format canvas|moodle 一起使用"))
    if fmt is not None:
        if getattr(args, "shard", None):
            raise ExtrasProblem(tr("--gradebook-format needs the whole class: leave it out of a shard's grading "
                                   "and ask for it when the shards are merged",
                                   "--gradebook-format 需要全班的成绩：给分片评分时不要用它，合并分片时再用"))
        if roster is None:
            raise ExtrasProblem(tr("--gradebook-format {fmt} needs --roster ROSTER.csv (who is who in the LMS)",
                                   "--gradebook-format {fmt} 需要 --roster ROSTER.csv（LMS 里谁是谁）", fmt=fmt))
        try:
            read_roster(roster, student_key)
        except RosterProblem as exc:
            raise ExtrasProblem(str(exc)) from None


def student_key(student: str) -> str:
    """How a roster's student meets a submission: named as ``torchkata grade`` names its folders."""
    from pytest_torchkata.cli.submissions import safe_name

    return safe_name(student).casefold()


def write_lms(out: Path, rows: list[dict], reports: dict[str, dict] | None, *, fmt: str, roster: Path,
              columns: str = "kata") -> int:
    """The LMS gradebook of a graded class in ``out`` (``reports.lms.export_gradebook``), its notes
    printed on stderr; ``reports`` (the students' report.json) are read from ``out`` when None.
    Returns an exit status: 0, or 2 for a roster that cannot be used or a file that cannot be written."""
    from pytest_torchkata.reports.lms import RosterProblem, export_gradebook

    if reports is None:
        reports = {r["student"]: _read_json(out / r["student"] / "report.json") for r in rows}
    try:
        export = export_gradebook(out, rows, reports, fmt=fmt, roster=roster, columns=columns, key=student_key)
    except RosterProblem as exc:
        print(f"torchkata: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print("torchkata: " + tr("cannot write the {fmt} gradebook into {out}: {why}",
                                 "无法把 {fmt} 成绩册写入 {out}：{why}", fmt=fmt, out=out, why=exc.strerror or exc),
              file=sys.stderr)
        return 2
    for line in export.notes():
        print(f"torchkata: {line}", file=sys.stderr)
    return 0


def write(args: argparse.Namespace, rows: list[dict]) -> int:
    """After grading: the extras asked for, into ``args.out``; the exit status (0: all written)."""
    from pytest_torchkata.cli.grade import kata_names
    from pytest_torchkata.cli.similarity import report

    status = 0
    if getattr(args, "gradebook_format", None):
        status = max(status, write_lms(args.out, rows, None, fmt=args.gradebook_format, roster=args.roster,
                                       columns=args.gradebook_columns))
    if getattr(args, "similarity", False):
        status = max(status, report(args.submissions, args.out, kata_names(args.kata), args.similarity_threshold,
                                    single=args.single))
    return status


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
