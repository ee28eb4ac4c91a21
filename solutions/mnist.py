"""Kata: mnist (手写数字识别) — the article's CNN, its data, and its training loop.

A small convolutional network reads 28x28 handwritten digits and says which of
0–9 each one is.  You build it layer by layer, check it before training (the
early warnings that save hours), load MNIST, and train it until it recognises
digits it has never seen.

1. ``Net.__init__``: the layers (21,840 parameters).
2. ``Net.forward``: images ``(B, 1, 28, 28)`` -> logits ``(B, 10)``.
3. ``train_step``: one optimisation step.  Early warnings are checked here too:
   a fresh model's loss is about ln 10 = 2.303, and the model can learn one
   batch by heart.
4. ``evaluate``: accuracy on a data loader.
5. ``make_loaders``: MNIST train and test loaders.
6. ``make_optimizer`` and ``fit``: train.  The gate: at least 95% accuracy on
   held-out digits within 60 s of training (98% within 170 s on the full
   60,000-image MNIST).  You choose the optimizer, learning rate, batch size
   and epochs.

Tasks 5 and 6 need MNIST.  It is downloaded on first use into a cache folder; if
there is no internet, point the grader at a folder containing ``MNIST/raw/`` with
``--kata-data DIR`` (or ``TORCHKATA_DATA=DIR``); without data they are skipped.

Run it with:  pytest --kata=mnist

[zh]
练习：mnist（手写数字识别）—— 文章中的卷积网络、它的数据和训练循环。

一个小型卷积网络读入 28x28 的手写数字图片，判断每张图片是 0–9 中的哪一个。
你要一层一层地搭建它，在训练前先检查它（能帮你省下几个小时的早期预警），
加载 MNIST，然后训练它，直到它能认出从没见过的数字。

1. ``Net.__init__``：各层（共 21,840 个参数）。
2. ``Net.forward``：图片 ``(B, 1, 28, 28)`` -> logits ``(B, 10)``。
3. ``train_step``：一步优化。这里也检查早期预警：
   新建模型的损失约为 ln 10 = 2.303，并且模型能把一个批次完全记住。
4. ``evaluate``：在数据加载器上的准确率。
5. ``make_loaders``：MNIST 的训练集和测试集加载器。
6. ``make_optimizer`` 和 ``fit``：训练。通过标准：在 60 秒训练之内，
   在测试集（没见过的数字）上达到至少 95% 的准确率（在完整的 60,000 张
   图片的 MNIST 上，170 秒之内达到 98%）。优化器、学习率、批大小和
   epoch 数都由你来选。

任务 5 和 6 需要 MNIST。第一次使用时它会被下载到一个缓存文件夹；如果
没有网络，用 ``--kata-data DIR``（或 ``TORCHKATA_DATA=DIR``）让评分器指向
一个包含 ``MNIST/raw/`` 的文件夹；没有数据时这两个任务会被跳过。

运行：  pytest --kata=mnist
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

# Hyper-parameters: yours to choose.
# zh: 超参数：由你来选。
BATCH_SIZE = 64
EPOCHS = 2


class Net(nn.Module):
    def __init__(self) -> None:
        """conv1: Conv2d 1 -> 10 channels, kernel 5; conv2: Conv2d 10 -> 20,
        kernel 5; fc1: Linear 320 -> 50; fc2: Linear 50 -> 10.
        Use exactly these names: the checks look them up.

        [zh]
        conv1：Conv2d，1 -> 10 个通道，卷积核 5；conv2：Conv2d 10 -> 20，
        卷积核 5；fc1：Linear 320 -> 50；fc2：Linear 50 -> 10。
        请严格使用这些名字：检查会按名字查找它们。
        """
        super().__init__()
        # BEGIN SOLUTION layers
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 1, 28, 28)`` images -> ``(B, 10)`` logits (raw scores, no softmax:
        ``F.cross_entropy`` applies log-softmax itself).

        conv1 -> ReLU -> 2x2 max-pool, conv2 -> ReLU -> 2x2 max-pool, flatten
        each sample to 320 numbers, fc1 -> ReLU, fc2.

        [zh]
        ``(B, 1, 28, 28)`` 的图片 -> ``(B, 10)`` 的 logits（原始分数，不做 softmax：
        ``F.cross_entropy`` 自己会做 log-softmax）。

        conv1 -> ReLU -> 2x2 最大池化，conv2 -> ReLU -> 2x2 最大池化，把每个
        样本展平成 320 个数，fc1 -> ReLU，fc2。
        """
        # BEGIN SOLUTION forward
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # (B, 10, 12, 12)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # (B, 20, 4, 4)
        x = torch.flatten(x, 1)  # (B, 320)
        x = F.relu(self.fc1(x))  # (B, 50)
        return self.fc2(x)  # (B, 10)
        # END SOLUTION


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
               y: torch.Tensor) -> float:
    """One step on the batch ``x`` ``(B, 1, 28, 28)``, ``y`` ``(B,)``: clear the
    gradients, compute the cross-entropy loss of ``model(x)``, backward, step.
    Return the loss as a Python float (``loss.item()``).

    [zh]
    在批次 ``x`` ``(B, 1, 28, 28)``、``y`` ``(B,)`` 上走一步：清空梯度，计算
    ``model(x)`` 的交叉熵损失，反向传播，更新参数。
    以 Python float 返回损失（``loss.item()``）。
    """
    # BEGIN SOLUTION train_step
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    # END SOLUTION


