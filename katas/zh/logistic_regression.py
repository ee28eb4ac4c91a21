"""逻辑回归 —— 从一个 logit 到多个类别。

逻辑回归预测 P(y = 1 | x) = σ(w·x + b)。在 PyTorch 中，模型返回 LOGIT z = w·x + b，
由损失函数以数值稳定的方式自己做 sigmoid（`nn.BCEWithLogitsLoss`）。你将：
  1. 写一个返回 logits 而不是概率的模型；
  2. 自己写基于 logits 的二元交叉熵，在 z = ±100 时也要稳定；
  3. 只用训练集的统计量标准化特征；
  4. 生成两团要分类的高斯数据；
  5. 写训练步；评分器会在这两团数据上训练你的单步函数，要求准确率 ≥ 0.97
     并且损失 ≤ 0.05（只看准确率会掩盖错误）；
  6. 推广到多类别：数值稳定的 log-softmax，以及使用整数类别标签的交叉熵。

目标：二元标签是给 BCE 用的浮点数 0./1.；类别标签是给交叉熵用的 int64 索引。
损失是对整个批次取平均；训练步返回 Python 浮点数（`loss.item()`）。
任何函数都不得原地修改传入的张量。

运行：  pytest --kata=logistic_regression
"""

from __future__ import annotations

import torch
from torch import nn


class LogisticRegression(nn.Module):
    """任务 1。一个从 `in_features` 到单个 logit 的线性层。

    forward：x (N, in_features) -> logits (N,)，N = 1 时也一样。返回原始分数 w·x + b：
    这里不要 sigmoid，损失函数会处理。任何单个仿射层都可以（`nn.Linear(in_features, 1)`，
    或你自己的 `nn.Parameter`）：in_features 个权重和一个偏置，没有别的。
    """

    def __init__(self, in_features: int) -> None:
        super().__init__()
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (A model that returns logits): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (A model that returns logits): not written yet")


def bce_with_logits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """任务 2。自己写基于 logits 的平均二元交叉熵。

    logits：(N,) 任意实数；targets：(N,) 取值在 [0, 1] 的浮点数。返回 0 维张量。
    教科书形式 -[y·log σ(z) + (1-y)·log(1-σ(z))] 在 z = ±100 时会坏掉：
    σ(z) 恰好舍入为 1（或 0），log 给出 -inf。请改写它，让 exp 只接触 ≤ 0 的数：
        loss = max(z, 0) - z·y + log(1 + exp(-|z|))
    （`torch.log1p` 和 `torch.clamp` 有用）。以下函数不能用，因为它们就是答案：
    `torch.nn.functional.binary_cross_entropy_with_logits`（以及调用它的 `nn.BCEWithLogitsLoss`）、
    `torch.binary_cross_entropy_with_logits` 和 `torch.nn.functional.binary_cross_entropy`。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Stable binary cross-entropy on logits): not written yet")


def standardize(x_train: torch.Tensor, x_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """任务 3。把每个特征缩放到均值 0、标准差 1 —— 只用训练集。

    x_train：(N, D)，x_test：(M, D)。在 x_train 上（沿 dim 0）计算每个特征的均值和标准差，
    然后对两个数据集都做同样的 (x - mean) / std。测试集代表你还没见过的数据：
    它自己的均值和标准差不能泄露到缩放里。返回 (train_scaled, test_scaled)；
    输入保持原样（不要 `x_train -= mean`）。两种标准差约定（无偏或有偏）都可以。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Standardise with training statistics only): not written yet")


def make_blobs(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """任务 4。两团高斯数据（标准差 1）：类别 1 以 (2, 2) 为中心，类别 0 以 (-2, -2) 为中心。

    每个随机调用都使用 `g = torch.Generator().manual_seed(seed)`。
      x：(n, 2) float32，前 n // 2 行来自类别 0，其余来自类别 1
      y：(n,) float32 标签 0. 和 1.（BCE 损失需要浮点目标）
    不要改动 torch 的全局随机状态（这里不要用 `torch.manual_seed`）。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Two Gaussian blobs with float labels): not written yet")


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer,
               x: torch.Tensor, y: torch.Tensor) -> float:
    """任务 5。用 `nn.BCEWithLogitsLoss` 训练一步。

    model(x) 给出 logits (N,)；y 是 (N,) 浮点数。梯度清零，在 LOGITS 上计算损失
    （不要自己加 sigmoid：损失里已经有了），反向传播，更新。以 `model(x)` 的方式调用模型，
    并对传入的优化器调用 step。以 Python 浮点数返回损失。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Training to an accuracy and a loss): not written yet")


def log_softmax(logits: torch.Tensor) -> torch.Tensor:
    """任务 6a。沿 dim 1 计算 log(softmax(z))，对很大的 logits 也要稳定。(N, C) -> (N, C)。

    log softmax(z)_i = z_i - log Σ_j exp(z_j)。先减去每一行的最大值 m：
    z_i - m - log Σ_j exp(z_j - m) 是同一个数，而 exp 永远不会溢出。
    不要修改 `logits`（不要 `logits -= m`）。以下函数不能用，因为它们替你做了平移：
    `torch.log_softmax`、`torch.Tensor.log_softmax`、`torch.nn.functional.log_softmax`、
    `torch.softmax`、`torch.Tensor.softmax`、`torch.nn.functional.softmax`、
    `torch.logsumexp`、`torch.Tensor.logsumexp`、`torch.nn.functional.cross_entropy`，以及 `torch.special` 中的
    同名函数（`torch.special.log_softmax`、`torch.special.softmax`、`torch.special.logsumexp`）。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Stable log-softmax and cross-entropy): not written yet")


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """任务 6b。平均交叉熵：logits (N, C)，targets (N,) 为 0..C-1 的 int64 类别索引。

    用你的 `log_softmax`，取出每一行在其目标类别处的值（`gather`、
    `log_probs[torch.arange(N), targets]` 或 `F.nll_loss`），取负再平均。返回 0 维张量。
    与 `log_softmax` 相同的函数不能用：`torch.log_softmax`、`torch.Tensor.log_softmax`、
    `torch.nn.functional.log_softmax`、`torch.softmax`、`torch.Tensor.softmax`、
    `torch.nn.functional.softmax`、`torch.logsumexp`、`torch.Tensor.logsumexp`、
    `torch.nn.functional.cross_entropy`，以及 `torch.special` 中的同名函数
    （`torch.special.log_softmax`、`torch.special.softmax`、`torch.special.logsumexp`）。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Stable log-softmax and cross-entropy): not written yet")
