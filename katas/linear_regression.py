"""Kata: linear_regression (线性回归) — fit y = w·x + b three ways.

You will:
  1. make a small data set with a known answer (w = 2, b = 1);
  2. write the mean squared error yourself, and make it refuse shapes that do not match;
  3. train w and b with raw tensors and autograd (one gradient-descent step at a time);
  4. build the same model with `nn.Linear` and `torch.optim.SGD`;
  5. train it with `nn.MSELoss` (the loop every PyTorch program has);
  6. skip training altogether: solve for w and b in closed form.

The grader runs the training loops for you by calling your step functions
(about 200 steps, well under a second) and expects |w - 2| < 0.05 and
|b - 1| < 0.05 on data like task 1's.

Shapes: x and y are (N, 1), one feature per row, like a batch going into `nn.Linear(1, 1)`.
A loss or a step returns a Python float (`loss.item()`), never the loss tensor.

Run:  pytest --kata=linear_regression

[zh]
线性回归 —— 用三种方法拟合 y = w·x + b。

你将：
  1. 生成一个答案已知的小数据集（w = 2, b = 1）；
  2. 自己写均方误差，并让它拒绝形状不匹配的输入；
  3. 用原始张量和 autograd 训练 w 和 b（每次一步梯度下降）；
  4. 用 `nn.Linear` 和 `torch.optim.SGD` 搭同一个模型；
  5. 用 `nn.MSELoss` 训练它（每个 PyTorch 程序都有的那个循环）；
  6. 完全不训练：用闭式解求出 w 和 b。

评分器会调用你的单步函数替你跑训练循环（大约 200 步，远不到一秒），
要求在类似任务 1 的数据上 |w - 2| < 0.05 且 |b - 1| < 0.05。

形状：x 和 y 都是 (N, 1)，每行一个特征，就像送进 `nn.Linear(1, 1)` 的一个批次。
损失或单步函数返回 Python 浮点数（`loss.item()`），不要返回损失张量。

运行：  pytest --kata=linear_regression
"""

from __future__ import annotations

import torch
from torch import nn


def make_data(n: int = 100, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 1. A reproducible data set for y = 2x + 1 plus a little noise.

    Use your own generator, `g = torch.Generator().manual_seed(seed)`, and pass
    `generator=g` to every random call, so the same seed always gives the same data.
    Leave torch's global random state alone (no `torch.manual_seed` here).
      x: (n, 1) float32, uniform in [-2, 2]
      y: (n, 1) float32, 2 * x + 1 + 0.1 * (standard normal noise)

    [zh]
    任务 1。一个可复现的数据集：y = 2x + 1 加上一点噪声。

    使用你自己的生成器 `g = torch.Generator().manual_seed(seed)`，并给每个随机调用传入
    `generator=g`，这样相同的种子总是得到相同的数据。不要改动 torch 的全局随机状态
    （这里不要用 `torch.manual_seed`）。
      x：(n, 1) float32，在 [-2, 2] 上均匀分布
      y：(n, 1) float32，2 * x + 1 + 0.1 * （标准正态噪声）
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Data with a known answer): not written yet")


def mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Task 2. Mean squared error, written yourself: mean of (pred - target)².

    pred and target must have the same shape, e.g. both (N, 1). If they do not,
    raise ValueError. (Broadcasting would quietly turn (N, 1) - (N,) into an
    (N, N) table of every prediction minus every target: a wrong number, no error.)
    Returns a 0-dim tensor that autograd can differentiate (no `.item()` here).
    `F.mse_loss` (`torch.nn.functional.mse_loss`) and `nn.MSELoss`, which calls it,
    are off limits: the formula is the task.

    [zh]
    任务 2。自己写均方误差：(pred - target)² 的平均值。

    pred 和 target 的形状必须相同，例如都是 (N, 1)。如果不同，抛出 ValueError。
    （广播会悄悄把 (N, 1) - (N,) 变成一个 (N, N) 的表格，里面是每个预测减去每个目标：
    得到错误的数，却没有任何报错。）
    返回 autograd 可以求导的 0 维张量（这里不要 `.item()`）。
    不能使用 `F.mse_loss`（`torch.nn.functional.mse_loss`）以及调用它的 `nn.MSELoss`：
    这个公式本身就是任务。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Mean squared error that refuses mismatched shapes): not written yet")


