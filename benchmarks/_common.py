"""Shared bits of the benchmark scripts: wall time of a command, medians, a table line."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY = ("hypothesispytest", "benchmark")  # pytest plugins installed here that slow startup


def installed_plugins() -> list[str]:
    """The entry-point names of third-party pytest plugins in THIRD_PARTY that are installed."""
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="pytest11")}
    return [n for n in THIRD_PARTY if n in names]


def without_plugins_args() -> list[str]:
    args: list[str] = []
    for name in installed_plugins():
        args += ["-p", f"no:{name}"]
    return args


def wall(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Seconds a command takes (subprocess, from the repo root), its exit code and output tail."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return time.perf_counter() - start, proc.returncode, proc.stdout


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"median {median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f}x (target <= {target:g}x: {'met' if ratio <= target else 'NOT met'})"


def py() -> str:
    return sys.executable


def cpu_note() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs, load average {load:.2f} (figures are noisy when the machine is busy)"


def class_of_references(folder: Path, n: int) -> Path:
    """``folder`` made a class of ``n`` honest submissions (``studentNN/katas``: copies of solutions/)."""
    import shutil

    for i in range(n):
        shutil.copytree(ROOT / "solutions", folder / f"student{i:02d}" / "katas")
    return folder
