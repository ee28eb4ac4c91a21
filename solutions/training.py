"""Kata: training (训练循环) — the training loop, one piece at a time.

Training a network repeats the same four steps for every batch: run the
model (forward pass), measure the error (loss), compute the gradients
(``loss.backward()``), and let the optimizer update the parameters
(``optimizer.step()``), after clearing the gradients left from the previous
batch (``optimizer.zero_grad()``).  Around that loop: a ``DataLoader`` that
serves shuffled batches, an evaluation that measures without learning, and
a ``fit`` that runs it all for a few epochs.

Tasks:
  1. ``train_step``: one optimisation step on one batch.
  2. ``train_epoch``: one pass over a DataLoader, returning the mean loss.
  3. ``accuracy``: the fraction of correct predictions from logits.
  4. ``evaluate``: loss and accuracy in eval mode, without gradients.
  5. ``make_loader``: a shuffled DataLoader whose order a seed fixes.
  6. ``fit``: train for some epochs and keep a history.

Run it with ``pytest --kata=training``.

[zh]

训练循环（training）：一次一块地写出训练循环。

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
    """Task 1: one optimisation step on ``batch = (x, y)``.

    In this order: clear the old gradients, run the model as ``model(x)``
    (once), compute ``loss_fn(output, y)``, backpropagate, update the
    parameters.  Return the loss (before the update) as a Python float
    (``loss.item()``), not a tensor.

    [zh]

    任务 1：在 ``batch = (x, y)`` 上做一步优化。

    按这个顺序：清掉旧梯度，用 ``model(x)`` 运行模型（一次），计算
    ``loss_fn(output, y)``，反向传播，更新参数。把损失（更新之前的）作为 Python
    float 返回（``loss.item()``），不要返回张量。
    """
    # BEGIN SOLUTION step
    x, y = batch
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    # END SOLUTION


def train_epoch(model: nn.Module, loader: DataLoader, loss_fn: LossFn,
                optimizer: torch.optim.Optimizer) -> float:
    """Task 2: one pass over ``loader``, one optimisation step per batch.

    Put the model in training mode first.  Return the mean of the batch
    losses as a Python float.  Add up Python floats (``loss.item()``) batch by
    batch, not loss tensors: a tensor keeps its batch's graph in memory.
    (You may call ``train_step``.)

    [zh]

    任务 2：遍历一次 ``loader``，每个批次做一步优化。

    先把模型设为训练模式。把批次损失的平均值作为 Python float 返回。每个批次累加
    Python float（``loss.item()``），不要累加损失张量：张量会把它那个批次的计算图
    留在内存里。（可以调用 ``train_step``。）
    """
    # BEGIN SOLUTION epoch
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()  # a float: adding the tensor would keep every batch's graph alive
    return total / len(loader)
    # END SOLUTION


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Task 3: the fraction of rows whose largest logit is at the true label.

    logits (N, C), labels (N,) int64 -> a Python float between 0 and 1.

    [zh]

    任务 3：最大 logit 恰好在真实标签位置上的行所占的比例。

    logits (N, C)，labels (N,) int64 -> 0 到 1 之间的 Python float。
    """
    # BEGIN SOLUTION accuracy
    predictions = logits.argmax(dim=1)  # (N,) the class with the largest logit
    return (predictions == labels).float().mean().item()
    # END SOLUTION


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: LossFn) -> tuple[float, float]:
    """Task 4: measure the model on ``loader`` without training it.

    Switch to eval mode (dropout off), compute without gradients
    (``torch.no_grad()``), and switch back to training mode at the end; the
    parameters and their gradients must stay as they were.  Return
    ``(mean loss, accuracy over all samples)`` as Python floats.  The mean
    loss may be the mean of the batch losses or the mean over samples (both
    are accepted); the accuracy counts correct samples over all samples (the
    last batch may be smaller, so a mean of batch accuracies is wrong).

    [zh]

    任务 4：在 ``loader`` 上测量模型，但不训练它。

    切换到评估模式（关闭 dropout），不计算梯度（``torch.no_grad()``），最后切回训练
    模式；参数和它们的梯度必须保持不变。以 Python float 返回
    ``(平均损失, 全部样本上的准确率)``。平均损失可以是批次损失的平均，也可以是按样本
    的平均（两者都接受）；准确率是全部样本中预测正确的个数除以样本数（最后一个批次
    可能更小，所以对各批次准确率求平均是错的）。
    """
    # BEGIN SOLUTION evaluate
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)  # (N, C)
            total_loss += loss_fn(logits, y).item()
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
    model.train()
    return total_loss / len(loader), correct / seen
    # END SOLUTION


def make_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """Task 5: a DataLoader over ``dataset`` that shuffles, in an order fixed
    by ``seed``: two loaders made with the same seed give the same batches,
    whatever else used torch's global random generator in between (so seed
    a generator of the loader's own, not the global one).

    [zh]

    任务 5：一个遍历 ``dataset``、打乱顺序的 DataLoader，顺序由 ``seed`` 决定：用同一个
    种子创建的两个 loader 给出相同的批次，不管中间有什么代码用过 torch 的全局随机数
    生成器（所以要给 loader 一个它自己的生成器设种子，而不是设全局种子）。
    """
    # BEGIN SOLUTION loader
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    # END SOLUTION


def fit(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader,
        epochs: int, lr: float) -> dict[str, list[float]]:
    """Task 6: train a classifier for ``epochs`` epochs.

    Use ``torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)`` (made
    once, before the loop: a new optimizer would lose its momentum) and
    ``nn.CrossEntropyLoss()`` on the raw logits.  Every epoch trains with the
    model in training mode; after every epoch, evaluate on ``val_loader``.
    Return the history, one float per epoch in each list::

        {"train_loss": [...], "val_loss": [...], "val_acc": [...]}

    [zh]

    任务 6：把分类器训练 ``epochs`` 个 epoch。

    使用 ``torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)``（在循环之前只
    创建一次：新建的优化器会丢掉动量）和作用在原始 logits 上的
    ``nn.CrossEntropyLoss()``。每个 epoch 都在训练模式下训练；每个 epoch 之后在
    ``val_loader`` 上评估。返回历史记录，每个列表每个 epoch 一个 float::

        {"train_loss": [...], "val_loss": [...], "val_acc": [...]}
    """
    # BEGIN SOLUTION fit
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_acc": []}
    for _ in range(epochs):
        history["train_loss"].append(train_epoch(model, train_loader, loss_fn, optimizer))
        val_loss, val_acc = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
    return history
    # END SOLUTION
