"""``torchkata grade SUBMISSION... --out DIR``: grade a whole class into a gradebook.

A refused archive (unsafe, too big) or a submission without a kata file is not
graded at all: its row and feedback say why.  Each other submission's kata files
are copied into a neutral work folder and graded there under ``--kata-isolate`` (``batch``: one process with torch imported forks
a child per submission, ``--jobs`` at once).  A submission that is unchanged
since its last grading (same files, same options, same seed, same tool version, same
checks: ``manifest``) is not graded again unless ``--force``; ``--regrade`` runs
some tasks again for everyone (``regrade``).  ``--shard K/N`` grades one share of the
class (``shard``), for a job array whose shards ``torchkata merge`` puts together.  Any
``--kata-*`` option of the plugin is passed through to every run.  Outputs: per student
report.json, feedback.md and grade.json (``reports.classbook``); the class outputs,
rebuilt from those (``reports.class_outputs``); and ``manifest.json`` (``manifest``).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_torchkata.cli import class_extras
from pytest_torchkata.cli.manifest import ManifestProblem
from pytest_torchkata.cli.regrade import RegradeProblem
from pytest_torchkata.cli.shard import Shard, ShardProblem
from pytest_torchkata.cli.submissions import (
    Refused,
    Submission,
    discover,
    fingerprint,
    lay_out,
    prepare,
)
from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.class_outputs import STUDENT_META as GRADE_META

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
    p.add_argument("--shard", default=None, metavar="K/N|auto",
                   help=tr("grade only shard K of N of the class (K from 0; a student's shard comes from a hash of "
                           "their name); auto: K and N from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or "
                           "TORCHKATA_SHARD_INDEX/TORCHKATA_SHARD_COUNT. Merge the shards with torchkata merge",
                           "只给全班的第 K 个分片（共 N 个，K 从 0 开始；学生属于哪个分片由其名字的哈希决定）评分；"
                           "auto：K 和 N 取自 SLURM_ARRAY_TASK_ID、JOB_COMPLETION_INDEX 或 "
                           "TORCHKATA_SHARD_INDEX/TORCHKATA_SHARD_COUNT。用 torchkata merge 合并各分片"))
    p.add_argument("--shard-count", type=int, default=None, metavar="N",
                   help=tr("the number of shards for --shard auto where the engine does not tell it "
                           "(a Kubernetes Indexed Job's completions)",
                           "调度系统不提供分片数时 --shard auto 用的分片数（Kubernetes Indexed Job 的 completions）"))
    p.add_argument("--regrade", default=None, metavar="KATA[:TASK][,...]",
                   help=tr("run only these tasks again (TASK: a number or id; a kata alone: all its tasks) for "
                           "every student graded before, and print whose scores changed",
                           "为每个已评分的学生只重新运行这些任务（TASK：编号或 id；只写练习名则是它的全部任务），"
                           "并打印谁的分数变了"))
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


@dataclass
class Item:
    """One submission to grade: in full (``plan`` None) or only the tasks of a regrade plan."""

    sub: Submission
    digest: str
    folder: Path
    checks: dict[str, str]  # the checks digests its grade.json records once it is graded
    plan: Any = None
    before: dict | None = None  # the report before a regrade


def grade_class(paths: list[Path], out: Path, names: list[str], passthrough: list[str], *,
                jobs: int, force: bool = False, limit: float | None = None,
                progress: bool = True, single: bool = False, shard: Shard | None = None,
                regrade: str | None = None) -> list[dict]:
    """Grade every submission (of ``shard`` only, when given); returns one gradebook row per
    student (also written to ``out``).  ``single``: each path is one submission, even a
    folder without kata files.  ``regrade``: ``KATA[:TASK][,...]`` to run again."""
    from pytest_torchkata.cli import manifest
    from pytest_torchkata.cli import regrade as regrading
    from pytest_torchkata.plugin.access import seed_digest
    from pytest_torchkata.reports import classbook
    from pytest_torchkata.reports.class_outputs import write_class_outputs
    from pytest_torchkata.reports.instructor import plural

    if regrade is not None and force:
        raise UsageProblem(tr("--regrade and --force do not go together: --force grades everything again",
                              "--regrade 和 --force 不能一起用：--force 会把所有内容重新评分"))
    started, clock = manifest.now(), time.monotonic()
    everyone = discover(paths, names, single=single, exclude=out)
    subs = [s for s in everyone if shard is None or shard.owns(s.name)]
    _same_share(out, shard)
    limit = limit_for(passthrough, limit)
    options = manifest.grading_options(names, passthrough, limit)
    seed = seed_digest(manifest.seed_value(passthrough))
    checks = manifest.checks_digests(names)
    plan = regrading.parse(regrade, names) if regrade is not None else None
    if not out.is_dir():  # a folder we make is the instructor's alone; one they gave is left as it is
        classbook.private_folder(out)
    base = Path(tempfile.mkdtemp(prefix="torchkata-grade-"))
    todo: list[Item] = []
    skipped, stale = 0, set()
    try:
        for sub in subs:
            prepare(sub, base / "staging" / sub.name, names)
            folder = out / sub.name
            if sub.refused or not sub.files:  # a refused archive, or no kata file: nothing is run
                _write_meta(folder, "", {}, classbook.ungraded_student(classbook.private_folder(folder), sub))
                skipped += 1
                continue
            digest = fingerprint(sub, [*options, f"seed digest {seed}"])
            meta = _read_json(folder / GRADE_META)
            kept = not force and meta.get("fingerprint") == digest and (folder / "report.json").is_file()
            was = meta.get("checks") if isinstance(meta.get("checks"), dict) else {}
            if kept and plan is not None:
                redone = {**was, **{k: checks[k] for k in plan.katas}}
                todo.append(Item(sub, digest, folder, redone, plan, _read_json(folder / "report.json")))
                continue
            if kept and was == checks:
                continue
            if kept:
                stale.update(k for k in names if was.get(k) != checks[k])
            todo.append(Item(sub, digest, folder, checks))
        changes: list = []
        if todo:
            _run(todo, base, names, passthrough, jobs, limit, progress, changes)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    rows = write_class_outputs(out, [s.name for s in subs])
    import importlib.metadata

    manifest.write(out, manifest.build(
        names=names, options=options, seed_digest=seed, checks=checks, shard=shard,
        klass=[s.name for s in everyone], students=[s.name for s in subs], graded=[i.sub.name for i in todo],
        started=started, seconds=time.monotonic() - clock, per_student={r["student"]: r["seconds"] for r in rows},
        torch_version=importlib.metadata.version("torch")))
    if progress:
        again = len([i for i in todo if i.plan is None])
        unchanged = len(subs) - len(todo) - skipped
        share = tr(" (shard {shard} of a class of {count})", "（分片 {shard}，全班 {count} 份）", shard=str(shard),
                   count=len(everyone)) if shard is not None else ""
        print(f"torchkata grade: {plural(len(subs), 'submission')}{share}, {again} graded, {unchanged} unchanged "
              f"since the last run" + (f", {skipped} not graded (refused, or no kata file)" if skipped else "")
              + f"; outputs in {out}", file=sys.stderr)
        if stale:
            print(tr("torchkata grade: the checks of {katas} changed since the last grading: those students were "
                     "graded again (--regrade KATA:TASK runs one task again instead)",
                     "torchkata grade：{katas} 的检查自上次评分以来有改动：相关学生已重新评分"
                     "（--regrade KATA:TASK 可以只重跑一个任务）", katas=", ".join(sorted(stale))), file=sys.stderr)
    if plan is not None:
        regrading.tell(changes, len([i for i in todo if i.plan is not None]))
    return rows


def _same_share(out: Path, shard: Shard | None) -> None:
    """Refuse to grade one share of a class into a folder holding another share's grades."""
    from pytest_torchkata.cli.manifest import MANIFEST_NAME

    before = _read_json(out / MANIFEST_NAME).get("shard", False)
    if before is False:
        return
    now = None if shard is None else {"index": shard.index, "count": shard.count}
    then = None if not isinstance(before, dict) else {"index": before.get("index"), "count": before.get("count")}
    if now != then:
        def say(value: dict | None) -> str:
            return tr("the whole class", "全班") if value is None else f"shard {value['index']}/{value['count']}"

        raise UsageProblem(tr("{out} holds the grades of {then}, not of {now}: give each shard a folder of its own "
                              "(--out) and put them together with torchkata merge",
                              "{out} 里是 {then} 的成绩，而不是 {now} 的：请给每个分片单独的文件夹（--out），"
                              "再用 torchkata merge 合并", out=out, then=say(then), now=say(now)))


