"""Grading many submissions at once, paying for torch's import once per class.

This process imports torch, pytest and the plugin (running no torch op, so no
thread pool exists yet), then forks one child per submission.  The child starts
a session of its own (so a time-out kills it and everything it started), moves
into the submission's neutral work folder, sends its output to a log file and
runs ``pytest.main`` with ``--kata-isolate``: learner code runs in the
sandbox's worker, never in the child.  Where ``fork`` is missing the child is a
fresh interpreter running the same function.

The log (``grading.log``, the instructor's, private) starts with a header: the
tool's and torch's versions, the sandbox level the run used, the digest of the
seed (never the seed), the katas and the date.  The plugin is handed to pytest as
the module already imported here, not named with ``-p``: pytest would mark it for
assertion rewriting, find it imported, and start the log with a warning.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# LOG_NAME: torchkata grade names the log through this module
from pytest_torchkata.reports.classbook import FILE_MODE, LOG_NAME  # noqa: F401
from pytest_torchkata.sandbox import processes

STATS_NAME = ".stats.json"


def preload() -> None:
    """Import what every child needs, once.  Checks are not imported here: pytest imports
    them in each child, with its assertion rewriting."""
    if "numpy" not in sys.modules:
        # OpenBLAS starts its thread pool when NumPy is imported; fork with no threads running
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    import pytest_torchkata.checks.errors  # noqa: F401
    import pytest_torchkata.plugin  # noqa: F401
    import pytest_torchkata.plugin.access  # noqa: F401
    import pytest_torchkata.reports.results  # noqa: F401
    try:
        import torchvision  # noqa: F401
    except ImportError:
        pass


def pytest_args(katas: list[str], kata_dir: Path, report: Path, passthrough: list[str]) -> list[str]:
    return [f"--kata={','.join(katas)}", f"--kata-dir={kata_dir}", f"--kata-report={report}",
            "--kata-isolate", "-p", "no:cacheprovider", "-q", "--no-header", "-rN", *passthrough]


class LogHeader:
    """Starts the grading log with how the run grades (``header_lines``), once the plugin's
    session has chosen its sandbox level."""

    @staticmethod
    def pytest_sessionstart(session: Any) -> None:
        from pytest_torchkata.plugin.session import SESSION_KEY

        ks = session.config.stash.get(SESSION_KEY, None)
        terminal = session.config.pluginmanager.get_plugin("terminalreporter")
        if ks is not None and terminal is not None:
            for line in header_lines(ks):
                terminal.write_line(line)


def header_lines(ks: Any) -> list[str]:
    import datetime

    import torch

    from pytest_torchkata import __version__
    from pytest_torchkata.plugin.access import seed_digest

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return [f"torchkata {__version__} grading log, {now}",
            f"katas {', '.join(k.name for k in ks.katas)}; torch {torch.__version__}; sandbox {ks.sandbox}; "
            f"seed digest {seed_digest(ks.settings.seed)}"]


def child_main(work: Path, args: list[str], log: Path) -> int:
    """Runs in the child: one pytest session over one submission.  Returns its exit code."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # a log left by an earlier run keeps its mode otherwise
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.chdir(work)
    # no third-party pytest plugin joins a grading run but kata packs; ours is handed over as a module
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    import pytest

    import pytest_torchkata.plugin
    from pytest_torchkata.registry import installed

    packs = installed().plugins  # kata packs join as their plugin modules, like ours
    try:
        code = int(pytest.main(args, plugins=[pytest_torchkata.plugin, *packs, LogHeader()]))
    except BaseException as exc:  # noqa: BLE001 - the row says what happened
        print(f"torchkata grade: the grading run stopped: {type(exc).__name__}: {exc}", flush=True)
        code = 3
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stats = {"grader_kib": own, "worker_kib": workers}
    try:
        (log.parent / STATS_NAME).write_text(json.dumps(stats))
    except OSError:
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    return code


@dataclass
class Job:
    name: str
    work: Path
    args: list[str]
    log: Path
    limit: float
    pid: int = 0
    proc: subprocess.Popen | None = None
    started: float = 0.0
    code: int | None = None
    killed: bool = False
    seconds: float = 0.0
    stats: dict = field(default_factory=dict)


class Batch:
    """Runs jobs, at most ``jobs`` at once; ``wait_one`` returns the next finished job."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self.running: dict[int, Job] = {}
        self.can_fork = hasattr(os, "fork")

    def start(self, job: Job) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        job.started = time.monotonic()
        if self.can_fork:
            pid = os.fork()
            if pid == 0:  # the child
                code = 3
                try:
                    os.setsid()
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    code = child_main(job.work, job.args, job.log)
                finally:
                    os._exit(code)
            job.pid = pid
        else:  # pragma: no cover - platforms without fork
            job.proc = subprocess.Popen(
                [sys.executable, "-c", "import sys, json; from pathlib import Path; "
                 "from pytest_torchkata.cli.batch import child_main; a = json.loads(sys.argv[1]); "
                 "sys.exit(child_main(Path(a[0]), a[1], Path(a[2])))",
                 json.dumps([str(job.work), job.args, str(job.log)])], start_new_session=True)
            job.pid = job.proc.pid
        self.running[job.pid] = job

    def _reap(self) -> Job | None:
        for pid, job in list(self.running.items()):
            if job.proc is not None:
                code = job.proc.poll()
                if code is None:
                    continue
            else:
                status = processes.poll(pid)
                if status is None:
                    continue
                code = os.waitstatus_to_exitcode(status)
            return self._finish(job, code)
        return None

    def _finish(self, job: Job, code: int) -> Job:
        del self.running[job.pid]
        job.code = code
        job.seconds = time.monotonic() - job.started
        processes.kill_group(job.pid)  # a worker left behind by a crashed child
        try:
            job.stats = json.loads((job.log.parent / STATS_NAME).read_text())
            (job.log.parent / STATS_NAME).unlink()
        except (OSError, ValueError):
            job.stats = {}
        return job

    def wait_one(self) -> Job:
        """Block until a job ends (or is stopped at its limit) and return it."""
        while True:
            job = self._reap()
            if job is not None:
                return job
            now = time.monotonic()
            for pid, running in list(self.running.items()):
                if running.limit and now - running.started > running.limit:
                    running.killed = True
                    processes.kill_group(pid)
            time.sleep(0.05)

    def stop_all(self) -> None:
        for pid in list(self.running):
            processes.kill_group(pid)
            processes.wait_for(pid)
        self.running.clear()
