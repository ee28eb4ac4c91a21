"""Kata: devices (GPU 加速) — running the same code on the CPU and on a GPU.

A tensor lives on one device, and an operation needs all its inputs on the same
one.  Code that runs everywhere picks the device once, moves the model and each
batch there, and makes every new tensor on the device of its inputs.  This kata
covers:

1. ``pick_device``: "cuda" when a GPU is usable, else "cpu" (never a bare ``.cuda()``).
2. ``to_device``: move a tensor, a model, or a dict/list/tuple of tensors.
3. ``add_ones_column``: make a new tensor on the input's device and dtype.
4. ``new_weight``: a trainable leaf tensor created directly on a device.
5. ``predict``: run a model on a device in evaluation mode.
6. ``time_it``: time GPU work correctly (GPU calls return before the work is done).

No GPU needed: on a CPU-only machine the checks use the ``meta`` device (tensors
with a shape but no data) to catch device mistakes, and the CUDA cases are
reported as skipped.

Run it with:  pytest --kata=devices

[zh]

张量存放在某一个设备上，一次运算的所有输入必须在同一个设备上。能在任何机器上运行的
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
    """Return "cuda" if ``torch.cuda.is_available()``, else "cpu" (a ``str`` or a
    ``torch.device``).  Never hard-code "cuda": the same file must run without a GPU.

    [zh]

    ``torch.cuda.is_available()`` 为真时返回 "cuda"，否则返回 "cpu"（``str`` 或
    ``torch.device`` 均可）。不要写死 "cuda"：同一个文件在没有 GPU 的机器上也要能运行。
    """
    # BEGIN SOLUTION pick_device
    return "cuda" if torch.cuda.is_available() else "cpu"
    # END SOLUTION


def to_device(obj: Any, device: str | torch.device) -> Any:
    """Move ``obj`` to ``device`` and return the moved version.

    - a tensor or an ``nn.Module``: ``.to(device)``;
    - a dict, list or tuple: the same kind of container, with every value
      moved (containers may be nested: ``{"x": x, "extra": [m, (a, b)]}``);
    - anything else (a number, a string, None): returned unchanged.

    ``tensor.to(device)`` returns a new tensor, it does not change ``tensor``.
    Build new containers: the caller's dict or list stays as it was.  Keep every
    tensor's dtype (only the device changes).  Call ``.to(device)`` with the
    ``device`` given, not ``.cuda()``.

    [zh]

    把 ``obj`` 移到 ``device`` 上，并返回移动后的结果：

    - 张量或 ``nn.Module``：``.to(device)``；
    - dict、list 或 tuple：同一种容器，其中每个值都被移动（容器可以嵌套：
      ``{"x": x, "extra": [m, (a, b)]}``）；
    - 其他东西（数字、字符串、None）：原样返回。

    ``tensor.to(device)`` 返回一个新张量，不会改变 ``tensor`` 本身。请构建新的容器：
    调用者的 dict 或 list 保持不变。保持每个张量的数据类型（只改变设备）。用传入的
    ``device`` 调用 ``.to(device)``，不要用 ``.cuda()``。
    """
    # BEGIN SOLUTION to_device
    if isinstance(obj, (torch.Tensor, nn.Module)):
        return obj.to(device)
    if isinstance(obj, dict):
        return {key: to_device(value, device) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(value, device) for value in obj)
    return obj
    # END SOLUTION


def add_ones_column(x: torch.Tensor) -> torch.Tensor:
    """``(N, D) -> (N, D + 1)``: ``x`` with a column of ones appended as the last
    column (the bias trick).  Make the ones on ``x``'s device, with ``x``'s dtype:
    the result keeps both.

    [zh]

    ``(N, D) -> (N, D + 1)``：在 ``x`` 的最后追加一列 1（偏置技巧）。在 ``x`` 的设备上、
    用 ``x`` 的数据类型创建这列 1：结果保持二者不变。
    """
    # BEGIN SOLUTION add_ones
    ones = torch.ones(x.shape[0], 1, device=x.device, dtype=x.dtype)  # (N, 1)
    return torch.cat([x, ones], dim=1)  # (N, D + 1)
    # END SOLUTION


def new_weight(shape: tuple[int, ...], device: str | torch.device = "cpu",
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A trainable tensor of ``shape`` with standard-normal values, created on
    ``device`` with ``dtype``: a leaf with ``requires_grad=True``, so that
    ``.grad`` is filled in by ``backward()``.

    ``torch.randn(shape, requires_grad=True).to(device)`` is NOT a leaf: the
    ``.to()`` copy is the result of an operation.  Create it where it belongs.

    [zh]

    一个形状为 ``shape``、服从标准正态分布的可训练张量，直接在 ``device`` 上、以
    ``dtype`` 创建：它是 ``requires_grad=True`` 的叶子节点，这样 ``backward()`` 才会
    填充它的 ``.grad``。

    ``torch.randn(shape, requires_grad=True).to(device)`` 不是叶子节点：``.to()`` 得到的
    副本是一次运算的结果。请直接在它该在的地方创建。
    """
    # BEGIN SOLUTION new_weight
    return torch.randn(shape, device=device, dtype=dtype, requires_grad=True)
    # END SOLUTION


