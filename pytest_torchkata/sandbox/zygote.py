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
import signal
import sys
import time
from typing import Any

GRACE_S = 0.2  # the alarm inside the child normally stops it first


def _setup_child(hello: dict) -> None:
    """In a fresh child, before any learner code: own session, first to go when memory
    runs out, rlimits, its scratch folder; at the user level, the learner's uid."""
    import resource

    os.setsid()
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, hello["fsize"]),
              (resource.RLIMIT_NOFILE, hello["nofile"])]
    if hello.get("uid") is not None:
        limits.append((resource.RLIMIT_NPROC, hello["nproc"]))
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
    uid = hello.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.chdir(hello["scratch"])


def _child(req_fd: int, ans_fd: int, hello: dict) -> None:  # pragma: no cover - in the child
    from pytest_torchkata.sandbox import runner, wire

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    reader = wire.FrameReader(req_fd)
    out = os.fdopen(ans_fd, "wb")
    ready = False
    while True:
        try:
            frame = reader.frame()
        except EOFError:
            os._exit(0)
        request = wire.decode_frame(frame)
        _extend_path(request.pop("sys_path", ()))
        if not ready:
            runner.read_source(request["path"])  # while it may still read the grader's files
            _setup_child(hello)
            ready = True
        response = runner.answer(request)
        try:
            wire.send(out, response)
        except (TypeError, ValueError) as exc:
            wire.send(out, {"error": {"kind": "learner", "type": type(exc).__name__,
                                      "message": f"the result could not be sent back: {exc}"}})


def _extend_path(entries: Any) -> None:
    for entry in entries:  # checks collected from new folders may hold helpers to import
        if entry not in sys.path:
            sys.path.append(entry)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_all_children(deadline_s: float = 5.0) -> None:
    """Kill every process below this one (orphans come back to us: we are the subreaper)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        found = descendants(os.getpid())
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.005)
        _reap()


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        why = f"was killed by signal {name}"
        return why + (" (often: out of memory)" if sig == signal.SIGKILL else "")
    return f"exited with code {os.WEXITSTATUS(status)}"


class Zygote:
    def __init__(self, hello: dict, out: Any) -> None:
        self.hello, self.out = hello, out
        self.task: Any = None
        self.pid = 0
        self.to_child = -1
        self.reader: Any = None

    def fork(self) -> None:
        from pytest_torchkata.sandbox import wire

        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.close(req_w)
                os.close(ans_r)
                os.close(0)
                _child(req_r, ans_w, self.hello)
            except BaseException:  # noqa: BLE001 - the grader's log says why
                import traceback

                traceback.print_exc()
            finally:
                os._exit(70)
        os.close(req_r)
        os.close(ans_w)
        self.pid, self.to_child, self.reader = pid, req_w, wire.FrameReader(ans_r)

    def end_child(self, gone: bool = False) -> str:
        """Stop the current child and everything it started; how it ended."""
        if not self.pid:
            return ""
        status = None
        for _ in range(50 if gone else 1):  # a child that closed its pipe is exiting: let it
            try:
                pid, found = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                status = found
                break
            time.sleep(0.01)
        if status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                _, status = os.waitpid(self.pid, 0)
            except ChildProcessError:
                status = 0
        kill_all_children()
        for fd in (self.to_child, self.reader.fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.pid, self.task = 0, None
        return _ended(status)

    def serve(self, request: dict, frame: bytes) -> bytes:
        from pytest_torchkata.sandbox import wire

        task = request.get("task") or request["path"]
        if self.pid and task != self.task:
            self.end_child()
        if not self.pid:
            self.fork()
            self.task = task
        timeout = request.get("timeout")
        deadline = None if not timeout else time.monotonic() + timeout + GRACE_S
        try:
            _write_all(self.to_child, frame)
            answer = self.reader.frame(deadline)
        except (EOFError, OSError, ValueError):
            answer = b""
        if answer:
            return answer
        if answer is None:  # past the limit, even for the alarm inside: stop it by force
            self.end_child()
            error = {"kind": "timeout", "message": f"still running after {timeout:g} s (it was stopped)"}
        else:
            error = {"kind": "crash", "message": f"the process running your code {self.end_child(gone=True)}"}
        import io

        buf = io.BytesIO()
        wire.send(buf, {"error": error})
        return buf.getvalue()


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
    import torch._dynamo  # noqa: F401  (the first optimizer step imports ~900 modules: once, here)

    from pytest_torchkata.sandbox import guards, runner  # noqa: F401

    import pdb  # noqa: F401  (the guards' breakpoint catcher; at the user level a child
    #             may not be allowed to read the Python installation, so import it here)

    guards.SHOW_FROM = hello.get("show_from")
    for module in hello.get("preload", []):  # the checks' helpers, while the grader collects
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - a helper that fails to import fails later, clearly
            pass
    try:  # when memory runs out, the kernel takes learner processes, then this one, not the grader
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("800")
    except OSError:
        pass
    try:
        import ctypes

        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come back here
    except (OSError, AttributeError):
        pass
    import gc

    gc.collect()
    gc.freeze()
    zygote = Zygote(hello, proto_out)
    wire.send(proto_out, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            frame = reader.frame()
        except EOFError:
            break
        request = wire.decode_frame(frame)
        if request.get("op") == "end":
            zygote.end_child()
            wire.send(proto_out, {"value": None})
            continue
        _extend_path(request.get("sys_path", ()))
        answer = zygote.serve(request, frame)
        proto_out.write(answer)
        proto_out.flush()
    zygote.end_child()
    kill_all_children()


if __name__ == "__main__":  # pragma: no cover
    main()