def _run(todo: list[Item], base: Path, names: list[str], passthrough: list[str], jobs: int, limit: float,
         progress: bool, changes: list) -> None:
    from tqdm import tqdm

    from pytest_torchkata.cli import batch
    from pytest_torchkata.cli import regrade as regrading
    from pytest_torchkata.cli.slots import Slots
    from pytest_torchkata.reports import classbook
    from pytest_torchkata.reports.progress import PLUGIN_NAME as PROGRESS_PLUGIN

    batch.preload()
    runner = batch.Batch(jobs)
    slots = Slots(base / "work", runner.jobs)
    slot_of: dict[str, int] = {}
    pending = list(todo)
    by_name = {item.sub.name: item for item in todo}
    bar = tqdm(total=len(todo), unit="submission", desc="grading", disable=not progress,
               file=sys.stderr, dynamic_ncols=True)
    try:
        while pending or runner.running:
            while pending and len(runner.running) < runner.jobs:
                item = pending.pop(0)
                sub, folder = item.sub, item.folder
                slot_of[sub.name] = slots.take()
                work = slots.folders[slot_of[sub.name]]  # the same folder for the slot's runs
                kata_dir = lay_out(sub, work)
                classbook.private_folder(folder)
                if item.plan is None:
                    report, log = folder / "report.json", folder / batch.LOG_NAME
                    args = batch.pytest_args(names, kata_dir, report.resolve(), passthrough)
                else:  # only the planned tasks, into a report of their own (``regrade.splice``)
                    report, log = folder / regrading.FRESH_REPORT, folder / regrading.LOG
                    args = batch.pytest_args(item.plan.katas, kata_dir, report.resolve(), passthrough)
                    args += item.plan.select_args()
                report.unlink(missing_ok=True)
                args += ["-p", f"no:{PROGRESS_PLUGIN}"]  # a submission's progress file is never read
                runner.start(batch.Job(sub.name, work, args, log.resolve(), limit))
            job = runner.wait_one()
            item = by_name[job.name]
            sub, folder = item.sub, item.folder
            if item.plan is not None:
                job.seconds += _read_json(folder / GRADE_META).get("row", {}).get("seconds", 0.0)
                if not regrading.splice(folder, item.plan) and progress:
                    bar.write(tr("  {name}: the regrade left no report (see {log}); the earlier grade stands",
                                 "  {name}：重新评分没有留下报告（见 {log}）；之前的成绩保持不变",
                                 name=sub.name, log=folder / regrading.LOG), file=sys.stderr)
            row = classbook.finish_student(folder, sub, job, limit,
                                           prefixes=[str(job.work.resolve()), str(job.work)])
            if item.plan is not None:
                moved = regrading.change(sub.name, item.before or {}, _read_json(folder / "report.json"), item.plan)
                changes.extend([moved] if moved else [])
            _write_meta(folder, item.digest, item.checks, row)
            slots.give_back(slot_of.pop(job.name))
            bar.update(1)
            if progress:
                bar.write(f"  {sub.name}: {classbook.row_line(row)}", file=sys.stderr)
    finally:
        runner.stop_all()
        bar.close()


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_meta(folder: Path, digest: str, checks: dict[str, str], row: dict) -> None:
    from pytest_torchkata.reports.formats import write_json

    write_json(folder / GRADE_META, {"fingerprint": digest, "checks": checks, "row": row})


def main(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pytest_torchkata.cli import shard

    try:
        class_extras.check(args)  # a missing library or a bad roster is said before any grading
        rows = grade_class(args.submissions, args.out, kata_names(args.kata), passthrough,
                    jobs=args.jobs, force=args.force, limit=args.limit, single=args.single,
                    shard=shard.parse(args.shard, args.shard_count), regrade=args.regrade)
    except (Refused, UsageProblem, ShardProblem, ManifestProblem, RegradeProblem,
            class_extras.ExtrasProblem) as exc:
        print(f"torchkata grade: {exc}", file=sys.stderr)
        return 2
    return class_extras.write(args, rows)
