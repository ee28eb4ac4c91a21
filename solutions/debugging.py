"""Kata: debugging (调试) — how to find what went wrong in a PyTorch model.

When training goes bad the symptom is rarely where the bug is: a NaN loss, a
layer that never learns, an error deep inside autograd.  This kata builds the
three tools that point at the cause, then uses them on a bug hunt:

1. ``first_bad_module``: forward hooks name the first layer whose output holds NaN/Inf.
2. ``grad_report``: the gradient norm of every parameter after one backward;
   ``None`` means no gradient reached it (a ``.detach()`` or a branch cut off).
3. ``find_nan_backward``: anomaly detection names the backward step that made a NaN.
4–7. Bug hunt: four short functions, each with one classic mistake.  The buggy
   version is shown in each docstring; write the fixed one.

Run it with:  pytest --kata=debugging
Stuck?  Put a ``breakpoint`` call in your code and run
``pytest --kata=debugging -s``: it stops there and waits for you.  Without ``-s``
it is skipped, and the summary reminds you to remove it.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F


def first_bad_module(model: nn.Module, x: torch.Tensor) -> str | None:
    """Run ``model(x)`` once and return the name of the first module, in the
    order they run, whose output tensor contains NaN or Inf (``None`` if none).

    Names are those of ``model.named_modules()``, e.g. ``"block.act"``; skip
    the model itself (the entry named ``""``).  A child finishes before its
    parent, so the innermost culprit comes first.  Register a forward hook on
    every submodule (``module.register_forward_hook``), and remove them all
    again before returning, even if the forward fails.
    """
    # BEGIN SOLUTION first_bad
    bad: list[str] = []

    def make_hook(name: str):
        def hook(module, inputs, output):
            if isinstance(output, torch.Tensor) and not torch.isfinite(output).all():
                bad.append(name)
        return hook

    handles = [m.register_forward_hook(make_hook(name)) for name, m in model.named_modules() if name]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return bad[0] if bad else None
    # END SOLUTION


def grad_report(model: nn.Module, loss_fn: Callable, x: torch.Tensor,
                y: torch.Tensor) -> dict[str, float | None]:
    """One forward and backward of ``loss_fn(model(x), y)``; return
    ``{parameter name: gradient norm}`` for every ``model.named_parameters()``,
    with ``None`` (not 0.0) where the parameter got no gradient at all.

    Clear old gradients first (``model.zero_grad()``), so the report shows this
    loss only.  A ``None`` is the tell-tale of a detached branch.
    """
    # BEGIN SOLUTION grad_report
    model.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    return {name: (p.grad.norm().item() if p.grad is not None else None)
            for name, p in model.named_parameters()}
    # END SOLUTION


def find_nan_backward(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> str | None:
    """Run ``fn(x).sum().backward()`` under ``torch.autograd.detect_anomaly()``
    and return the name of the backward node that produced a NaN, such as
    ``"SqrtBackward0"`` (``None`` if the backward is clean).

    ``x`` is a leaf with ``requires_grad=True``.  Anomaly mode raises a
    RuntimeError whose message reads ``Function 'SqrtBackward0' returned nan
    values in its 0th output.``: take the name from it.
    """
    # BEGIN SOLUTION find_nan
    import re

    try:
        with torch.autograd.detect_anomaly(check_nan=True):
            fn(x).sum().backward()
    except RuntimeError as error:
        found = re.search(r"Function '(\w+)' returned nan", str(error))
        if found is None:
            raise
        return found.group(1)
    return None
    # END SOLUTION


# -- Bug hunt ------------------------------------------------------------------


def mean_loss(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """The mean MSE loss of ``model`` over ``batches``, as a Python float.

    This code has a bug::

        total = 0
        for x, y in batches:
            loss = F.mse_loss(model(x), y)
            total += loss
        return total / len(batches)

    ``total`` becomes a tensor that keeps every batch's graph alive: memory
    grows with each batch, and the caller gets a tensor, not a number.
    """
    # BEGIN SOLUTION mean_loss
    total = 0.0
    for x, y in batches:
        loss = F.mse_loss(model(x), y)
        total += loss.item()
    return total / len(batches)
    # END SOLUTION


def train_steps(model: nn.Module, optimizer: torch.optim.Optimizer,
                batches: list[tuple[torch.Tensor, torch.Tensor]]) -> list[float]:
    """One optimizer step per batch with MSE loss; return the losses (floats).

    This code has a bug::

        losses = []
        for x, y in batches:
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    Gradients add up across steps unless they are cleared, so each step
    follows the sum of all gradients so far.
    """
    # BEGIN SOLUTION train_steps
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    # END SOLUTION


def class_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Logits ``(N, C)`` -> probabilities ``(N, C)``, each row summing to 1.

    This code has a bug::

        return F.softmax(logits, dim=0)

    ``dim=0`` normalises each column over the batch, so every sample's
    probabilities depend on the other samples.
    """
    # BEGIN SOLUTION probabilities
    return F.softmax(logits, dim=1)  # (N, C)
    # END SOLUTION


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, C)`` whose largest entry is at
    ``labels`` ``(N,)``, as a Python float.

    This code has a bug::

        predicted = torch.max(logits, 1)
        return (predicted == labels).float().mean().item()

    ``torch.max(x, dim)`` returns a pair ``(values, indices)``, not a tensor.
    """
    # BEGIN SOLUTION accuracy
    predicted = logits.argmax(dim=1)  # (N,)
    return (predicted == labels).float().mean().item()
    # END SOLUTION
