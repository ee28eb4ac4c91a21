"""What hostile code costs under --kata-isolate, and what the sandbox costs honest code.

Run from the repo root:  python benchmarks/bench_sandbox.py [hostile|honest|cgroup|all]   (default all)

- hostile: kata files for tensors + autograd whose every function hangs (a loop that swallows
  every exception), segfaults or calls os._exit, graded isolated at --kata-timeout=5.
  Targets: hang <= 16 x 5 s + 15 s; segfault / os._exit <= honest + 15 s.
- honest: the whole curriculum's reference, isolated against in-process (wall, median of
  BENCH_N runs, default 1).  Target <= 1.1x.  $TORCHKATA_DATA gives MNIST.
- cgroup: the whole honest curriculum isolated inside a 768 MB memory cgroup with half a CPU
  (cgroup v2, else v1; skipped with the reason where none can be made), then the same with a
  memory bomb in one task.  Target: full marks; the bomb costs only its task; the report is written.
  The page cache is dropped first (root), so the library pages a run reads count against the
  cgroup as in a fresh container.  It measures the torch of the Python running it: run it with a
  CPU-only torch's Python for a 768 MB container (the CUDA build needs about 1 GB); BENCH_CGROUP_MB changes the 768.
Prints, never asserts.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, cpu_note, median, py, without_plugins_args

N = int(os.environ.get("BENCH_N", "1"))
CGROUP_MB = int(os.environ.get("BENCH_CGROUP_MB", "768"))  # Gradescope's default
HOSTILE_KATAS = ["tensors", "autograd"]

BODIES = {
    "hang": "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
    "segfault": "import ctypes\nctypes.string_at(0)",
    "os._exit": "import os\nos._exit(3)",
}


def hostile(source: str, body: str) -> str:
    """``source`` with ``body`` run first in every function and method."""
    tree = ast.parse(source)
    stmts = ast.parse(body).body
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.body = [*stmts, *node.body]
    return ast.unparse(tree)


def grade(kata_dir: Path, katas: list[str], *extra: str, prefix: list[str] | None = None,
          env: dict | None = None) -> tuple[float, dict, str]:
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as work:
        report = Path(work) / "report.json"
        cmd = [*(prefix or []), py(), "-m", "pytest", f"--kata={','.join(katas)}", f"--kata-dir={kata_dir}",
               f"--kata-report={report}", "-p", "no:cacheprovider", "-q", *without_plugins_args(), *extra]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=work, env={**os.environ, **(env or {})},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seconds = time.perf_counter() - start
        data = json.loads(report.read_text()) if report.exists() else {}
    return seconds, data, proc.stdout


def tasks_of(data: dict) -> int:
    return sum(len(k["tasks"]) for k in data.get("katas", []))


def score(data: dict) -> str:
    return f"{data.get('score', '?')}/{data.get('max_score', '?')}" if data else "no report"


def bench_hostile() -> None:
    print(f"hostile kata files, --kata={','.join(HOSTILE_KATAS)} --kata-isolate --kata-timeout=5")
    honest, data, _ = grade(ROOT / "solutions", HOSTILE_KATAS, "--kata-isolate", "--kata-timeout=5")
    n = tasks_of(data)
    print(f"  honest        {honest:7.1f} s  score {score(data)}  ({n} tasks)")
    for name, body in BODIES.items():
        with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
            for kata in HOSTILE_KATAS:
                source = (ROOT / "solutions" / f"{kata}.py").read_text()
                (Path(folder) / f"{kata}.py").write_text(hostile(source, body))
            seconds, data, out = grade(Path(folder), HOSTILE_KATAS, "--kata-isolate", "--kata-timeout=5")
        if name == "hang":
            target = n * 5 + 15
            verdict = f"target <= {n} x 5 s + 15 s = {target} s: {'met' if seconds <= target else 'NOT met'}"
        else:
            target = honest + 15
            verdict = f"target <= honest + 15 s = {target:.1f} s: {'met' if seconds <= target else 'NOT met'}"
        print(f"  {name:<13} {seconds:7.1f} s  score {score(data)}  ({verdict})")
        if not data:
            print("    " + "\n    ".join(out.strip().splitlines()[-5:]))


def bench_honest() -> None:
    katas = ["all"]
    print(f"honest full curriculum (reference solutions), N={N}")
    times: dict[str, list[float]] = {"in-process": [], "isolated": []}
    for _ in range(N):
        for label, extra in (("in-process", []), ("isolated", ["--kata-isolate"])):
            seconds, data, out = grade(ROOT / "solutions", katas, *extra)
            times[label].append(seconds)
            print(f"  {label:<11} {seconds:7.1f} s  score {score(data)}  sandbox {data.get('sandbox', '?')}")
    ratio = median(times["isolated"]) / median(times["in-process"])
    print(f"  ratio isolated / in-process: {ratio:.2f}x (target <= 1.1x: {'met' if ratio <= 1.1 else 'NOT met'})")


def make_cgroup(memory_mb: int, cpu_share: float) -> tuple[list[str], str] | str:
    """A command prefix that runs in a new cgroup with these limits, or why none can be made."""
    name = f"torchkata-bench-{os.getpid()}"
    v2 = Path("/sys/fs/cgroup")
    if (v2 / "cgroup.controllers").exists():
        group = v2 / name
        try:
            group.mkdir()
            (group / "memory.max").write_text(str(memory_mb << 20))
            (group / "memory.swap.max").write_text("0")
            (group / "cpu.max").write_text(f"{int(cpu_share * 100000)} 100000")
        except OSError as exc:
            return f"cgroup v2 at {v2} cannot be used here: {exc}"
        return ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh"], str(group)
    memory, cpu = v2 / "memory" / name, v2 / "cpu" / name
    try:
        memory.mkdir()
        (memory / "memory.limit_in_bytes").write_text(str(memory_mb << 20))
        cpu.mkdir()
        (cpu / "cpu.cfs_quota_us").write_text(str(int(cpu_share * 100000)))
    except OSError as exc:
        return f"no cgroup can be made here: {exc}"
    return (["sh", "-c", f'echo $$ > {memory}/cgroup.procs && echo $$ > {cpu}/cgroup.procs && exec "$@"', "sh"],
            f"{memory} + {cpu}")


def drop_cgroups() -> None:
    for group in Path("/sys/fs/cgroup").glob(f"*/torchkata-bench-{os.getpid()}"):
        _rmdir(group)
    _rmdir(Path("/sys/fs/cgroup") / f"torchkata-bench-{os.getpid()}")


def _rmdir(path: Path) -> None:
    for _ in range(50):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.1)


def peak_mb(where: str) -> str:
    for part in where.split(" + "):
        for name in ("memory.peak", "memory.max_usage_in_bytes"):
            file = Path(part) / name
            if file.exists():
                return f"{int(file.read_text()) / 2**20:.0f} MB"
    return "?"


def lost_tasks(data: dict) -> list[str]:
    return [f"{k['name']}:{t['id']} ({t['message'][:60]})" for k in data.get("katas", [])
            for t in k["tasks"] if t["score"] < t["max_score"]]


def drop_page_cache() -> bool:
    """Empty the kernel's page cache (root only), so the library pages a run reads are charged
    to its cgroup, as in a fresh container, not left out because an earlier run cached them."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1")
        return True
    except OSError:
        return False


