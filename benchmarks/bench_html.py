"""The HTML reports of a synthetic class: size and build time.

Run from the repo root:  python benchmarks/bench_html.py [STUDENTS] [BIG]
(defaults 200 and 1000; BENCH_N repeats, default 5 for the class page, 3 for every report).

The class is made up (no grading runs): STUDENTS reports of 67 tasks in 11 katas, each
student with an ability and each task a difficulty (a logistic model), partial credit on
some tasks, errors, time-outs and named mistakes on failures, and a loss curve on the
training tasks.  Measured in this process, medians of BENCH_N runs (wall time, and the process's CPU time,
which a machine busy with other work changes less):
- the class page (``html_class.class_page``) for STUDENTS students: its size and build time
  (targets < 2 MB, < 2 s), with matplotlib's heat map where it is installed and without it;
- every report of BIG students (``write_html_reports``: report.html plus each
  STUDENT/feedback.html, written to a temporary folder): the time (target < 30 s for
  merge plus every report; merge itself is measured with `torchkata merge`).
"""

from __future__ import annotations

import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_torchkata.reports import html_figures  # noqa: E402
from pytest_torchkata.reports.html_class import class_page, write_html_reports  # noqa: E402

KATAS = [("tensors", 8), ("autograd", 7), ("functions", 6), ("modules", 6), ("linear_regression", 5),
         ("logistic_regression", 5), ("training", 6), ("debugging", 7), ("devices", 5), ("mnist", 6),
         ("extra", 6)]  # 67 tasks
MISTAKES = ["square_of_mean", "wrong_dim", "no_detach", "inplace_on_leaf", "forgot_zero_grad", "int_division"]


def synthetic_reports(students: int, seed: int = 0) -> dict[str, dict]:
    rng = random.Random(seed)
    difficulty = {(k, t): rng.gauss(-0.8, 1.2) for k, n in KATAS for t in range(1, n + 1)}
    reports = {}
    for s in range(students):
        ability = rng.gauss(0, 1)
        katas, total, top = [], 0.0, 0.0
        for kata, n in KATAS:
            tasks = []
            for t in range(1, n + 1):
                p = 1 / (1 + math.exp(-(ability - difficulty[(kata, t)])))
                checks = 3 if t % 2 else 1
                passed = sum(rng.random() < p for _ in range(checks))
                status = "passed" if passed == checks else rng.choice(["failed"] * 6 + ["not_started", "error"])
                kind = "timeout" if status == "error" and rng.random() < 0.3 else ""
                mistake = f"{kata}.{rng.choice(MISTAKES)}" if status == "failed" and rng.random() < 0.6 else ""
                message = "" if status == "passed" else (
                    f"task {t}: got tensor([{rng.random():.4f}, {rng.random():.4f}]) but expected "
                    f"tensor([0.5000, 0.2500]); mismatched elements 2 / 2, greatest difference {rng.random():.3g}")
                score = round(2.0 * passed / checks, 2) if status != "not_started" else 0.0
                data = ({"loss_history": [2.3 * math.exp(-i / (8 + 10 * rng.random())) for i in range(50)]}
                        if kata in ("training", "mnist") and t == n else {})
                tasks.append({"id": f"t{t}", "number": t, "title": f"{kata} task {t}", "status": status,
                              "score": score, "max_score": 2.0, "message": message,
                              "hint": "" if status == "passed" else "Compare the shapes first.",
                              "kind": kind, "mistake": mistake, "data": data,
                              "checks": [{"name": f"test_{t}_{c}", "status": status, "message": message,
                                          "kind": kind, "mistake": mistake} for c in range(checks)]})
            score = round(sum(x["score"] for x in tasks), 2)
            katas.append({"name": kata, "title": kata.replace("_", " ").title(), "score": score,
                          "max_score": 2.0 * n, "tasks": tasks})
            total, top = total + score, top + 2.0 * n
        reports[f"student{s:04d}"] = {"version": 1, "language": "en", "score": round(total, 2),
                                      "max_score": top, "katas": katas, "warnings": []}
    return reports


def timed(fn, repeats: int) -> tuple[float, object]:
    """The median wall time of ``fn()`` and its last result; the median CPU time goes to CPU[0]
    (on a shared machine the wall time also counts the waits for a core)."""
    times, cpu, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[0] = statistics.median(cpu)
    return statistics.median(times), result


CPU = [0.0]


def main(argv: list[str]) -> int:
    students = int(argv[0]) if argv else 200
    big = int(argv[1]) if len(argv) > 1 else 1000
    repeats = int(os.environ.get("BENCH_N", "5"))
    reports = synthetic_reports(students)
    tasks = sum(len(k["tasks"]) for k in next(iter(reports.values()))["katas"])
    print(f"synthetic class: {students} students x {tasks} tasks")
    plots = html_figures.heat_map_png(["a"], ["b"], [[0.5]]) is not None  # also imports matplotlib once
    seconds, text = timed(lambda: class_page(reports), repeats)
    print(f"class page{' (heat map by matplotlib)' if plots else ' (no matplotlib: no heat map)'}: "
          f"{len(text.encode()) / 1e6:.2f} MB (target < 2 MB), built in median {seconds:.3f} s "
          f"(target < 2 s, n={repeats}; CPU {CPU[0]:.3f} s)")
    if plots:
        real = html_figures.heat_map_png
        html_figures.heat_map_png = lambda *a: None
        import pytest_torchkata.reports.html_class as html_class
        html_class.heat_map_png = html_figures.heat_map_png
        try:
            seconds, text = timed(lambda: class_page(reports), repeats)
        finally:
            html_figures.heat_map_png = html_class.heat_map_png = real
        print(f"class page without the heat map: {len(text.encode()) / 1e6:.2f} MB, median {seconds:.3f} s "
              f"(CPU {CPU[0]:.3f} s)")

    many = synthetic_reports(big, seed=1)
    out = Path(tempfile.mkdtemp(prefix="bench-html-"))
    try:
        seconds, _ = timed(lambda: write_html_reports(out, many), max(1, min(repeats, 3)))
        size = (out / "report.html").stat().st_size
        print(f"every report of {big} students (report.html {size / 1e6:.2f} MB + {big} feedback.html): "
              f"median {seconds:.2f} s (target < 30 s with merge, n={max(1, min(repeats, 3))}; CPU {CPU[0]:.2f} s)")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
