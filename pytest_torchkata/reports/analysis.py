"""Item analysis of a class: per task the mean score, the share who passed, how many
tasks ran out of time, crashed or sent back an answer the grader does not read (from each
task's ``kind``, in every language) and the most common failure message, as ``item_analysis.csv`` and ``item_analysis.md``, and a
student x task heat map (``item_analysis.png``) when matplotlib (the ``plots``
extra) is installed; without it the Markdown says how to get the picture.  Only
graded students count: a refused submission, one with nothing to grade or one whose
grading left no report is listed apart in the Markdown, with why.  Titles and
failure messages are encoded for each file (``encode``)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from pytest_torchkata.reports.classbook import KIND_COUNTS, kind_counts
from pytest_torchkata.reports.encode import csv_cell, for_markdown, one_line
from pytest_torchkata.reports.formats import atomic_write
from pytest_torchkata.reports.instructor import plural
from pytest_torchkata.status import Status

COLUMNS = ["kata", "task", "id", "title", "max_score", "students", "mean_score", "share_passed",
           "not_started", "errors", "timeouts", "crashes", "refused_answers", "most_common_failure",
           "failure_count", "without_file"]
NO_PLOTS = ("no picture: matplotlib is not installed "
            "(`pip install \"pytest-torchkata[plots]\"` adds it; then grade again)")


def _failure(task: dict) -> str:
    """The task's message without the line it points at, which differs from student to
    student: the speaking check's own message, when the report has it."""
    for check in task.get("checks", []):
        if check["status"] in (Status.FAILED, Status.ERROR) and check["message"] \
                and task["message"].startswith(check["message"]):
            return check["message"]
    return task["message"]


def item_rows(reports: list[dict], without: list[set[str]] | None = None) -> list[dict]:
    """One row per task, in curriculum order, over every graded student; ``without[i]``: the
    katas whose file student ``i`` did not hand in, left out of those katas' rows (counted
    in ``without_file``)."""
    rows: dict[tuple[str, str], dict] = {}
    for i, report in enumerate(reports):
        for kata in report.get("katas", []):
            absent = kata["name"] in (without[i] if without else ())
            for t in kata["tasks"]:
                if t["status"] == Status.SKIPPED:
                    continue
                row = rows.setdefault((kata["name"], t["id"]), {
                    "kata": kata["name"], "task": t["number"], "id": t["id"], "title": t["title"],
                    "max_score": t["max_score"], "scores": [], "passed": 0, "not_started": 0,
                    "errors": 0, "failures": Counter(), "without_file": 0,
                    **dict.fromkeys(KIND_COUNTS.values(), 0)})
                if absent:
                    row["without_file"] += 1
                    continue
                row["scores"].append(t["score"])
                row["passed"] += t["status"] == Status.PASSED
                row["not_started"] += t["status"] == Status.NOT_STARTED
                row["errors"] += t["status"] == Status.ERROR
                for column, count in kind_counts([t]).items():
                    row[column] += count
                if t["status"] in (Status.FAILED, Status.ERROR) and t["message"]:
                    row["failures"][" ".join(_failure(t).split())] += 1
    out = []
    for row in rows.values():
        n = len(row["scores"])
        common = row["failures"].most_common(1)
        out.append({"kata": row["kata"], "task": row["task"], "id": row["id"], "title": row["title"],
                    "max_score": row["max_score"], "students": n,
                    "mean_score": round(sum(row["scores"]) / n, 2) if n else "",
                    "share_passed": round(row["passed"] / n, 3) if n else "", "not_started": row["not_started"],
                    "errors": row["errors"], "timeouts": row["timeouts"], "crashes": row["crashes"],
                    "refused_answers": row["refused_answers"], "most_common_failure": common[0][0] if common else "",
                    "failure_count": common[0][1] if common else 0, "without_file": row["without_file"]})
    return out


def _short(text: str, limit: int = 120) -> str:
    """``text`` on one line, cut to ``limit`` characters, for a cell of the Markdown table."""
    text = one_line(text)
    return for_markdown(text if len(text) <= limit else text[: limit - 1] + "…")


def write_analysis(out: Path, named: list[tuple[str, dict]],
                   apart: list[tuple[str, str]] | None = None,
                   without: dict[str, list[str]] | None = None) -> None:
    """``named``: (student, report) for every graded student; ``apart``: (student, why)
    for every student who was not graded (left out of the statistics); ``without``:
    student -> the katas whose file they did not hand in (left out of those katas' rows)."""
    reports = [report for _, report in named]
    rows = item_rows(reports, [set((without or {}).get(student, ())) for student, _ in named])
    with atomic_write(out / "item_analysis.csv", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    picture = heat_map(out / "item_analysis.png", named)
    lines = [f"# Item analysis ({plural(len(reports), 'graded student')})", "",
             "Per task, over the students who handed in its kata's file (how many did not: *without file*).", "",
             "| task | mean / max | passed | not started | errors | time-outs | crashes | without file "
             "| most common failure (students) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        failure = f"{_short(r['most_common_failure'])} ({r['failure_count']})" if r["failure_count"] else ""
        mean, passed = ((f"{r['mean_score']:g}", f"{r['share_passed']:.0%}") if r["students"] else ("-", "-"))
        lines.append(f"| {_short(r['kata'])} {r['task']}. {_short(r['title'], 50)} | {mean} / "
                     f"{r['max_score']:g} | {passed} | {r['not_started']} | {r['errors']} | {r['timeouts']} "
                     f"| {r['crashes']} | {r['without_file']} "
                     f"| {failure} |")
    lines += ["", "![share of points per student and task](item_analysis.png)" if picture else f"*{NO_PLOTS}*"]
    if apart:
        lines += ["", f"## Not graded, so not counted above ({plural(len(apart), 'student')})", ""]
        lines += [f"- {_short(student, 80)}: {_short(why or 'no report')}" for student, why in apart]
    with atomic_write(out / "item_analysis.md") as fh:
        fh.write("\n".join(lines) + "\n")


def heat_map(path: Path, named: list[tuple[str, dict]]) -> str:
    """Draw the share of points per student (rows) and task (columns); '' when it cannot."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        path.unlink(missing_ok=True)
        return ""
    if not named:
        return ""
    names, reports = [n for n, _ in named], [r for _, r in named]
    labels = [f"{k['name']} {t['number']}" for k in reports[0]["katas"] for t in k["tasks"]]
    grid = []
    for report in reports:
        shares = {f"{k['name']} {t['number']}": (t["score"] / t["max_score"] if t["max_score"] else float("nan"))
                  for k in report.get("katas", []) for t in k["tasks"]}
        grid.append([shares.get(label, float("nan")) for label in labels])
    fig, ax = plt.subplots(figsize=(max(6, 0.25 * len(labels) + 2), max(3, 0.3 * len(reports) + 1.5)))
    image = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_title("share of each task's points per student")
    fig.colorbar(image, ax=ax, fraction=0.03)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    path.chmod(0o600)  # private, like every class file (classbook.FILE_MODE); its folder is 0700
    return str(path.name)
