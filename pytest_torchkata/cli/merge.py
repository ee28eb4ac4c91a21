"""``torchkata merge SHARD_DIR... --out DIR``: the shards of a class, put together into one gradebook.

Each SHARD_DIR is the ``--out`` of one ``torchkata grade --shard K/N`` run.  Their
manifests must agree on the tool's version, the options, the seed (by digest) and
every kata's checks (by digest), and on the class they were cut from; a student graded
in two shards, or in none (a shard missing or unfinished), is named and nothing is
written (``--partial`` merges what there is and lists who is missing).  The students'
folders are copied into DIR and every class output is rebuilt from them
(``reports.class_outputs``), so DIR holds what one machine grading the whole class
would have written, byte for byte apart from the timings.  DIR may then be graded
into again (``torchkata grade ... --out DIR --regrade ...``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from pytest_torchkata.cli import manifest
from pytest_torchkata.i18n import tr

# what every shard must share, and how a message names it
SHARED = (("tool_version", ("versions of torchkata", "torchkata 版本")), ("options_digest", ("options", "选项")),
          ("seed_digest", ("seeds", "随机种子")), ("checks", ("checks", "检查")))


class MergeProblem(Exception):
    """Shards that cannot be put together; the message says which and why."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser("merge", help="put the shards of a class graded on many machines into one gradebook",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("shards", nargs="+", type=Path, metavar="SHARD_DIR",
                   help=tr("the --out folder of each torchkata grade --shard run",
                           "每次 torchkata grade --shard 运行的 --out 文件夹"))
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help=tr("where the merged class outputs go", "合并后的全班输出放在哪里"))
    p.add_argument("--partial", action="store_true",
                   help=tr("merge even when students are missing (a shard not run yet); they are listed",
                           "即使缺少学生（某个分片还没运行）也合并；会列出缺少的学生"))
    from pytest_torchkata.cli.class_extras import add_lms_options

    add_lms_options(p)  # the LMS gradebook needs the whole class: it is made here, not in a shard
    p.set_defaults(run=main)


def _differences(manifests: list[tuple[Path, dict]]) -> list[str]:
    first_folder, first = manifests[0]
    problems = []
    for key, (en, zh) in SHARED:
        for folder, data in manifests[1:]:
            if data.get(key) != first.get(key):
                what = tr(en, zh)
                detail = ""
                if key == "checks":
                    katas = sorted(k for k in {*first.get(key, {}), *data.get(key, {})}
                                   if first.get(key, {}).get(k) != data.get(key, {}).get(k))
                    detail = tr(" (of {katas}: a check changed between the runs)", "（{katas}：两次运行之间检查有改动）", katas=", ".join(katas))
                elif key == "options_digest":
                    detail = f" ({' '.join(first.get('options', []))} / {' '.join(data.get('options', []))})"
                elif key == "tool_version":
                    detail = f" ({first.get(key)} / {data.get(key)})"
                problems.append(tr("{a} and {b} were graded with different {what}{detail}",
                                   "{a} 和 {b} 评分时用的{what}不同{detail}", a=first_folder, b=folder, what=what,
                                   detail=detail))
                break
    return problems


