"""Bounded cost and memory, decided in the grading process.

``Bounded`` wraps a backend: once a task's learner code ran out of time or
crashed, that task's remaining requests get the same answer at once, and when
the whole run's time budget (``--kata-budget``) is spent, every later request
is answered ``budget_spent`` (``answers``).  ``Watchdog`` is a
thread that reads the resident memory of every learner process (``/proc``) and
kills one that uses more than ``--kata-memory`` MB of its own, or a process tree that
grows past a process cap: this works with the CUDA build of torch, whose
address space is far larger than its memory, where ``RLIMIT_AS`` cannot.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from pytest_torchkata.sandbox.answers import STOPPING, Failure, Kind, failed
from pytest_torchkata.sandbox.processes import is_gone, kill_all, tree  # noqa: F401 - is_gone: for callers of limits


class Bounded:
    """A backend whose hopeless tasks and spent budget cost nothing more."""

    def __init__(self, backend: Any, budget_s: float | None = None) -> None:
        self.backend = backend
        self.budget_s = budget_s or None
        self.started = time.monotonic()
        self.stopped: dict[str, dict] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    def left(self) -> float | None:
        return None if self.budget_s is None else self.budget_s - (time.monotonic() - self.started)

    def request(self, message: dict, timeout: float | None) -> dict:
        task = message.get("task") or message["path"]
        if task in self.stopped:
            return {"error": dict(self.stopped[task])}
        left = self.left()
        if left is not None and left <= 0:
            return failed(Failure(Kind.BUDGET_SPENT))
        capped = left is not None and (timeout is None or timeout <= 0 or left < timeout)
        if capped:
            timeout = max(left, 0.05)
            message = dict(message, timeout=timeout)
        response = self.backend.request(message, timeout)
        error = response.get("error")
        if error and error.get("kind") in STOPPING:
            if capped and error["kind"] == Kind.TIMEOUT:  # the budget ran out while this ran
                error = Failure(Kind.BUDGET_SPENT, seconds=self.budget_s).to_wire()
                response = dict(response, error=error)
            self.stopped[task] = dict(error)
        return response

    def close(self) -> None:
        self.backend.close()


def memory_mb(pid: int) -> float:
    """Memory that ``pid`` holds for itself: what it shares with the zygote it was forked
    from (torch, already loaded) is not its own.  Private pages from smaps_rollup, else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return sum(int(line.split()[1]) for line in fh
                       if line.startswith(("Private_Clean:", "Private_Dirty:"))) / 1024
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def memfd_mb(pid: int) -> float:
    """Memory in the memfd files ``pid`` holds open: no resident size counts it while it is
    not mapped (a cgroup does, where the worker has one)."""
    total = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0.0
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("/memfd:"):
                total += os.stat(f"/proc/{pid}/fd/{fd}").st_blocks * 512
        except OSError:
            continue
    return total / 2**20


_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 4 / 1024