def evaluate(model: nn.Module, loader: DataLoader) -> float:
    """The fraction of samples in ``loader`` whose predicted class (the
    largest logit) equals the label, as a float in [0, 1].

    Evaluate in evaluation mode (``model.eval()``) and without a graph
    (``torch.no_grad()``).  The last batch may be smaller than the others.

    [zh]
    ``loader`` 中预测类别（最大的 logit）等于标签的样本所占的比例，
    以 [0, 1] 之间的 float 返回。

    在评估模式（``model.eval()``）下、不构建计算图（``torch.no_grad()``）
    地评估。最后一个批次可能比其他批次小。
    """
    # BEGIN SOLUTION evaluate
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.shape[0]
    return correct / total
    # END SOLUTION


def make_loaders(root: str, batch_size: int = BATCH_SIZE) -> tuple[DataLoader, DataLoader]:
    """``(train_loader, test_loader)`` over ``datasets.MNIST(root, train=...,
    download=True, transform=transforms.ToTensor())``: the training loader
    shuffles, the test loader does not; the training loader's batches hold
    ``batch_size`` images (the test loader's batch size is yours to choose).
    Batches: images ``(B, 1, 28, 28)`` float in [0, 1], labels ``(B,)`` int64.

    [zh]
    基于 ``datasets.MNIST(root, train=..., download=True,
    transform=transforms.ToTensor())`` 的 ``(train_loader, test_loader)``：
    训练加载器打乱数据，测试加载器不打乱；训练加载器每个批次有
    ``batch_size`` 张图片（测试加载器的批大小由你来选）。
    批次：图片 ``(B, 1, 28, 28)``，取值在 [0, 1] 的 float；标签 ``(B,)``，int64。
    """
    # BEGIN SOLUTION data
    train_set = datasets.MNIST(root, train=True, download=True, transform=transforms.ToTensor())
    test_set = datasets.MNIST(root, train=False, download=True, transform=transforms.ToTensor())
    return (DataLoader(train_set, batch_size=batch_size, shuffle=True),
            DataLoader(test_set, batch_size=batch_size, shuffle=False))
    # END SOLUTION


def make_optimizer(model: nn.Module) -> torch.optim.Optimizer:
    """The optimizer ``fit`` trains with: your choice of kind and settings.

    [zh]
    ``fit`` 训练时使用的优化器：种类和设置都由你来选。
    """
    # BEGIN SOLUTION fit
    return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    # END SOLUTION


def fit(model: nn.Module, train_loader: DataLoader, epochs: int = EPOCHS) -> list[float]:
    """Train ``model`` for ``epochs`` passes over ``train_loader`` with
    ``make_optimizer(model)`` and ``train_step``; return every step's loss.
    Put the model in training mode (``model.train()``) at the start of each
    epoch.  The grader calls ``fit(Net(), loader)`` with a shuffled MNIST
    training loader of ``BATCH_SIZE`` images per batch, then measures the
    accuracy on the held-out digits itself: it runs the article's network
    with your trained weights (so ``forward`` must compute that network), and
    times the whole call (data loading included).

    [zh]
    用 ``make_optimizer(model)`` 和 ``train_step`` 在 ``train_loader`` 上把
    ``model`` 训练 ``epochs`` 遍；返回每一步的损失。
    每个 epoch 开始时把模型设为训练模式（``model.train()``）。评分器会用
    一个打乱的、每批 ``BATCH_SIZE`` 张图片的 MNIST 训练加载器调用
    ``fit(Net(), loader)``，然后自己测量测试集上的准确率：它用你训练好的权重
    运行文章中的网络（所以 ``forward`` 必须计算这个网络），并对整个调用
    计时（包括数据加载）。
    """
    # BEGIN SOLUTION fit
    optimizer = make_optimizer(model)
    losses = []
    for _ in range(epochs):
        model.train()
        for x, y in train_loader:
            losses.append(train_step(model, optimizer, x, y))
    return losses
    # END SOLUTION
