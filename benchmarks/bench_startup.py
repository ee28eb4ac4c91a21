"""Startup cost of grading: `pytest --kata=K --kata-dir=solutions` against `python -c "import torch, pytest"`.

Run from the repo root:  python benchmarks/bench_startup.py [KATA ...]   (default: tensors)
Each kata is timed separately (and, with two or more, all of them in one run as --kata=A,B).
Runs alternate N=7 times (BENCH_N overrides) between the baseline and the grading variants:
  grading                  the command above, as a developer runs it in the repo root
  + --noconftest           as in a learner's folder: pytest also imports the repo's
                           tests/conftest.py (a `test*` folder next to the rootdir), which imports torchvision
  + -p no:<plugin>         without the third-party pytest plugins installed here (hypothesis, benchmark)
Medians are compared.  Target: grading one small kata costs <= 1.25x the bare imports.
Prints, never asserts.
"""

from __future__ import annotations

import os
import sys

from _common import cpu_note, installed_plugins, median, py, spread, verdict, wall, without_plugins_args

N = int(os.environ.get("BENCH_N", "7"))
TARGET = 1.25


def main(argv: list[str]) -> int:
    katas = argv or ["tensors"]
    groups = [[k] for k in katas] + ([katas] if len(katas) > 1 else [])
    baseline_cmd = [py(), "-c", "import torch, pytest"]
    print(f"bench_startup: N={N} alternating runs; {cpu_note()}")
    bare = without_plugins_args()
    for group in groups:
        name = ",".join(group)
        grade_cmd = [py(), "-m", "pytest", f"--kata={name}", "--kata-dir=solutions", "-p", "no:cacheprovider", "-q"]
        variants = {"baseline": baseline_cmd, "grading": grade_cmd,
                    "grading --noconftest": grade_cmd + ["--noconftest"]}
        if bare:
            variants["grading --noconftest " + " ".join(bare)] = grade_cmd + ["--noconftest"] + bare
        times: dict[str, list[float]] = {k: [] for k in variants}
        codes: dict[str, set[int]] = {k: set() for k in variants}
        for _ in range(N):
            for label, cmd in variants.items():
                seconds, code, out = wall(cmd)
                times[label].append(seconds)
                codes[label].add(code)
                if code != 0 and label != "baseline" and len(times[label]) == 1:
                    print(f"  note: {label} exited {code} (not full marks?); tail:\n    "
                          + "\n    ".join(out.strip().splitlines()[-3:]))
        print(f"\n--kata={name}")
        base = median(times["baseline"])
        for label, values in times.items():
            line = f"  {label:<62} {spread(values)}"
            if label != "baseline":
                line += f"  ratio {verdict(median(values) / base, TARGET)}"
            print(line)
    if not installed_plugins():
        print("\n(no third-party pytest plugins from the list are installed: one grading variant only)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
