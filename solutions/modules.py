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

[zh]

模块（nn.Module）：用 ``nn.Module`` 搭建网络。

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
    """Multiplies each feature by a learnable weight.  (N, F) -> (N, F)

    Task 1: in ``__init__``, create ``self.weight`` of shape (features,), all
    ones, as a parameter the optimizer will see (it must show up in
    ``self.parameters()`` and ``self.state_dict()``).  ``forward`` is given.

    [zh]

    每个特征乘以一个可学习的权重。(N, F) -> (N, F)

    任务 1：在 ``__init__`` 里创建形状为 (features,)、全为 1 的 ``self.weight``，
    作为优化器能看到的参数（它必须出现在 ``self.parameters()`` 和
    ``self.state_dict()`` 里）。``forward`` 已经写好。
    """

    def __init__(self, features: int) -> None:
        super().__init__()
        # BEGIN SOLUTION parameter
        self.weight = nn.Parameter(torch.ones(features))  # (F,)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight  # (N, F) * (F,) -> (N, F)


class MLP(nn.Module):
    """A multi-layer perceptron.  (N, sizes[0]) -> (N, sizes[-1])

    Task 2: ``sizes = [4, 16, 8, 3]`` means ``nn.Linear(4, 16)``,
    ``nn.Linear(16, 8)``, ``nn.Linear(8, 3)``, with a ReLU after every layer
    except the last one (the output stays raw logits, which may be negative).
    Any number of layers must work, so build them in a loop and keep them
    where the module can find their parameters.

    [zh]

    多层感知机。(N, sizes[0]) -> (N, sizes[-1])

    任务 2：``sizes = [4, 16, 8, 3]`` 表示 ``nn.Linear(4, 16)``、
    ``nn.Linear(16, 8)``、``nn.Linear(8, 3)``，除最后一层外每层后面接 ReLU
    （输出保持为原始 logits，可以是负数）。层数任意都要能工作，所以用循环建层，
    并把它们放在模块能找到其参数的地方。
    """

    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        # BEGIN SOLUTION mlp
        self.layers = nn.ModuleList(
            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])
        )
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION mlp
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))  # (N, hidden)
        return self.layers[-1](x)  # (N, sizes[-1])
        # END SOLUTION


def count_trainable(model: nn.Module) -> int:
    """Task 3: how many numbers would an optimizer train?

    Count the elements of every parameter that requires grad (frozen
    parameters and buffers do not count).  ``nn.Linear(4, 3)`` has 4*3 + 3 = 15.
    Return a Python int.

    [zh]

    任务 3：优化器会训练多少个数？

    统计所有 requires_grad 为 True 的参数的元素个数（冻结的参数和缓冲区不算）。
    ``nn.Linear(4, 3)`` 有 4*3 + 3 = 15 个。返回 Python int。
    """
    # BEGIN SOLUTION count
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
    # END SOLUTION


def freeze_all_but_last(model: nn.Sequential) -> None:
    """Task 4: freeze every parameter of ``model`` except those of its last
    layer ``model[-1]`` (fine-tuning only the head).  Change the model in
    place; return nothing.

    [zh]

    任务 4：冻结 ``model`` 中除最后一层 ``model[-1]`` 以外的所有参数（只微调
    输出头）。原地修改模型，不返回任何东西。
    """
    # BEGIN SOLUTION freeze
    for p in model.parameters():
        p.requires_grad_(False)
    for p in model[-1].parameters():
        p.requires_grad_(True)
    # END SOLUTION


