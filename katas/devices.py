"""Kata: devices (GPU 加速) — running the same code on the CPU and on a GPU.

A tensor lives on one device, and an operation needs all its inputs on the same
one.  Code that runs everywhere picks the device once, moves the model and each
batch there, and makes every new tensor on the device of its inputs.  This kata
covers:

1. ``pick_device``: "cuda" when a GPU is usable, else "cpu" (never a bare ``.cuda()``).
2. ``to_device``: move a tensor, a model, or a dict/list/tuple of tensors.
3. ``add_ones_column``: make a new tensor on the input's device and dtype.
4. ``new_weight``: a trainable leaf tensor created directly on a device.
5. ``predict``: run a model on a device in evaluation mode.
6. ``time_it``: time GPU work correctly (GPU calls return before the work is done).

No GPU needed: on a CPU-only machine the checks use the ``meta`` device (tensors
with a shape but no data) to catch device mistakes, and the CUDA cases are
reported as skipped.

Run it with:  pytest --kata=devices
"""

from __future__ import annotations

import time
from typing import Any, Callable

import torch
import torch.nn as nn


def pick_device() -> str:
    """Return "cuda" if ``torch.cuda.is_available()``, else "cpu" (a ``str`` or a
    ``torch.device``).  Never hard-code "cuda": the same file must run without a GPU.
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Pick the device): not written yet")


def to_device(obj: Any, device: str | torch.device) -> Any:
    """Move ``obj`` to ``device`` and return the moved version.

    - a tensor or an ``nn.Module``: ``.to(device)``;
    - a dict, list or tuple: the same kind of container, with every value
      moved (containers may be nested: ``{"x": x, "extra": [m, (a, b)]}``);
    - anything else (a number, a string, None): returned unchanged.

    ``tensor.to(device)`` returns a new tensor, it does not change ``tensor``.
    Build new containers: the caller's dict or list stays as it was.  Keep every
    tensor's dtype (only the device changes).  Call ``.to(device)`` with the
    ``device`` given, not ``.cuda()``.
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Move tensors, models and containers): not written yet")


def add_ones_column(x: torch.Tensor) -> torch.Tensor:
    """``(N, D) -> (N, D + 1)``: ``x`` with a column of ones appended as the last
    column (the bias trick).  Make the ones on ``x``'s device, with ``x``'s dtype:
    the result keeps both.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (New tensors on the input's device): not written yet")


def new_weight(shape: tuple[int, ...], device: str | torch.device = "cpu",
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A trainable tensor of ``shape`` with standard-normal values, created on
    ``device`` with ``dtype``: a leaf with ``requires_grad=True``, so that
    ``.grad`` is filled in by ``backward()``.

    ``torch.randn(shape, requires_grad=True).to(device)`` is NOT a leaf: the
    ``.to()`` copy is the result of an operation.  Create it where it belongs.
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A trainable leaf made on its device): not written yet")


def predict(model: nn.Module, x: torch.Tensor, device: str | torch.device) -> torch.Tensor:
    """Move ``model`` and ``x`` to ``device`` and return ``model(x)`` there,
    in evaluation mode (``model.eval()``) and without building a graph
    (``torch.no_grad()``).  The result stays on ``device``.

    ``model.to(device)`` moves the model in place, but ``x.to(device)`` returns a
    new tensor: use what it returns.  Call the model (``model(x)``), not
    ``model.forward(x)``, which skips its hooks.
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Run a model on a device): not written yet")


def time_it(fn: Callable[[], Any], device: str | torch.device, repeats: int = 10) -> float:
    """The mean wall-clock seconds of one ``fn()`` call over ``repeats`` calls.

    On a GPU, operations only queue work and return at once: call
    ``torch.cuda.synchronize()`` before starting the clock and again before
    stopping it, so the time covers the finished work.  On the CPU there is
    nothing to wait for (and ``torch.cuda.synchronize()`` would fail without a
    GPU), so only synchronise when ``device`` is a CUDA device.
    Use ``time.perf_counter()`` for the clock, and return a Python ``float``.
    (The checks replace the clock and the GPU by stand-ins on which each call of
    ``fn`` takes a known time, so the grade never depends on how busy the machine is.)
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Time GPU work): not written yet")
