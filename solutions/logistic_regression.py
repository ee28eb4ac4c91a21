"""Kata: logistic_regression (逻辑回归) — from one logit to many classes.

Logistic regression predicts P(y = 1 | x) = σ(w·x + b). In PyTorch the model
returns the LOGIT z = w·x + b and the loss applies the sigmoid itself, in a
numerically stable way (`nn.BCEWithLogitsLoss`). You will:
  1. write the model so that it returns logits, not probabilities;
  2. write binary cross-entropy on logits yourself, stable even at z = ±100;
  3. standardise features with the TRAINING set's statistics only;
  4. make two Gaussian blobs to classify;
  5. write the training step; the grader trains your step on the blobs and
     expects accuracy ≥ 0.97 AND a loss ≤ 0.05 (accuracy alone can hide bugs);
  6. go multi-class: a stable log-softmax and cross-entropy with integer class labels.

Targets: binary labels are float 0./1. for BCE; class labels are int64 indices for cross-entropy.
Losses are means over the batch; a training step returns a Python float (`loss.item()`).
No function changes the tensors it is given in place.

Run:  pytest --kata=logistic_regression

[zh]
逻辑回归 —— 从一个 logit 到多个类别。

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
    """Task 1. One linear layer from `in_features` to a single logit.

    forward: x (N, in_features) -> logits (N,), also for N = 1. Return the raw
    scores w·x + b: no sigmoid here, the loss takes care of it. Any single affine
    layer will do (`nn.Linear(in_features, 1)`, or your own `nn.Parameter`s):
    in_features weights and one bias, nothing else.

    [zh]
    任务 1。一个从 `in_features` 到单个 logit 的线性层。

    forward：x (N, in_features) -> logits (N,)，N = 1 时也一样。返回原始分数 w·x + b：
    这里不要 sigmoid，损失函数会处理。任何单个仿射层都可以（`nn.Linear(in_features, 1)`，
    或你自己的 `nn.Parameter`）：in_features 个权重和一个偏置，没有别的。
    """

    def __init__(self, in_features: int) -> None:
        super().__init__()
        # BEGIN SOLUTION model
        self.linear = nn.Linear(in_features, 1)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION model
        return self.linear(x).squeeze(1)  # (N, 1) -> (N,)
        # END SOLUTION


def bce_with_logits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Task 2. Mean binary cross-entropy computed from logits, written yourself.

    logits: (N,) any real numbers; targets: (N,) float in [0, 1]. Returns a 0-dim tensor.
    The textbook form -[y·log σ(z) + (1-y)·log(1-σ(z))] breaks at z = ±100:
    σ(z) rounds to exactly 1 (or 0) and log gives -inf. Rewrite it so that exp
    only ever sees numbers ≤ 0:
        loss = max(z, 0) - z·y + log(1 + exp(-|z|))
    (`torch.log1p` and `torch.clamp` help). Off limits, because they are the answer:
    `torch.nn.functional.binary_cross_entropy_with_logits` (and `nn.BCEWithLogitsLoss`,
    which calls it), `torch.binary_cross_entropy_with_logits` and
    `torch.nn.functional.binary_cross_entropy`.

    [zh]
    任务 2。自己写基于 logits 的平均二元交叉熵。

    logits：(N,) 任意实数；targets：(N,) 取值在 [0, 1] 的浮点数。返回 0 维张量。
    教科书形式 -[y·log σ(z) + (1-y)·log(1-σ(z))] 在 z = ±100 时会坏掉：
    σ(z) 恰好舍入为 1（或 0），log 给出 -inf。请改写它，让 exp 只接触 ≤ 0 的数：
        loss = max(z, 0) - z·y + log(1 + exp(-|z|))
    （`torch.log1p` 和 `torch.clamp` 有用）。以下函数不能用，因为它们就是答案：
    `torch.nn.functional.binary_cross_entropy_with_logits`（以及调用它的 `nn.BCEWithLogitsLoss`）、
    `torch.binary_cross_entropy_with_logits` 和 `torch.nn.functional.binary_cross_entropy`。
    """
    # BEGIN SOLUTION bce
    per_sample = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))
    return per_sample.mean()
    # END SOLUTION


