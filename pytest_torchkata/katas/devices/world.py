"""Learner-world helpers for the devices kata.

These functions run in the learner's process, next to the learner's code (the
checks hand them to ``kata.run``).  They return observations only: what the
learner's functions returned, which objects came back unchanged, raw event logs
(calls of ``fn``, ``torch.cuda.synchronize`` and the clock), devices and modes
seen by hooks.  Every verdict is reached by the checks in ``devices.py``.
"""

from __future__ import annotations

import time
import timeit
import warnings
from typing import Any, Callable

import torch
import torch.nn as nn

from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.sandbox.runner import labelled as _label

STEP = 0.125  # seconds one call of the grader's fn takes on the stand-in clock (exact in binary)
EARLIER_WORK = 1.0  # seconds of GPU work queued before time_it is called (stand-in GPU)
_CLOCKS = ("perf_counter", "monotonic", "time", "perf_counter_ns", "monotonic_ns", "time_ns")
_REAL_CLOCKS = {name: getattr(time, name) for name in _CLOCKS}
_REAL_SYNC = torch.cuda.synchronize
_ACCEL = getattr(torch, "accelerator", None)
_REAL_SYNCS = [f for f in (_REAL_SYNC, getattr(_ACCEL, "synchronize", None)) if f is not None]
# their `timer=default_timer` default was bound to the real clock when timeit was imported
_TIMEIT_DEFAULTS = [timeit.Timer.__init__, timeit.timeit, timeit.repeat]




def device_text(value: Any) -> Any:
    return str(value) if isinstance(value, (str, torch.device)) else value


class _IsAvailable:
    """Stands in for ``torch.cuda.is_available``; notes whether it was called, or only
    tested for truth (``if torch.cuda.is_available:`` without the parentheses)."""

    def __init__(self, value: bool, events: list[str]) -> None:
        self.value, self.events = value, events

    def __call__(self) -> bool:
        self.events.append("is_available()")
        return self.value

    def __bool__(self) -> bool:
        self.events.append("is_available as a truth value")
        return True  # what a real function object is


