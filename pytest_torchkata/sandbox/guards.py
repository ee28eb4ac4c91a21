"""Guards around every call into learner code: deterministic seeding, one
thread, forbidden torch APIs (a ``TorchFunctionMode`` that also counts torch
calls), a time limit that waits while pdb is active, a ``breakpoint()``
catcher, and grad mode restored afterwards.  Whatever the learner code does
comes out as an ``Answered`` carrying a typed ``answers.Failure``.
"""

from __future__ import annotations

import bdb
import contextlib
import os
import random
import signal
import sys
import threading
import traceback
import warnings
from typing import Any, Iterator

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from pytest_torchkata.sandbox.answers import Failure, Kind


class Answered(Exception):
    """Carries a failed request's answer (``answers.Failure``) out of nested code."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def seed_everything(seed: int) -> None:
    """Seed torch, random and NumPy.  Like ``torch.manual_seed``, without its
    lazy CUDA-seeding path that formats a stack trace on every call (ms each)."""
    torch.default_generator.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)


# -- guards ----------------------------------------------------------------------

class _Forbidden(BaseException):
    """Raised inside learner code; a BaseException so `except Exception` can't hide it."""


class _OutOfTime(BaseException):
    pass


def _dotted(name: str) -> Any:
    obj: Any = torch if name.startswith("torch.") else None
    if obj is None:
        raise ValueError(f"forbidden API names must start with 'torch.': {name}")
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


class _Rules(TorchFunctionMode):
    """Counts torch calls and refuses the forbidden ones."""

    def __init__(self, forbid: dict[Any, str]) -> None:
        super().__init__()
        self.forbid = forbid
        self.calls = 0
        self.violation: str | None = None
        self.paused = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if not self.paused:
            self.calls += 1
            name = self.forbid.get(func)
            if name is not None:
                self.violation = self.violation or name
                raise _Forbidden(name)
        return func(*args, **(kwargs or {}))


_CURRENT: list[_Rules] = []


@contextlib.contextmanager
def _warnings_at_learner_lines(where_file: str) -> Iterator[None]:
    """Warnings that learner code causes name the learner's line: torch attributes its own
    warnings to the Python frame that made the call, which is ``_Rules``' function mode here."""
    caught: list[tuple[Any, Any, str, int]] = []

    def keep(message: Any, category: Any, filename: str, lineno: int, *_: Any) -> None:
        if os.path.abspath(filename) != where_file:
            frame = sys._getframe(1)
            while frame is not None and os.path.abspath(frame.f_code.co_filename) != where_file:
                frame = frame.f_back
            if frame is not None:  # else: not from learner code, so left where it was
                filename, lineno = frame.f_code.co_filename, frame.f_lineno
        caught.append((message, category, filename, lineno))

    try:
        with warnings.catch_warnings():
            warnings.showwarning = keep
            yield
    finally:
        for message, category, filename, lineno in caught:  # to pytest's (or the worker's) own handler
            warnings.warn_explicit(message, category, filename, lineno)


@contextlib.contextmanager
def trusted() -> Iterator[None]:
    """Inside a helper: torch calls here are the grader's, not the learner's."""
    rules = _CURRENT[-1] if _CURRENT else None
    if rules is None:
        yield
        return
    before, rules.paused = rules.paused, True
    try:
        yield
    finally:
        rules.paused = before


def _in_debugger() -> bool:
    tracer = sys.gettrace()
    return isinstance(getattr(tracer, "__self__", None), bdb.Bdb)


class _Guard:
    def __init__(self, rules: _Rules) -> None:
        self.rules = rules

    @property
    def calls(self) -> int:
        return self.rules.calls


def _learner_frame(tb: Any, where_file: str) -> tuple[str, int, str, str] | None:
    found = None
    for frame in traceback.extract_tb(tb):
        if os.path.abspath(frame.filename) == where_file:
            found = (frame.filename, frame.lineno or 0, frame.name, (frame.line or "").strip())
    return found


def _where(tb: Any, where_file: str) -> str:
    frame = _learner_frame(tb, where_file)
    if frame is None:
        return ""
    filename, lineno, name, line = frame
    return _place(filename, lineno, name, line)


def _place(filename: str, lineno: int, name: str, line: str) -> str:
    """``mini.py:5 (double): return x.view(-1, 3)``: no word in it, so that the grader can show
    it as it is in either language (``at {where}`` / ``位置：{where}``); module level unnamed."""
    function = f" ({name})" if name and name != "<module>" else ""
    return f"{_short(filename)}:{lineno}{function}" + (f": {line}" if line else "")


SHOW_FROM: str | None = None  # paths in messages are relative to the grader's folder


