"""Kata: norms (范数).

The Euclidean (L2) norm of a vector is the square root of the sum of its squared
entries; dividing a vector by its norm gives a vector of length one pointing the
same way.  Both work along one dimension of a tensor: every row of a matrix, say.

Rules for every task: never change the input in place; keep its dtype.

Check your work with:  pytest --kata=norms

[zh]
向量的欧几里得（L2）范数是各元素平方和的平方根；把向量除以它的范数，就得到方向不变、
长度为一的向量。两者都沿张量的某一个维度计算，例如矩阵的每一行。

所有任务的规则：不要原地修改输入；保持它的数据类型。

检查你的答案：  pytest --kata=norms
"""

import torch


def l2_norm(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """The L2 norm of ``x`` along ``dim``: sqrt(sum(x ** 2)).

    x: (..., D, ...) -> the same shape without ``dim``.  Write it with ``**``,
    ``sum`` and ``sqrt``, not ``torch.linalg.vector_norm``.

    [zh]
    ``x`` 沿 ``dim`` 的 L2 范数：sqrt(sum(x ** 2))。

    x：(..., D, ...) -> 去掉 ``dim`` 之后的形状。用 ``**``、``sum`` 和 ``sqrt`` 写，
    不要用 ``torch.linalg.vector_norm``。
    """
    # Square, sum along dim, then take the square root.
    # zh: 先平方，沿 dim 求和，再开平方。
    # BEGIN SOLUTION l2_norm
    return (x ** 2).sum(dim=dim).sqrt()
    # END SOLUTION


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    """``x`` divided by its L2 norm along ``dim``, so each slice has norm 1.

    x: any shape -> the same shape.  A slice of zeros has norm 0: divide by
    ``max(norm, eps)`` instead, so it stays zeros (no NaN).

    [zh]
    把 ``x`` 沿 ``dim`` 除以它的 L2 范数，使每个切片的范数都是 1。

    x：任意形状 -> 相同形状。全零的切片范数为 0：改为除以 ``max(norm, eps)``，
    这样它仍然是零（不会出现 NaN）。
    """
    # keepdim: the norm keeps a size-1 dim, so it broadcasts against x.
    # zh: keepdim：范数保留一个大小为 1 的维度，才能和 x 广播。
    # BEGIN SOLUTION normalize
    norm = (x ** 2).sum(dim=dim, keepdim=True).sqrt()
    return x / norm.clamp_min(eps)
    # END SOLUTION