def predict(model: nn.Module, x: torch.Tensor, device: str | torch.device) -> torch.Tensor:
    """Move ``model`` and ``x`` to ``device`` and return ``model(x)`` there,
    in evaluation mode (``model.eval()``) and without building a graph
    (``torch.no_grad()``).  The result stays on ``device``.

    ``model.to(device)`` moves the model in place, but ``x.to(device)`` returns a
    new tensor: use what it returns.  Call the model (``model(x)``), not
    ``model.forward(x)``, which skips its hooks.

    [zh]

    把 ``model`` 和 ``x`` 移到 ``device`` 上，并在那里返回 ``model(x)``：使用评估模式
    （``model.eval()``），且不构建计算图（``torch.no_grad()``）。结果留在 ``device`` 上。

    ``model.to(device)`` 原地移动模型，而 ``x.to(device)`` 返回新张量：要使用它的返回值。
    调用模型本身（``model(x)``），不要调用 ``model.forward(x)``，后者会跳过钩子。
    """
    # BEGIN SOLUTION predict
    model = model.to(device)
    model.eval()
    with torch.no_grad():
        return model(x.to(device))
    # END SOLUTION


def time_it(fn: Callable[[], Any], device: str | torch.device, repeats: int = 10) -> float:
    """The mean wall-clock seconds of one ``fn()`` call over ``repeats`` calls.

    On a GPU, operations only queue work and return at once: call
    ``torch.cuda.synchronize()`` before starting the clock and again before
    stopping it, so the time covers the finished work.  On the CPU there is
    nothing to wait for (and ``torch.cuda.synchronize()`` would fail without a
    GPU), so only synchronise when ``device`` is a CUDA device.
    Use ``time.perf_counter()`` for the clock, and return a Python ``float``.
    (The checks replace the clock and the GPU by stand-ins on which each call of
    ``fn`` takes a known time, so the grade never depends on how busy the machine is.)

    [zh]

    ``repeats`` 次调用中，每次 ``fn()`` 调用的平均耗时（秒，墙钟时间）。

    在 GPU 上，运算只是把计算放进队列就立刻返回：开始计时之前和停止计时之前都要调用
    ``torch.cuda.synchronize()``，这样测到的时间才覆盖已完成的计算。在 CPU 上没有什么
    要等的（没有 GPU 时 ``torch.cuda.synchronize()`` 还会报错），所以只在 ``device``
    是 CUDA 设备时才同步。用 ``time.perf_counter()`` 计时，并返回 Python ``float``。
    （检查会用替身时钟和替身 GPU 代替真实的，每次调用 ``fn`` 的耗时是已知的，
    所以评分与机器忙不忙无关。）
    """
    # BEGIN SOLUTION time_it
    on_gpu = torch.device(device).type == "cuda"
    if on_gpu:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    if on_gpu:
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats
    # END SOLUTION
