"""Isolated mode, the grader's side: learner code runs in a sandboxed worker.

The worker is a fresh interpreter (spawned, never forked from a process whose
torch thread pools have run), started at a sandbox level (``levels``); inside
it a zygote (``zygote``) forks one fresh child per task.  Requests and answers
cross a pipe as JSON plus raw bytes (``wire``).  The grader keeps its own limit
on every answer: a worker that does not answer in time, or dies, is killed with
all it started, and the next request starts a new one.  A ``Watchdog`` thread
enforces the memory and process limits from outside.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Any

from pytest_torchkata.sandbox import levels
from pytest_torchkata.sandbox.answers import STOPPING, Failure, Kind, failed
from pytest_torchkata.sandbox.limits import Watchdog, find_zygote
from pytest_torchkata.sandbox.processes import kill_all, kill_group, tree

GRACE_S = 4.0   # beyond the zygote's own limit: only a worker that stopped answering hits it
STARTUP_S = 120.0
MAX_PROCS = 64  # learner processes at once, at every level
# Threads and processes of a whole worker (zygote, successor, spare, the task's process and all
# they start), where it has a cgroup of its own: a thread flood stops here.
MAX_TASKS = 512
# A whole worker's memory, where it has a cgroup: --kata-memory for the learner's process plus
# the zygote's and its successor's own (torch loaded; measured, README "Performance").
WORKER_BASE_MB = 1024


class WorkerDied(Exception):
    """The worker ended (or was ended) before answering; ``failure``: how (a ``crash``), or
    the task's ``refused`` answer when the grader stopped it for what it sent (``bounds.Refused``)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.kind.value)
        self.failure = failure


class Worker:
    """One sandboxed worker process and the thread that reads its answers."""

    def __init__(self, plan: levels.Plan, preload: list[str], memory_mb: float | None,
                 show_from: str | None = None) -> None:
        self.plan = plan
        self.log = tempfile.TemporaryFile()
        from pytest_torchkata.sandbox.cgroups import Cgroup, join

        self.cgroup = Cgroup.make(MAX_TASKS, memory_mb + WORKER_BASE_MB if memory_mb else None)
        files = self.cgroup.procs_files() if self.cgroup else []
        # -I: no user site-packages, no PYTHON* variables, no current folder on the path (a
        # ``.pth`` or module a task wrote into its HOME is never imported); -B: no bytecode written
        inner = [sys.executable, "-I", "-u", "-B", "-m", "pytest_torchkata.sandbox.zygote"]
        self.proc = subprocess.Popen(
            plan.argv(inner), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            env=plan.env(dict(os.environ)), cwd=plan.scratch, start_new_session=True,
            preexec_fn=(lambda: join(files)) if files else None,
        )
        self.answers: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.watchdog = Watchdog(self.proc.pid, memory_mb, MAX_PROCS, cgroup=self.cgroup)
        self._send({
            "sys_path": [p for p in sys.path if p], "preload": preload, "show_from": show_from or os.getcwd(),
            "private_tmp": plan.level == "bwrap", "hide": plan.hidden if plan.level != "bwrap" else [],
            "scratch": plan.scratch, "uid": plan.uid, "nproc": levels.NPROC, "tasks_max": MAX_TASKS,
            "fsize": levels.FSIZE, "nofile": levels.NOFILE,
            "user_preload": list(levels.USER_PRELOAD) if plan.uid is not None else [],
        })
        self.ready = False

    def _read(self) -> None:
        from pytest_torchkata.sandbox import wire

        while True:
            try:
                self.answers.put(("ok", wire.recv(self.proc.stdout)))
            except EOFError:
                self.answers.put(("eof", None))
                return
            except Exception as exc:  # malformed data from the learner's side
                self.answers.put(("bad", exc))
                return

    def _send(self, message: Any) -> None:
        from pytest_torchkata.sandbox import wire

        try:
            wire.send(self.proc.stdin, message)
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise WorkerDied(Failure(Kind.CRASH, message=str(exc))) from None

    def _get(self, timeout: float | None) -> Any:
        try:
            kind, value = self.answers.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise TimeoutError from None
        if kind != "ok":
            self.kill()
            from pytest_torchkata.sandbox.bounds import Refused

            if isinstance(value, Refused):
                raise WorkerDied(Failure.read(value.error()))
            raise WorkerDied(self.describe_end())
        return value

    def request(self, message: dict, timeout: float | None) -> Any:
        if not self.ready:
            hello = self._get(STARTUP_S)
            self.ready = True
            self.watchdog.zygote_pid = find_zygote(self.proc.pid) or int(hello.get("pid") or 0)
            self.watchdog.start()
        self.watchdog.take_note()  # a limit hit after the last answer is not this request's
        self._send(message)
        self.watchdog.poke()  # a new task's process may be starting
        return self._get(None if not timeout else timeout + GRACE_S + 2.0)

    def describe_end(self) -> Failure:
        """How the worker ended: a ``crash`` with its signal or exit code and its last output."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return Failure(Kind.CRASH, signal=name, output=self.output_tail())
        return Failure(Kind.CRASH, exit_code=code, output=self.output_tail())

    def output_tail(self, limit: int = 300) -> str:
        try:  # only its end: learner code may have grown it to the file-size limit
            self.log.seek(0, os.SEEK_END)
            self.log.seek(max(0, self.log.tell() - 4 * limit))
            text = self.log.read().decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""
        return text[-limit:].replace("\n", " | ")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Kill the worker and everything in its session (bwrap: its PID namespace goes with it)."""
        kill_group(self.proc.pid)
        try:
            self.proc.kill()
        except OSError:
            pass
        if self.watchdog.zygote_pid:
            kill_all(tree(self.watchdog.zygote_pid))
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()
        self.watchdog.stop()
        if self.cgroup is not None:
            self.cgroup.close()
        self.log.close()


