"""A control group of its own for one sandboxed worker, where the grader may make one.

The kernel then counts everything the worker's processes hold and start, whatever the
sandbox level: threads as well as processes (``pids.max``: a thread flood cannot use up the
machine's process ids, which ``RLIMIT_NPROC`` does not stop inside bubblewrap started by
root), and memory that no process's resident size shows (``memfd`` files, SysV and POSIX
shared memory, tmpfs files) against ``--kata-memory``.  Made by a grader running as root
with a writable cgroup hierarchy (v1 ``pids`` and ``memory``, or v2 with both controllers
delegated); elsewhere ``Cgroup.make`` returns None and the watchdog's own limits remain.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_COUNTER = itertools.count()


def _own_paths(proc_cgroup: str = "/proc/self/cgroup") -> dict[str, str]:
    """This process's cgroup in each hierarchy: {"pids": "/", "memory": "/a/b", "": "/"}."""
    found: dict[str, str] = {}
    try:
        lines = Path(proc_cgroup).read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        for name in controllers.split(",") if controllers else [""]:
            found[name] = path
    return found


def _write(path: Path, text: str) -> bool:
    try:
        path.write_text(text)
        return True
    except OSError:
        return False


class Cgroup:
    """One worker's cgroup folders (one per v1 hierarchy, or a single v2 one)."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders = folders  # controller ("pids", "memory"; "" for v2) -> its folder
        self.oom_before = 0

    @classmethod
    def make(cls, pids_max: int, memory_mb: float | None) -> "Cgroup | None":
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            return None
        name = f"torchkata-{os.getpid()}-{next(_COUNTER)}"
        group = cls._make_v1(name) or cls._make_v2(name)
        if group is None:
            return None
        if not group._set("pids", "pids.max", str(pids_max)):
            group.close()
            return None
        if memory_mb:
            v2 = "" in group.folders
            limit = str(int(memory_mb * 2**20))
            group._set("memory", "memory.max" if v2 else "memory.limit_in_bytes", limit)
            if v2:
                group._set("memory", "memory.swap.max", "0")
        group.oom_before = group.oom_kills()
        return group

    @classmethod
    def _make_v1(cls, name: str) -> "Cgroup | None":
        own = _own_paths()
        folders: dict[str, Path] = {}
        for controller in ("pids", "memory"):
            base = ROOT / controller
            if controller not in own or not (base / "cgroup.procs").is_file():
                break
            folder = base / own[controller].lstrip("/") / name
            try:
                folder.mkdir()
            except OSError:
                break
            folders[controller] = folder
        group = cls(folders)
        if set(folders) != {"pids", "memory"}:
            group.close()
            return None
        return group

    @classmethod
    def _make_v2(cls, name: str) -> "Cgroup | None":
        own = _own_paths().get("")
        if own is None or not (ROOT / "cgroup.controllers").is_file():
            return None
        folder = ROOT / own.lstrip("/") / name
        try:
            folder.mkdir()
        except OSError:
            return None
        group = cls({"": folder})
        if not ((folder / "pids.max").is_file() and (folder / "memory.max").is_file()):
            group.close()  # the controllers are not delegated to this process's cgroup
            return None
        return group

    def _file(self, controller: str, name: str) -> Path:
        return self.folders.get(controller, self.folders.get("", Path("/nonexistent"))) / name

    def _set(self, controller: str, name: str, value: str) -> bool:
        return _write(self._file(controller, name), value)

    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a new process writes its pid into to join."""
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def oom_kills(self) -> int:
        """How many of its processes the kernel killed for going past the memory limit."""
        for name in ("memory.events", "memory.oom_control"):
            try:
                text = self._file("memory", name).read_text()
            except OSError:
                continue
            for line in text.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and value.strip().isdigit():
                    return int(value)
        return 0

    def memory_hit(self) -> bool:
        """Whether the memory limit killed a process since the last call."""
        now = self.oom_kills()
        hit, self.oom_before = now > self.oom_before, now
        return hit

    def pids(self) -> list[int]:
        found: set[int] = set()
        for path in self.procs_files():
            try:
                found.update(int(p) for p in Path(path).read_text().split())
            except (OSError, ValueError):
                continue
        return sorted(found)

    def close(self, wait_s: float = 5.0) -> None:
        """Kill whatever is still in it and remove it."""
        end = time.monotonic() + wait_s
        while time.monotonic() < end:
            left = self.pids()
            if not left:
                break
            if not _write(self._file("", "cgroup.kill"), "1"):
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.01)
        for folder in self.folders.values():
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def join(procs_files: list[str]) -> None:
    """In a new process before it runs anything (``preexec_fn``): enter the cgroup.
    Plain system calls only: the parent may have threads."""
    pid = str(os.getpid()).encode()
    for path in procs_files:
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError:
            continue
        try:
            os.write(fd, pid)
        except OSError:
            pass
        finally:
            os.close(fd)