class StandIn:
    """A stand-in CUDA and clock for one call of learner code.

    ``gpu``: torch.cuda looks available (or not).  ``clock``: ``time.perf_counter``,
    ``time.monotonic`` and ``time.time`` (and their ``_ns`` forms, also where the
    learner's module or ``timeit`` imported them by name, and ``timeit.timeit``'s default timer) read a
    clock that only moves with the grader's ``fn``: on the CPU
    each call takes ``STEP`` seconds at once; on the stand-in GPU a call only queues
    ``STEP`` seconds of work, done when ``torch.cuda.synchronize()`` (or ``torch.accelerator.synchronize()``,
    or either imported by name into the learner's module) waits for it.
    ``real=True`` keeps the real clock and synchronize and only logs their calls.
    Every call lands in ``events`` in order: "fn", "sync", "clock", ...
    """

    def __init__(self, learner: Any = None, *, gpu: bool, clock: bool = False, real: bool = False) -> None:
        self.learner, self.gpu, self.clock, self.real = learner, gpu, clock, real
        self.events: list[str] = []
        self.now, self.pending = 1000.0, 0.0
        self._saved: list[tuple[Any, str, Any]] = []

    # -- what the learner's code calls -------------------------------------------------
    def fn(self) -> None:
        self.events.append("fn")
        if self.gpu:
            self.pending += STEP
        else:
            self.now += STEP

    def _sync(self, *args: Any, **kwargs: Any) -> None:
        self.events.append("sync")
        if self.real:
            _REAL_SYNC(*args, **kwargs)
            return
        self.now, self.pending = self.now + self.pending, 0.0

    def _reader(self, name: str) -> Callable[[], float]:
        real = _REAL_CLOCKS[name]

        def read() -> float | int:
            self.events.append("clock")
            if self.real:
                return real()
            return round(self.now * 1e9) if name.endswith("_ns") else self.now
        return read

    # -- patching ------------------------------------------------------------------------
    def _patch(self, owner: Any, name: str, value: Any) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def __enter__(self) -> "StandIn":
        cuda = torch.cuda
        if not self.real:
            self._patch(cuda, "is_available", _IsAvailable(self.gpu, self.events))
            self._patch(cuda, "device_count", lambda: 1 if self.gpu else 0)
            accel = getattr(torch, "accelerator", None)
            if accel is not None and hasattr(accel, "current_accelerator"):
                self._patch(accel, "is_available", lambda: self.gpu)
                self._patch(accel, "current_accelerator",
                            lambda *a, **k: torch.device("cuda") if self.gpu else None)
        self._patch(cuda, "synchronize", self._sync)
        if _ACCEL is not None and hasattr(_ACCEL, "synchronize"):
            self._patch(_ACCEL, "synchronize", self._sync)  # what current pytorch/examples call
        for attr, value in list(vars(self.learner).items()) if self.learner is not None else ():
            if any(value is f for f in _REAL_SYNCS):  # `from torch.cuda import synchronize`
                self._patch(self.learner, attr, self._sync)
        if self.clock:
            for name in _CLOCKS:
                reader = self._reader(name)
                self._patch(time, name, reader)
                for owner in (self.learner, timeit):  # `from time import perf_counter`
                    for attr, value in list(vars(owner).items()) if owner is not None else ():
                        if value is _REAL_CLOCKS[name]:
                            self._patch(owner, attr, reader)
            for owner in _TIMEIT_DEFAULTS:
                self._patch(owner, "__defaults__", tuple(self._reader("perf_counter")
                                                         if d is _REAL_CLOCKS["perf_counter"] else d
                                                         for d in owner.__defaults__ or ()))
        return self

    def __exit__(self, *exc: Any) -> None:
        while self._saved:
            owner, name, value = self._saved.pop()
            setattr(owner, name, value)


# -- task helpers ---------------------------------------------------------------------------

@_label("pick_device")
def pick_device_answers(learner) -> dict:
    out = {}
    for available in (True, False):
        with StandIn(gpu=available) as fake:
            out["with_gpu" if available else "without_gpu"] = device_text(learner.pick_device())
        out["events_with_gpu" if available else "events_without_gpu"] = fake.events
    out["real"] = device_text(learner.pick_device())
    return out


def _identity(got: Any, original: Any, path: str, same: dict) -> None:
    """Which objects in ``got`` are the very objects of the input (path -> bool)."""
    same[path] = got is original
    if isinstance(original, dict) and isinstance(got, dict):
        for key in original:
            if key in got:
                _identity(got[key], original[key], f"{path}[{key!r}]", same)
    elif isinstance(original, (list, tuple)) and isinstance(got, (list, tuple)):
        for i, (g, o) in enumerate(zip(got, original)):
            _identity(g, o, f"{path}[{i}]", same)


@_label("to_device")
def moved_container(learner, batch: Any, name: str, device: Any = "meta") -> dict:
    """The learner's ``to_device(batch, 'meta')``, which of its parts are the input's own
    objects, and the caller's batch afterwards (changed in place?)."""
    got = learner.to_device(batch, device)
    same: dict[str, bool] = {}
    _identity(got, batch, name, same)
    return {"got": got, "same": same, "input_after": batch}


@_label("to_device")
def moved_model(learner, width: int, device: Any = "meta") -> dict:
    with trusted():
        model = nn.Sequential(nn.Linear(3, width), nn.BatchNorm1d(width), nn.Linear(width, 2))
    moved = learner.to_device(model, device)
    if not isinstance(moved, nn.Module):
        return {"module": False, "type": type(moved).__name__}
    places = {name: t.device.type for name, t in moved.named_parameters()}
    places.update({f"{name} (buffer)": t.device.type for name, t in moved.named_buffers()})
    return {"module": True, "same": moved is model, "places": places}


