"""``torchkata watch``: grades on start and again on every save, in a real subprocess."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from kata_testing import solution_source, stub_source


class Watcher:
    def __init__(self, cwd, *args):
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pytest_torchkata.cli", "watch", *args], cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
            env={**os.environ, "TORCHKATA_LANG": "en"})
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return self.seen
        raise AssertionError(f"no {text!r} within {timeout} s; output so far:\n" + "\n".join(self.seen))

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=10)


@pytest.fixture
def watcher(tmp_path):
    started = []

    def start(*args):
        started.append(Watcher(tmp_path, *args))
        return started[-1]

    yield start
    for w in started:
        w.stop()


def test_watch_grades_on_start_and_on_every_save(tmp_path, watcher):
    katas = tmp_path / "katas"
    katas.mkdir()
    learner = katas / "tensors.py"
    learner.write_text(stub_source("tensors"))
    w = watcher("tensors", "--kata-dir", str(katas))
    w.wait_for("Watching")
    assert any("tensors - Tensors" in line and "0/19 points" in line for line in w.seen)
    assert any(line.startswith("Now: task 1,") for line in w.seen)
    w.seen.clear()

    learner.write_text(solution_source("tensors") + "\ndef half_written(:\n")  # saved mid-edit
    w.wait_for("could not be loaded")
    w.wait_for("Watching")
    assert w.proc.poll() is None, "a syntax error must not end watch"
    w.seen.clear()

    learner.write_text(solution_source("tensors"))
    w.wait_for("19/19 points")
    w.wait_for("Next kata: autograd")


def test_watch_of_an_unknown_kata_lists_the_valid_ones(tmp_path):
    (tmp_path / "katas").mkdir()
    done = subprocess.run([sys.executable, "-m", "pytest_torchkata.cli", "watch", "tensor"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "TORCHKATA_LANG": "en"})
    assert done.returncode == 2
    assert "Valid katas: tensors, autograd" in done.stderr
