"""练习：autograd（自动微分）。

PyTorch 在代码运行时构建计算图（*动态*图）：对需要梯度的张量所做的
每个运算都会记录如何计算它的梯度。`backward()` 沿计算图反向传播，
把梯度累加进叶子节点的 `.grad`。

这个练习教你：
  1. 用 `backward()` 和 `.grad` 求导数；
  2. 用 `torch.autograd.grad(..., create_graph=True)` 求二阶导数；
  3. 梯度会在 `.grad` 中*累加*，以及如何清空；
  4. 每步之间把梯度清零（清零之前先复制一份）；
  5. 用 `torch.no_grad()` 和 `.detach()` 阻断梯度；
  6. 向量-雅可比积：对非标量输出调用 `backward(v)`；
  7. 自定义 `torch.autograd.Function`（sigmoid），自己写 backward；
  8. 多输入的自定义 Function（线性层）。

在标有 TODO 的地方写代码，然后运行：

    pytest --kata=autograd

总结会告诉你下一步做哪个任务。自定义 Function（任务 7 和 8）的梯度
会在 float64 下与有限差分比较。
所有任务的规则：任务要求用 autograd（`backward`、`torch.autograd.grad`）
的地方就用它，不要手写公式；不要原地修改传入的张量。
"""

import torch


# -- 任务 1 ------------------------------------------------------------------

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    """用 autograd 计算 y = sum(x**3 + 2*x) 的 dy/dx。

    x: (N,) 的浮点张量，不需要梯度。从它创建一个需要梯度的叶子节点，
    计算 y，调用 `y.backward()`，返回叶子节点的 `.grad` (N,)。不要手写导数。
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (A derivative with backward()): not written yet")


# -- 任务 2 ------------------------------------------------------------------

def second_derivative(x: torch.Tensor) -> torch.Tensor:
    """用 autograd 逐元素计算 y = sum(x**3 * sin(x)) 的 d²y/dx²。

    x: (N,) 浮点张量。用 `torch.autograd.grad(y, x, create_graph=True)`
    求一阶导数（这样它本身也在计算图中），再对它的和求一次导。返回 (N,)。
    请用 autograd 求导，不要手写公式。
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (A second derivative): not written yet")


# -- 任务 3 ------------------------------------------------------------------

def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """演示梯度会累加。

    w: (D,) 需要梯度的叶子节点，x: (D,)。做两次：计算
    loss = (w * x).sum() 并调用 `loss.backward()`（每次都重新计算 loss）。
    返回 `w.grad`：两次 backward 都累加进去了，所以它等于 2 * x。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Gradients add up): not written yet")


def clear_grad(w: torch.Tensor) -> None:
    """像 `optimizer.zero_grad()` 那样重置 w 的梯度：之后 `w.grad` 为 None
    （或全 0），下一次 backward 从头开始。
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Gradients add up): not written yet")


# -- 任务 4 ------------------------------------------------------------------

def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """逐个计算每个样本的 loss 的梯度。

    w: (D,) 需要梯度的叶子节点，xs: (N, D)。对 xs 的每一行 x：
    loss = (w @ x) ** 2，backward，保存 w.grad 的*副本*，然后在下一行之前
    把 w.grad 清零。返回堆叠起来的 N 个梯度：(N, D)。
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Zero the gradient between steps): not written yet")


# -- 任务 5 ------------------------------------------------------------------

def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """x (N, D) @ w (D,) -> (N,)，在 `with torch.no_grad():` 中计算。

    不构建计算图，所以结果不需要梯度（评估模型时就是这样做的）。
    函数返回时梯度模式必须重新开启。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Stop gradients: no_grad and detach): not written yet")


def grad_through_one_branch(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """w: (D,) 需要梯度的叶子节点，x: (D,)。令 y = w * x，计算
    loss = (y * y.detach()).sum()：数值等于 (y**2).sum()，但梯度只从第一个 y
    流过。调用 backward 并返回 w.grad (D,)，它等于 x * y（不是 2 * x * y）。
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Stop gradients: no_grad and detach): not written yet")


# -- 任务 6 ------------------------------------------------------------------

def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """用 autograd 计算 y = softmax(x) 的向量-雅可比积 v^T J。

    x, v: (N,)。y = exp(x) / exp(x).sum() 是向量，所以 `y.backward()` 需要
    向量 `v` 给各元素加权：`y.backward(v)`（或
    `torch.autograd.grad(y, x, grad_outputs=v)`）。返回 (N,)。
    计算 y 时不要用原地操作：修改 backward 需要的张量会报错。
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Vector-Jacobian product): not written yet")


# -- 任务 7 ------------------------------------------------------------------

class Sigmoid(torch.autograd.Function):
    """sigmoid(x) = 1 / (1 + exp(-x))，backward 自己写。

    用法是 `Sigmoid.apply(x)`；x 形状任意，输出形状相同。
    forward 用 `ctx.save_for_backward` 保存 backward 需要的东西；
    backward 得到 dL/dout，返回 dL/dx = dL/dout * s * (1 - s)。
    forward 不能原地修改 x；对 ±100 这样的输入，梯度也必须是有限值。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (A custom autograd Function): not written yet")

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (A custom autograd Function): not written yet")


# -- 任务 8 ------------------------------------------------------------------

class LinearFunction(torch.autograd.Function):
    """out = x @ W.T + b，用法是 `LinearFunction.apply(x, W, b)`。

    x: (N, IN)，W: (OUT, IN)，b: (OUT,) -> out: (N, OUT)。
    backward 得到 grad_out (N, OUT)，按 forward 输入的顺序为每个输入返回一个梯度：
    grad_x (N, IN)、grad_W (OUT, IN)、grad_b (OUT,)。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        # TODO(task 8): write this part
        raise NotImplementedError("Task 8 (A custom Function with several inputs): not written yet")

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        # TODO(task 8): write this part
        raise NotImplementedError("Task 8 (A custom Function with several inputs): not written yet")
