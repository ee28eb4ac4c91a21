"""练习：mnist（手写数字识别）—— 文章中的卷积网络、它的数据和训练循环。

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

# 超参数：由你来选。
BATCH_SIZE = 64
EPOCHS = 2


class Net(nn.Module):
    def __init__(self) -> None:
        """conv1：Conv2d，1 -> 10 个通道，卷积核 5；conv2：Conv2d 10 -> 20，
        卷积核 5；fc1：Linear 320 -> 50；fc2：Linear 50 -> 10。
        请严格使用这些名字：检查会按名字查找它们。
        """
        super().__init__()
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (The layers of the article's CNN): not written yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 1, 28, 28)`` 的图片 -> ``(B, 10)`` 的 logits（原始分数，不做 softmax：
        ``F.cross_entropy`` 自己会做 log-softmax）。

        conv1 -> ReLU -> 2x2 最大池化，conv2 -> ReLU -> 2x2 最大池化，把每个
        样本展平成 320 个数，fc1 -> ReLU，fc2。
        """
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (The forward pass: images to logits): not written yet")


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
               y: torch.Tensor) -> float:
    """在批次 ``x`` ``(B, 1, 28, 28)``、``y`` ``(B,)`` 上走一步：清空梯度，计算
    ``model(x)`` 的交叉熵损失，反向传播，更新参数。
    以 Python float 返回损失（``loss.item()``）。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (One training step, and the early warnings): not written yet")


def evaluate(model: nn.Module, loader: DataLoader) -> float:
    """``loader`` 中预测类别（最大的 logit）等于标签的样本所占的比例，
    以 [0, 1] 之间的 float 返回。

    在评估模式（``model.eval()``）下、不构建计算图（``torch.no_grad()``）
    地评估。最后一个批次可能比其他批次小。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Accuracy on held-out data): not written yet")


def make_loaders(root: str, batch_size: int = BATCH_SIZE) -> tuple[DataLoader, DataLoader]:
    """基于 ``datasets.MNIST(root, train=..., download=True,
    transform=transforms.ToTensor())`` 的 ``(train_loader, test_loader)``：
    训练加载器打乱数据，测试加载器不打乱；训练加载器每个批次有
    ``batch_size`` 张图片（测试加载器的批大小由你来选）。
    批次：图片 ``(B, 1, 28, 28)``，取值在 [0, 1] 的 float；标签 ``(B,)``，int64。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (MNIST data loaders): not written yet")


def make_optimizer(model: nn.Module) -> torch.optim.Optimizer:
    """``fit`` 训练时使用的优化器：种类和设置都由你来选。"""
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Train to a held-out accuracy): not written yet")


def fit(model: nn.Module, train_loader: DataLoader, epochs: int = EPOCHS) -> list[float]:
    """用 ``make_optimizer(model)`` 和 ``train_step`` 在 ``train_loader`` 上把
    ``model`` 训练 ``epochs`` 遍；返回每一步的损失。
    每个 epoch 开始时把模型设为训练模式（``model.train()``）。评分器会用
    一个打乱的、每批 ``BATCH_SIZE`` 张图片的 MNIST 训练加载器调用
    ``fit(Net(), loader)``，然后自己测量测试集上的准确率：它用你训练好的权重
    运行文章中的网络（所以 ``forward`` 必须计算这个网络），并对整个调用
    计时（包括数据加载）。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Train to a held-out accuracy): not written yet")
