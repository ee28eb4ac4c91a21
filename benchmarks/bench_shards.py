"""A class graded in shards, one after another on this machine, against one run; and the floor
of a submission's cost.

Run from the repo root:  python benchmarks/bench_shards.py [N] [SHARDS] [KATAS] [DATA_DIR]
(defaults: N=4 submissions, each a copy of solutions/; SHARDS=3; KATAS=all; DATA_DIR or
$TORCHKATA_DATA becomes --kata-data).

1. Shard overhead: ``torchkata grade`` over the class once, then ``--shard K/SHARDS`` for every K
   one after another plus ``torchkata merge``; the overhead is the extra wall time (and CPU
   time, less sensitive to other users' load) of the shards and the merge over the one run.
   Target: under 5 %.  Each shard pays a process start and the class's discovery once.
2. The floor: one submission graded in-process (``pytest --kata=KATAS``, no ``--kata-isolate``:
   the learner code and the checks in one process) against the same submission isolated
   (``--kata-isolate``), each as wall time and CPU time (user + system, all processes); a
   torch import alone is measured too, so the checks' and learner code's own CPU time shows.
   Wall minus CPU is time spent waiting (on the disk, on other processes, on the machine).
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import class_of_references, cpu_note, py, wall, without_plugins_args

TARGET_OVERHEAD = 0.05


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuGroup:
    """A cgroup (v1 ``cpuacct`` or v2) of our own whose processes' CPU time is read whole: a
    sandbox's processes that are killed before their parent reaps them are missed by
    getrusage, never by the cgroup.  ``usable`` is False where none can be made (not root)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        for root, usage in ((Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage"), (Path("/sys/fs/cgroup"), "cpu.stat")):
            candidate = root / f"bench-shards-{os.getpid()}"
            try:
                candidate.mkdir()
                (candidate / usage).read_text()
            except OSError:
                continue
            self.folder, self.usage = candidate, usage
            break

    @property
    def usable(self) -> bool:
        return self.folder is not None

    def seconds(self) -> float:
        text = (self.folder / self.usage).read_text()  # type: ignore[operator]
        if self.usage == "cpuacct.usage":
            return int(text) / 1e9
        return int(dict(line.split() for line in text.splitlines())["usage_usec"]) / 1e6

    def wrap(self, cmd: list[str]) -> list[str]:
        procs = self.folder / "cgroup.procs"  # type: ignore[operator]
        return ["sh", "-c", f'echo $$ > "{procs}" && exec "$@"', "sh", *cmd]

    def close(self) -> None:
        if self.folder is not None:
            try:
                self.folder.rmdir()
            except OSError:
                pass


GROUP = CpuGroup()


def timed(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (the command's processes), exit code, output."""
    if GROUP.usable:
        before = GROUP.seconds()
        seconds, code, out = wall(GROUP.wrap(cmd))
        return seconds, GROUP.seconds() - before, code, out
    before = cpu_seconds()
    seconds, code, out = wall(cmd)
    return seconds, cpu_seconds() - before, code, out


def shard_overhead(klass: Path, tmp: Path, shards: int, options: list[str]) -> None:
    grade = [py(), "-m", "pytest_torchkata.cli", "grade", str(klass), *options]
    one_s, one_cpu, code, out = timed([*grade, "--out", str(tmp / "one")])
    if code != 0:
        print("  torchkata grade failed:\n    " + "\n    ".join(out.strip().splitlines()[-5:]))
        return
    parts_s = parts_cpu = 0.0
    for k in range(shards):
        s, c, code, out = timed([*grade, "--out", str(tmp / f"shard-{k}"), "--shard", f"{k}/{shards}"])
        parts_s, parts_cpu = parts_s + s, parts_cpu + c
        if code != 0:
            print(f"  shard {k} failed:\n    " + "\n    ".join(out.strip().splitlines()[-5:]))
            return
    print(f"  one run: {one_s:.1f} s wall, {one_cpu:.1f} s CPU; {shards} shards one after another: "
          f"{parts_s:.1f} s wall, {parts_cpu:.1f} s CPU")
    merge_s, merge_cpu, code, out = timed([py(), "-m", "pytest_torchkata.cli", "merge",
                                           *(str(tmp / f"shard-{k}") for k in range(shards)),
                                           "--out", str(tmp / "merged")])
    if code != 0:
        print("  merge failed:\n    " + "\n    ".join(out.strip().splitlines()[-5:]))
        return
    total_s, total_cpu = parts_s + merge_s, parts_cpu + merge_cpu
    over_s, over_cpu = total_s / one_s - 1, total_cpu / one_cpu - 1
    print(f"  merge: {merge_s:.1f} s wall, {merge_cpu:.1f} s CPU")
    for what, over in (("wall", over_s), ("CPU", over_cpu)):
        print(f"  shard overhead ({what}): {over * 100:+.1f} % (target < {TARGET_OVERHEAD * 100:g} %: "
              f"{'met' if over < TARGET_OVERHEAD else 'NOT met'})")


def floor(submission: Path, katas: str, data_args: list[str]) -> None:
    base = [py(), "-m", "pytest", f"--kata={katas}", f"--kata-dir={submission}", "-p", "no:cacheprovider", "-q",
            *without_plugins_args(), *data_args]
    torch_s, torch_cpu, _, _ = timed([py(), "-c", "import torch, torchvision"])
    inproc_s, inproc_cpu, code_in, _ = timed(base)
    iso_s, iso_cpu, code_iso, _ = timed([*base, "--kata-isolate"])
    print(f"  `import torch, torchvision` alone: {torch_s:.1f} s wall, {torch_cpu:.1f} s CPU")
    print(f"  in-process (learner code and checks in one process): {inproc_s:.1f} s wall, {inproc_cpu:.1f} s CPU "
          f"(exit {code_in}); without the import: {inproc_cpu - torch_cpu:.1f} s CPU: the floor")
    print(f"  isolated (--kata-isolate): {iso_s:.1f} s wall, {iso_cpu:.1f} s CPU (exit {code_iso}); "
          f"waiting (wall - CPU): {iso_s - iso_cpu:.1f} s isolated, {inproc_s - inproc_cpu:.1f} s in-process")
    print(f"  isolated against the floor: {iso_s / max(inproc_cpu - torch_cpu, 1e-9):.1f}x the floor's CPU time "
          f"in wall time; isolation's extra CPU: {iso_cpu - inproc_cpu:+.1f} s")


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 4
    shards = int(argv[1]) if len(argv) > 1 else 3
    katas = argv[2] if len(argv) > 2 else "all"
    data = argv[3] if len(argv) > 3 else os.environ.get("TORCHKATA_DATA", "")
    data_args = [f"--kata-data={data}"] if data else []
    tmp = Path(tempfile.mkdtemp(prefix="bench-shards-"))
    try:
        class_of_references(tmp / "class", n)
        print(f"bench_shards: {n} submissions (copies of solutions/), katas {katas}, {shards} shards; {cpu_note()}")
        started = time.perf_counter()
        print("1. shard overhead")
        shard_overhead(tmp / "class", tmp, shards, [f"--kata={katas}", *data_args])
        print("2. the floor of one submission")
        floor(tmp / "class" / "student00" / "katas", katas, data_args)
        print(f"(the benchmark took {time.perf_counter() - started:.0f} s; CPU time from "
              f"{'a cgroup of its own' if GROUP.usable else 'getrusage: processes killed before being reaped are missed'})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        GROUP.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
