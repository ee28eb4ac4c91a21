"""Learner side of the training-step probes shared by several katas: the ``observe_*``
helpers run inside a kata's ``kata.run`` helper in the learner's process and return
observations only (the raw event order: zero_grad, forward, backward, gradients arriving,
step; the gradients the optimizer's step saw; values, leaf flags and identities).
Nothing here judges: ``katas.common.expect`` reads these observations on the grader's side.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch.overrides import TorchFunctionMode

from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.sandbox.observe import STALE_GRAD


_BACKWARD = (torch.Tensor.backward, torch.autograd.backward)


class _Events(TorchFunctionMode):
    """Records each ``backward`` call, and whether the tensor it ran on has a history."""

    def __init__(self, events: list) -> None:
        super().__init__()
        self.events = events

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in _BACKWARD and args and isinstance(args[0], torch.Tensor):
            t = args[0]
            self.events.append("backward" if t.grad_fn is not None else
                               "backward_on_leaf" if t.requires_grad else "backward_no_grad")
        return func(*args, **(kwargs or {}))


def _clone(t: Any) -> Any:
    return t.detach().clone() if isinstance(t, torch.Tensor) else t


def _watch_grads(params: list, events: list) -> None:
    for p in params:
        if isinstance(p, torch.Tensor) and p.is_leaf and p.requires_grad:
            p.register_post_accumulate_grad_hook(lambda _p: events.append("grad"))


def _run_step(step: Callable[[], Any], events: list) -> tuple:
    """``(loss, None)``; when the learner's step raises after a backward that reached no
    parameter, ``(None, error)`` instead, so that the graph cut it ran into is what the
    check reads (any other error propagates as the learner's own)."""
    with _Events(events):
        try:
            return step(), None
        except Exception as exc:  # noqa: BLE001 - re-raised unless backward reached nothing
            if "grad" in events or not any(e.startswith("backward") for e in events):
                raise
            return None, f"{type(exc).__name__}: {exc}"[:300]


def _wrap_zero_grad(owner: Any, events: list) -> None:
    original = owner.zero_grad

    def zero_grad(*args, **kwargs):
        events.append("zero_grad")
        return original(*args, **kwargs)

    owner.zero_grad = zero_grad


def observe_optimizer_step(step: Callable[[], Any], model: torch.nn.Module,
                           optimizer: torch.optim.Optimizer, stale: bool) -> dict:
    """Run ``step()`` (the learner's train_step on ``model`` and ``optimizer``) once."""
    events: list = []
    seen: list = []
    params = dict(model.named_parameters())
    with trusted():
        if stale:
            for p in params.values():
                p.grad = torch.full_like(p, STALE_GRAD)
        _watch_grads(list(params.values()), events)
        model.register_forward_hook(lambda m, i, o: events.append("forward"))
        _wrap_zero_grad(optimizer, events)
        _wrap_zero_grad(model, events)

        def before_step(opt, args, kwargs):
            events.append("step")
            seen.append({n: _clone(p.grad) for n, p in params.items()})

        optimizer.register_step_pre_hook(before_step)
        optimizer.register_step_post_hook(lambda opt, args, kwargs: events.append("stepped"))
    loss, error = _run_step(step, events)
    with trusted():
        return {"loss": _clone(loss), "error": error, "events": list(events),
                "grads_at_step": seen[0] if seen else None,
                "params": {n: _clone(p) for n, p in params.items()},
                "grads": {n: _clone(p.grad) for n, p in params.items()}}


def observe_manual_step(step: Callable[[], Any], params: list) -> dict:
    """Run ``step()`` (a learner step that updates the tensors ``params`` by hand) once."""
    events: list = []
    originals = list(params)
    with trusted():
        _watch_grads(originals, events)
    loss, error = _run_step(step, events)
    with trusted():
        return {"loss": _clone(loss), "error": error, "events": list(events),
                "same": [a is b for a, b in zip(originals, params)],
                "leaf": [p.is_leaf for p in params], "requires_grad": [p.requires_grad for p in params],
                "values": [_clone(p) for p in params], "grads": [_clone(p.grad) for p in originals]}


def observe_global_rng(fn: Callable, *args: Any, **kwargs: Any) -> dict:
    """Learner world: call ``fn``; torch's global random state before and after."""
    before = torch.get_rng_state()
    out = fn(*args, **kwargs)
    with trusted():
        return {"out": out, "before": before, "after": torch.get_rng_state()}


def observe_call(fn: Callable, *args: Any) -> dict:
    """Learner world: call ``fn(*args)``; the output and the inputs as they are afterwards."""
    out = fn(*args)
    with trusted():
        return {"out": out, "inputs": [_clone(a) for a in args]}

