"""tk.check from a notebook against `pytest --kata=tensors` from a terminal.

Run from the repo root:  python benchmarks/bench_notebook.py   (BENCH_N repeats, default 5)

Three figures, medians over alternating runs:
  terminal     `python -m pytest --kata=tensors` in a learner's folder holding the reference
               (a subprocess: what a learner waits for in a terminal); also with no third-party
               pytest plugin, as tk.check runs pytest
  first check  `tk.check("tensors")` in a fresh IPython shell that has run the reference in a
               cell (the shell's own imports not counted): the first check of a kernel, which
               also starts the warm helper
  re-check     the same shell after one more cell redefines `to_numpy`, checked again (N times
               in one shell): what a learner waits for after editing a cell
and, for the floor, the grading session's own seconds as the JSON report gives them.
Targets: first check <= 1.2x terminal; re-check under 1 s for tensors.  Prints, never asserts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, cpu_note, median, py, spread, verdict

N = int(os.environ.get("BENCH_N", "5"))
TARGET = 1.2

# Runs in a fresh Python: an IPython shell runs the reference as a cell, then tk.check is timed.
SHELL = r"""
import json, sys, time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.run_cell(open(sys.argv[1], encoding="utf-8").read(), store_history=True)  # as a kernel runs a cell
shell.run_cell("import pytest_torchkata.notebook as tk", store_history=True)
times, edits = [], int(sys.argv[3])
edit = "def to_numpy(t):\n    return t.detach().cpu().numpy()\n"
for i in range(1 + edits):
    if i:
        shell.run_cell(edit, store_history=True)
    start = time.perf_counter()
    shown = shell.ev("tk.check('tensors', kata_dir=%r)" % sys.argv[2])
    times.append(time.perf_counter() - start)
    assert "19/19" in repr(shown), repr(shown)
print(json.dumps(times))
"""


def shell_run(workspace: Path, edits: int) -> list[float]:
    out = subprocess.run([py(), "-c", SHELL, str(ROOT / "solutions" / "tensors.py"), str(workspace), str(edits)],
                         cwd=workspace.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"bench_notebook: the shell run failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    print(f"bench_notebook: N={N}; {cpu_note()}")
    with tempfile.TemporaryDirectory() as tmp:
        learner = Path(tmp) / "learner"
        (Path(tmp) / "nb").mkdir()
        (learner / "katas").mkdir(parents=True)
        (learner / "katas" / "tensors.py").write_text((ROOT / "solutions" / "tensors.py").read_text())
        report = learner / "report.json"
        terminal_cmd = [py(), "-m", "pytest", "--kata=tensors", "-p", "no:cacheprovider", "-q",
                        f"--kata-report={report}"]
        own_only = terminal_cmd + ["-p", "pytest_torchkata.plugin"]
        terminal, bare, first, sessions = [], [], [], []
        for _ in range(N):
            seconds, code, output = wall_in(terminal_cmd, learner)
            if code != 0:
                sys.exit(f"bench_notebook: the terminal run exited {code}:\n{output[-2000:]}")
            terminal.append(seconds)
            sessions.append(json.loads(report.read_text())["seconds"])
            bare.append(wall_in(own_only, learner, {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})[0])
            first.append(shell_run(Path(tmp) / "nb" / "katas", 0)[0])
        rechecks = shell_run(Path(tmp) / "nb" / "katas", N)[1:]
    base = median(terminal)
    print(f"  terminal: pytest --kata=tensors          {spread(terminal)}")
    print(f"  terminal, no third-party pytest plugins  {spread(bare)}  (as tk.check runs pytest)")
    print(f"  first tk.check('tensors') of a kernel    {spread(first)}  ratio {verdict(median(first) / base, TARGET)}"
          f", {median(first) / median(bare):.2f}x the run without plugins")
    print(f"  re-check after editing one cell          {spread(rechecks)}  "
          f"({'under' if median(rechecks) < 1 else 'NOT under'} 1 s)")
    print(f"  the grading session itself (report)      {spread(sessions)}")
    return 0


def wall_in(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    return time.perf_counter() - start, done.returncode, done.stdout


if __name__ == "__main__":
    sys.exit(main())
