"""The functions kata's learner-world helpers: they run in the learner's process,
next to the learner's Functions, through ``kata.run``, and return observations
only (outputs, gradients, what ``ctx`` holds, the raw tuple ``backward`` returned,
the inputs after the call, a training run).  Verdicts are made in ``functions.py``.
"""

from __future__ import annotations

import math

import torch

from pytest_torchkata.sandbox.observe import run_until
from pytest_torchkata.sandbox.runner import labelled as label
from pytest_torchkata.katas.common.observe import observe_manual_step
from pytest_torchkata.sandbox.guards import trusted

# The article's fit: 2000 points on [-pi, pi], a=0, b=-1, c=0, d=0.3, sum of squares, lr 5e-6.
FIT_POINTS, FIT_START, FIT_LR = 2000, (0.0, -1.0, 0.0, 0.3), 5e-6
# The reference passes 15 at step 995 (8.9 at step 2000); an unconverged run stops at
# max_steps (2x that); the time budget only guards very slow steps.
FIT_TARGET, FIT_MAX_STEPS = 15.0, 2000  # a step cap, never a clock: no verdict from timing


def _leaf(t: torch.Tensor, requires_grad: bool = True) -> torch.Tensor:
    return t.detach().clone().requires_grad_(requires_grad)


@label("Function.apply(...).backward()")
def apply_and_backward(module, name: str, inputs: list, upstream: torch.Tensor,
                       extra: tuple = ()) -> dict:
    """``name.apply(*inputs, *extra)``, then backward with ``upstream``: the output,
    each input's ``.grad``, and the inputs as they are after the call."""
    xs = [_leaf(x) for x in inputs]
    out = getattr(module, name).apply(*xs, *extra)
    if isinstance(out, torch.Tensor) and out.requires_grad:
        out.backward(upstream)
    with trusted():
        return {"out": out.detach() if isinstance(out, torch.Tensor) else out,
                "grads": [x.grad for x in xs], "inputs": [x.detach().clone() for x in xs]}


@label("Function.apply")
def ctx_contents(module, name: str, x: torch.Tensor) -> dict:
    """How many tensors the Function saved with ``save_for_backward``, and which
    tensors it stored as plain ``ctx`` attributes instead."""
    out = getattr(module, name).apply(_leaf(x))
    node = getattr(out, "grad_fn", None)
    if node is None:
        return {"saved": 0, "attributes": []}
    return {"saved": len(node.saved_tensors),
            "attributes": sorted(k for k, v in vars(node).items() if isinstance(v, torch.Tensor))}


@label("backward")
def raw_backward(module, name: str, a: torch.Tensor, b: torch.Tensor, needs: tuple,
                 upstream: torch.Tensor) -> dict:
    """Call the Function's ``backward`` through its node, with only the inputs in
    ``needs`` requiring grad, and return exactly what it returned."""
    out = getattr(module, name).apply(_leaf(a, needs[0]), _leaf(b, needs[1]))
    returned = out.grad_fn.apply(upstream)
    if not isinstance(returned, (tuple, list)):  # one tensor, None, or something else entirely
        returned = (returned,)
    return {"returned": [g.detach() if isinstance(g, torch.Tensor) else g for g in returned]}


def fit_data(start: list[float]) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    x = torch.linspace(-math.pi, math.pi, FIT_POINTS)
    params = [torch.tensor(v, dtype=torch.float32, requires_grad=True) for v in start]
    return x, torch.sin(x), params


@label("train_step")
def two_steps(module, start: list[float]) -> dict:
    """Two ``train_step`` calls from ``start`` (near the article's), each observed."""
    x, y, params = fit_data(start)
    steps = [observe_manual_step(lambda: module.train_step(params, x, y, FIT_LR), params)]
    first = steps[0]
    if not first["error"] and all(first["same"]) and all(first["leaf"]) and all(first["requires_grad"]):
        steps.append(observe_manual_step(lambda: module.train_step(params, x, y, FIT_LR), params))
    return {"steps": steps}


@label("train_step")
def counts_custom_calls(module, start: list[float]) -> dict:
    """One ``train_step`` with ``LegendreP3`` swapped for a subclass that counts
    forward and backward calls."""
    original = module.LegendreP3
    calls = {"forward": 0, "backward": 0}

    class Counted(original):
        @staticmethod
        def forward(ctx, *args):
            calls["forward"] += 1
            return original.forward(ctx, *args)

        @staticmethod
        def backward(ctx, *grads):
            calls["backward"] += 1
            return original.backward(ctx, *grads)

    x, y, params = fit_data(start)
    module.LegendreP3 = Counted
    try:
        module.train_step(params, x, y, FIT_LR)
    finally:
        module.LegendreP3 = original
    return calls


@label("train_step")
def fit(module, start: list[float]) -> dict:
    """The article's fit from ``start`` (near the article's) with the learner's ``train_step``,
    until the target loss."""
    x, y, params = fit_data(start)
    return run_until(lambda: module.train_step(params, x, y, FIT_LR), max_steps=FIT_MAX_STEPS, target=FIT_TARGET)