class WorkerPool:
    """Keeps one worker alive, replacing it after it died or stopped answering."""

    def __init__(self, level: str = "none", memory_mb: float | None = None,
                 visible: list[str] | None = None) -> None:
        self.level = level
        self.memory_mb = memory_mb
        self.visible = list(visible or [])
        self.worker: Worker | None = None
        self.plan: levels.Plan | None = None
        self.preload: list[str] = []
        self.synced_path: list[str] = []
        self.loaded: set[str] = set()
        self.crashed_loading: dict[str, dict] = {}

    def describe(self) -> str:
        return self.plan.describe() if self.plan else levels.SUMMARY[self.level].format(uid="?")

    def start(self, preload: list[str] | None = None) -> None:
        if preload is not None:
            self.preload = preload
        if self.worker is None or not self.worker.alive():
            if self.plan is None:
                visible = levels.python_visible() + levels.module_files(self.preload) + self.visible
                self.plan = levels.Plan.make(self.level, visible, levels.reference_folders(self.preload))
            self.worker = Worker(self.plan, self.preload, self.memory_mb)
            self.synced_path = list(sys.path)

    def request(self, message: dict, timeout: float | None) -> dict:
        path = message["path"]
        if path in self.crashed_loading:
            return {"error": dict(self.crashed_loading[path])}
        task = message.get("task") or path
        if (path, task) not in self.loaded:
            response = self._one({"op": "load", "path": path, "task": task, "timeout": timeout}, timeout)
            error = response.get("error")
            failure = Failure.read(error) if error else None
            if failure and failure.kind in STOPPING:
                # the file's load failed: every task gets that answer, as the file's (``load_failure``)
                self.crashed_loading[path] = failure.but(load_failure=True,
                                                         file=failure.file or os.path.basename(path)).to_wire()
                return {"error": dict(self.crashed_loading[path])}
            if error:
                return response
            self.loaded = {k for k in self.loaded if k[0] != path} | {(path, task)}
        return self._one(message, timeout)

    def _one(self, message: dict, timeout: float | None) -> dict:
        self.start()
        assert self.worker is not None
        worker = self.worker
        if message.get("op") == "run" and sys.path != self.synced_path:
            message = dict(message, sys_path=[p for p in sys.path if p])
            self.synced_path = list(sys.path)
        try:
            response = worker.request(message, timeout)
        except TimeoutError:
            self._drop(worker)
            return failed(Failure(Kind.TIMEOUT, seconds=timeout, stopped="worker"))
        except WorkerDied as died:
            self._drop(worker)
            if died.failure.kind is Kind.REFUSED:  # it sent what the grader does not read: that task's error
                return failed(died.failure)
            return failed(worker.watchdog.take_note() or died.failure)
        note = worker.watchdog.take_note()
        error = response.get("error") if isinstance(response, dict) else None
        if note and error and error.get("kind") == Kind.CRASH:  # killed for a limit: that one
            response["error"] = note.to_wire()
        return response

    def _drop(self, worker: Worker) -> None:
        self.worker = None
        self.loaded.clear()
        worker.close()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        if self.plan is not None:
            self.plan.close()
        self.plan = None
