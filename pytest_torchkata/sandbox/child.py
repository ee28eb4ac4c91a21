"""One task's process: forked by the zygote (``zygote``), it readies itself while the
grader works, then loads the learner file and answers that task's requests.

Set up before any learner code runs: its own session, first to go when memory runs out,
rlimits, its scratch folder, and at the user level the learner's uid.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from pytest_torchkata.sandbox.processes import set_oom_score


def _setup_child(hello: dict) -> None:
    """In a fresh child, before any learner code: own session, first to go when memory
    runs out, rlimits, its scratch folder; at the user level, the learner's uid."""
    import resource

    os.setsid()
    set_oom_score(1000)
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, hello["fsize"]),
              (resource.RLIMIT_NOFILE, hello["nofile"])]
    if hello.get("uid") is not None:
        limits.append((resource.RLIMIT_NPROC, hello["nproc"]))
    elif hello.get("private_tmp"):  # bwrap: counted in its own user namespace (not where it maps to root)
        limits.append((resource.RLIMIT_NPROC, hello.get("tasks_max", 512)))
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


def _first_use() -> None:  # pragma: no cover - in the child
    """What every task's process pays on its first backward and optimizer step (autograd's
    engine, the allocator, copy-on-write copies of what they touch), paid while the grader
    is still busy, before any request; it leaves no state a check can see (every request
    seeds the generators itself)."""
    import torch

    try:
        layer = torch.nn.Linear(2, 2)
        if "torch._dynamo" in sys.modules:  # else its import would take a second (``successor``)
            torch.optim.SGD(layer.parameters(), lr=0.1)
        layer(torch.ones(1, 2)).sum().backward()
    except Exception:  # noqa: BLE001 - the task's own code meets it again, and says so
        pass


def _child(req_fd: int, ans_fd: int, hello: dict) -> None:  # pragma: no cover - in the child
    from pytest_torchkata.sandbox import answers, runner, wire

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _first_use()
    ready = hello.get("uid") is None  # then nothing of the grader's is readable that the
    if ready:                         # sandbox does not show anyway: set up before the task comes
        _setup_child(hello)
    reader = wire.FrameReader(req_fd)
    out = os.fdopen(ans_fd, "wb")
    while True:
        try:
            frame = reader.frame()
        except EOFError:
            os._exit(0)
        request = wire.decode_frame(frame)
        extend_path(request.pop("sys_path", ()))
        _drop_learner_folder(request.get("path"))
        if not ready:  # the user level: read it while we may still read the grader's files
            runner.read_source(request["path"])
            _setup_child(hello)
            ready = True
        response = runner.answer(request)
        try:
            wire.send(out, response)
        except (TypeError, ValueError) as exc:
            wire.send(out, answers.failed(answers.unsendable(exc)))


def _drop_learner_folder(path: Any) -> None:
    """Modules shipped beside a kata file are never imported in place of real ones: its
    folder (and the current one) are not on this process's path."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(str(path)))
    sys.path[:] = [e for e in sys.path if e and os.path.abspath(e) != folder]


def extend_path(entries: Any) -> None:
    for entry in entries:  # checks collected from new folders may hold helpers to import
        if entry not in sys.path:
            sys.path.append(entry)


class Child:
    """One forked learner process and its two pipes."""

    def __init__(self, hello: dict) -> None:
        from pytest_torchkata.sandbox import wire

        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.close(req_w)
                os.close(ans_r)
                os.close(0)
                _child(req_r, ans_w, hello)
            except BaseException:  # noqa: BLE001 - the grader's log says why
                import traceback

                traceback.print_exc()
            finally:
                os._exit(70)
        os.close(req_r)
        os.close(ans_w)
        self.pid, self.to_child, self.reader = pid, req_w, wire.FrameReader(ans_r)

    def close_pipes(self) -> None:
        for fd in (self.to_child, self.reader.fd):
            try:
                os.close(fd)
            except OSError:
                pass
