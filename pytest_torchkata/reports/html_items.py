"""What the class page shows, gathered from the students' JSON reports: per task its
item statistics (``itemstats``), the totals per student and kata, the heat map's
grid, and the class's misconceptions.

A misconception is a named mistake: the ``mistake`` id a check gave its message
("mse.square_of_mean"), read from each task and check (``""`` or missing in older
reports: none).  Mistakes are counted by id, never by wording (a message quotes the
student's own values); each is shown with one example wording, the most common one.

Who counts: students with a report.  Per task, the students whose report graded
it (a skipped task, a CUDA one on a machine without a GPU, counts for neither);
for the reliability, a task missing from a student's report counts 0 points.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from pytest_torchkata.reports import itemstats as st
from pytest_torchkata.status import Status

TIMEOUT_KINDS = ("timeout",)  # as the gradebook counts them (classbook): by kind, never by wording


@dataclass
class Item:
    kata: str
    kata_title: str
    number: int
    id: str
    title: str
    max_score: float
    students: int = 0
    difficulty: Optional[float] = None
    full: Optional[float] = None  # share of students at full marks
    not_started: int = 0
    errors: int = 0
    timeouts: int = 0
    r: Optional[float] = None  # corrected item-total correlation
    d: Optional[float] = None  # upper-lower discrimination index
    profile: list = field(default_factory=list)
    flags: list = field(default_factory=list)


@dataclass
class Misconception:
    id: str
    students: int
    tasks: list  # (kata, number, title, students), most students first
    quintiles: list  # students per fifth of the class, lowest first
    example: str


@dataclass
class ClassData:
    students: list  # graded students, in the order given
    totals: list
    max_total: float
    katas: list  # (name, title, max_score, [score per student])
    items: list
    reliability: tuple  # ("KR-20" or "alpha", value or None)
    misconceptions: list
    quintiles: list  # each graded student's fifth
    shares: list  # per item, per graded student: the share of its points, None where not graded
    apart: list  # (student, why) for each student without a report


def timed_out(entry: Mapping[str, Any]) -> bool:
    return entry.get("kind", "") in TIMEOUT_KINDS


def _mistakes(task: Mapping[str, Any]) -> dict[str, str]:
    """The mistake ids of a task and its checks, each with the message that named it."""
    found = {}
    for entry in [task, *task.get("checks", [])]:
        mistake = entry.get("mistake") or ""
        if isinstance(mistake, str) and mistake and entry.get("status") != Status.PASSED:
            found.setdefault(mistake, entry.get("message") or "")
    return found


def gather(reports: Mapping[str, Optional[dict]], notes: Optional[Mapping[str, str]] = None) -> ClassData:
    """Everything the class page shows, from ``reports`` (student -> report, ``None`` or
    ``{}`` for a student who was not graded; ``notes`` says why)."""
    graded = [(s, r) for s, r in reports.items() if r and r.get("katas") is not None]
    apart = [(s, (notes or {}).get(s, "")) for s, r in reports.items() if not (r and r.get("katas") is not None)]
    names = [s for s, _ in graded]
    totals = [float(r.get("score") or 0.0) for _, r in graded]
    quintiles = st.quintile_of(totals)
    n = len(graded)

    kata_rows: dict[str, list] = {}
    cells: dict[tuple[str, str], dict[int, dict]] = {}  # (kata, task id) -> student index -> task
    meta: dict[tuple[str, str], Item] = {}
    for i, (_, report) in enumerate(graded):
        for kata in report.get("katas", []):
            row = kata_rows.setdefault(kata["name"], [kata["name"], kata.get("title", kata["name"]), 0.0, [0.0] * n])
            row[2] = max(row[2], float(kata.get("max_score") or 0.0))
            row[3][i] = float(kata.get("score") or 0.0)
            for t in kata.get("tasks", []):
                if t.get("status") == Status.SKIPPED or not t.get("max_score"):
                    continue
                key = (kata["name"], t["id"])
                if key not in meta:
                    meta[key] = Item(kata["name"], kata.get("title", kata["name"]), t["number"], t["id"],
                                     t.get("title", ""), float(t["max_score"]))
                    cells[key] = {}
                cells[key][i] = t

    items, columns, grid = [], [], []
    for key, item in meta.items():
        got = cells[key]
        who = sorted(got)
        scores = [float(got[i].get("score") or 0.0) for i in who]
        shares = [s / float(got[i]["max_score"]) for s, i in zip(scores, who)]
        column, row = [0.0] * n, [None] * n  # a task missing from a report: 0 points, not graded
        for i, score, share in zip(who, scores, shares):
            column[i], row[i] = score, share
        columns.append(column)
        grid.append(row)
        own_totals = [totals[i] for i in who]
        item.students = len(who)
        item.difficulty = st.mean(shares)
        item.full = st.mean([1.0 if s >= 1 - 1e-9 else 0.0 for s in shares])
        item.not_started = sum(got[i].get("status") == Status.NOT_STARTED for i in who)
        item.errors = sum(got[i].get("status") == Status.ERROR for i in who)
        item.timeouts = sum(timed_out(got[i]) for i in who)
        item.r = st.corrected_item_total(scores, own_totals)
        item.d = st.upper_lower_index(shares, own_totals)
        item.profile = st.quintile_profile(shares, [quintiles[i] for i in who])
        item.flags = st.flags(item.difficulty, item.r)
        items.append(item)

    maxima = [item.max_score for item in meta.values()]
    return ClassData(students=names, totals=totals,
                     max_total=max([float(r.get("max_score") or 0.0) for _, r in graded], default=0.0),
                     katas=[tuple(row) for row in kata_rows.values()], items=items,
                     reliability=st.reliability(columns, maxima) if n else ("alpha", None),
                     misconceptions=misconceptions(graded, quintiles), quintiles=quintiles, shares=grid,
                     apart=apart)


def misconceptions(graded: list, quintiles: list[int]) -> list[Misconception]:
    """Each named mistake with the students who made it, most students first."""
    who: dict[str, set[int]] = defaultdict(set)
    where: dict[str, Counter] = defaultdict(Counter)
    wording: dict[str, Counter] = defaultdict(Counter)
    titles: dict[tuple[str, int], str] = {}
    for i, (_, report) in enumerate(graded):
        for kata in report.get("katas", []):
            for t in kata.get("tasks", []):
                for mistake, message in _mistakes(t).items():
                    who[mistake].add(i)
                    where[mistake][(kata["name"], t["number"])] += 1
                    titles[(kata["name"], t["number"])] = t.get("title", "")
                    if message:
                        wording[mistake][" ".join(message.split())] += 1
    out = []
    for mistake, students in who.items():
        fifths = [0] * st.QUINTILES
        for i in students:
            fifths[quintiles[i]] += 1
        example = wording[mistake].most_common(1)
        out.append(Misconception(
            id=mistake, students=len(students), quintiles=fifths, example=example[0][0] if example else "",
            tasks=[(k, num, titles[(k, num)], c) for (k, num), c in where[mistake].most_common()]))
    return sorted(out, key=lambda m: (-m.students, m.id))


def heat_grid(data: ClassData) -> tuple[list[str], list[str], list[list[float]]]:
    """Rows (students, highest total first), columns (``kata N``) and the share of points
    of each; NaN where a task was not graded for a student."""
    order = sorted(range(len(data.students)), key=lambda i: -data.totals[i])
    columns = [f"{item.kata} {item.number}" for item in data.items]
    grid = [[float("nan") if col[i] is None else col[i] for col in data.shares] for i in order]
    return [data.students[i] for i in order], columns, grid
