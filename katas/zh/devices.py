"""张量存放在某一个设备上，一次运算的所有输入必须在同一个设备上。能在任何机器上运行的
代码只选一次设备，把模型和每个批次移到那里，并在输入所在的设备上创建每个新张量。
本练习包括：

1. ``pick_device``：GPU 可用时返回 "cuda"，否则返回 "cpu"（绝不直接写 ``.cuda()``）。
2. ``to_device``：移动一个张量、一个模型，或装着张量的 dict/list/tuple。
3. ``add_ones_column``：在输入的设备上、用输入的数据类型创建新张量。
4. ``new_weight``：直接在某个设备上创建可训练的叶子节点张量。
5. ``predict``：在某个设备上以评估模式运行模型。
6. ``time_it``：正确地给 GPU 计算计时（GPU 调用在计算完成前就返回）。

不需要 GPU：在只有 CPU 的机器上，检查使用 ``meta`` 设备（只有形状、没有数据的张量）
来发现设备错误，CUDA 的用例会显示为已跳过。

运行：  pytest --kata=devices
"""

from __future__ import annotations

import time
from typing import Any, Callable

import torch
import torch.nn as nn


def pick_device() -> str:
    """``torch.cuda.is_available()`` 为真时返回 "cuda"，否则返回 "cpu"（``str`` 或
    ``torch.device`` 均可）。不要写死 "cuda"：同一个文件在没有 GPU 的机器上也要能运行。
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Pick the device): not written yet")


def to_device(obj: Any, device: str | torch.device) -> Any:
    """把 ``obj`` 移到 ``device`` 上，并返回移动后的结果：

    - 张量或 ``nn.Module``：``.to(device)``；
    - dict、list 或 tuple：同一种容器，其中每个值都被移动（容器可以嵌套：
      ``{"x": x, "extra": [m, (a, b)]}``）；
    - 其他东西（数字、字符串、None）：原样返回。

    ``tensor.to(device)`` 返回一个新张量，不会改变 ``tensor`` 本身。请构建新的容器：
    调用者的 dict 或 list 保持不变。保持每个张量的数据类型（只改变设备）。用传入的
    ``device`` 调用 ``.to(device)``，不要用 ``.cuda()``。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Move tensors, models and containers): not written yet")


def add_ones_column(x: torch.Tensor) -> torch.Tensor:
    """``(N, D) -> (N, D + 1)``：在 ``x`` 的最后追加一列 1（偏置技巧）。在 ``x`` 的设备上、
    用 ``x`` 的数据类型创建这列 1：结果保持二者不变。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (New tensors on the input's device): not written yet")


def new_weight(shape: tuple[int, ...], device: str | torch.device = "cpu",
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """一个形状为 ``shape``、服从标准正态分布的可训练张量，直接在 ``device`` 上、以
    ``dtype`` 创建：它是 ``requires_grad=True`` 的叶子节点，这样 ``backward()`` 才会
    填充它的 ``.grad``。

    ``torch.randn(shape, requires_grad=True).to(device)`` 不是叶子节点：``.to()`` 得到的
    副本是一次运算的结果。请直接在它该在的地方创建。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A trainable leaf made on its device): not written yet")


def predict(model: nn.Module, x: torch.Tensor, device: str | torch.device) -> torch.Tensor:
    """把 ``model`` 和 ``x`` 移到 ``device`` 上，并在那里返回 ``model(x)``：使用评估模式
    （``model.eval()``），且不构建计算图（``torch.no_grad()``）。结果留在 ``device`` 上。

    ``model.to(device)`` 原地移动模型，而 ``x.to(device)`` 返回新张量：要使用它的返回值。
    调用模型本身（``model(x)``），不要调用 ``model.forward(x)``，后者会跳过钩子。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Run a model on a device): not written yet")


def time_it(fn: Callable[[], Any], device: str | torch.device, repeats: int = 10) -> float:
    """``repeats`` 次调用中，每次 ``fn()`` 调用的平均耗时（秒，墙钟时间）。

    在 GPU 上，运算只是把计算放进队列就立刻返回：开始计时之前和停止计时之前都要调用
    ``torch.cuda.synchronize()``，这样测到的时间才覆盖已完成的计算。在 CPU 上没有什么
    要等的（没有 GPU 时 ``torch.cuda.synchronize()`` 还会报错），所以只在 ``device``
    是 CUDA 设备时才同步。用 ``time.perf_counter()`` 计时，并返回 Python ``float``。
    （检查会用替身时钟和替身 GPU 代替真实的，每次调用 ``fn`` 的耗时是已知的，
    所以评分与机器忙不忙无关。）
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Time GPU work): not written yet")