def standardize(x_train: torch.Tensor, x_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 3. Scale each feature to mean 0, std 1 — using the TRAINING set only.

    x_train: (N, D), x_test: (M, D). Compute the mean and std of every feature
    (over dim 0) on x_train, then apply the same (x - mean) / std to both sets.
    The test set plays the role of data you have not seen yet: its own mean and
    std must not leak into the scaling. Returns (train_scaled, test_scaled); the
    inputs stay as they were (no `x_train -= mean`). Either std convention is fine.

    [zh]
    任务 3。把每个特征缩放到均值 0、标准差 1 —— 只用训练集。

    x_train：(N, D)，x_test：(M, D)。在 x_train 上（沿 dim 0）计算每个特征的均值和标准差，
    然后对两个数据集都做同样的 (x - mean) / std。测试集代表你还没见过的数据：
    它自己的均值和标准差不能泄露到缩放里。返回 (train_scaled, test_scaled)；
    输入保持原样（不要 `x_train -= mean`）。两种标准差约定（无偏或有偏）都可以。
    """
    # BEGIN SOLUTION standardize
    mean = x_train.mean(dim=0, keepdim=True)    # (1, D)
    std = x_train.std(dim=0, keepdim=True)      # (1, D)
    return (x_train - mean) / std, (x_test - mean) / std
    # END SOLUTION


def make_blobs(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 4. Two Gaussian blobs (std 1): class 1 around (2, 2), class 0 around (-2, -2).

    Use `g = torch.Generator().manual_seed(seed)` for every random call.
      x: (n, 2) float32, the first n // 2 rows from class 0, the rest from class 1
      y: (n,) float32 labels 0. and 1. (BCE losses need FLOAT targets)
    Leave torch's global random state alone (no `torch.manual_seed` here).

    [zh]
    任务 4。两团高斯数据（标准差 1）：类别 1 以 (2, 2) 为中心，类别 0 以 (-2, -2) 为中心。

    每个随机调用都使用 `g = torch.Generator().manual_seed(seed)`。
      x：(n, 2) float32，前 n // 2 行来自类别 0，其余来自类别 1
      y：(n,) float32 标签 0. 和 1.（BCE 损失需要浮点目标）
    不要改动 torch 的全局随机状态（这里不要用 `torch.manual_seed`）。
    """
    # BEGIN SOLUTION blobs
    g = torch.Generator().manual_seed(seed)
    n0 = n // 2
    centers = torch.tensor([[-2.0, -2.0], [2.0, 2.0]])
    y = torch.cat([torch.zeros(n0), torch.ones(n - n0)])     # (n,) float32
    x = centers[y.long()] + torch.randn(n, 2, generator=g)   # (n, 2)
    return x, y
    # END SOLUTION


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer,
               x: torch.Tensor, y: torch.Tensor) -> float:
    """Task 5. One step of training with `nn.BCEWithLogitsLoss`.

    model(x) gives logits (N,); y is (N,) float. Zero the gradients, compute the
    loss on the LOGITS (no sigmoid of your own: the loss has one built in),
    backward, step. Call the model as `model(x)` and step the optimizer you are
    given. Return the loss as a Python float.

    [zh]
    任务 5。用 `nn.BCEWithLogitsLoss` 训练一步。

    model(x) 给出 logits (N,)；y 是 (N,) 浮点数。梯度清零，在 LOGITS 上计算损失
    （不要自己加 sigmoid：损失里已经有了），反向传播，更新。以 `model(x)` 的方式调用模型，
    并对传入的优化器调用 step。以 Python 浮点数返回损失。
    """
    # BEGIN SOLUTION train
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer.zero_grad()
    logits = model(x)                 # (N,)
    loss = loss_fn(logits, y)
    loss.backward()
    optimizer.step()
    return loss.item()
    # END SOLUTION


