"""线性回归 —— 用三种方法拟合 y = w·x + b。

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
    """任务 1。一个可复现的数据集：y = 2x + 1 加上一点噪声。

    使用你自己的生成器 `g = torch.Generator().manual_seed(seed)`，并给每个随机调用传入
    `generator=g`，这样相同的种子总是得到相同的数据。不要改动 torch 的全局随机状态
    （这里不要用 `torch.manual_seed`）。
      x：(n, 1) float32，在 [-2, 2] 上均匀分布
      y：(n, 1) float32，2 * x + 1 + 0.1 * （标准正态噪声）
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Data with a known answer): not written yet")


def mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """任务 2。自己写均方误差：(pred - target)² 的平均值。

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
    """任务 3。用原始张量做一步梯度下降。

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
    """任务 4a。把同一个模型做成一层：一个输入特征，一个输出。

    任何把 x (N, 1) 映射为 w·x + b (N, 1)、且只有两个可训练数的模块都可以；
    通常用 `nn.Linear`。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A linear layer and an SGD optimizer): not written yet")


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """任务 4b。对模型的全部参数做普通的随机梯度下降（没有动量），学习率为 `lr`。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (A linear layer and an SGD optimizer): not written yet")


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer,
               x: torch.Tensor, y: torch.Tensor) -> float:
    """任务 5。训练一步：梯度清零、前向、`nn.MSELoss`、反向传播、优化器更新。x, y：(N, 1)。
    以 `model(x)` 的方式调用模型（`model.forward(x)` 会跳过它的钩子），并对传入的优化器调用 step。
    以 Python 浮点数返回损失。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (One training step with nn.MSELoss): not written yet")


def closed_form(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """任务 6。不训练，直接求最小二乘的 w 和 b。

    在 x 旁边拼一列 1，得到设计矩阵 A：(N, 2)，然后用 `torch.linalg.lstsq` 解 A @ [w, b] ≈ y
    （或用正规方程 (AᵀA) θ = Aᵀy）。按 (w, b) 的顺序以 Python 浮点数返回。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Least squares in closed form): not written yet")
