"""模块（nn.Module）：用 ``nn.Module`` 搭建网络。

PyTorch 里的每个网络都是 ``nn.Module`` 的子类：``__init__`` 创建层和参数（在
``super().__init__()`` 之后），``forward`` 描述输入如何被处理，调用模型时写
``model(x)``。模块会记录注册在它上面的一切：参数（要学习的）、缓冲区（要保存
但不学习的）和子模块。``.parameters()``、``.state_dict()``、``.to()``、
``.train()`` 和 ``.eval()`` 都依赖这份记录。

任务：
  1. ``Scale``：用 ``nn.Parameter`` 创建可学习的参数。
  2. ``MLP``：用 ``nn.ModuleList`` 搭建任意深度的网络。
  3. ``count_trainable``：统计优化器会训练的数的个数。
  4. ``freeze_all_but_last``：让模型的一部分不再计算梯度。
  5. ``Residual``：把一个模块包装成 ``x + module(x)``。
  6. ``RunningMean``：用缓冲区保存只存储、不学习的统计量。
  7. ``DropoutMLP``：在 ``train()`` 和 ``eval()`` 下表现不同。
  8. ``state_dict_bytes`` / ``load_state_dict_bytes``：保存和加载权重。
  9. ``run_on``：把模型和输入移到另一个设备或数据类型。

运行：``pytest --kata=modules``。
"""

from __future__ import annotations

import io

import torch
import torch.nn.functional as F
from torch import nn


class Scale(nn.Module):
    """每个特征乘以一个可学习的权重。(N, F) -> (N, F)

    任务 1：在 ``__init__`` 里创建形状为 (features,)、全为 1 的 ``self.weight``，
    作为优化器能看到的参数（它必须出现在 ``self.parameters()`` 和
    ``self.state_dict()`` 里）。``forward`` 已经写好。
    """

    def __init__(self, features: int) -> None:
        super().__init__()
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (A learnable parameter): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight  # (N, F) * (F,) -> (N, F)


class MLP(nn.Module):
    """多层感知机。(N, sizes[0]) -> (N, sizes[-1])

    任务 2：``sizes = [4, 16, 8, 3]`` 表示 ``nn.Linear(4, 16)``、
    ``nn.Linear(16, 8)``、``nn.Linear(8, 3)``，除最后一层外每层后面接 ReLU
    （输出保持为原始 logits，可以是负数）。层数任意都要能工作，所以用循环建层，
    并把它们放在模块能找到其参数的地方。
    """

    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (An MLP of any depth): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (An MLP of any depth): not written yet")


def count_trainable(model: nn.Module) -> int:
    """任务 3：优化器会训练多少个数？

    统计所有 requires_grad 为 True 的参数的元素个数（冻结的参数和缓冲区不算）。
    ``nn.Linear(4, 3)`` 有 4*3 + 3 = 15 个。返回 Python int。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Counting trainable parameters): not written yet")


def freeze_all_but_last(model: nn.Sequential) -> None:
    """任务 4：冻结 ``model`` 中除最后一层 ``model[-1]`` 以外的所有参数（只微调
    输出头）。原地修改模型，不返回任何东西。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Freezing all but the last layer): not written yet")


class Residual(nn.Module):
    """绕过任意模块的跳跃连接：``x + module(x)``。(N, F) -> (N, F)

    任务 5：把 ``module`` 保存为子模块（它的参数必须属于这个模块），在
    ``forward`` 里按正常方式 ``self.module(x)`` 调用它。不要原地修改 ``x``，
    并保持计算图完整：梯度必须同时到达模块的参数和 ``x``（不要 ``.detach()``）。
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (A residual wrapper): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (A residual wrapper): not written yet")


class RunningMean(nn.Module):
    """用滑动平均把特征中心化，类似 BatchNorm 的统计量。(N, F) -> (N, F)

    任务 6：在 ``__init__`` 里把形状为 (features,) 的全零张量 ``mean`` 注册为
    缓冲区：它会保存在 ``state_dict()`` 里、随 ``.to()`` 移动，但不是参数。在
    ``forward`` 里，模块处于训练模式时先更新它（不跟踪梯度）::

        mean = (1 - momentum) * mean + momentum * x.mean(dim=0)

    然后在两种模式下都返回 ``x - mean``。评估模式下只使用 mean，从不更新。
    训练模式前向之后，``mean`` 不能需要梯度。
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
    """Linear -> ReLU -> dropout -> Linear。(N, in_features) -> (N, out_features)

    任务 7：编写 ``forward``。dropout 在 ``model.train()`` 模式下生效，在
    ``model.eval()`` 模式下关闭，所以同一输入的两次评估前向结果相同。
    ``forward`` 自己不能切换模式。
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
    """任务 8a：用 ``torch.save`` 把 ``model.state_dict()``（不是模型对象：它必须能用
    ``torch.load(..., weights_only=True)`` 读出）存进内存文件（``io.BytesIO``），
    返回其中的字节。
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (Saving and loading a state_dict): not written yet")


def load_state_dict_bytes(model: nn.Module, data: bytes) -> nn.Module:
    """任务 8b：``state_dict_bytes`` 的逆操作：用 ``torch.load`` 从 ``data`` 读出保存的
    state dict，加载进 ``model``（结构相同，权重不同）。返回 ``model``。
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (Saving and loading a state_dict): not written yet")


def run_on(model: nn.Module, x: torch.Tensor, device: str, dtype: torch.dtype) -> torch.Tensor:
    """任务 9：把 ``model``（参数和缓冲区）和 ``x`` 移到 ``device`` 和 ``dtype``，
    然后返回 ``model(x)``。注意：模块的 ``.to()`` 修改模块本身，张量的 ``.to()``
    返回一个新张量。
    """
    # TODO(task 9): write this part
    raise NotImplementedError("Task 9 (Moving a model with .to()): not written yet")
