"""Process chores, in one place: finding processes (below a pid, or of a uid) by reading
``/proc``, killing a list of them or a process group, and reaping children.

Every function here tolerates a process that ends while it looks: a pid that is gone is
skipped, never an error (learner code may be forking and exiting all the while).  It
imports nothing but the standard library, so the zygote loads it at no cost.
"""

from __future__ import annotations

import glob
import os
import signal
import time
from collections.abc import Iterable

# -- finding processes --------------------------------------------------------------------


def is_gone(pid: int) -> bool:
    """Whether ``pid`` is a zombie or gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True  # gone


def tree(pid: int) -> list[int]:
    """``pid`` and every live process below it."""
    found, todo = [pid], [pid]
    while todo:
        children = _children(todo.pop())
        if children is None:  # no children files here: read all of /proc once
            return _tree_by_scan(pid)
        found += children
        todo += children
    return found


def descendants(pid: int) -> list[int]:
    """Every live (not zombie) process below ``pid``."""
    return tree(pid)[1:]


def _children(pid: int) -> list[int] | None:
    """Live children of ``pid`` from ``/proc/PID/task/*/children`` (None where the kernel
    has no such file): reading a few small files instead of all of ``/proc``."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                found += [int(c) for c in fh.read().split()]
        except FileNotFoundError:
            if not os.path.exists(f"/proc/{pid}/task/{tid}"):
                continue  # that thread just ended
            return None
        except (OSError, ValueError):
            continue
    return [c for c in found if not is_gone(c)]


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> its live children, from one read of every ``/proc/PID/stat``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state, ppid = fh.read().rsplit(b")", 1)[1].split()[:2]
        except (OSError, ValueError, IndexError):
            continue
        if state != b"Z":  # a zombie holds no memory and runs nothing
            children.setdefault(int(ppid), []).append(int(entry))
    return children


def _tree_by_scan(pid: int) -> list[int]:
    children = _children_map()
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def uids_in_use() -> set[int]:
    """Every uid (real, effective, saved, filesystem) some running process has."""
    used = set()
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            with open(status) as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        used.update(int(u) for u in line.split()[1:])
                        break
        except OSError:
            continue
    return used


def pids_of_uid(uid: int) -> list[int]:
    """The processes whose real uid is ``uid``."""
    found = []
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            with open(status) as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            found.append(int(status.split("/")[2]))
                        break
        except (OSError, ValueError):
            continue
    return found


# -- killing ------------------------------------------------------------------------------


def kill_all(pids: Iterable[int], sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to each of ``pids`` in turn; one that is gone (or not ours) is skipped."""
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to process group ``pgid``; a group that is gone is no error."""
    try:
        os.killpg(pgid, sig)
    except OSError:
        pass


def kill_uid(uid: int, wait_s: float = 5.0) -> None:
    """Kill every process of ``uid``: a helper that becomes that uid sends kill(-1),
    which reaches all of them at once (a fork bomb cannot outrun it)."""
    deadline = time.monotonic() + wait_s
    while pids_of_uid(uid) and time.monotonic() < deadline:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the killer child
            try:
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.02)


# -- reaping ------------------------------------------------------------------------------


def reap(statuses: dict[int, int] | None = None) -> None:
    """Collect every child that has ended, without waiting; their wait statuses go into
    ``statuses`` where given (for a caller that asks later how one ended)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if statuses is not None:
            statuses[pid] = status


def poll(pid: int) -> int | None:
    """The wait status of child ``pid`` if it has ended (it is reaped), else None.  Raises
    ``ChildProcessError`` where ``pid`` is not (or no longer) our child."""
    found, status = os.waitpid(pid, os.WNOHANG)
    return status if found else None


def wait_for(pid: int) -> None:
    """Block until child ``pid`` ends and reap it; one already reaped is no error."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


# -- this process -------------------------------------------------------------------------


def set_oom_score(value: int) -> None:
    """Where the kernel's out-of-memory killer ranks this process (-1000..1000: 1000 goes
    first); a kernel that does not let us is no error."""
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write(str(value))
    except OSError:
        pass
