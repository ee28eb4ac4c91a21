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
    again before returning, even if the forward fails (a ``finally:`` block).
    NaN and Inf both count as bad (``torch.isfinite``).
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Find the first module that makes NaN/Inf): not written yet")


def grad_report(model: nn.Module, loss_fn: Callable, x: torch.Tensor,
                y: torch.Tensor) -> dict[str, float | None]:
    """One forward and backward of ``loss_fn(model(x), y)``; return
    ``{parameter name: gradient norm}`` for every ``model.named_parameters()``,
    with ``None`` (not 0.0) where the parameter got no gradient at all.

    Clear old gradients first (``model.zero_grad()``), so the report shows this
    loss only.  A ``None`` is the tell-tale of a detached branch.  The norms are
    Python floats (``.item()``).
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Gradient report per parameter): not written yet")


def find_nan_backward(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> str | None:
    """Run ``fn(x).sum().backward()`` under ``torch.autograd.detect_anomaly()``
    and return the name of the backward node that produced a NaN, such as
    ``"SqrtBackward0"`` (``None`` if the backward is clean).

    ``x`` is a leaf with ``requires_grad=True``.  Anomaly mode raises a
    RuntimeError whose message reads ``Function 'SqrtBackward0' returned nan
    values in its 0th output.``: take the name from it, and return only the name.
    Anomaly mode must be off again afterwards (use it as a ``with`` block).
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Find the NaN in backward with anomaly detection): not written yet")


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
    grows with each batch, and the caller gets a tensor, not a number.  (Calling
    ``.item()`` only at the end, or keeping the loss tensors in a list, keeps the
    graphs alive just the same.)
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Bug hunt: a mean loss that keeps the graph): not written yet")


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
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Bug hunt: training steps that pile up gradients): not written yet")


def class_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Logits ``(N, C)`` -> probabilities ``(N, C)``, each row summing to 1.

    This code has a bug::

        return F.softmax(logits, dim=0)

    ``dim=0`` normalises each column over the batch, so every sample's
    probabilities depend on the other samples.
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Bug hunt: softmax over the wrong dimension): not written yet")


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, C)`` whose largest entry is at
    ``labels`` ``(N,)``, as a Python float.

    This code has a bug::

        predicted = torch.max(logits, 1)
        return (predicted == labels).float().mean().item()

    ``torch.max(x, dim)`` returns a pair ``(values, indices)``, not a tensor.
    """
    # TODO(task 7): write this part
    raise NotImplementedError("Task 7 (Bug hunt: torch.max used as a tensor): not written yet")
