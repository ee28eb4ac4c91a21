"""向量的欧几里得（L2）范数是各元素平方和的平方根；把向量除以它的范数，就得到方向不变、
长度为一的向量。两者都沿张量的某一个维度计算，例如矩阵的每一行。

所有任务的规则：不要原地修改输入；保持它的数据类型。

检查你的答案：  pytest --kata=norms
"""

import torch


def l2_norm(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``x`` 沿 ``dim`` 的 L2 范数：sqrt(sum(x ** 2))。

    x：(..., D, ...) -> 去掉 ``dim`` 之后的形状。用 ``**``、``sum`` 和 ``sqrt`` 写，
    不要用 ``torch.linalg.vector_norm``。
    """
    # 先平方，沿 dim 求和，再开平方。
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (The L2 norm): not written yet")


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    """把 ``x`` 沿 ``dim`` 除以它的 L2 范数，使每个切片的范数都是 1。

    x：任意形状 -> 相同形状。全零的切片范数为 0：改为除以 ``max(norm, eps)``，
    这样它仍然是零（不会出现 NaN）。
    """
    # keepdim：范数保留一个大小为 1 的维度，才能和 x 广播。
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Unit vectors): not written yet")
