"""Learner-world helpers of the autograd kata (run through ``kata.run``).

They run in the learner's process, next to the learner's code, and return
observations only: outputs, gradients, the grad mode, whether an input
changed, and the torch functions the learner called (raw events, in order).
They compare nothing and decide nothing; the checks in ``autograd.py`` do.
Each helper's ``__name__`` is the learner's function, so that an error raised
inside it names the learner's code, not the helper.
"""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode

from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.sandbox.runner import labelled as _label




_AUTOGRAD_ENTRIES = (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad)
AUTOGRAD_EVENT = ("Tensor.backward", "autograd.backward", "autograd.grad")  # event names, in that order


class _Events(TorchFunctionMode):
    """Records the torch functions learner code calls, in order: their names,
    and for autograd's entry points whether ``create_graph`` was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "?")
        if func in _AUTOGRAD_ENTRIES:
            name = AUTOGRAD_EVENT[_AUTOGRAD_ENTRIES.index(func)] + (
                "+create_graph" if kwargs.get("create_graph") else "")
        self.events.append(name)
        return func(*args, **kwargs)


def _watched(module, name: str, *args) -> dict:
    events = _Events()
    with events:
        out = getattr(module, name)(*args)
    return {"out": out, "events": events.events}


def _events_until_error(module, name: str, *args) -> dict:
    """Run the learner's ``name`` once more after it raised, to see which
    autograd calls came before the error (the error itself is already reported)."""
    events = _Events()
    try:
        with events:
            getattr(module, name)(*args)
    except Exception:  # noqa: BLE001 - the learner's error was reported by the first call
        pass
    return {"events": events.events}


@_label("grad_of_cubic")
def watch_grad_of_cubic(module, *args):
    return _watched(module, "grad_of_cubic", *args)


@_label("second_derivative")
def watch_second_derivative(module, *args):
    return _watched(module, "second_derivative", *args)


@_label("second_derivative")
def second_derivative_events(module, *args):
    return _events_until_error(module, "second_derivative", *args)


@_label("softmax_vjp")
def watch_softmax_vjp(module, *args):
    return _watched(module, "softmax_vjp", *args)


@_label("grads_per_sample")
def watch_grads_per_sample(module, w, xs):
    return _watched(module, "grads_per_sample", w, xs)


@_label("backward_twice")
def accumulate_twice(module, w, x):
    out = module.backward_twice(w, x)
    return {"out": out, "grad": w.grad}


@_label("clear_grad")
def clear_then_backward(module, w, x):
    with trusted():
        w.grad = torch.full_like(w, 99.0)
        w_before = w.detach().clone()
    module.clear_grad(w)
    after = w.grad
    with trusted():
        after = None if after is None else after.clone()
        w_after = w.detach().clone()
        (w * x).sum().backward()
    return {"after": after, "fresh": w.grad, "w_before": w_before, "w_after": w_after}


@_label("predict")
def predict_grad_mode(module, w, x):
    """Call ``predict``; report the result and whether grad mode was left on
    (then switch it back on, so later checks are not affected)."""
    try:
        out = module.predict(w, x)
        return {"out": out, "grad_enabled_after": torch.is_grad_enabled()}
    finally:
        torch.set_grad_enabled(True)


@_label("grad_through_one_branch")
def one_branch(module, w, x):
    return {"out": module.grad_through_one_branch(w, x)}


def _apply_function(module, target: str, *args):
    """Forward of a custom Function (``"Sigmoid.apply"``), and the inputs as they
    are afterwards (a copy of each taken before)."""
    fn = module
    for part in target.split("."):
        fn = getattr(fn, part)
    with trusted():
        before = [a.detach().clone() for a in args]
    out = fn(*args)
    with trusted():
        after = [a.detach().clone() for a in args]
    return {"out": out, "before": before, "after": after}


@_label("Sigmoid.apply")
def apply_sigmoid(module, *args):
    return _apply_function(module, "Sigmoid.apply", *args)


@_label("LinearFunction.apply")
def apply_linear(module, *args):
    return _apply_function(module, "LinearFunction.apply", *args)


@_label("Sigmoid.apply")
def sigmoid_grad_at(module, x, grad_out=None):
    """x.grad after `Sigmoid.apply(x).backward(grad_out)` (ones when not given)."""
    with trusted():
        x = x.detach().requires_grad_(True)
    out = module.Sigmoid.apply(x)
    with trusted():
        out.backward(torch.ones_like(x) if grad_out is None else grad_out)
    return {"grad": x.grad}