def check(manifests: list[tuple[Path, dict]], partial: bool = False) -> tuple[list[str], dict[str, Path], list[str]]:
    """The class (in order), who is in which shard, and who is missing; MergeProblem when the
    shards do not belong together."""
    from pytest_torchkata.cli.shard import bucket

    problems = _differences(manifests)
    klass = manifests[0][1].get("class", [])
    for folder, data in manifests[1:]:
        if data.get("class") != klass:
            odd = sorted(set(klass) ^ set(data.get("class", [])))
            problems.append(tr("{a} and {b} were cut from different classes (the submissions changed between "
                               "the runs?){odd}", "{a} 和 {b} 是从不同的班级切分出来的（两次运行之间提交有变化？）{odd}",
                               a=manifests[0][0], b=folder,
                               odd=tr(": only in one of them: {names}", "：只在其中一个里：{names}",
                                      names=", ".join(odd[:20])) if odd else ""))
    owner: dict[str, list[Path]] = {}
    for folder, data in manifests:
        for student in data.get("students", []):
            owner.setdefault(student, []).append(folder)
    for student, folders in owner.items():
        if len(folders) > 1:
            problems.append(tr("{student} was graded twice: in {folders}", "{student} 被评分了两次：在 {folders}",
                               student=student, folders=", ".join(map(str, folders))))
    missing = [s for s in klass if s not in owner]
    if missing and not partial:
        counts = {d["shard"]["count"] for _f, d in manifests if d.get("shard")}
        absent = ""
        if len(counts) == 1:
            count = counts.pop()
            shards = sorted({bucket(s, count) for s in missing})
            absent = tr(" (shards {shards} of {count} are missing or unfinished)", "（{count} 个分片中的 {shards} 缺失或未完成）",
                        shards=", ".join(map(str, shards)), count=count)
        problems.append(tr("{count} students of the class are in no shard given{absent}: {names}; run those shards "
                           "(or merge with --partial)", "全班有 {count} 名学生不在给出的任何分片里{absent}：{names}；"
                           "请运行这些分片（或用 --partial 合并）", count=len(missing), absent=absent,
                           names=", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")))
    if problems:
        raise MergeProblem("\n".join(problems))
    return klass, {s: folders[0] for s, folders in owner.items()}, missing


def merge(shards: list[Path], out: Path, partial: bool = False, progress: bool = True) -> list[dict]:
    """Put ``shards`` together in ``out`` (module docstring); returns the gradebook rows."""
    from pytest_torchkata.reports.class_outputs import write_class_outputs
    from pytest_torchkata.reports.classbook import private_folder

    clock = time.monotonic()
    for folder in shards:
        if folder.resolve() == out.resolve():
            raise MergeProblem(tr("--out {out} is one of the shards; merge into a folder of its own",
                                  "--out {out} 是其中一个分片；请合并到单独的文件夹", out=out))
    manifests = [(folder, manifest.read(folder)) for folder in shards]
    klass, owner, missing = check(manifests, partial)
    students = [s for s in klass if s in owner]
    private_folder(out)
    for student in students:
        target = out / student
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(owner[student] / student, target, symlinks=True)
    rows = write_class_outputs(out, students)
    first = manifests[0][1]
    merged = {key: first.get(key) for key in ("format", "tool_version", "torch_version", "katas", "options",
                                              "options_digest", "seed_digest", "checks")}
    merged.update(shard=None, merged_from=[{"folder": str(f), "shard": d.get("shard"), "timings": d.get("timings"),
                                            "device": d.get("device")} for f, d in manifests],
                  missing=missing, timings={"finished": manifest.now(), "seconds": round(time.monotonic() - clock, 1),
                                            "per_student": {r["student"]: r["seconds"] for r in rows}},
                  device=manifest.device(), graded_now=[])
    merged["class"], merged["students"] = klass, students
    manifest.write(out, merged)
    if progress:
        print(tr("torchkata merge: {count} students from {shards} shards; outputs in {out}",
                 "torchkata merge：来自 {shards} 个分片的 {count} 名学生；输出在 {out}",
                 count=len(students), shards=len(shards), out=out), file=sys.stderr)
        if missing:
            print(tr("torchkata merge: missing (in no shard): {names}", "torchkata merge：缺少（不在任何分片里）：{names}",
                     names=", ".join(missing)), file=sys.stderr)
    return rows


def main(args: argparse.Namespace, passthrough: list[str]) -> int:
    if passthrough:
        print(tr("torchkata merge: {options}: the shards' options were set when they were graded",
                 "torchkata merge：{options}：分片的选项在评分时就已确定", options=" ".join(passthrough)), file=sys.stderr)
        return 2
    from pytest_torchkata.cli import class_extras

    try:
        class_extras.check(args)  # a roster that cannot be used is said before anything is merged
        rows = merge(args.shards, args.out, partial=args.partial)
    except (MergeProblem, manifest.ManifestProblem, class_extras.ExtrasProblem) as exc:
        print(f"torchkata merge: {exc}", file=sys.stderr)
        return 2
    if args.gradebook_format:
        return class_extras.write_lms(args.out, rows, None, fmt=args.gradebook_format, roster=args.roster,
                                      columns=args.gradebook_columns)
    return 0
