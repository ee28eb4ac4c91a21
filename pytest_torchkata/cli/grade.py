"""``torchkata grade SUBMISSION... --out DIR``: grade a whole class into a gradebook.

A refused archive (unsafe, too big) or a submission without a kata file is not
graded at all: its row and feedback say why.  Each other submission's kata files
are copied into a neutral work folder and graded there under ``--kata-isolate`` (``batch``: one process with torch imported forks
a child per submission, ``--jobs`` at once).  A submission that is unchanged
since its last grading (same files, same options, same tool version) is not
graded again unless ``--force``.  Any ``--kata-*`` option of the plugin is
passed through to every run.  Outputs: ``reports.classbook`` (per student
report.json and feedback.md; gradebook.csv, tasks.csv) and ``reports.analysis``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from pytest_torchkata.cli import class_extras
from pytest_torchkata.cli.submissions import Refused, Submission, discover, fingerprint, lay_out, prepare
from pytest_torchkata.i18n import tr

GRADE_META = "grade.json"
DEFAULT_LIMIT_S = 1200.0
SET_BY_GRADE = {"--kata-dir", "--kata-report", "--kata-report-format", "--kata-list"}


class UsageProblem(Exception):
    pass


def add_parser(sub: Any) -> None:
    p = sub.add_parser("grade", help="grade many submissions into a class gradebook",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                   help="a folder or .zip/.tar.gz per student, or a folder of those")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="where the class outputs go")
    p.add_argument("--kata", default="all", metavar="NAMES", help="katas to grade: NAME[,NAME...] or all")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="submissions graded at once (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="grade again even what is unchanged")
    p.add_argument("--single", action="store_true",
                   help="every SUBMISSION is one student's, even a folder without kata files")
    p.add_argument("--limit", type=float, default=None, metavar="SECONDS",
                   help=f"stop one submission's grading after this long (default {DEFAULT_LIMIT_S:g}, "
                        f"or --kata-budget plus two minutes)")
    class_extras.add_options(p)  # --similarity, --gradebook-format, --roster (cli.class_extras)
    p.set_defaults(run=main)


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """Separate the plugin's ``--kata-*`` options (as ``--flag=value``) from the command's own."""
    from pytest_torchkata.plugin.options import OPTIONS

    known = {opt.flag: opt for opt in OPTIONS}
    own, passed = [], []
    tokens = iter(argv)
    for token in tokens:
        flag = token.split("=", 1)[0]
        if not flag.startswith("--kata-"):
            own.append(token)
            continue
        opt = known.get(flag)
        if opt is None:
            raise UsageProblem(tr("{flag} is not an option of the plugin (its options: {options})",
                                  "{flag} 不是插件的选项（插件的选项有：{options}）",
                                  flag=flag, options=", ".join(sorted(known))))
        if flag in SET_BY_GRADE:
            raise UsageProblem(tr("{flag} is set by torchkata grade itself; leave it out",
                                  "{flag} 由 torchkata grade 自己设置；请去掉它", flag=flag))
        if opt.kind == "bool":
            if flag != "--kata-isolate":  # always on here
                passed.append(token)
            continue
        if "=" not in token:
            value = next(tokens, None)
            if value is None:
                raise UsageProblem(tr("{flag} needs a value", "{flag} 需要一个值", flag=flag))
            token = f"{flag}={value}"
        passed.append(token)
    return own, passed


def kata_names(spec: str) -> list[str]:
    from pytest_torchkata.cli.workspace import curriculum

    known = curriculum()  # every installed kata (pytest_torchkata.registry)
    names = [n.strip() for n in spec.split(",") if n.strip()]
    if not names or "all" in names:
        return known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageProblem(tr("--kata: unknown kata {unknown}. Valid katas: {valid}, or 'all'.",
                              "--kata：未知的练习 {unknown}。可用的练习：{valid}，或 'all'。",
                              unknown=", ".join(map(repr, unknown)), valid=", ".join(known)))
    return names


def limit_for(passthrough: list[str], limit: float | None) -> float:
    if limit is not None:
        return limit
    for token in passthrough:
        if token.startswith("--kata-budget="):
            try:
                return float(token.split("=", 1)[1]) + 120.0
            except ValueError:
                break
    return DEFAULT_LIMIT_S


def grade_class(paths: list[Path], out: Path, names: list[str], passthrough: list[str], *,
                jobs: int, force: bool = False, limit: float | None = None,
                progress: bool = True, single: bool = False) -> list[dict]:
    """Grade every submission; returns one gradebook row per student (also written to ``out``).
    ``single``: each path is one submission, even a folder without kata files."""
    from pytest_torchkata.cli import batch
    from pytest_torchkata.reports import classbook
    from pytest_torchkata.reports.instructor import plural

    subs = discover(paths, names, single=single, exclude=out)
    if not out.is_dir():  # a folder we make is the instructor's alone; one they gave is left as it is
        classbook.private_folder(out)
    options = [f"--kata={','.join(names)}", *passthrough]
    base = Path(tempfile.mkdtemp(prefix="torchkata-grade-"))
    rows: dict[str, dict] = {}
    todo: list[tuple[Submission, str, Path]] = []
    skipped = 0
    try:
        for sub in subs:
            prepare(sub, base / "staging" / sub.name, names)
            folder = out / sub.name
            if sub.refused or not sub.files:  # a refused archive, or no kata file: nothing is run
                rows[sub.name] = classbook.ungraded_student(classbook.private_folder(folder), sub)
                skipped += 1
                continue
            digest = fingerprint(sub, options)
            meta = _read_json(folder / GRADE_META)
            if not force and meta.get("fingerprint") == digest and (folder / "report.json").is_file():
                rows[sub.name] = meta["row"]
                continue
            todo.append((sub, digest, folder))
        if todo:
            _run(todo, base, names, passthrough, jobs, limit_for(passthrough, limit), progress, rows,
                 batch, classbook)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    ordered = [rows[s.name] for s in subs]
    reports = {s.name: _read_json(out / s.name / "report.json") for s in subs}
    classbook.write_class(out, ordered, reports)
    if progress:
        regraded = len(todo)
        unchanged = len(subs) - regraded - skipped
        print(f"torchkata grade: {plural(len(subs), 'submission')}, {regraded} graded, {unchanged} unchanged "
              f"since the last run" + (f", {skipped} not graded (refused, or no kata file)" if skipped else "")
              + f"; outputs in {out}", file=sys.stderr)
    return ordered


def _run(todo: list, base: Path, names: list[str], passthrough: list[str], jobs: int, limit: float,
         progress: bool, rows: dict, batch: Any, classbook: Any) -> None:
    from tqdm import tqdm

    from pytest_torchkata.cli.slots import Slots
    from pytest_torchkata.reports.progress import PLUGIN_NAME as PROGRESS_PLUGIN

    batch.preload()
    runner = batch.Batch(jobs)
    slots = Slots(base / "work", runner.jobs)
    slot_of: dict[str, int] = {}
    pending = list(todo)
    by_name = {sub.name: (sub, digest, folder) for sub, digest, folder in todo}
    bar = tqdm(total=len(todo), unit="submission", desc="grading", disable=not progress,
               file=sys.stderr, dynamic_ncols=True)
    try:
        while pending or runner.running:
            while pending and len(runner.running) < runner.jobs:
                sub, _digest, folder = pending.pop(0)
                slot_of[sub.name] = slots.take()
                work = slots.folders[slot_of[sub.name]]  # the same folder for the slot's runs
                kata_dir = lay_out(sub, work)
                classbook.private_folder(folder)
                report = folder / "report.json"
                report.unlink(missing_ok=True)
                args = batch.pytest_args(names, kata_dir, report.resolve(), passthrough)
                args += ["-p", f"no:{PROGRESS_PLUGIN}"]  # a submission's progress file is never read
                runner.start(batch.Job(sub.name, work, args, (folder / batch.LOG_NAME).resolve(), limit))
            job = runner.wait_one()
            sub, digest, folder = by_name[job.name]
            row = classbook.finish_student(folder, sub, job, limit,
                                           prefixes=[str(job.work.resolve()), str(job.work)])
            rows[sub.name] = row
            _write_meta(folder, digest, row)
            slots.give_back(slot_of.pop(job.name))
            bar.update(1)
            if progress:
                bar.write(f"  {sub.name}: {classbook.row_line(row)}", file=sys.stderr)
    finally:
        runner.stop_all()
        bar.close()


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(folder: Path, digest: str, row: dict) -> None:
    from pytest_torchkata.reports.formats import write_json

    write_json(folder / GRADE_META, {"fingerprint": digest, "row": row})


def main(args: argparse.Namespace, passthrough: list[str]) -> int:
    try:
        class_extras.check(args)  # a missing library or a bad roster is said before any grading
        rows = grade_class(args.submissions, args.out, kata_names(args.kata), passthrough,
                    jobs=args.jobs, force=args.force, limit=args.limit, single=args.single)
    except (Refused, UsageProblem, class_extras.ExtrasProblem) as exc:
        print(f"torchkata grade: {exc}", file=sys.stderr)
        return 2
    return class_extras.write(args, rows)
