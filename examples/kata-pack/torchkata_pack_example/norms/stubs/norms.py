"""Kata: norms (范数).

The Euclidean (L2) norm of a vector is the square root of the sum of its squared
entries; dividing a vector by its norm gives a vector of length one pointing the
same way.  Both work along one dimension of a tensor: every row of a matrix, say.

Rules for every task: never change the input in place; keep its dtype.

Check your work with:  pytest --kata=norms
"""

import torch


def l2_norm(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """The L2 norm of ``x`` along ``dim``: sqrt(sum(x ** 2)).

    x: (..., D, ...) -> the same shape without ``dim``.  Write it with ``**``,
    ``sum`` and ``sqrt``, not ``torch.linalg.vector_norm``.
    """
    # Square, sum along dim, then take the square root.
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (The L2 norm): not written yet")


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    """``x`` divided by its L2 norm along ``dim``, so each slice has norm 1.

    x: any shape -> the same shape.  A slice of zeros has norm 0: divide by
    ``max(norm, eps)`` instead, so it stays zeros (no NaN).
    """
    # keepdim: the norm keeps a size-1 dim, so it broadcasts against x.
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Unit vectors): not written yet")
