"""Kata: training (训练循环) — the training loop, one piece at a time.

Training a network repeats the same four steps for every batch: run the
model (forward pass), measure the error (loss), compute the gradients
(``loss.backward()``), and let the optimizer update the parameters
(``optimizer.step()``), after clearing the gradients left from the previous
batch (``optimizer.zero_grad()``).  Around that loop: a ``DataLoader`` that
serves shuffled batches, an evaluation that measures without learning, and
a ``fit`` that runs it all for a few epochs.

Tasks:
  1. ``train_step``: one optimisation step on one batch.
  2. ``train_epoch``: one pass over a DataLoader, returning the mean loss.
  3. ``accuracy``: the fraction of correct predictions from logits.
  4. ``evaluate``: loss and accuracy in eval mode, without gradients.
  5. ``make_loader``: a shuffled DataLoader whose order a seed fixes.
  6. ``fit``: train for some epochs and keep a history.

Run it with ``pytest --kata=training``.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Batch = tuple[torch.Tensor, torch.Tensor]  # inputs (N, ...), targets (N,)
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_step(model: nn.Module, batch: Batch, loss_fn: LossFn,
               optimizer: torch.optim.Optimizer) -> float:
    """Task 1: one optimisation step on ``batch = (x, y)``.

    In this order: clear the old gradients, run the model as ``model(x)``
    (once), compute ``loss_fn(output, y)``, backpropagate, update the
    parameters.  Return the loss (before the update) as a Python float
    (``loss.item()``), not a tensor.
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (One training step): not written yet")


def train_epoch(model: nn.Module, loader: DataLoader, loss_fn: LossFn,
                optimizer: torch.optim.Optimizer) -> float:
    """Task 2: one pass over ``loader``, one optimisation step per batch.

    Put the model in training mode first.  Return the mean of the batch
    losses as a Python float.  Add up Python floats (``loss.item()``) batch by
    batch, not loss tensors: a tensor keeps its batch's graph in memory.
    (You may call ``train_step``.)
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (One epoch over a DataLoader): not written yet")


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Task 3: the fraction of rows whose largest logit is at the true label.

    logits (N, C), labels (N,) int64 -> a Python float between 0 and 1.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Accuracy from logits): not written yet")


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: LossFn) -> tuple[float, float]:
    """Task 4: measure the model on ``loader`` without training it.

    Switch to eval mode (dropout off), compute without gradients
    (``torch.no_grad()``), and switch back to training mode at the end; the
    parameters and their gradients must stay as they were.  Return
    ``(mean loss, accuracy over all samples)`` as Python floats.  The mean
    loss may be the mean of the batch losses or the mean over samples (both
    are accepted); the accuracy counts correct samples over all samples (the
    last batch may be smaller, so a mean of batch accuracies is wrong).
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Evaluation in eval mode without gradients): not written yet")


def make_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """Task 5: a DataLoader over ``dataset`` that shuffles, in an order fixed
    by ``seed``: two loaders made with the same seed give the same batches,
    whatever else used torch's global random generator in between (so seed
    a generator of the loader's own, not the global one).
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (A seeded, shuffled DataLoader): not written yet")


def fit(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader,
        epochs: int, lr: float) -> dict[str, list[float]]:
    """Task 6: train a classifier for ``epochs`` epochs.

    Use ``torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)`` (made
    once, before the loop: a new optimizer would lose its momentum) and
    ``nn.CrossEntropyLoss()`` on the raw logits.  Every epoch trains with the
    model in training mode; after every epoch, evaluate on ``val_loader``.
    Return the history, one float per epoch in each list::

        {"train_loss": [...], "val_loss": [...], "val_acc": [...]}
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Fitting a classifier): not written yet")
