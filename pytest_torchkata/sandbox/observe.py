"""Learner-side helpers every kata's ``world`` may use: run a training loop and record its
losses, plant stale gradients before a learner's step, describe a value's kind in words.
They observe and never judge; the checks (grader side) import them from here too.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import torch

from pytest_torchkata.i18n import language, tr
from pytest_torchkata.sandbox.wire import Opaque


def _to_float(value: Any) -> float:
    if hasattr(value, "item"):  # a tensor or NumPy scalar
        value = value.item()
    return float(value)


def run_until(step: Callable[[], Any], *, max_steps: int, time_budget_s: float | None = None,
              target: float | None = None, every: int = 1) -> dict:
    """Call ``step()`` (one training step returning its loss) until the loss is
    at most ``target``, the loss is NaN/Inf, ``max_steps`` steps ran, or
    ``time_budget_s`` seconds passed.

    ``history`` keeps the loss of every ``every``-th step (and always the last
    one).  Returns ``{"history", "steps", "seconds", "reached", "stopped"}``
    with ``stopped`` one of "target", "nan", "max_steps", "time".
    """
    every = max(1, int(every))
    history: list[float] = []
    start = time.perf_counter()
    steps, reached, stopped = 0, False, "max_steps"
    loss = math.nan
    while steps < max_steps:
        loss = _to_float(step())
        steps += 1
        recorded = steps % every == 0 or steps == 1
        if recorded:
            history.append(loss)
        if not math.isfinite(loss):
            stopped = "nan"
            break
        if target is not None and loss <= target:
            reached, stopped = True, "target"
            break
        if time_budget_s is not None and time.perf_counter() - start > time_budget_s:
            stopped = "time"
            break
    else:
        stopped = "max_steps"
    if steps and not (steps % every == 0 or steps == 1):
        history.append(loss)
    return {"history": history, "steps": steps, "seconds": round(time.perf_counter() - start, 4),
            "reached": reached, "stopped": stopped}


STALE_GRAD = 1000.0  # planted in .grad before a learner's step; a correct step never sees it


def plant_stale_grads(parameters: Any) -> None:
    """Learner world: fill every ``.grad`` with STALE_GRAD before calling a learner's step.
    Afterwards a fresh gradient means zero_grad ran first; fresh + STALE_GRAD means it
    never ran; None or zeros mean it ran after backward."""
    import torch

    for p in parameters:
        p.grad = torch.full_like(p, STALE_GRAD)


def describe(value: Any) -> str:
    """A short, learner-readable description of a value's kind."""
    if isinstance(value, torch.Tensor):
        return tr("a tensor of shape {shape} ({dtype})", "形状为 {shape} 的张量（{dtype}）",
                  shape=tuple(value.shape), dtype=str(value.dtype).replace("torch.", ""))
    if isinstance(value, Opaque):
        return _a(value.type_name)
    if isinstance(value, tuple):
        return tr("a tuple of {count}", "含 {count} 个元素的元组", count=len(value))
    if isinstance(value, list):
        return tr("a list of {count}", "含 {count} 个元素的列表", count=len(value))
    if value is None:
        return "None"
    name = _a(type(value).__name__)
    if isinstance(value, (int, float, bool)):
        return tr("{name} ({value!r})", "{name}（{value!r}）", name=name, value=value)
    return name


def _a(name: str) -> str:
    """A type name with its article: "an int", "一个 int"."""
    if name == "ndarray":
        return tr("a NumPy array", "一个 NumPy 数组")
    if language() == "zh":
        return f"一个 {name}"
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
