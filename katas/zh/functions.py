"""自定义 autograd Function。autograd 知道每个 torch 运算的导数。当你想要一个不同的导数
（更快的公式、数值上更安全的公式，或者故意不等于真实导数的梯度）时，就写一个
``torch.autograd.Function``（写法见上面的代码示例）；调用时用 ``MyOp.apply(x)``，
不要写 ``MyOp()(x)`` 或 ``MyOp.forward(...)``。

本 kata 教你：forward 的每个输入对应一个梯度（不是张量的输入返回 ``None``）、
``ctx.save_for_backward``、``ctx.needs_input_grad``、可以再次求导的 backward、
数值稳定的前向、直通梯度，以及用你自己的勒让德多项式 Function 把
``a + b * P3(c + d * x)`` 拟合到 ``sin(x)``（出自 PyTorch 教程 "Learning PyTorch with Examples"）。

所有任务的规则：``forward`` 不得原地修改输入（调用者还持有它们）；输出保持输入的形状和数据类型。

检查你的答案：  pytest --kata=functions
"""

import math

import torch
from torch.autograd import Function


class Scale(Function):
    """y = x * factor，其中 ``factor`` 是普通的 Python 浮点数。

    用法：``Scale.apply(x, 2.5)``。x：任意形状 -> y：相同形状。
    ``backward`` 必须为 ``forward`` 的每个输入各返回一个值：``x`` 的梯度，
    以及 ``factor`` 的 ``None``（它不是张量）。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, factor: float) -> torch.Tensor:
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (One gradient per input): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor, None]:
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (One gradient per input): not written yet")


class Exp(Function):
    """y = exp(x)。x：任意形状 -> y：相同形状。

    exp 的导数就是 exp 本身，所以用 ``ctx.save_for_backward`` 保存 *输出*，
    在 ``backward`` 中复用（张量要通过 ``save_for_backward`` 保存，
    不要作为属性挂在 ``ctx`` 上）。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (Saving tensors for backward): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (Saving tensors for backward): not written yet")


class MatMul(Function):
    """out = a @ b。a：(N, K)，b：(K, M) -> out：(N, M)。

    梯度：d a = grad_output @ b.T  (N, K)；d b = a.T @ grad_output  (K, M)。
    只有 ``ctx.needs_input_grad`` 要求时才计算对应的梯度，否则在该位置返回 ``None``。
    """

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        # TODO(task 3): write this part
        raise NotImplementedError("Task 3 (Only the gradients asked for): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        # TODO(task 3): write this part
        raise NotImplementedError("Task 3 (Only the gradients asked for): not written yet")


class Cube(Function):
    """y = x ** 3。x：任意形状 -> y：相同形状。

    ``backward`` 只用张量上的 torch 运算来写（不要 ``.detach()``、``.item()`` 或 NumPy）：
    这样 autograd 才能对你的 backward 再求导，二阶导数（``torch.autograd.gradgradcheck``）需要这一点。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 4): write this part
        raise NotImplementedError("Task 4 (A backward autograd can differentiate): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 4): write this part
        raise NotImplementedError("Task 4 (A backward autograd can differentiate): not written yet")


class Softplus(Function):
    """y = log(1 + exp(x))，对任何 x 都有限且精确（在 float32 中试试 x = 100）。

    x：任意形状 -> y：相同形状。导数是 sigmoid(x)。直接套公式会溢出：在 float32 中
    exp(100) 是 inf。请改写公式，让 exp 只接触 <= 0 的数。以下函数不能用，因为它们就是答案：
    ``F.softplus``（``torch.nn.functional.softplus``）、``torch.logaddexp`` 和 ``torch.Tensor.logaddexp``。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (Numerically stable softplus): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (Numerically stable softplus): not written yet")


class RoundSTE(Function):
    """直通取整：forward 是 ``torch.round(x)``，backward 假装它是恒等映射（梯度原样通过）。

    round 的真实导数几乎处处为 0，会让学习完全停下；量化网络改用这种估计器。
    x：任意形状 -> y：相同形状。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 6): write this part
        raise NotImplementedError("Task 6 (Straight-through rounding): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 6): write this part
        raise NotImplementedError("Task 6 (Straight-through rounding): not written yet")


class LegendreP3(Function):
    """勒让德多项式 P3(x) = 0.5 * (5 x^3 - 3 x)；P3'(x) = 1.5 * (5 x^2 - 1)。

    x：任意形状 -> y：相同形状。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (Legendre polynomial P3): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (Legendre polynomial P3): not written yet")


def train_step(params: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    """在 y_pred = a + b * P3(c + d * x) 上做一步梯度下降。

    params：[a, b, c, d]，四个 ``requires_grad=True`` 的 0 维张量；x, y：(N,)。
    P3 用 ``LegendreP3.apply`` 计算。损失是误差平方的 *和*。在 ``torch.no_grad()`` 中用
    ``p -= lr * p.grad`` 原地更新每个参数（调用者的张量必须真的移动，并且仍是需要梯度的叶子节点：
    ``p = p - lr * p.grad`` 只会创建一个新张量），并在下一步之前清掉它的梯度。
    以 Python 浮点数（``loss.item()``）返回更新之前计算的损失。
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (Fit sin(x) with your Function): not written yet")


def fit_sine(steps: int = 2000, lr: float = 5e-6) -> list[float]:
    """在 [-pi, pi]（2000 个点）上把 a + b * P3(c + d * x) 拟合到 sin(x)，
    与教程一样从 a=0, b=-1, c=0, d=0.3 开始。返回这些参数。
    """
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    params = [torch.tensor(v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3)]
    for step in range(steps):
        loss = train_step(params, x, y, lr)
        if step % 100 == 99:
            print(step, loss)
    return [p.item() for p in params]


if __name__ == "__main__":
    a, b, c, d = fit_sine()
    print(f"y = {a:.3g} + {b:.3g} * P3({c:.3g} + {d:.3g} x)")