class Residual(nn.Module):
    """A skip connection around any module: ``x + module(x)``.  (N, F) -> (N, F)

    Task 5: keep ``module`` as a sub-module (its parameters must be part of
    this module's), and in ``forward`` call it the normal way, as
    ``self.module(x)``.  Do not change ``x`` in place, and keep the graph
    whole: the gradient must reach both the module's parameters and ``x``
    (no ``.detach()``).

    [zh]

    绕过任意模块的跳跃连接：``x + module(x)``。(N, F) -> (N, F)

    任务 5：把 ``module`` 保存为子模块（它的参数必须属于这个模块），在
    ``forward`` 里按正常方式 ``self.module(x)`` 调用它。不要原地修改 ``x``，
    并保持计算图完整：梯度必须同时到达模块的参数和 ``x``（不要 ``.detach()``）。
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        # BEGIN SOLUTION residual
        self.module = module
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION residual
        return x + self.module(x)
        # END SOLUTION


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

    [zh]

    用滑动平均把特征中心化，类似 BatchNorm 的统计量。(N, F) -> (N, F)

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
        # BEGIN SOLUTION buffer
        self.register_buffer("mean", torch.zeros(features))  # (F,)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION buffer
        if self.training:
            with torch.no_grad():
                self.mean.mul_(1 - self.momentum).add_(self.momentum * x.mean(dim=0))
        return x - self.mean  # (N, F) - (F,) -> (N, F)
        # END SOLUTION


class DropoutMLP(nn.Module):
    """Linear -> ReLU -> dropout -> Linear.  (N, in_features) -> (N, out_features)

    Task 7: write ``forward``.  Dropout must be active in ``model.train()``
    mode and switched off in ``model.eval()`` mode, so two eval forwards of
    the same input give the same output.  ``forward`` must not switch the
    mode itself.

    [zh]

    Linear -> ReLU -> dropout -> Linear。(N, in_features) -> (N, out_features)

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
        # BEGIN SOLUTION train_eval
        h = F.relu(self.fc1(x))  # (N, hidden)
        h = F.dropout(h, self.p, training=self.training)
        return self.fc2(h)  # (N, out_features)
        # END SOLUTION


def state_dict_bytes(model: nn.Module) -> bytes:
    """Task 8a: save ``model.state_dict()`` (not the model object: it must
    load with ``torch.load(..., weights_only=True)``) with ``torch.save`` into
    an in-memory file (``io.BytesIO``) and return its bytes.

    [zh]

    任务 8a：用 ``torch.save`` 把 ``model.state_dict()``（不是模型对象：它必须能用
    ``torch.load(..., weights_only=True)`` 读出）存进内存文件（``io.BytesIO``），
    返回其中的字节。
    """
    # BEGIN SOLUTION checkpoint
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()
    # END SOLUTION


def load_state_dict_bytes(model: nn.Module, data: bytes) -> nn.Module:
    """Task 8b: the reverse of ``state_dict_bytes``: read the saved state
    dict from ``data`` with ``torch.load`` and load it into ``model``
    (same architecture, different weights).  Return ``model``.

    [zh]

    任务 8b：``state_dict_bytes`` 的逆操作：用 ``torch.load`` 从 ``data`` 读出保存的
    state dict，加载进 ``model``（结构相同，权重不同）。返回 ``model``。
    """
    # BEGIN SOLUTION checkpoint
    state = torch.load(io.BytesIO(data), weights_only=True)
    model.load_state_dict(state)
    return model
    # END SOLUTION


def run_on(model: nn.Module, x: torch.Tensor, device: str, dtype: torch.dtype) -> torch.Tensor:
    """Task 9: move ``model`` (parameters and buffers) and ``x`` to
    ``device`` and ``dtype``, then return ``model(x)``.  Careful: a module's
    ``.to()`` changes the module itself, a tensor's ``.to()`` returns a new
    tensor.

    [zh]

    任务 9：把 ``model``（参数和缓冲区）和 ``x`` 移到 ``device`` 和 ``dtype``，
    然后返回 ``model(x)``。注意：模块的 ``.to()`` 修改模块本身，张量的 ``.to()``
    返回一个新张量。
    """
    # BEGIN SOLUTION to_device
    model.to(device=device, dtype=dtype)
    x = x.to(device=device, dtype=dtype)
    return model(x)
    # END SOLUTION
