"""The worker's main process inside the sandbox: a zygote that forks one fresh child per task.

It imports torch (one thread), NumPy and the checks' learner-side helpers once,
runs no torch op and holds no secret, then for each task forks a child that
loads the learner file and answers that task's requests.  A crash, hang or exit
costs a fork, not a torch import, and no task's global state reaches the next.
The zygote relays each answer to the grader undecoded, kills a child that runs
past its limit, and, as the subreaper, every process a child started.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from pytest_torchkata.sandbox import processes
from pytest_torchkata.sandbox.answers import Failure, Kind, ended, failed
from pytest_torchkata.sandbox.child import Child, extend_path

GRACE_S = 0.2  # the alarm inside the child normally stops it first


def kill_all_children(deadline_s: float = 5.0, keep: tuple[int, ...] = (), reap: Any = None) -> None:
    """Kill every process below this one but ``keep`` (orphans come back to us: we are the
    subreaper), until none is left or ``deadline_s`` passed; ``reap`` collects the dead."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        found = [p for p in processes.descendants(os.getpid()) if p not in keep]
        if not found:
            return
        processes.kill_all(found)
        time.sleep(0.005)
        (reap or processes.reap)()


class Zygote:
    """Serves each task with a fresh child; a spare one is forked ahead, while the grader
    works on the last answer, so a new task does not wait for a fork."""

    def __init__(self, hello: dict, keep: int = 0) -> None:
        self.hello = hello
        self.keep = keep  # a process below us that is not the learner's: the successor
        self.task: Any = None
        self.current: Child | None = None
        self.spare: Child | None = None
        self.statuses: dict[int, int] = {}  # exit statuses reaped early

    def top_up(self) -> None:
        self._reap()
        if self.spare is None:
            self.spare = Child(self.hello)

    def discard_spare(self) -> None:
        spare, self.spare = self.spare, None
        if spare is not None:
            processes.kill_all([spare.pid])
            spare.close_pipes()

    def _reap(self) -> None:
        processes.reap(self.statuses)

    def _status(self, pid: int, wait_s: float) -> int | None:
        end = time.monotonic() + wait_s
        while True:
            if pid in self.statuses:
                return self.statuses.pop(pid)
            try:
                status = processes.poll(pid)
            except ChildProcessError:
                return None
            if status is not None:
                return status
            if time.monotonic() >= end:
                return None
            time.sleep(0.005)

    def end_current(self, gone: bool = False) -> Failure:
        """Stop the current child and everything it started; with ``gone`` (it closed its
        pipe: it is exiting) wait to say how it ended (a ``crash`` answer: its signal or exit
        code; without them, it was stopped).  Otherwise nobody waits for it."""
        child, self.current, self.task = self.current, None, None
        if child is None:
            return Failure(Kind.CRASH)
        status = self._status(child.pid, 0.5) if gone else None
        processes.kill_all([child.pid])
        spare = self.spare.pid if self.spare else 0  # it started processes: they go too
        kill_all_children(5.0, keep=(spare, child.pid, self.keep), reap=self._reap)
        child.close_pipes()
        return ended(status) if status is not None else Failure(Kind.CRASH)

    def serve(self, request: dict, frame: bytes) -> bytes:
        from pytest_torchkata.sandbox import wire

        task = request.get("task") or request.get("path")
        if self.current is not None and task != self.task:
            self.end_current()
        if self.current is None:
            if self.spare is not None and self._status(self.spare.pid, 0) is not None:
                self.spare.close_pipes()  # the watchdog killed it along with a fork bomb
                self.spare = None
            self.current, self.spare = self.spare or Child(self.hello), None
            self.task = task
        timeout = request.get("timeout")
        deadline = None if not timeout else time.monotonic() + timeout + GRACE_S
        try:
            _write_all(self.current.to_child, frame)
            answer = self.current.reader.frame(deadline)
        except wire.Refused as refused:  # too large for the grader to read: the child is stopped
            self.end_current()
            return wire.frame_of({"error": refused.error()})
        except (EOFError, OSError, ValueError):
            answer = b""
        if answer:
            return answer
        if answer is None:  # past the limit, even for the alarm inside: stop it by force
            self.end_current()
            failure = Failure(Kind.TIMEOUT, seconds=timeout, stopped="process")
        else:
            failure = self.end_current(gone=True)
        return wire.frame_of(failed(failure))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def main() -> None:  # pragma: no cover - runs in the worker process
    proto_in_fd = os.dup(0)
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # learner prints go to stderr (a log file)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from pytest_torchkata.sandbox import wire

    reader = wire.FrameReader(proto_in_fd)
    hello = wire.decode_frame(reader.frame())
    for entry in reversed(hello.get("sys_path", [])):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    import importlib

    import numpy.random  # noqa: F401
    import torch  # noqa: F401

    from pytest_torchkata.sandbox import guards, runner  # noqa: F401

    import encodings.idna  # noqa: F401  (sockets look it up lazily)
    import pdb  # noqa: F401  (the guards' breakpoint catcher; at the user level a child
    #             may not be allowed to read the Python installation, so import it here)

    guards.SHOW_FROM = hello.get("show_from")
    _private_namespaces(hello.get("hide") or [])
    if hello.get("private_tmp"):  # bwrap: every process inside has the same uid
        _dumpable_off()
    for module in hello.get("preload", []) + hello.get("user_preload", []):  # the checks' helpers, while the grader collects
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - a helper that fails to import fails later, clearly
            pass
    # when memory runs out, the kernel takes learner processes, then this one, not the grader
    processes.set_oom_score(800)
    _subreaper()
    import gc

    gc.collect()
    gc.freeze()
    from pytest_torchkata.sandbox import successor

    if hello.get("uid") is not None:  # the learner's uid may not read the Python installation
        successor.import_later()
        after = None
    else:
        after = _next_stage(hello, reader, proto_out, successor.STAGES)
    zygote = Zygote(hello, keep=after.pid if after else 0)
    zygote.top_up()
    wire.send(proto_out, {"ready": True, "pid": os.getpid()})
    _serve(zygote, reader, proto_out, after=after)


