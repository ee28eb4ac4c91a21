"""Wall time of grading the whole curriculum in-process: `pytest --kata=all --kata-dir=solutions`.

Run from the repo root:  python benchmarks/bench_curriculum.py [DATA_DIR]
DATA_DIR (else $TORCHKATA_DATA) is passed as --kata-data, for the katas that need MNIST.
Median of 3 runs (BENCH_N overrides).  Target: <= 45 s on 2 cores.  Per-kata figures come from
pytest's --durations of the last run (setup + call + teardown of each kata's checks; imports and
collection are not in them).  The MNIST figure is the reference's training time to the held-out
threshold, read from each run's JSON report (target <= 10 s on the offline subset).
Prints, never asserts.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections import defaultdict

from _common import cpu_note, median, py, spread, wall

N = int(os.environ.get("BENCH_N", "3"))
TARGET_S = 45.0
MNIST_TARGET_S = 10.0
LINE = re.compile(r"^\s*([0-9.]+)s (setup|call|teardown)\s+\S*?katas/(\w+)\.py::")


def per_kata(output: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for line in output.splitlines():
        match = LINE.match(line)
        if match:
            totals[match.group(3)] += float(match.group(1))
    return dict(totals)


def mnist_fit(report: str) -> dict:
    """What the MNIST fit task recorded in the report (seconds, accuracy, ...), if it ran."""
    try:
        with open(report, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    for kata in data.get("katas", []):
        for task in kata["tasks"] if kata["name"] == "mnist" else []:
            if task["id"] == "fit":
                return task.get("data", {})
    return {}


def main(argv: list[str]) -> int:
    data = argv[0] if argv else os.environ.get("TORCHKATA_DATA", "")
    cmd = [py(), "-m", "pytest", "--kata=all", "--kata-dir=solutions", "-p", "no:cacheprovider", "-q",
           "--durations=0", "--durations-min=0"]
    if data:
        cmd.append(f"--kata-data={data}")
    print(f"bench_curriculum: {' '.join(cmd[1:])}; N={N}; {cpu_note()}")
    if not data:
        print("  note: no data folder given (argv or TORCHKATA_DATA): katas needing MNIST use the default cache")
    times, output, codes, failed = [], "", [], ""
    mnist: list[dict] = []
    report = os.path.join(tempfile.mkdtemp(), "report.json")
    for _ in range(N):
        seconds, code, output = wall(cmd + [f"--kata-report={report}"])
        times.append(seconds)
        mnist.append(mnist_fit(report))
        codes.append(code)
        if code != 0 and not failed:
            failed = "\n    ".join(l for l in output.splitlines() if "FAILED" in l or "ERROR" in l)[:2000]
    summary = [line for line in output.splitlines() if line.startswith("Total:") or " passed" in line[-40:]]
    print(f"  wall: {spread(times)}  target <= {TARGET_S:g} s: {'met' if median(times) <= TARGET_S else 'NOT met'}")
    print(f"  exit codes: {codes}" + ("" if set(codes) == {0} else "  (not full marks; failures of the first such run:)"))
    if failed:
        print(f"    {failed}")
    for line in summary[-2:]:
        print(f"  {line.strip()}")
    fits = [m for m in mnist if m.get("seconds") is not None]
    if fits:
        secs = [m["seconds"] for m in fits]
        last = fits[-1]
        print(f"  mnist: training to the held-out threshold: {spread(secs)}  target <= {MNIST_TARGET_S:g} s: "
              f"{'met' if median(secs) <= MNIST_TARGET_S else 'NOT met'}; last run {last['accuracy']:.1%} "
              f"held-out (threshold {last['target']:.0%}) on {last['train_size']} training images, "
              f"{last['optimizer']}")
    else:
        print("  mnist: no training figure (no MNIST data found: the fit task was skipped)")
    kata_times = per_kata(output)
    if kata_times:
        print("  per kata (sum of check durations, last run):")
        for name, seconds in sorted(kata_times.items(), key=lambda kv: -kv[1]):
            print(f"    {name:<22} {seconds:6.2f} s")
        print(f"    {'(sum)':<22} {sum(kata_times.values()):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
