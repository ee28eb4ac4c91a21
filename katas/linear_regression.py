"""Kata: linear_regression (线性回归) — fit y = w·x + b three ways.

You will:
  1. make a small data set with a known answer (w = 2, b = 1);
  2. write the mean squared error yourself, and make it refuse shapes that do not match;
  3. train w and b with raw tensors and autograd (one gradient-descent step at a time);
  4. build the same model with `nn.Linear` and `torch.optim.SGD`;
  5. train it with `nn.MSELoss` (the loop every PyTorch program has);
  6. skip training altogether: solve for w and b in closed form.

The grader runs the training loops for you by calling your step functions
(about 200 steps, well under a second) and expects |w - 2| < 0.05 and
|b - 1| < 0.05 on data like task 1's.

Shapes: x and y are (N, 1), one feature per row, like a batch going into `nn.Linear(1, 1)`.
A loss or a step returns a Python float (`loss.item()`), never the loss tensor.

Run:  pytest --kata=linear_regression
"""

from __future__ import annotations

import torch
from torch import nn


def make_data(n: int = 100, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 1. A reproducible data set for y = 2x + 1 plus a little noise.

    Use your own generator, `g = torch.Generator().manual_seed(seed)`, and pass
    `generator=g` to every random call, so the same seed always gives the same data.
    Leave torch's global random state alone (no `torch.manual_seed` here).
      x: (n, 1) float32, uniform in [-2, 2]
      y: (n, 1) float32, 2 * x + 1 + 0.1 * (standard normal noise)
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Data with a known answer): not written yet")


def mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Task 2. Mean squared error, written yourself: mean of (pred - target)².

    pred and target must have the same shape, e.g. both (N, 1). If they do not,
    raise ValueError. (Broadcasting would quietly turn (N, 1) - (N,) into an
    (N, N) table of every prediction minus every target: a wrong number, no error.)
    Returns a 0-dim tensor that autograd can differentiate (no `.item()` here).
    `F.mse_loss` (`torch.nn.functional.mse_loss`) and `nn.MSELoss`, which calls it,
    are off limits: the formula is the task.
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Mean squared error that refuses mismatched shapes): not written yet")


def gd_step(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    """Task 3. One step of gradient descent with raw tensors.

    w, b: (1,) float tensors created with requires_grad=True (leaves).
    x, y: (N, 1).
    Compute the prediction w * x + b, the loss with your `mse`, call backward,
    then update w and b IN PLACE inside `torch.no_grad()` (`w -= lr * w.grad`)
    and zero their gradients for the next step. w and b must stay the same
    leaf tensors: `w = w - lr * w.grad` would make a new tensor that the caller
    never sees. Return the loss before the update as a Python float.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Gradient descent with raw tensors): not written yet")


def make_model() -> nn.Module:
    """Task 4a. The same model as a layer: one input feature, one output.

    Any module that maps x (N, 1) to w·x + b (N, 1) with two trainable numbers will do;
    `nn.Linear` is the usual one.
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A linear layer and an SGD optimizer): not written yet")


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """Task 4b. Plain stochastic gradient descent (no momentum) over all the model's
    parameters, with the learning rate `lr`.
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A linear layer and an SGD optimizer): not written yet")


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer,
               x: torch.Tensor, y: torch.Tensor) -> float:
    """Task 5. One training step: zero the gradients, forward, `nn.MSELoss`,
    backward, optimizer step. x, y: (N, 1). Call the model as `model(x)`
    (`model.forward(x)` would skip its hooks), and step the optimizer you are given.
    Return the loss as a Python float.
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (One training step with nn.MSELoss): not written yet")


def closed_form(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Task 6. The least-squares w and b without any training.

    Put a column of ones beside x to make the design matrix A: (N, 2), then
    solve A @ [w, b] ≈ y with `torch.linalg.lstsq` (or the normal equations
    (AᵀA) θ = Aᵀy). Return (w, b), in that order, as Python floats.
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Least squares in closed form): not written yet")