def _next_stage(hello: dict, reader: Any, out: Any, stages: Any) -> Any:
    """The successor that imports ``stages[0]`` and, serving, starts the next stage's."""
    from pytest_torchkata.sandbox import successor

    if not stages:
        return None
    return successor.Successor(lambda first: _take_over(hello, reader, out, first, stages[1:]), stages[0])


def _take_over(hello: dict, reader: Any, out: Any, first: bytes, rest: Any) -> None:  # pragma: no cover
    """In a successor: serve from ``first`` on, as the zygote."""
    _subreaper()
    after = _next_stage(hello, reader, out, rest)
    zygote = Zygote(hello, keep=after.pid if after else 0)
    zygote.top_up()
    _serve(zygote, reader, out, first, after=after)


def _private_namespaces(hidden: list[str]) -> None:
    """Where the zygote runs as root (the ``user`` level): a mount namespace of its own, in
    which each of ``hidden`` (the reference solutions) is an empty read-only folder, and an
    IPC namespace of its own (SysV segments, semaphores and queues the learner makes die
    with the worker).  Every task's process inherits both.  ``bwrap`` does this itself."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x00020000 | 0x08000000) != 0:  # CLONE_NEWNS | CLONE_NEWIPC
        return
    # MS_REC | MS_PRIVATE: nothing mounted here reaches the grader's namespace
    libc.mount(b"none", b"/", None, 0x4000 | 0x40000, None)
    for path in hidden:
        # MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
        libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs", 0x1 | 0x2 | 0x4 | 0x8, b"size=4k")


def _dumpable_off() -> None:
    """No task's process (same uid inside bwrap) may trace the zygote or write its memory:
    a non-dumpable process can only be traced with CAP_SYS_PTRACE, which none has."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def _subreaper() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come back here
    except (OSError, AttributeError):
        pass


def _serve(zygote: Zygote, reader: Any, out: Any, first: bytes | None = None,
           after: Any = None) -> None:  # pragma: no cover - runs in the worker process
    """Answer the grader's requests until it closes the pipe; with ``after`` (a
    ``successor.Successor``), hand over to it at the first task boundary once it is ready."""
    from pytest_torchkata.sandbox import wire

    frame = first
    while True:
        if frame is None:
            try:
                frame = reader.frame()
            except EOFError:
                break
        request = wire.peek(frame)
        task = request.get("task") or request.get("path")
        if after is not None and (zygote.current is None or task != zygote.task) and after.ready():
            zygote.end_current()
            zygote.discard_spare()
            if after.hand_over(frame):
                after.wait()  # it answers from now on; when it is gone, so is the grader's pipe
                break
            after = None
        new_path = [e for e in request.get("sys_path") or () if e not in sys.path]
        if new_path:
            extend_path(new_path)
            zygote.discard_spare()  # forked before the path grew
        out.write(zygote.serve(request, frame))
        out.flush()
        zygote.top_up()
        frame = None
    zygote.end_current()
    kill_all_children()


if __name__ == "__main__":  # pragma: no cover
    main()
