"""训练出问题时，症状往往不在 bug 所在的地方：损失变成 NaN、某一层从不学习、autograd 深处
报错。本练习先写出三个能指向原因的工具，再用它们来找 bug：

1. ``first_bad_module``：用前向钩子找出第一个输出含 NaN/Inf 的层。
2. ``grad_report``：一次反向传播后每个参数的梯度范数；``None`` 表示没有梯度到达它
   （有 ``.detach()`` 或某个分支被切断了）。
3. ``find_nan_backward``：用异常检测找出产生 NaN 的反向传播步骤。
4–7. 找 bug：四个短函数，每个都有一个经典错误。有 bug 的版本写在各自的 docstring 里；
   请写出修正后的版本。

运行：  pytest --kata=debugging
卡住了？在代码里放一个 ``breakpoint`` 调用，然后运行 ``pytest --kata=debugging -s``：
程序会停在那里等你。不加 ``-s`` 时它会被跳过，总结里会提醒你把它删掉。
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F


def first_bad_module(model: nn.Module, x: torch.Tensor) -> str | None:
    """运行一次 ``model(x)``，按模块运行的顺序，返回第一个输出张量含有 NaN 或 Inf 的模块名
    （都没有则返回 ``None``）。

    名字取自 ``model.named_modules()``，例如 ``"block.act"``；跳过模型本身（名字为
    ``""`` 的那一项）。子模块先于父模块完成，所以最内层的罪魁祸首会最先出现。给每个
    子模块注册前向钩子（``module.register_forward_hook``），并在返回前把它们全部移除，
    即使前向计算失败也要移除（用 ``finally:``）。NaN 和 Inf 都算异常（``torch.isfinite``）。
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Find the first module that makes NaN/Inf): not written yet")


def grad_report(model: nn.Module, loss_fn: Callable, x: torch.Tensor,
                y: torch.Tensor) -> dict[str, float | None]:
    """对 ``loss_fn(model(x), y)`` 做一次前向和反向传播；对 ``model.named_parameters()`` 中
    的每个参数返回 ``{参数名: 梯度范数}``，完全没有得到梯度的参数填 ``None``（不是 0.0）。

    先清除旧梯度（``model.zero_grad()``），这样报告只反映这一次的损失。``None`` 是分支被
    detach 的明显标志。范数是 Python float（``.item()``）。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Gradient report per parameter): not written yet")


def find_nan_backward(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> str | None:
    """在 ``torch.autograd.detect_anomaly()`` 下运行 ``fn(x).sum().backward()``，返回产生
    NaN 的反向节点名，例如 ``"SqrtBackward0"``（反向传播正常时返回 ``None``）。

    ``x`` 是 ``requires_grad=True`` 的叶子节点。异常检测模式会抛出 RuntimeError，其信息为
    ``Function 'SqrtBackward0' returned nan values in its 0th output.``：从中取出名字，
    并且只返回名字。之后异常检测必须重新关闭（用 ``with`` 语句）。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Find the NaN in backward with anomaly detection): not written yet")


# -- 找 bug ---------------------------------------------------------------


def mean_loss(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """``model`` 在 ``batches`` 上的平均 MSE 损失，以 Python float 返回。

    这段代码有 bug（见上面的代码）。``total`` 变成了一个张量，让每个批次的计算图都一直
    存活：内存随批次增长，调用者拿到的是张量而不是数字。（只在最后调用 ``.item()``，或把
    损失张量存进列表，同样会让计算图一直存活。）
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Bug hunt: a mean loss that keeps the graph): not written yet")


def train_steps(model: nn.Module, optimizer: torch.optim.Optimizer,
                batches: list[tuple[torch.Tensor, torch.Tensor]]) -> list[float]:
    """每个批次用 MSE 损失做一次优化器更新；返回各步的损失（float 列表）。

    这段代码有 bug（见上面的代码）。梯度在各步之间会累加，除非清除它们，所以每一步
    都沿着目前为止所有梯度的总和走。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Bug hunt: training steps that pile up gradients): not written yet")


def class_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """logits ``(N, C)`` -> 概率 ``(N, C)``，每一行加起来等于 1。

    这段代码有 bug（见上面的代码）。``dim=0`` 在批次上对每一列归一化，于是每个样本的
    概率都依赖于其他样本。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Bug hunt: softmax over the wrong dimension): not written yet")


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """``logits`` ``(N, C)`` 中最大元素位于 ``labels`` ``(N,)`` 处的行所占的比例，以 Python
    float 返回。

    这段代码有 bug（见上面的代码）。``torch.max(x, dim)`` 返回的是一对 ``(values, indices)``，
    而不是张量。
    """
    # TODO(task 7): write this part
    raise NotImplementedError("Task 7 (Bug hunt: torch.max used as a tensor): not written yet")