def log_softmax(logits: torch.Tensor) -> torch.Tensor:
    """Task 6a. log(softmax(z)) along dim 1, stable for huge logits. (N, C) -> (N, C).

    log softmax(z)_i = z_i - log Σ_j exp(z_j). Subtract each row's maximum m
    first: z_i - m - log Σ_j exp(z_j - m) is the same number, and exp never overflows.
    Leave `logits` unchanged (no `logits -= m`). Off limits, because they do the
    shift for you: `torch.log_softmax`, `torch.Tensor.log_softmax`,
    `torch.nn.functional.log_softmax`, `torch.softmax`, `torch.Tensor.softmax`,
    `torch.nn.functional.softmax`, `torch.logsumexp`, `torch.Tensor.logsumexp`,
    `torch.nn.functional.cross_entropy` and the `torch.special` twins
    (`torch.special.log_softmax`, `torch.special.softmax`, `torch.special.logsumexp`).

    [zh]
    任务 6a。沿 dim 1 计算 log(softmax(z))，对很大的 logits 也要稳定。(N, C) -> (N, C)。

    log softmax(z)_i = z_i - log Σ_j exp(z_j)。先减去每一行的最大值 m：
    z_i - m - log Σ_j exp(z_j - m) 是同一个数，而 exp 永远不会溢出。
    不要修改 `logits`（不要 `logits -= m`）。以下函数不能用，因为它们替你做了平移：
    `torch.log_softmax`、`torch.Tensor.log_softmax`、`torch.nn.functional.log_softmax`、
    `torch.softmax`、`torch.Tensor.softmax`、`torch.nn.functional.softmax`、
    `torch.logsumexp`、`torch.Tensor.logsumexp`、`torch.nn.functional.cross_entropy`，以及 `torch.special` 中的
    同名函数（`torch.special.log_softmax`、`torch.special.softmax`、`torch.special.logsumexp`）。
    """
    # BEGIN SOLUTION cross_entropy
    m = logits.amax(dim=1, keepdim=True)                          # (N, 1)
    shifted = logits - m                                          # (N, C), max 0 per row
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    # END SOLUTION


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Task 6b. Mean cross-entropy: logits (N, C), targets (N,) int64 class indices 0..C-1.

    Take your `log_softmax`, pick each row's entry at its target class
    (`gather`, `log_probs[torch.arange(N), targets]` or `F.nll_loss`), negate and
    average. Returns a 0-dim tensor. The same functions as in `log_softmax` are off
    limits: `torch.log_softmax`, `torch.Tensor.log_softmax`,
    `torch.nn.functional.log_softmax`, `torch.softmax`, `torch.Tensor.softmax`,
    `torch.nn.functional.softmax`, `torch.logsumexp`, `torch.Tensor.logsumexp`,
    `torch.nn.functional.cross_entropy` and the `torch.special` twins
    (`torch.special.log_softmax`, `torch.special.softmax`, `torch.special.logsumexp`).

    [zh]
    任务 6b。平均交叉熵：logits (N, C)，targets (N,) 为 0..C-1 的 int64 类别索引。

    用你的 `log_softmax`，取出每一行在其目标类别处的值（`gather`、
    `log_probs[torch.arange(N), targets]` 或 `F.nll_loss`），取负再平均。返回 0 维张量。
    与 `log_softmax` 相同的函数不能用：`torch.log_softmax`、`torch.Tensor.log_softmax`、
    `torch.nn.functional.log_softmax`、`torch.softmax`、`torch.Tensor.softmax`、
    `torch.nn.functional.softmax`、`torch.logsumexp`、`torch.Tensor.logsumexp`、
    `torch.nn.functional.cross_entropy`，以及 `torch.special` 中的同名函数
    （`torch.special.log_softmax`、`torch.special.softmax`、`torch.special.logsumexp`）。
    """
    # BEGIN SOLUTION cross_entropy
    log_probs = log_softmax(logits)                               # (N, C)
    picked = log_probs.gather(1, targets.unsqueeze(1))            # (N, 1)
    return -picked.mean()
    # END SOLUTION