def gd_step(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    """Task 3. One step of gradient descent with raw tensors.

    w, b: (1,) float tensors created with requires_grad=True (leaves).
    x, y: (N, 1).
    Compute the prediction w * x + b, the loss with your `mse`, call backward,
    then update w and b IN PLACE inside `torch.no_grad()` (`w -= lr * w.grad`)
    and zero their gradients for the next step. w and b must stay the same
    leaf tensors: `w = w - lr * w.grad` would make a new tensor that the caller
    never sees. Return the loss before the update as a Python float.

    [zh]
    任务 3。用原始张量做一步梯度下降。

    w, b：用 requires_grad=True 创建的 (1,) 浮点张量（叶子节点）。
    x, y：(N, 1)。
    计算预测 w * x + b，用你的 `mse` 算损失，调用 backward，然后在 `torch.no_grad()`
    中原地更新 w 和 b（`w -= lr * w.grad`），并为下一步把它们的梯度清零。w 和 b 必须
    一直是原来的叶子张量：`w = w - lr * w.grad` 会创建一个调用者永远看不到的新张量。
    以 Python 浮点数返回更新之前的损失。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Gradient descent with raw tensors): not written yet")


def make_model() -> nn.Module:
    """Task 4a. The same model as a layer: one input feature, one output.

    Any module that maps x (N, 1) to w·x + b (N, 1) with two trainable numbers will do;
    `nn.Linear` is the usual one.

    [zh]
    任务 4a。把同一个模型做成一层：一个输入特征，一个输出。

    任何把 x (N, 1) 映射为 w·x + b (N, 1)、且只有两个可训练数的模块都可以；
    通常用 `nn.Linear`。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A linear layer and an SGD optimizer): not written yet")


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """Task 4b. Plain stochastic gradient descent (no momentum) over all the model's
    parameters, with the learning rate `lr`.

    [zh]
    任务 4b。对模型的全部参数做普通的随机梯度下降（没有动量），学习率为 `lr`。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A linear layer and an SGD optimizer): not written yet")


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer,
               x: torch.Tensor, y: torch.Tensor) -> float:
    """Task 5. One training step: zero the gradients, forward, `nn.MSELoss`,
    backward, optimizer step. x, y: (N, 1). Call the model as `model(x)`
    (`model.forward(x)` would skip its hooks), and step the optimizer you are given.
    Return the loss as a Python float.

    [zh]
    任务 5。训练一步：梯度清零、前向、`nn.MSELoss`、反向传播、优化器更新。x, y：(N, 1)。
    以 `model(x)` 的方式调用模型（`model.forward(x)` 会跳过它的钩子），并对传入的优化器调用 step。
    以 Python 浮点数返回损失。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (One training step with nn.MSELoss): not written yet")


def closed_form(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Task 6. The least-squares w and b without any training.

    Put a column of ones beside x to make the design matrix A: (N, 2), then
    solve A @ [w, b] ≈ y with `torch.linalg.lstsq` (or the normal equations
    (AᵀA) θ = Aᵀy). Return (w, b), in that order, as Python floats.

    [zh]
    任务 6。不训练，直接求最小二乘的 w 和 b。

    在 x 旁边拼一列 1，得到设计矩阵 A：(N, 2)，然后用 `torch.linalg.lstsq` 解 A @ [w, b] ≈ y
    （或用正规方程 (AᵀA) θ = Aᵀy）。按 (w, b) 的顺序以 Python 浮点数返回。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Least squares in closed form): not written yet")