@_label("new_weight")
def new_weight_facts(learner, shape: tuple, device: str, dtype: torch.dtype) -> dict:
    w = learner.new_weight(shape, device=device, dtype=dtype)
    if not isinstance(w, torch.Tensor):
        return {"value": w}
    info = {"value": w.detach(), "is_leaf": w.is_leaf, "requires_grad": w.requires_grad,
            "device": w.device.type, "dtype": w.dtype, "grad_filled": None}
    if torch.device(device).type != "meta" and w.requires_grad:
        with trusted(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # .grad of a non-leaf warns; the check explains it
            w.sum().backward()
            info["grad_filled"] = w.grad is not None
    return info


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else ""


_DEVICE_ERRORS = ("expected device", "same device", "copy out of meta")


@_label("predict")
def predict_facts(learner, state: dict, x: torch.Tensor, device: str) -> dict:
    """``predict`` on a model the check built; a pre-hook notes, on each forward, the mode,
    grad mode and the devices of the input and of the weights; a wrapped ``forward``
    notes calls that skip the hooks (``model.forward(x)``)."""
    with trusted():
        model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
        model.load_state_dict(state)
        seen: list[dict] = []
        forwards: list[int] = []
        switches: list[str] = []  # "train" / "eval" for each model.train(mode), model.eval() included
        plain_train = model.train

        def train(mode: bool = True) -> nn.Module:
            switches.append("train" if mode else "eval")
            return plain_train(mode)

        model.train = train  # an instance attribute shadows the method; eval() calls self.train(False)

        def pre_hook(module: nn.Module, args: Any) -> None:
            first = args[0] if args and isinstance(args[0], torch.Tensor) else None
            seen.append({"training": module.training, "grad": torch.is_grad_enabled(),
                         "input": first.device.type if first is not None else None,
                         "weights": next(module.parameters()).device.type, "switches": list(switches)})

        handle = model.register_forward_pre_hook(pre_hook)
        plain_forward = type(model).forward

        def forward(*args: Any, **kwargs: Any) -> Any:
            forwards.append(1)
            return plain_forward(model, *args, **kwargs)

        model.forward = forward
    error = ""
    out = None
    try:
        out = learner.predict(model, x, device)
    except RuntimeError as exc:
        if not any(part in str(exc) for part in _DEVICE_ERRORS):
            raise
        error = _first_line(exc)
    handle.remove()
    graph = isinstance(out, torch.Tensor) and out.grad_fn is not None
    return {"out": out, "seen": seen, "forwards": len(forwards), "graph": graph, "error": error}


@_label("time_it")
def time_on_stand_in(learner, device: str, repeats: int) -> dict:
    """``time_it(fn, device, repeats)`` with the stand-in clock (and stand-in GPU for cuda)."""
    fake = StandIn(learner, gpu=torch.device(device).type == "cuda", clock=True)  # any spelling of cuda
    fake.pending = EARLIER_WORK if fake.gpu else 0.0
    with fake:
        seconds = learner.time_it(fake.fn, device, repeats=repeats)
    return {"seconds": seconds, "events": fake.events}


@_label("time_it")
def time_real_work(learner, device: str, repeats: int) -> dict:
    """``time_it`` on real matrix products on ``device``, with the real clock and the real
    synchronize, only logged; ``elapsed`` is the grader's reading around the whole call."""
    with trusted():
        n = 2048 if device == "cuda" else 128
        a = torch.randn(n, n, device=device)
    spy = StandIn(learner, gpu=device == "cuda", clock=True, real=True)

    def fn() -> None:
        spy.events.append("fn")
        with trusted():
            b = a
            for _ in range(5):
                b = b @ a

    start = _REAL_CLOCKS["perf_counter"]()
    with spy:
        seconds = learner.time_it(fn, device, repeats=repeats)
    if device == "cuda":
        _REAL_SYNC()
    return {"seconds": seconds, "events": spy.events, "elapsed": _REAL_CLOCKS["perf_counter"]() - start}