def _short(path: str) -> str:
    try:
        rel = os.path.relpath(path, SHOW_FROM)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


@contextlib.contextmanager
def guarded(*, seed: int, forbid: Any, timeout: float | None, where_file: str,
            notes: dict | None = None, debug: bool = False) -> Iterator[_Guard]:
    seed_everything(seed)
    rules = _Rules({_dotted(n): n for n in forbid})
    notes = notes if notes is not None else {"breakpoints": []}

    def caught_breakpoint(*_a: Any, **_k: Any) -> None:
        frame = sys._getframe(1)
        notes["breakpoints"].append(f"{_short(frame.f_code.co_filename)}:{frame.f_lineno}")

    import pdb

    saved_hook, saved_trace = sys.breakpointhook, pdb.set_trace
    if not debug:
        sys.breakpointhook = caught_breakpoint
        pdb.set_trace = caught_breakpoint  # type: ignore[assignment]

    use_alarm = (timeout is not None and timeout > 0 and hasattr(signal, "setitimer")
                 and threading.current_thread() is threading.main_thread())
    saved_handler = None
    if use_alarm:
        def on_alarm(signum: int, frame: Any) -> None:
            if _in_debugger():
                signal.setitimer(signal.ITIMER_REAL, 1.0)
                return
            raise _OutOfTime()
        saved_handler = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    threads = torch.get_num_threads()
    grad_mode = torch.is_grad_enabled()
    anomaly = torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()
    torch.set_num_threads(1)
    _CURRENT.append(rules)
    try:
        with rules, _warnings_at_learner_lines(where_file):
            yield _Guard(rules)
    except Answered:
        raise
    except _OutOfTime as exc:
        raise Answered(Failure(Kind.TIMEOUT, seconds=timeout, where=_where(exc.__traceback__, where_file))) from None
    except _Forbidden as exc:
        raise Answered(Failure(Kind.FORBIDDEN, api=str(exc), where=_where(exc.__traceback__, where_file))) from None
    except (KeyboardInterrupt, bdb.BdbQuit):
        raise
    except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
        if _quits_the_run(exc):  # pytest.exit(), e.g. `q` in pytest's debugger
            raise
        if rules.violation:
            raise Answered(Failure(Kind.FORBIDDEN, api=rules.violation,
                                   where=_where(exc.__traceback__, where_file))) from None
        where = _where(exc.__traceback__, where_file)
        if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == where_file:
            where = f"{_short(exc.filename)}:{exc.lineno}" + (f": {exc.text.strip()}" if exc.text else "")
        stack = traceback.extract_tb(exc.__traceback__)
        raised_here = bool(stack) and os.path.abspath(stack[-1].filename) == where_file
        if isinstance(exc, NotImplementedError) and raised_here:
            # a stub's `raise NotImplementedError` (torch's own NotImplementedError, from
            # swapped loss arguments say, is a learner error like any other);
            # which learner function raised it, and which one the grader called: a written
            # task may call another task's function that is still a stub
            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if os.path.abspath(f.filename) == where_file and f.name != "<module>"]
            call = frames[-2] if len(frames) > 1 else None  # the line that called the stub
            raise Answered(Failure(Kind.NOT_STARTED, message=str(exc) or "not written yet", where=where,
                                   function=frames[-1].name if frames else "",
                                   caller=frames[0].name if frames else "",
                                   call_where=_place(call.filename, call.lineno or 0, call.name,
                                                     (call.line or "").strip()) if call else "")) from None
        frame = _learner_frame(exc.__traceback__, where_file)
        raise Answered(Failure(Kind.RAISED, type=type(exc).__name__, message=_first_line(str(exc)), where=where,
                               function=frame[2] if frame and frame[2] != "<module>" else "")) from None
    finally:
        _CURRENT.pop()
        torch.set_num_threads(threads)
        torch.set_grad_enabled(grad_mode)  # a learner's set_grad_enabled(False) must not leak
        torch.autograd.set_detect_anomaly(*anomaly)  # nor a set_detect_anomaly(True)
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, saved_handler)
        sys.breakpointhook, pdb.set_trace = saved_hook, saved_trace  # type: ignore[assignment]
    if rules.violation:
        raise Answered(Failure(Kind.FORBIDDEN, api=rules.violation))


def _quits_the_run(exc: BaseException) -> bool:
    """``pytest.exit`` (pytest's debugger raises it on `q`) ends the run: no learner error."""
    pytest = sys.modules.get("pytest")
    exit_type = getattr(getattr(pytest, "exit", None), "Exception", None)
    return isinstance(exit_type, type) and isinstance(exc, exit_type)


def _first_line(text: str, limit: int = 300) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