def anon_mb(pid: int) -> float:
    """Resident memory not backed by files (``/proc/PID/statm``: resident - shared), in
    microseconds where ``memory_mb`` takes tens of milliseconds on a process with torch
    loaded; it also counts the pages a forked child still shares with the zygote."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            fields = fh.read().split()
        return (int(fields[1]) - int(fields[2])) * _PAGE_MB
    except (OSError, ValueError, IndexError):
        return 0.0


class Watchdog(threading.Thread):
    """Kills learner processes that use more than ``limit_mb`` each, or all of them when
    there are more than ``max_procs``; ``note`` then says which limit was hit.

    Finding the learner processes (``tree``) happens when a request is sent (``poke``) and every ``scan_s``; the memory of the
    processes found is read every ``period_s``: cheaply (``anon_mb`` less the zygote's own),
    and exactly (``memory_mb``) only when that estimate passes half the limit, or every
    ``exact_s`` per process (reading it exactly costs a core's tens of milliseconds).
    ``note``: the answer for the limit hit (``out_of_memory``, or a ``crash`` naming the
    process cap), None while none was."""

    def __init__(self, root_pid: int, limit_mb: float | None, max_procs: int,
                 period_s: float = 0.05, scan_s: float = 0.5, exact_s: float = 2.0,
                 cgroup: Any = None) -> None:
        super().__init__(daemon=True, name="torchkata-watchdog")
        self.root_pid, self.limit_mb, self.max_procs = root_pid, limit_mb, max_procs
        self.cgroup = cgroup  # the worker's own (``cgroups.Cgroup``), where it has one
        self.period_s, self.scan_s, self.exact_s = period_s, scan_s, exact_s
        self.note: Failure | None = None
        self.zygote_pid = 0  # learner processes are those below it
        self.halt = threading.Event()
        self.poked = threading.Event()

    def take_note(self) -> Failure | None:
        note, self.note = self.note, None
        return note

    def poke(self) -> None:
        self.poked.set()

    def run(self) -> None:
        procs: list[int] = []
        last_scan, base = 0.0, 0.0
        exact_at: dict[int, float] = {}
        while not self.halt.wait(self.period_s):
            if not self.zygote_pid:
                continue
            if self.poked.is_set() or time.monotonic() - last_scan > self.scan_s:
                poked = self.poked.is_set()
                self.poked.clear()
                procs, last_scan = tree(self.zygote_pid)[1:], time.monotonic()
                base = anon_mb(self.zygote_pid)  # what a fresh child shares with the zygote
                exact_at = {pid: exact_at.get(pid, last_scan) for pid in procs}
                if poked:  # look again soon: the zygote may still be forking the task's process
                    last_scan -= self.scan_s - 0.15
                if len(procs) > self.max_procs + 2:  # + the zygote's spare child and its successor
                    self.note = Failure(Kind.CRASH, processes=self.max_procs)
                    kill_all(procs)
                    continue
            if self.cgroup is not None and self.limit_mb and self.cgroup.memory_hit():
                # the kernel killed one for the whole worker's memory (shared memory, memfd...)
                self.note = Failure(Kind.OUT_OF_MEMORY, memory_mb=self.limit_mb)
            if self.limit_mb:
                now = time.monotonic()
                for pid in procs:
                    if anon_mb(pid) - base <= self.limit_mb / 2 and now - exact_at.get(pid, now) < self.exact_s:
                        continue
                    exact_at[pid] = now
                    if memory_mb(pid) + memfd_mb(pid) > self.limit_mb:
                        self.note = Failure(Kind.OUT_OF_MEMORY, memory_mb=self.limit_mb)
                        kill_all([pid])

    def stop(self) -> None:
        self.halt.set()


def find_zygote(root_pid: int, marker: bytes = b"pytest_torchkata.sandbox.zygote") -> int:
    """The host pid of the zygote in the worker's tree (below bwrap, where there is one)."""
    for pid in tree(root_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if marker in argv and os.path.basename(argv[0]) != b"bwrap":
            return pid
    return 0


def container_memory_mb(proc_cgroup: str = "/proc/self/cgroup", root: str = "/sys/fs/cgroup") -> float | None:
    """The memory limit of the cgroup this process runs in (and of those above it), in MB,
    or None where there is none: cgroup v2's ``memory.max``, v1's ``memory.limit_in_bytes``."""
    try:
        with open(proc_cgroup) as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    limits: list[int] = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":  # v2: ``0::/path``
            base, name = root, "memory.max"
        elif "memory" in controllers.split(","):
            base, name = os.path.join(root, "memory"), "memory.limit_in_bytes"
        else:
            continue
        parts = [p for p in path.split("/") if p]
        for depth in range(len(parts), -1, -1):  # this cgroup, then each one above it
            try:
                with open(os.path.join(base, *parts[:depth], name)) as fh:
                    text = fh.read().strip()
            except OSError:
                continue
            if text.isdigit() and int(text) < 1 << 60:  # "max" and v1's huge number: no limit
                limits.append(int(text))
    return min(limits) / 2**20 if limits else None
