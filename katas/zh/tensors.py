"""练习：张量（tensors）—— torch.Tensor 的日常操作。

这里练习：
  1. 从 Python 列表和 NumPy 数组创建张量，并选择数据类型（dtype）；
  2. 用 `permute` 调整维度顺序，并安全地展平（`view` 与 `reshape` 的区别）；
  3. 广播：不用 Python 循环，一次算出所有两两距离；
  4. 掩码：只对选中元素求均值，一个都没选中时结果也不能是 NaN；
  5. one-hot 标签，以及还原回类别下标；
  6. 数值稳定的 softmax，以及 7. log-softmax，可沿任意 `dim`；
  8. 与 NumPy 互转：需要梯度的张量，以及共享内存。

完成下面每个 `TODO`，然后运行：

    pytest --kata=tensors

每个任务单独评分；总结会告诉你下一步做哪个任务。
所有任务的规则：每一步都用 torch 完成（不对元素或行做 Python 循环），
不要修改传入的张量（创建新的张量），批大小为 1 时也要保留批维度。
提示：写代码时打印形状（`x.shape`）。
"""

import numpy as np
import torch
import torch.nn.functional as F  # noqa: F401  (F.one_hot is welcome in task 5)


# -- 任务 1：创建张量 -------------------------------------------------------

def from_list(data: list) -> torch.Tensor:
    """把（嵌套的）数字列表变成形状相同的 float32 张量。

    无论列表里是什么都返回 float32：`torch.tensor([1, 2, 3])` 是 int64，
    所以要明确指定 float32。
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Tensors from lists and NumPy): not written yet")


def from_numpy(arr: np.ndarray) -> torch.Tensor:
    """把 NumPy 数组变成形状、数值和数据类型都相同的张量
    （float64 仍是 float64，int32 仍是 int32）。
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Tensors from lists and NumPy): not written yet")


# -- 任务 2：permute 与展平 ------------------------------------------------

def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    """图像 (B, C, H, W) -> (B, H, W, C)：把通道维移到最后。

    `out[b, h, w, c]` 必须等于 `x[b, c, h, w]`。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Permute, then flatten): not written yet")


def flatten_pixels(x: torch.Tensor) -> torch.Tensor:
    """(B, H, W, C) -> (B, H*W*C)：每张图像一行，元素按 `x` 的顺序排列。

    `x` 可能不连续（比如 `permute` 的结果）。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Permute, then flatten): not written yet")


# -- 任务 3：广播 ----------------------------------------------------------

def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """`a` 的每一行与 `b` 的每一行之间的欧氏距离的平方。

    a: (N, D)，b: (M, D) -> (N, M)，其中 out[i, j] = sum_k (a[i, k] - b[j, k])**2，
    数据类型与 `a`、`b` 相同（float64 仍是 float64），且不能为负。
    不用 Python 循环，也不允许用 `torch.cdist`：重点是自己用广播完成配对。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Pairwise distances by broadcasting): not written yet")


# -- 任务 4：掩码 ----------------------------------------------------------

def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """对 `x` 的每一行，只在 `mask` 为 True 的位置上求均值。

    x: (N, L) 浮点，mask: (N, L) 布尔 -> (N,)，数据类型与 `x` 相同。没有 True
    的行结果为 0（不是 NaN）。不用 Python 循环；不要修改 `x`。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Masked mean that never divides by zero): not written yet")


# -- 任务 5：one-hot -------------------------------------------------------

def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """类别下标 (N,) int64 -> (N, num_classes) float32，每行只有一个 1。

    即使 `labels` 中没有出现最大的类别，宽度也是 `num_classes`。用下标给全零
    张量赋值或用 `F.one_hot` 都可以（`F.one_hot` 返回 int64：要转成 float32）。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (One-hot labels and back): not written yet")


def from_one_hot(onehot: torch.Tensor) -> torch.Tensor:
    """反过来：(N, C) 的行（one-hot 或分数）-> (N,) int64，每行最大元素的下标
    （是张量，N 为 1 时也一样）。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (One-hot labels and back): not written yet")


# -- 任务 6 和 7：softmax 与 log-softmax ----------------------------------

def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """沿 `dim` 把 exp(x) 归一化使其和为 1；形状和数据类型与 `x` 相同。

    对 ±1000 这样的 logits 也必须是有限值（exp(1000) 会溢出为 inf），每一行
    都要如此。请自己用 exp、max 和 sum 写：这里不允许用 `torch.softmax`、
    `torch.Tensor.softmax`、`torch.nn.functional.softmax`、`torch.special.softmax`，
    以及它们的 log 版本 `torch.log_softmax`、`torch.Tensor.log_softmax`、
    `torch.nn.functional.log_softmax`、`torch.special.log_softmax`。
    不要修改 `x`（不要 `x -= ...`）。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Numerically stable softmax): not written yet")


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """沿 `dim` 计算 log(softmax(x))，对 ±1000 这样的 logits 也要保持有限值；
    形状和数据类型与 `x` 相同。

    规则与 `softmax` 相同：不允许用 `torch.log_softmax`、`torch.Tensor.log_softmax`、
    `torch.nn.functional.log_softmax`、`torch.special.log_softmax`，以及 `torch.softmax`、
    `torch.Tensor.softmax`、`torch.nn.functional.softmax`、`torch.special.softmax`
    （`torch.logsumexp` 可以用）。不要修改 `x`。
    """
    # TODO(task 7): write this part
    raise NotImplementedError("Task 7 (Numerically stable log-softmax): not written yet")


# -- 任务 8：与 NumPy 互转 -------------------------------------------------

def to_numpy(t: torch.Tensor) -> np.ndarray:
    """任意张量 -> 数值和数据类型都相同的 NumPy 数组，即使 `t` 需要梯度或在 GPU 上。
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (The NumPy bridge): not written yet")


def share_memory_with_numpy(arr: np.ndarray) -> torch.Tensor:
    """返回与 `arr` 共享内存的张量（因此保持数组的数据类型）：写入其中一个，
    另一个也会看到。
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (The NumPy bridge): not written yet")
