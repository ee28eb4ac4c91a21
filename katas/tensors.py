"""Kata: tensors (张量).

Smoke version.
"""

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax along ``dim`` without torch.softmax. (N, C) -> (N, C)."""
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Numerically stable softmax): not written yet")


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(N,) int64 -> (N, C) float32."""
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (One-hot encoding): not written yet")
