"""Kata: modules (模块) — building networks with ``nn.Module``.

Every network in PyTorch is a subclass of ``nn.Module``: ``__init__`` creates the
layers and parameters (after ``super().__init__()``), ``forward`` says what
happens to the input, and you call the model as ``model(x)``.  The module keeps
track of everything registered on it: parameters (learned), buffers (saved but
not learned) and sub-modules.  ``.parameters()``, ``.state_dict()``,
``.to()``, ``.train()`` and ``.eval()`` all rely on that bookkeeping.

Tasks:
  1. ``Scale``: a learnable parameter with ``nn.Parameter``.
  2. ``MLP``: a network of any depth with ``nn.ModuleList``.
  3. ``count_trainable``: count the numbers an optimizer would train.
  4. ``freeze_all_but_last``: stop gradients for part of a model.
  5. ``Residual``: wrap a module as ``x + module(x)``.
  6. ``RunningMean``: a buffer for statistics that are saved but not learned.
  7. ``DropoutMLP``: behave differently in ``train()`` and ``eval()``.
  8. ``state_dict_bytes`` / ``load_state_dict_bytes``: save and load weights.
  9. ``run_on``: move a model and its input to another device or dtype.

Run it with ``pytest --kata=modules``.
"""

from __future__ import annotations

import io

import torch
import torch.nn.functional as F
from torch import nn


class Scale(nn.Module):
    """Multiplies each feature by a learnable weight.  (N, F) -> (N, F)

    Task 1: in ``__init__``, create ``self.weight`` of shape (features,), all
    ones, as a parameter the optimizer will see (it must show up in
    ``self.parameters()`` and ``self.state_dict()``).  ``forward`` is given.
    """

    def __init__(self, features: int) -> None:
        super().__init__()
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (A learnable parameter): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight  # (N, F) * (F,) -> (N, F)


class MLP(nn.Module):
    """A multi-layer perceptron.  (N, sizes[0]) -> (N, sizes[-1])

    Task 2: ``sizes = [4, 16, 8, 3]`` means ``nn.Linear(4, 16)``,
    ``nn.Linear(16, 8)``, ``nn.Linear(8, 3)``, with a ReLU after every layer
    except the last one (the output stays raw logits, which may be negative).
    Any number of layers must work, so build them in a loop and keep them
    where the module can find their parameters.
    """

    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (An MLP of any depth): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (An MLP of any depth): not written yet")


def count_trainable(model: nn.Module) -> int:
    """Task 3: how many numbers would an optimizer train?

    Count the elements of every parameter that requires grad (frozen
    parameters and buffers do not count).  ``nn.Linear(4, 3)`` has 4*3 + 3 = 15.
    Return a Python int.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Counting trainable parameters): not written yet")


def freeze_all_but_last(model: nn.Sequential) -> None:
    """Task 4: freeze every parameter of ``model`` except those of its last
    layer ``model[-1]`` (fine-tuning only the head).  Change the model in
    place; return nothing.
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Freezing all but the last layer): not written yet")


class Residual(nn.Module):
    """A skip connection around any module: ``x + module(x)``.  (N, F) -> (N, F)

    Task 5: keep ``module`` as a sub-module (its parameters must be part of
    this module's), and in ``forward`` call it the normal way, as
    ``self.module(x)``.  Do not change ``x`` in place, and keep the graph
    whole: the gradient must reach both the module's parameters and ``x``
    (no ``.detach()``).
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (A residual wrapper): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (A residual wrapper): not written yet")


class RunningMean(nn.Module):
    """Centres features with a running mean, like BatchNorm's statistics.  (N, F) -> (N, F)

    Task 6: in ``__init__``, register ``mean``, zeros of shape (features,), as
    a buffer: saved in ``state_dict()`` and moved by ``.to()``, but not a
    parameter.  In ``forward``, when the module is training, first update it
    (without tracking gradients)::

        mean = (1 - momentum) * mean + momentum * x.mean(dim=0)

    then, in both modes, return ``x - mean``.  In eval mode the mean is only
    used, never updated.  After a training forward, ``mean`` must not
    require grad.
    """

    def __init__(self, features: int, momentum: float = 0.1) -> None:
        super().__init__()
        self.momentum = momentum
        # TODO(task 6): write this part
        raise NotImplementedError("Task 6 (Buffers for running statistics): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 6): write this part
        raise NotImplementedError("Task 6 (Buffers for running statistics): not written yet")


class DropoutMLP(nn.Module):
    """Linear -> ReLU -> dropout -> Linear.  (N, in_features) -> (N, out_features)

    Task 7: write ``forward``.  Dropout must be active in ``model.train()``
    mode and switched off in ``model.eval()`` mode, so two eval forwards of
    the same input give the same output.  ``forward`` must not switch the
    mode itself.
    """

    def __init__(self, in_features: int, hidden: int, out_features: int, p: float = 0.5) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (Dropout that respects train() and eval()): not written yet")


def state_dict_bytes(model: nn.Module) -> bytes:
    """Task 8a: save ``model.state_dict()`` (not the model object: it must
    load with ``torch.load(..., weights_only=True)``) with ``torch.save`` into
    an in-memory file (``io.BytesIO``) and return its bytes.
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (Saving and loading a state_dict): not written yet")


def load_state_dict_bytes(model: nn.Module, data: bytes) -> nn.Module:
    """Task 8b: the reverse of ``state_dict_bytes``: read the saved state
    dict from ``data`` with ``torch.load`` and load it into ``model``
    (same architecture, different weights).  Return ``model``.
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (Saving and loading a state_dict): not written yet")


def run_on(model: nn.Module, x: torch.Tensor, device: str, dtype: torch.dtype) -> torch.Tensor:
    """Task 9: move ``model`` (parameters and buffers) and ``x`` to
    ``device`` and ``dtype``, then return ``model(x)``.  Careful: a module's
    ``.to()`` changes the module itself, a tensor's ``.to()`` returns a new
    tensor.
    """
    # TODO(task 9): write this part
    raise NotImplementedError("Task 9 (Moving a model with .to()): not written yet")
