"""Kata: tensors (张量).

Smoke version.
"""

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax along ``dim`` without torch.softmax. (N, C) -> (N, C)."""
    # BEGIN SOLUTION softmax
    shifted = x - x.amax(dim=dim, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)
    # END SOLUTION


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(N,) int64 -> (N, C) float32."""
    # BEGIN SOLUTION one_hot
    out = torch.zeros(labels.shape[0], num_classes)
    out[torch.arange(labels.shape[0]), labels] = 1.0
    return out
    # END SOLUTION
