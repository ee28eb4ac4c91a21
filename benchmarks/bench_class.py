"""A class graded by `torchkata grade`: wall time for N honest full-curriculum submissions.

Run from the repo root:  python benchmarks/bench_class.py [N] [DATA_DIR]
(default N=6, BENCH_CLASS overrides; DATA_DIR or $TORCHKATA_DATA becomes --kata-data).
Each submission is a copy of solutions/ (all katas, full marks).  The baseline, measured in the
same run, is one submission graded the way an instructor did before: a plain
`pytest --kata=all --kata-isolate` process.  Prints the class's wall time, seconds per
submission, the peak memory per submission (the grading process, RSS, which counts pages shared
with the forking parent, plus a worker of its own where it started one: at the bwrap level the
job slot's shared worker is not counted here), and the time for 40 submissions extrapolated
linearly from N (an extrapolation, not a measurement).  Target: 40 in <= 300 s on 2 cores.
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from _common import class_of_references, cpu_note, median, py, wall

TARGET_S, CLASS_SIZE = 300.0, 40


def cpu_seconds() -> float:
    """CPU time of every finished descendant so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else int(os.environ.get("BENCH_CLASS", "6"))
    data = argv[1] if len(argv) > 1 else os.environ.get("TORCHKATA_DATA", "")
    data_args = [f"--kata-data={data}"] if data else []
    tmp = Path(tempfile.mkdtemp(prefix="bench-class-"))
    try:
        class_of_references(tmp / "class", n)
        print(f"bench_class: {n} full-curriculum submissions; {cpu_note()}")
        one = tmp / "class" / "student00" / "katas"
        base_s, code, out = wall([py(), "-m", "pytest", "--kata=all", f"--kata-dir={one}", "--kata-isolate",
                                  "-p", "no:cacheprovider", "-q", "-p", "no:hypothesispytest",
                                  "-p", "no:benchmark", *data_args])
        print(f"  baseline: one plain `pytest --kata=all --kata-isolate` run: {base_s:.1f} s (exit {code})")
        cpu_before = cpu_seconds()
        class_s, code, out = wall([py(), "-m", "pytest_torchkata.cli", "grade", str(tmp / "class"),
                                   "--out", str(tmp / "out"), *data_args])
        class_cpu = cpu_seconds() - cpu_before
        if code != 0:
            print("  torchkata grade failed:\n    " + "\n    ".join(out.strip().splitlines()[-5:]))
            return 1
        rows = list(csv.DictReader((tmp / "out" / "gradebook.csv").open()))
        full = sum(r["total"] == r["max_total"] for r in rows)
        per = [float(r["seconds"]) for r in rows]
        mem = [float(r["peak_mib"]) for r in rows]
        print(f"  torchkata grade, {n} submissions, --jobs {os.cpu_count()}: {class_s:.1f} s wall "
              f"({class_s / n:.1f} s per submission; {full}/{n} at full marks)")
        print(f"  per submission (inside its child): median {median(per):.1f} s, max {max(per):.1f} s; "
              f"peak memory median {median(mem):.0f} MiB (grading process RSS, plus a worker of its own if it had one)")
        print(f"  against the baseline: {base_s * n / class_s:.2f}x faster than {n} plain runs one at a time")
        guess = class_s / n * CLASS_SIZE
        print(f"  extrapolated to {CLASS_SIZE} submissions: {guess:.0f} s (linear in N; "
              f"target <= {TARGET_S:g} s: {'met' if guess <= TARGET_S else 'NOT met'})")
        cores = os.cpu_count() or 1
        by_cpu = class_cpu / n * CLASS_SIZE / cores
        print(f"  CPU time: {class_cpu / n:.1f} s per submission (all processes); {CLASS_SIZE} submissions "
              f"on {cores} otherwise idle cores would need about {by_cpu:.0f} s (an estimate from CPU time, "
              f"less sensitive to other users' load than wall time)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
