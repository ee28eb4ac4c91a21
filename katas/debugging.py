"""Kata: debugging (调试) — how to find what went wrong in a PyTorch model.

When training goes bad the symptom is rarely where the bug is: a NaN loss, a
layer that never learns, an error deep inside autograd.  This kata builds the
three tools that point at the cause, then uses them on a bug hunt:

1. ``first_bad_module``: forward hooks name the first layer whose output holds NaN/Inf.
2. ``grad_report``: the gradient norm of every parameter after one backward;
   ``None`` means no gradient reached it (a ``.detach()`` or a branch cut off).
3. ``find_nan_backward``: anomaly detection names the backward step that made a NaN.
4–7. Bug hunt: four short functions, each with one classic mistake.  The buggy
   version is shown in each docstring; write the fixed one.

Run it with:  pytest --kata=debugging
Stuck?  Put a ``breakpoint`` call in your code and run
``pytest --kata=debugging -s``: it stops there and waits for you.  Without ``-s``
it is skipped, and the summary reminds you to remove it.

[zh]

训练出问题时，症状往往不在 bug 所在的地方：损失变成 NaN、某一层从不学习、autograd 深处
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
    """Run ``model(x)`` once and return the name of the first module, in the
    order they run, whose output tensor contains NaN or Inf (``None`` if none).

    Names are those of ``model.named_modules()``, e.g. ``"block.act"``; skip
    the model itself (the entry named ``""``).  A child finishes before its
    parent, so the innermost culprit comes first.  Register a forward hook on
    every submodule (``module.register_forward_hook``), and remove them all
    again before returning, even if the forward fails (a ``finally:`` block).
    NaN and Inf both count as bad (``torch.isfinite``).

    [zh]

    运行一次 ``model(x)``，按模块运行的顺序，返回第一个输出张量含有 NaN 或 Inf 的模块名
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
    """One forward and backward of ``loss_fn(model(x), y)``; return
    ``{parameter name: gradient norm}`` for every ``model.named_parameters()``,
    with ``None`` (not 0.0) where the parameter got no gradient at all.

    Clear old gradients first (``model.zero_grad()``), so the report shows this
    loss only.  A ``None`` is the tell-tale of a detached branch.  The norms are
    Python floats (``.item()``).

    [zh]

    对 ``loss_fn(model(x), y)`` 做一次前向和反向传播；对 ``model.named_parameters()`` 中
    的每个参数返回 ``{参数名: 梯度范数}``，完全没有得到梯度的参数填 ``None``（不是 0.0）。

    先清除旧梯度（``model.zero_grad()``），这样报告只反映这一次的损失。``None`` 是分支被
    detach 的明显标志。范数是 Python float（``.item()``）。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Gradient report per parameter): not written yet")


def find_nan_backward(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> str | None:
    """Run ``fn(x).sum().backward()`` under ``torch.autograd.detect_anomaly()``
    and return the name of the backward node that produced a NaN, such as
    ``"SqrtBackward0"`` (``None`` if the backward is clean).

    ``x`` is a leaf with ``requires_grad=True``.  Anomaly mode raises a
    RuntimeError whose message reads ``Function 'SqrtBackward0' returned nan
    values in its 0th output.``: take the name from it, and return only the name.
    Anomaly mode must be off again afterwards (use it as a ``with`` block).

    [zh]

    在 ``torch.autograd.detect_anomaly()`` 下运行 ``fn(x).sum().backward()``，返回产生
    NaN 的反向节点名，例如 ``"SqrtBackward0"``（反向传播正常时返回 ``None``）。

    ``x`` 是 ``requires_grad=True`` 的叶子节点。异常检测模式会抛出 RuntimeError，其信息为
    ``Function 'SqrtBackward0' returned nan values in its 0th output.``：从中取出名字，
    并且只返回名字。之后异常检测必须重新关闭（用 ``with`` 语句）。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Find the NaN in backward with anomaly detection): not written yet")


# -- Bug hunt ------------------------------------------------------------------
# zh: -- 找 bug ---------------------------------------------------------------


def mean_loss(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """The mean MSE loss of ``model`` over ``batches``, as a Python float.

    This code has a bug::

        total = 0
        for x, y in batches:
            loss = F.mse_loss(model(x), y)
            total += loss
        return total / len(batches)

    ``total`` becomes a tensor that keeps every batch's graph alive: memory
    grows with each batch, and the caller gets a tensor, not a number.  (Calling
    ``.item()`` only at the end, or keeping the loss tensors in a list, keeps the
    graphs alive just the same.)

    [zh]

    ``model`` 在 ``batches`` 上的平均 MSE 损失，以 Python float 返回。

    这段代码有 bug（见上面的代码）。``total`` 变成了一个张量，让每个批次的计算图都一直
    存活：内存随批次增长，调用者拿到的是张量而不是数字。（只在最后调用 ``.item()``，或把
    损失张量存进列表，同样会让计算图一直存活。）
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Bug hunt: a mean loss that keeps the graph): not written yet")


def train_steps(model: nn.Module, optimizer: torch.optim.Optimizer,
                batches: list[tuple[torch.Tensor, torch.Tensor]]) -> list[float]:
    """One optimizer step per batch with MSE loss; return the losses (floats).

    This code has a bug::

        losses = []
        for x, y in batches:
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    Gradients add up across steps unless they are cleared, so each step
    follows the sum of all gradients so far.

    [zh]

    每个批次用 MSE 损失做一次优化器更新；返回各步的损失（float 列表）。

    这段代码有 bug（见上面的代码）。梯度在各步之间会累加，除非清除它们，所以每一步
    都沿着目前为止所有梯度的总和走。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Bug hunt: training steps that pile up gradients): not written yet")


def class_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Logits ``(N, C)`` -> probabilities ``(N, C)``, each row summing to 1.

    This code has a bug::

        return F.softmax(logits, dim=0)

    ``dim=0`` normalises each column over the batch, so every sample's
    probabilities depend on the other samples.

    [zh]

    logits ``(N, C)`` -> 概率 ``(N, C)``，每一行加起来等于 1。

    这段代码有 bug（见上面的代码）。``dim=0`` 在批次上对每一列归一化，于是每个样本的
    概率都依赖于其他样本。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Bug hunt: softmax over the wrong dimension): not written yet")


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, C)`` whose largest entry is at
    ``labels`` ``(N,)``, as a Python float.

    This code has a bug::

        predicted = torch.max(logits, 1)
        return (predicted == labels).float().mean().item()

    ``torch.max(x, dim)`` returns a pair ``(values, indices)``, not a tensor.

    [zh]

    ``logits`` ``(N, C)`` 中最大元素位于 ``labels`` ``(N,)`` 处的行所占的比例，以 Python
    float 返回。

    这段代码有 bug（见上面的代码）。``torch.max(x, dim)`` 返回的是一对 ``(values, indices)``，
    而不是张量。
    """
    # TODO(task 7): write this part
    raise NotImplementedError("Task 7 (Bug hunt: torch.max used as a tensor): not written yet")
