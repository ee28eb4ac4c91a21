"""训练循环（training）：一次一块地写出训练循环。

训练网络就是对每个批次重复同样的四步：运行模型（前向传播）、衡量误差（损失）、
计算梯度（``loss.backward()``）、让优化器更新参数（``optimizer.step()``），在这之前
先清掉上一个批次留下的梯度（``optimizer.zero_grad()``）。围绕这个循环的还有：给出
打乱顺序的批次的 ``DataLoader``、只测量不学习的评估，以及把这一切运行几个 epoch 的
``fit``。

任务：
  1. ``train_step``：在一个批次上做一步优化。
  2. ``train_epoch``：遍历一次 DataLoader，返回平均损失。
  3. ``accuracy``：由 logits 计算预测正确的比例。
  4. ``evaluate``：在评估模式下、不计算梯度地得到损失和准确率。
  5. ``make_loader``：顺序由种子决定的、打乱顺序的 DataLoader。
  6. ``fit``：训练若干个 epoch 并记录历史。

运行：``pytest --kata=training``。
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

Batch = tuple[torch.Tensor, torch.Tensor]  # inputs (N, ...), targets (N,)
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_step(model: nn.Module, batch: Batch, loss_fn: LossFn,
               optimizer: torch.optim.Optimizer) -> float:
    """任务 1：在 ``batch = (x, y)`` 上做一步优化。

    按这个顺序：清掉旧梯度，用 ``model(x)`` 运行模型（一次），计算
    ``loss_fn(output, y)``，反向传播，更新参数。把损失（更新之前的）作为 Python
    float 返回（``loss.item()``），不要返回张量。
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (One training step): not written yet")


def train_epoch(model: nn.Module, loader: DataLoader, loss_fn: LossFn,
                optimizer: torch.optim.Optimizer) -> float:
    """任务 2：遍历一次 ``loader``，每个批次做一步优化。

    先把模型设为训练模式。把批次损失的平均值作为 Python float 返回。每个批次累加
    Python float（``loss.item()``），不要累加损失张量：张量会把它那个批次的计算图
    留在内存里。（可以调用 ``train_step``。）
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (One epoch over a DataLoader): not written yet")


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """任务 3：最大 logit 恰好在真实标签位置上的行所占的比例。

    logits (N, C)，labels (N,) int64 -> 0 到 1 之间的 Python float。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Accuracy from logits): not written yet")


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: LossFn) -> tuple[float, float]:
    """任务 4：在 ``loader`` 上测量模型，但不训练它。

    切换到评估模式（关闭 dropout），不计算梯度（``torch.no_grad()``），最后切回训练
    模式；参数和它们的梯度必须保持不变。以 Python float 返回
    ``(平均损失, 全部样本上的准确率)``。平均损失可以是批次损失的平均，也可以是按样本
    的平均（两者都接受）；准确率是全部样本中预测正确的个数除以样本数（最后一个批次
    可能更小，所以对各批次准确率求平均是错的）。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Evaluation in eval mode without gradients): not written yet")


def make_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """任务 5：一个遍历 ``dataset``、打乱顺序的 DataLoader，顺序由 ``seed`` 决定：用同一个
    种子创建的两个 loader 给出相同的批次，不管中间有什么代码用过 torch 的全局随机数
    生成器（所以要给 loader 一个它自己的生成器设种子，而不是设全局种子）。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (A seeded, shuffled DataLoader): not written yet")


def fit(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader,
        epochs: int, lr: float) -> dict[str, list[float]]:
    """任务 6：把分类器训练 ``epochs`` 个 epoch。

    使用 ``torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)``（在循环之前只
    创建一次：新建的优化器会丢掉动量）和作用在原始 logits 上的
    ``nn.CrossEntropyLoss()``。每个 epoch 都在训练模式下训练；每个 epoch 之后在
    ``val_loader`` 上评估。返回历史记录，每个列表每个 epoch 一个 float::

        {"train_loss": [...], "val_loss": [...], "val_acc": [...]}
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Fitting a classifier): not written yet")
