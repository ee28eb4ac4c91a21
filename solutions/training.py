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

    In this order: clear the old gradients, run the model as ``model(x)``,
    compute ``loss_fn(output, y)``, backpropagate, update the parameters.
    Return the loss as a Python float (``loss.item()``), not a tensor.
    """
    # BEGIN SOLUTION step
    x, y = batch
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    # END SOLUTION


def train_epoch(model: nn.Module, loader: DataLoader, loss_fn: LossFn,
                optimizer: torch.optim.Optimizer) -> float:
    """Task 2: one pass over ``loader``, one optimisation step per batch.

    Put the model in training mode first.  Return the mean of the batch
    losses as a Python float.  (You may call ``train_step``.)
    """
    # BEGIN SOLUTION epoch
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()  # a float: adding the tensor would keep every batch's graph alive
    return total / len(loader)
    # END SOLUTION


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Task 3: the fraction of rows whose largest logit is at the true label.

    logits (N, C), labels (N,) int64 -> a Python float between 0 and 1.
    """
    # BEGIN SOLUTION accuracy
    predictions = logits.argmax(dim=1)  # (N,) the class with the largest logit
    return (predictions == labels).float().mean().item()
    # END SOLUTION


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: LossFn) -> tuple[float, float]:
    """Task 4: measure the model on ``loader`` without training it.

    Switch to eval mode (dropout off), compute without gradients
    (``torch.no_grad()``), and switch back to training mode at the end.
    Return ``(mean batch loss, accuracy over all samples)`` as Python floats.
    """
    # BEGIN SOLUTION evaluate
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)  # (N, C)
            total_loss += loss_fn(logits, y).item()
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
    model.train()
    return total_loss / len(loader), correct / seen
    # END SOLUTION


def make_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """Task 5: a DataLoader over ``dataset`` that shuffles, in an order fixed
    by ``seed``: two loaders made with the same seed give the same batches,
    whatever else used torch's global random generator in between.
    """
    # BEGIN SOLUTION loader
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    # END SOLUTION


def fit(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader,
        epochs: int, lr: float) -> dict[str, list[float]]:
    """Task 6: train a classifier for ``epochs`` epochs.

    Use ``torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)`` (made
    once) and ``nn.CrossEntropyLoss()`` on the raw logits.  After every
    epoch, evaluate on ``val_loader``.  Return the history, one float per
    epoch in each list::

        {"train_loss": [...], "val_loss": [...], "val_acc": [...]}
    """
    # BEGIN SOLUTION fit
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_acc": []}
    for _ in range(epochs):
        history["train_loss"].append(train_epoch(model, train_loader, loss_fn, optimizer))
        val_loss, val_acc = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
    return history
    # END SOLUTION
