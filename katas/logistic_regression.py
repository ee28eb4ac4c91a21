"""Kata: logistic_regression (逻辑回归) — from one logit to many classes.

Logistic regression predicts P(y = 1 | x) = σ(w·x + b). In PyTorch the model
returns the LOGIT z = w·x + b and the loss applies the sigmoid itself, in a
numerically stable way (`nn.BCEWithLogitsLoss`). You will:
  1. write the model so that it returns logits, not probabilities;
  2. write binary cross-entropy on logits yourself, stable even at z = ±100;
  3. standardise features with the TRAINING set's statistics only;
  4. make two Gaussian blobs to classify;
  5. write the training step; the grader trains your step on the blobs and
     expects accuracy ≥ 0.97 AND a loss ≤ 0.05 (accuracy alone can hide bugs);
  6. go multi-class: a stable log-softmax and cross-entropy with integer class labels.

Targets: binary labels are float 0./1. for BCE; class labels are int64 indices for cross-entropy.
Losses are means over the batch; a training step returns a Python float (`loss.item()`).
No function changes the tensors it is given in place.

Run:  pytest --kata=logistic_regression
"""

from __future__ import annotations

import torch
from torch import nn


class LogisticRegression(nn.Module):
    """Task 1. One linear layer from `in_features` to a single logit.

    forward: x (N, in_features) -> logits (N,), also for N = 1. Return the raw
    scores w·x + b: no sigmoid here, the loss takes care of it. Any single affine
    layer will do (`nn.Linear(in_features, 1)`, or your own `nn.Parameter`s):
    in_features weights and one bias, nothing else.
    """

    def __init__(self, in_features: int) -> None:
        super().__init__()
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (A model that returns logits): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (A model that returns logits): not written yet")


def bce_with_logits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Task 2. Mean binary cross-entropy computed from logits, written yourself.

    logits: (N,) any real numbers; targets: (N,) float in [0, 1]. Returns a 0-dim tensor.
    The textbook form -[y·log σ(z) + (1-y)·log(1-σ(z))] breaks at z = ±100:
    σ(z) rounds to exactly 1 (or 0) and log gives -inf. Rewrite it so that exp
    only ever sees numbers ≤ 0:
        loss = max(z, 0) - z·y + log(1 + exp(-|z|))
    (`torch.log1p` and `torch.clamp` help). Off limits, because they are the answer:
    `torch.nn.functional.binary_cross_entropy_with_logits` (and `nn.BCEWithLogitsLoss`,
    which calls it), `torch.binary_cross_entropy_with_logits` and
    `torch.nn.functional.binary_cross_entropy`.
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Stable binary cross-entropy on logits): not written yet")


def standardize(x_train: torch.Tensor, x_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 3. Scale each feature to mean 0, std 1 — using the TRAINING set only.

    x_train: (N, D), x_test: (M, D). Compute the mean and std of every feature
    (over dim 0) on x_train, then apply the same (x - mean) / std to both sets.
    The test set plays the role of data you have not seen yet: its own mean and
    std must not leak into the scaling. Returns (train_scaled, test_scaled); the
    inputs stay as they were (no `x_train -= mean`). Either std convention is fine.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Standardise with training statistics only): not written yet")


def make_blobs(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 4. Two Gaussian blobs (std 1): class 1 around (2, 2), class 0 around (-2, -2).

    Use `g = torch.Generator().manual_seed(seed)` for every random call.
      x: (n, 2) float32, the first n // 2 rows from class 0, the rest from class 1
      y: (n,) float32 labels 0. and 1. (BCE losses need FLOAT targets)
    Leave torch's global random state alone (no `torch.manual_seed` here).
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Two Gaussian blobs with float labels): not written yet")


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer,
               x: torch.Tensor, y: torch.Tensor) -> float:
    """Task 5. One step of training with `nn.BCEWithLogitsLoss`.

    model(x) gives logits (N,); y is (N,) float. Zero the gradients, compute the
    loss on the LOGITS (no sigmoid of your own: the loss has one built in),
    backward, step. Call the model as `model(x)` and step the optimizer you are
    given. Return the loss as a Python float.
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Training to an accuracy and a loss): not written yet")


def log_softmax(logits: torch.Tensor) -> torch.Tensor:
    """Task 6a. log(softmax(z)) along dim 1, stable for huge logits. (N, C) -> (N, C).

    log softmax(z)_i = z_i - log Σ_j exp(z_j). Subtract each row's maximum m
    first: z_i - m - log Σ_j exp(z_j - m) is the same number, and exp never overflows.
    Leave `logits` unchanged (no `logits -= m`). Off limits, because they do the
    shift for you: `torch.log_softmax`, `torch.Tensor.log_softmax`,
    `torch.nn.functional.log_softmax`, `torch.softmax`, `torch.Tensor.softmax`,
    `torch.nn.functional.softmax`, `torch.logsumexp`, `torch.Tensor.logsumexp`,
    `torch.nn.functional.cross_entropy` and the `torch.special` twins
    (`torch.special.log_softmax`, `torch.special.softmax`, `torch.special.logsumexp`).
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Stable log-softmax and cross-entropy): not written yet")


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Task 6b. Mean cross-entropy: logits (N, C), targets (N,) int64 class indices 0..C-1.

    Take your `log_softmax`, pick each row's entry at its target class
    (`gather`, `log_probs[torch.arange(N), targets]` or `F.nll_loss`), negate and
    average. Returns a 0-dim tensor. The same functions as in `log_softmax` are off
    limits: `torch.log_softmax`, `torch.Tensor.log_softmax`,
    `torch.nn.functional.log_softmax`, `torch.softmax`, `torch.Tensor.softmax`,
    `torch.nn.functional.softmax`, `torch.logsumexp`, `torch.Tensor.logsumexp`,
    `torch.nn.functional.cross_entropy` and the `torch.special` twins
    (`torch.special.log_softmax`, `torch.special.softmax`, `torch.special.logsumexp`).
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Stable log-softmax and cross-entropy): not written yet")
