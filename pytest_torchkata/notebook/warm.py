"""A warm grading process for the notebook: torch and pytest imported once, a fork per check.

A fresh ``python -m pytest`` pays for importing torch on every check (about two seconds); the
grading itself of a small kata takes a tenth of that.  On Linux the kernel therefore keeps one
helper process (this file, run by path) that imports torch, pytest and
NumPy, runs no learner code and no torch op, and for each check forks a child that runs
``pytest.main`` with the check's arguments, environment and folder, then exits.  Each grade
still runs in a process of its own that the kernel's state never reached, and what the grade
does (a crash, a hang the learner interrupts) ends with that child or the helper, never the
kernel.

The helper reads one JSON request per line on stdin (``args``, ``cwd``, ``env``, ``log``) and
answers one line with the child's exit code; it ends when stdin closes (the kernel went away).
Where fork is missing (Windows, macOS's fork safety) or the helper fails, ``run`` says None and
the caller starts a fresh ``python -m pytest`` instead.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
from typing import Any

_helper: subprocess.Popen | None = None


def available() -> bool:
    return sys.platform.startswith("linux") and os.environ.get("TORCHKATA_NOTEBOOK_WARM", "1") != "0"


def _start() -> subprocess.Popen:
    global _helper
    if _helper is None or _helper.poll() is not None:
        # run as a file: the helper imports nothing of this package, which pytest imports (and
        # rewrites) in each child as in a terminal run
        launch = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"
        _helper = subprocess.Popen([sys.executable, "-c", launch, __file__],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, encoding="utf-8", start_new_session=True)
        atexit.unregister(stop)
        atexit.register(stop)
    return _helper


def stop() -> None:
    """End the helper (its running check, if any, with it)."""
    global _helper
    helper, _helper = _helper, None
    if helper is not None and helper.poll() is None:
        try:
            os.killpg(helper.pid, signal.SIGKILL)  # its session: the helper and the check it runs
        except OSError:
            helper.kill()
        helper.wait()


def run(args: list[str], cwd: str, env: dict[str, str], log: str) -> int | None:
    """``pytest.main(args)`` in a forked child of the helper; its exit code, or None when the
    helper cannot run it (the caller then starts a fresh process)."""
    if not available():
        return None
    try:
        helper = _start()
        assert helper.stdin is not None and helper.stdout is not None
        helper.stdin.write(json.dumps({"args": args, "cwd": cwd, "env": env, "log": log}) + "\n")
        helper.stdin.flush()
        answer = helper.stdout.readline()
    except KeyboardInterrupt:  # the learner stopped the check: the helper and its child go
        stop()
        raise
    except (OSError, ValueError):
        stop()
        return None
    try:
        return int(json.loads(answer)["code"])
    except (ValueError, KeyError, TypeError):
        stop()  # the helper died or said nothing we can read: a fresh one next time
        return None


# -- the helper ------------------------------------------------------------------------

def _check(request: dict[str, Any]) -> int:
    """Fork a child that runs one check; its exit code."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            os.environ.clear()
            os.environ.update(request["env"])
            os.chdir(request["cwd"])
            log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the helper's requests are not the check's
            import pytest

            code = int(pytest.main(request["args"]))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> None:
    answers = sys.stdout
    sys.stdout = sys.stderr  # nothing an import prints may reach the answers
    # Libraries only: the plugin's modules and the checks are imported by pytest in each child,
    # which rewrites their asserts as in a terminal run.
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    for line in sys.stdin:
        try:
            code: int | None = _check(json.loads(line))
        except (OSError, ValueError, KeyError, TypeError):
            code = None  # the kernel grades in a fresh process instead
        answers.write(json.dumps({"code": code}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
