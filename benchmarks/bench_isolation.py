"""Cost of --kata-isolate (learner code in a worker process) against in-process grading.

Run from the repo root:  python benchmarks/bench_isolation.py [KATA,KATA]   (default: tensors,autograd)
Both commands grade the reference solutions (--kata-dir=solutions); runs alternate N=5 times
(BENCH_N overrides), medians compared.  Target: isolated <= 1.5x in-process.  Prints, never asserts.
Katas that are not registered yet are dropped (the script says which it used).
"""

from __future__ import annotations

import os
import sys

from _common import ROOT, cpu_note, median, py, spread, verdict, wall

N = int(os.environ.get("BENCH_N", "5"))
TARGET = 1.5


def registered() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from pytest_torchkata.katas import CURRICULUM

    return [k for k in CURRICULUM if (ROOT / "solutions" / f"{k}.py").is_file()]


def main(argv: list[str]) -> int:
    wanted = (argv[0] if argv else "tensors,autograd").split(",")
    known = registered()
    katas = [k for k in wanted if k in known] or known[:2]
    if katas != wanted:
        print(f"note: {','.join(wanted)} not all registered; using {','.join(katas)} (registered: {', '.join(known)})")
    name = ",".join(katas)
    base = [py(), "-m", "pytest", f"--kata={name}", "--kata-dir=solutions", "-p", "no:cacheprovider", "-q"]
    variants = {"in-process": base, "isolated (--kata-isolate)": base + ["--kata-isolate"]}
    print(f"bench_isolation: --kata={name}, N={N} alternating runs; {cpu_note()}")
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(N):
        for label, cmd in variants.items():
            seconds, code, out = wall(cmd)
            times[label].append(seconds)
            if code != 0 and len(times[label]) == 1:
                print(f"  note: {label} exited {code}; tail:\n    " + "\n    ".join(out.strip().splitlines()[-3:]))
    ref = median(times["in-process"])
    for label, values in times.items():
        line = f"  {label:<28} {spread(values)}"
        if label != "in-process":
            line += f"  ratio {verdict(median(values) / ref, TARGET)}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
