"""The zygote's successor: a fork of the zygote that finishes the slow imports, then takes over.

The zygote answers the grader as soon as torch is in; but the first optimizer
(``torch._dynamo``, about a second of imports) and MNIST (torchvision) need more.
Importing those in the zygote would make every early task wait, so right after
torch is in the zygote forks a successor that imports them on the other core,
sharing torch's pages with the zygote (in stages: ``STAGES``; each stage's successor
forks the next one once it serves).  Once it is ready, at the next task
boundary the zygote ends its own children, hands the successor the request it
just read (and its ``sys.path``), and from then on only waits: the successor
reads the grader's requests from the same pipe and forks every later task's
process, with everything already imported.  A successor that never gets ready
costs nothing: the zygote keeps serving.
"""

from __future__ import annotations

import json
import os
import select
import struct
import sys
from typing import Any

# In stages, each a successor of the one before (a few tenths of a second a module):
# what the first batched backward pulls in (sympy, torch.fx: a third of a second in every
# fresh process otherwise), then what the first optimizer and torchvision need.
STAGES = (("sympy", "torch.fx.experimental.symbolic_shapes"),
          ("torch._dynamo.utils", "torch.distributed.tensor", "torch._dynamo.variables", "torch._dynamo",
           "torchvision.datasets", "torchvision.transforms"))
LATER = tuple(m for stage in STAGES for m in stage)
_LEN = struct.Struct("<Q")


def import_later(modules: Any = LATER) -> None:
    import importlib

    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - not installed here: a child that needs it says so
            pass


class Successor:
    """The zygote's handle on its successor process."""

    def __init__(self, run: Any, modules: Any = LATER) -> None:
        """Fork the successor, which imports ``modules``; ``run(first_frame)`` is what it
        does once it takes over."""
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the successor
            code = 70
            try:
                os.close(ready_r)
                os.close(go_w)
                code = _successor(ready_w, go_r, run, modules)
            finally:
                os._exit(code)
        os.close(ready_w)
        os.close(go_r)
        self.pid, self.ready_fd, self.go_fd = pid, ready_r, go_w
        self.is_ready = False

    def ready(self) -> bool:
        """Whether it finished importing (never blocks)."""
        if not self.is_ready and self.ready_fd >= 0:
            if select.select([self.ready_fd], [], [], 0)[0]:
                self.is_ready = os.read(self.ready_fd, 1) == b"1"
                if not self.is_ready:  # it died
                    os.close(self.ready_fd)
                    self.ready_fd = -1
        return self.is_ready

    def hand_over(self, frame: bytes) -> bool:
        """Give it ``frame`` (read from the grader, not answered yet) and the grader's pipe;
        False when it is gone (the zygote then goes on itself)."""
        head = json.dumps({"sys_path": list(sys.path)}).encode()
        data = memoryview(_LEN.pack(len(head)) + head + _LEN.pack(len(frame)) + frame)
        try:
            while data:
                data = data[os.write(self.go_fd, data):]
            return True
        except OSError:
            return False
        finally:
            os.close(self.go_fd)

    def wait(self) -> None:
        while True:
            try:
                os.waitpid(self.pid, 0)
                return
            except ChildProcessError:
                return
            except InterruptedError:
                continue


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _successor(ready_w: int, go_r: int, run: Any, modules: Any) -> int:  # pragma: no cover - in the successor
    import gc

    import_later(modules)
    gc.collect()
    gc.freeze()
    os.write(ready_w, b"1")
    os.close(ready_w)
    data = _read_all(go_r)  # blocks until the zygote hands over, or gives up (closes)
    os.close(go_r)
    if not data:
        return 0
    (n,) = _LEN.unpack_from(data, 0)
    for entry in json.loads(data[_LEN.size:_LEN.size + n])["sys_path"]:
        if entry not in sys.path:
            sys.path.append(entry)
    at = _LEN.size + n
    (m,) = _LEN.unpack_from(data, at)
    run(data[at + _LEN.size: at + _LEN.size + m])
    return 0
