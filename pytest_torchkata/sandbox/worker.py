"""Isolated mode: learner code runs in a worker process, grading stays here.

The worker is a fresh interpreter (spawned, never forked from a process whose
torch thread pools have run) that answers requests with ``learner.answer``.
Requests and answers cross a pipe as JSON plus raw bytes (``wire``).  A worker
that exits, crashes, hangs or runs out of memory costs only the request it was
running: the parent kills it if needed and starts a new one for the next.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
from typing import Any

GRACE_S = 3.0
STARTUP_S = 120.0


def main() -> None:  # pragma: no cover - runs in the worker process
    # Keep the protocol streams private; learner prints go to stderr (a log file).
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    from pytest_torchkata.sandbox import wire
    from pytest_torchkata.sandbox.runner import answer

    hello = wire.recv(proto_in)
    for entry in reversed(hello.get("sys_path", [])):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    import importlib

    for module in hello.get("preload", []):  # the checks' helpers, while the parent collects
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - a helper that fails to import fails later, clearly
            pass
    import gc

    gc.freeze()
    wire.send(proto_out, {"ready": True})
    while True:
        try:
            request = wire.recv(proto_in)
        except EOFError:
            return
        for entry in request.pop("sys_path", ()):
            if entry not in sys.path:
                sys.path.append(entry)
        response = answer(request)
        try:
            wire.send(proto_out, response)
        except (TypeError, ValueError) as exc:
            wire.send(proto_out, {"error": {"kind": "learner", "type": type(exc).__name__,
                                            "message": f"the result could not be sent back: {exc}"}})


class WorkerDied(Exception):
    """The worker ended (or was ended) before answering."""


class Worker:
    """One worker process and the thread that reads its answers."""

    def __init__(self, preload: list[str] | None = None) -> None:
        self.log = tempfile.TemporaryFile()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pytest_torchkata.sandbox.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env,
        )
        self.answers: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self._send({"sys_path": [p for p in sys.path if p], "preload": preload or []})
        self.ready = False

    def _read(self) -> None:
        from pytest_torchkata.sandbox import wire

        while True:
            try:
                self.answers.put(("ok", wire.recv(self.proc.stdout)))
            except EOFError:
                self.answers.put(("eof", None))
                return
            except Exception as exc:  # malformed data from the learner's process
                self.answers.put(("bad", str(exc)))
                return

    def _send(self, message: Any) -> None:
        from pytest_torchkata.sandbox import wire

        try:
            wire.send(self.proc.stdin, message)
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(str(exc)) from None

    def _get(self, timeout: float | None) -> Any:
        try:
            kind, value = self.answers.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise TimeoutError from None
        if kind != "ok":
            self.kill()
            raise WorkerDied(self.describe_end())
        return value

    def request(self, message: dict, timeout: float | None) -> Any:
        if not self.ready:
            self._get(STARTUP_S)
            self.ready = True
        self._send(message)
        return self._get(None if timeout is None else timeout + GRACE_S)

    def describe_end(self) -> str:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        if code is not None and code < 0:
            import signal

            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            why = f"was killed by signal {name}"
            if -code == 9:
                why += " (often: out of memory)"
        else:
            why = f"exited with code {code}"
        return why + self.output_tail()

    def output_tail(self, limit: int = 300) -> str:
        try:
            self.log.seek(0)
            text = self.log.read().decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""
        if not text:
            return ""
        tail = text[-limit:].replace("\n", " | ")
        return f"; its last output: {tail}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
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
            self.kill()
        self.log.close()


class WorkerPool:
    """Keeps one worker alive, replacing it after a crash or a time-out."""

    def __init__(self) -> None:
        self.worker: Worker | None = None
        self.synced_path: list[str] = []
        self.preload: list[str] = []
        self.loaded: set[str] = set()
        self.crashed_loading: dict[str, str] = {}

    def start(self, preload: list[str] | None = None) -> None:
        if preload is not None:
            self.preload = preload
        if self.worker is None or not self.worker.alive():
            self.worker = Worker(self.preload)
            self.synced_path = list(sys.path)

    def request(self, message: dict, timeout: float | None) -> dict:
        path = message["path"]
        if path in self.crashed_loading:
            return {"error": {"kind": "crash", "message": self.crashed_loading[path]}}
        if path not in self.loaded:
            response = self._one({"op": "load", "path": path, "timeout": timeout}, timeout)
            error = response.get("error")
            if error and error["kind"] in ("crash", "timeout"):
                self.crashed_loading[path] = f"loading {os.path.basename(path)}: {error['message']}"
                return {"error": {"kind": "crash", "message": self.crashed_loading[path]}}
            if error:
                return response
            self.loaded.add(path)
        return self._one(message, timeout)

    def _one(self, message: dict, timeout: float | None) -> dict:
        self.start()
        assert self.worker is not None
        worker = self.worker
        if message.get("op") == "run" and sys.path != self.synced_path:
            # checks collected from new folders may hold helpers the worker must import
            message = dict(message, sys_path=[p for p in sys.path if p])
            self.synced_path = list(sys.path)
        try:
            return worker.request(message, timeout)
        except TimeoutError:
            self.worker = None
            worker.close()
            return {"error": {"kind": "timeout", "message": f"still running after {timeout:g} s "
                                                             "(the worker was stopped)"}}
        except WorkerDied as died:
            self.worker = None
            worker.close()
            return {"error": {"kind": "crash", "message": f"the process running your code {died}"}}

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


if __name__ == "__main__":  # pragma: no cover
    main()