def torch_build() -> str:
    return subprocess.run([py(), "-c", "import torch; print(torch.__version__, 'CUDA ' + torch.version.cuda "
                           "if torch.version.cuda else 'CPU-only', 'build')"],
                          capture_output=True, text=True).stdout.strip()


def bench_cgroup() -> None:
    made = make_cgroup(CGROUP_MB, 0.5)
    if isinstance(made, str):
        print(f"cgroup: skipped: {made}")
        return
    prefix, where = made
    print(f"honest full curriculum isolated in a {CGROUP_MB} MB memory cgroup with half a CPU ({where}); "
          f"torch {torch_build()}")
    print("  page cache dropped before each run: library pages count against the cgroup" if drop_page_cache()
          else "  page cache NOT dropped (not root): library pages cached earlier are not counted")
    try:
        seconds, data, out = grade(ROOT / "solutions", ["all"], "--kata-isolate", prefix=prefix)
        print(f"  honest        {seconds:7.1f} s  score {score(data)}  peak {peak_mb(where)}  "
              f"tasks lost: {', '.join(lost_tasks(data)) or 'none'}")
        if not data:
            print("    " + "\n    ".join(out.strip().splitlines()[-8:]))
        with tempfile.TemporaryDirectory(prefix="bench-bomb-") as folder:
            for source in (ROOT / "solutions").glob("*.py"):
                shutil.copy(source, folder)
            tensors = Path(folder) / "tensors.py"
            text = tensors.read_text()
            first = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef))
            bomb = hostile(ast.get_source_segment(text, first),
                           "blocks = []\nwhile True:\n    blocks.append(b'\\x01' * (32 << 20))")
            tensors.write_text(text.replace(ast.get_source_segment(text, first), bomb))
            drop_page_cache()
            seconds, data, out = grade(Path(folder), ["all"], "--kata-isolate", prefix=prefix)
        lost = lost_tasks(data)
        print(f"  memory bomb in tensors:{first.name}  {seconds:7.1f} s  score {score(data)}  "
              f"tasks lost: {', '.join(lost) or 'none'}")
        if not data:
            print("    " + "\n    ".join(out.strip().splitlines()[-8:]))
    finally:
        drop_cgroups()


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "all"
    print(f"bench_sandbox ({which}); {cpu_note()}")
    if which in ("hostile", "all"):
        bench_hostile()
    if which in ("honest", "all"):
        bench_honest()
    if which in ("cgroup", "all"):
        bench_cgroup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
