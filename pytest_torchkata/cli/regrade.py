"""``torchkata grade --regrade KATA[:TASK][,...]``: run some tasks again for a class already graded.

For every student whose submission and options are unchanged since their last grading,
only the named tasks run again (``-k`` by task number, into a report of their own); each
fresh task result replaces the old one in ``report.json``, the kata's and the total's
scores are summed again, and the row, the feedback and the class outputs follow.  The
cache then records the named katas' current checks (``grade.json``), so a later plain
``grade`` takes the fixed check as graded.  A student not graded before, or whose files
changed, is graded in full.  Afterwards the console lists whose scores changed, by how much.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_torchkata.i18n import tr

FRESH_REPORT = ".regrade.json"  # in the student's folder while the tasks run again
LOG = "regrade.log"


class RegradeProblem(Exception):
    """A ``--regrade`` that names no kata or task graded here; the message lists the valid ones."""


@dataclass(frozen=True)
class Plan:
    tasks: dict[str, frozenset[int] | None]  # kata -> task numbers to run again; None: all of them

    @property
    def katas(self) -> list[str]:
        return list(self.tasks)

    def wants(self, kata: str, number: int) -> bool:
        return kata in self.tasks and (self.tasks[kata] is None or number in self.tasks[kata])  # type: ignore[operator]

    def select_args(self) -> list[str]:
        """``-k`` by task numbers (``plugin.selection``) when every kata names its tasks."""
        if any(numbers is None for numbers in self.tasks.values()):
            return []
        numbers = sorted(set().union(*self.tasks.values()))  # type: ignore[arg-type]
        return ["-k", " or ".join(map(str, numbers))]


def _tasks_here(names: list[str]) -> dict[str, list[list[Any]]]:
    from pytest_torchkata.registry import load_kata

    return {name: [[t.number, t.id] for t in load_kata(name).tasks] for name in names}


def kata_tasks(names: list[str]) -> dict[str, list[list[Any]]]:
    """Each kata's tasks as [number, id], read in a child process: the kata modules must not be
    imported here before the grading children fork (pytest rewrites their asserts there)."""
    if not hasattr(os, "fork"):  # pragma: no cover - the grading children are fresh interpreters there
        return _tasks_here(names)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read)
            payload = json.dumps(_tasks_here(names)).encode()
            while payload:
                payload = payload[os.write(write, payload):]
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        raise RegradeProblem(tr("the katas' tasks could not be read: {names}", "无法读取这些练习的任务：{names}",
                                names=", ".join(names))) from None


def parse(spec: str, graded: list[str], tasks: dict[str, list[list[Any]]] | None = None) -> Plan:
    """``KATA[:TASK][,...]``: TASK is a task's number or id; a kata alone means all its tasks."""
    wanted: dict[str, set[int] | None] = {}
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if not items:
        raise RegradeProblem(tr("--regrade names nothing: write KATA[:TASK][,...], e.g. tensors:3",
                                "--regrade 什么也没指定：请写成 KATA[:TASK][,...]，例如 tensors:3"))
    katas = list(dict.fromkeys(item.partition(":")[0].strip() for item in items))
    unknown = [k for k in katas if k not in graded]
    if unknown:
        raise RegradeProblem(tr("--regrade: {unknown} is not among the katas graded here ({graded})",
                                "--regrade：{unknown} 不在这里评分的练习中（{graded}）",
                                unknown=", ".join(unknown), graded=", ".join(graded)))
    known = tasks if tasks is not None else kata_tasks(katas)
    for item in items:
        kata, _, task = (part.strip() for part in item.partition(":"))
        if not task:
            wanted[kata] = None
            continue
        number = next((n for n, ident in known[kata] if task in (str(n), ident)), None)
        if number is None:
            raise RegradeProblem(tr("--regrade: kata {kata} has no task {task!r} (its tasks: {valid})",
                                    "--regrade：练习 {kata} 没有任务 {task!r}（它的任务：{valid}）", kata=kata, task=task,
                                    valid=", ".join(f"{n} ({ident})" for n, ident in known[kata])))
        if kata not in wanted or wanted[kata] is not None:
            wanted.setdefault(kata, set()).add(number)  # type: ignore[union-attr]
    return Plan({k: None if v is None else frozenset(v) for k, v in wanted.items()})


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def splice(folder: Path, plan: Plan) -> bool:
    """Put the fresh results of the planned tasks into ``folder/report.json``; False when the
    run left no report (the old results then stand)."""
    from pytest_torchkata.reports.formats import write_json

    fresh_path = folder / FRESH_REPORT
    fresh = _read(fresh_path)
    fresh_path.unlink(missing_ok=True)
    report = _read(folder / "report.json")
    if not fresh.get("katas") or not report.get("katas"):
        return False
    found = {(k["name"], t["number"]): t for k in fresh["katas"] for t in k.get("tasks", [])}
    for kata in report["katas"]:
        kata["tasks"] = [found.get((kata["name"], t["number"]), t) if plan.wants(kata["name"], t["number"]) else t
                         for t in kata["tasks"]]
        kata["score"] = round(sum(t["score"] for t in kata["tasks"]), 2)
        kata["max_score"] = round(sum(t["max_score"] for t in kata["tasks"]), 2)
    report["score"] = round(sum(k["score"] for k in report["katas"]), 2)
    report["max_score"] = round(sum(k["max_score"] for k in report["katas"]), 2)
    report["seconds"] = round(report.get("seconds", 0.0) + fresh.get("seconds", 0.0), 2)
    write_json(folder / "report.json", report)
    return True


@dataclass
class Change:
    student: str
    before: float
    after: float
    tasks: list[tuple[str, int, float, float]]  # kata, task number, score before, after

    def line(self) -> str:
        parts = [tr("{kata} task {number}: {old} -> {new} ({delta})", "{kata} 任务 {number}：{old} -> {new}（{delta}）",
                    kata=kata, number=number, old=f"{old:g}", new=f"{new:g}", delta=f"{new - old:+g}")
                 for kata, number, old, new in self.tasks]
        return tr("{student}: {before} -> {after} ({delta}); {tasks}", "{student}：{before} -> {after}（{delta}）；{tasks}",
                  student=self.student, before=f"{self.before:g}", after=f"{self.after:g}",
                  delta=f"{self.after - self.before:+g}", tasks="; ".join(parts))


def change(student: str, before: dict[str, Any], after: dict[str, Any], plan: Plan) -> Change | None:
    """What the regrade changed in a student's scores, or None when nothing moved."""
    def scores(report: dict[str, Any]) -> dict[tuple[str, int], float]:
        return {(k["name"], t["number"]): t["score"] for k in report.get("katas", []) for t in k.get("tasks", [])
                if plan.wants(k["name"], t["number"])}

    old, new = scores(before), scores(after)
    moved = [(kata, number, old.get((kata, number), 0.0), score) for (kata, number), score in new.items()
             if score != old.get((kata, number), 0.0)]
    if not moved:
        return None
    return Change(student, before.get("score", 0.0), after.get("score", 0.0), moved)


def tell(changes: list[Change], regraded: int) -> None:
    """The console's account of a regrade: every score that moved, by how much."""
    print(tr("torchkata grade --regrade: {count} students' tasks run again; scores changed for {changed}",
             "torchkata grade --regrade：{count} 名学生的任务已重新运行；分数有变化的：{changed} 名",
             count=regraded, changed=len(changes)), file=sys.stdout)
    for item in changes:
        print("  " + item.line(), file=sys.stdout)
