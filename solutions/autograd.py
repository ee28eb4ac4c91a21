"""Kata: autograd (自动微分 — automatic differentiation).

PyTorch builds the computational graph while your code runs (a *dynamic*
graph): every operation on a tensor that requires grad records how to
compute its gradient.  `backward()` then walks the graph back and adds the
gradients into the `.grad` of the leaf tensors.

This kata teaches:
  1. getting a derivative with `backward()` and `.grad`;
  2. a second derivative with `torch.autograd.grad(..., create_graph=True)`;
  3. that gradients *add up* in `.grad`, and how to clear them;
  4. zeroing the gradient between steps (and copying it before you do);
  5. stopping gradients with `torch.no_grad()` and `.detach()`;
  6. vector-Jacobian products: `backward(v)` on a non-scalar output;
  7. a custom `torch.autograd.Function` (sigmoid) with its own backward;
  8. a custom Function with several inputs (a linear layer).

Write the code where a task says TODO, then run:

    pytest --kata=autograd

The summary tells you which task to do next.  Gradients of the custom
Functions (tasks 7 and 8) are checked against finite differences in float64.
Rules for every task: use autograd (`backward`, `torch.autograd.grad`) where a
task says so, not a formula written by hand; never change the tensors you are
given in place.

[zh]
练习：autograd（自动微分）。

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


# -- Task 1 ------------------------------------------------------------------
# zh: -- 任务 1 ------------------------------------------------------------------

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    """dy/dx for y = sum(x**3 + 2*x), computed by autograd.

    x: (N,) float tensor that does not require grad.  Make a leaf that
    requires grad from it, build y, call `y.backward()` and return the
    leaf's `.grad` (N,).  Do not write the derivative by hand.

    [zh]
    用 autograd 计算 y = sum(x**3 + 2*x) 的 dy/dx。

    x: (N,) 的浮点张量，不需要梯度。从它创建一个需要梯度的叶子节点，
    计算 y，调用 `y.backward()`，返回叶子节点的 `.grad` (N,)。不要手写导数。
    """
    # BEGIN SOLUTION cubic
    # a fresh leaf that autograd tracks, and y a scalar built from it
    # zh: 一个 autograd 会跟踪的新叶子节点，以及由它算出的标量 y
    x = x.detach().requires_grad_(True)
    y = (x ** 3 + 2 * x).sum()
    y.backward()
    return x.grad
    # END SOLUTION


# -- Task 2 ------------------------------------------------------------------
# zh: -- 任务 2 ------------------------------------------------------------------

def second_derivative(x: torch.Tensor) -> torch.Tensor:
    """d²y/dx² (element-wise) for y = sum(x**3 * sin(x)), computed by autograd.

    x: (N,) float tensor.  Take the first derivative with
    `torch.autograd.grad(y, x, create_graph=True)` (so that it is part of
    the graph itself), then differentiate its sum once more.  Returns (N,).
    Differentiate with autograd, not a formula by hand.

    [zh]
    用 autograd 逐元素计算 y = sum(x**3 * sin(x)) 的 d²y/dx²。

    x: (N,) 浮点张量。用 `torch.autograd.grad(y, x, create_graph=True)`
    求一阶导数（这样它本身也在计算图中），再对它的和求一次导。返回 (N,)。
    请用 autograd 求导，不要手写公式。
    """
    # BEGIN SOLUTION second
    x = x.detach().requires_grad_(True)
    y = (x ** 3 * torch.sin(x)).sum()
    (dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
    (d2y_dx2,) = torch.autograd.grad(dy_dx.sum(), x)
    return d2y_dx2
    # END SOLUTION


# -- Task 3 ------------------------------------------------------------------
# zh: -- 任务 3 ------------------------------------------------------------------

def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Show that gradients accumulate.

    w: (D,) leaf that requires grad, x: (D,).  Twice: build
    loss = (w * x).sum() and call `loss.backward()` (a fresh loss each time).
    Return `w.grad`: both backward passes were added into it, so it is 2 * x.

    [zh]
    演示梯度会累加。

    w: (D,) 需要梯度的叶子节点，x: (D,)。做两次：计算
    loss = (w * x).sum() 并调用 `loss.backward()`（每次都重新计算 loss）。
    返回 `w.grad`：两次 backward 都累加进去了，所以它等于 2 * x。
    """
    # BEGIN SOLUTION accumulate
    for _ in range(2):
        loss = (w * x).sum()
        loss.backward()
    return w.grad
    # END SOLUTION


def clear_grad(w: torch.Tensor) -> None:
    """Reset w's gradient, as `optimizer.zero_grad()` does: afterwards
    `w.grad` is None (or all zeros) and the next backward starts afresh.

    [zh]
    像 `optimizer.zero_grad()` 那样重置 w 的梯度：之后 `w.grad` 为 None
    （或全 0），下一次 backward 从头开始。
    """
    # BEGIN SOLUTION accumulate
    w.grad = None
    # END SOLUTION


# -- Task 4 ------------------------------------------------------------------
# zh: -- 任务 4 ------------------------------------------------------------------

def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """The gradient of each sample's loss, one at a time.

    w: (D,) leaf that requires grad, xs: (N, D).  For each row x of xs:
    loss = (w @ x) ** 2, backward, keep a *copy* of w.grad, then zero
    w.grad before the next row.  Returns the N gradients stacked: (N, D).

    [zh]
    逐个计算每个样本的 loss 的梯度。

    w: (D,) 需要梯度的叶子节点，xs: (N, D)。对 xs 的每一行 x：
    loss = (w @ x) ** 2，backward，保存 w.grad 的*副本*，然后在下一行之前
    把 w.grad 清零。返回堆叠起来的 N 个梯度：(N, D)。
    """
    # BEGIN SOLUTION zero
    grads = []
    for x in xs:
        loss = (w @ x) ** 2
        loss.backward()
        # a copy: zero_() below changes w.grad in place
        # zh: 复制一份：下面的 zero_() 会原地修改 w.grad
        grads.append(w.grad.clone())
        w.grad.zero_()
    return torch.stack(grads)
    # END SOLUTION


# -- Task 5 ------------------------------------------------------------------
# zh: -- 任务 5 ------------------------------------------------------------------

def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """x (N, D) @ w (D,) -> (N,), computed inside `with torch.no_grad():`.

    No graph is built, so the result does not require grad (this is how you
    evaluate a model).  Grad mode must be on again when the function returns.

    [zh]
    x (N, D) @ w (D,) -> (N,)，在 `with torch.no_grad():` 中计算。

    不构建计算图，所以结果不需要梯度（评估模型时就是这样做的）。
    函数返回时梯度模式必须重新开启。
    """
    # BEGIN SOLUTION detach
    with torch.no_grad():
        return x @ w
    # END SOLUTION


def grad_through_one_branch(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """w: (D,) leaf that requires grad, x: (D,).  With y = w * x, build
    loss = (y * y.detach()).sum(): the value of (y**2).sum(), but the
    gradient flows through the first y only.  Call backward and return
    w.grad (D,), which is x * y (not 2 * x * y).

    [zh]
    w: (D,) 需要梯度的叶子节点，x: (D,)。令 y = w * x，计算
    loss = (y * y.detach()).sum()：数值等于 (y**2).sum()，但梯度只从第一个 y
    流过。调用 backward 并返回 w.grad (D,)，它等于 x * y（不是 2 * x * y）。
    """
    # BEGIN SOLUTION detach
    y = w * x
    loss = (y * y.detach()).sum()
    loss.backward()
    return w.grad
    # END SOLUTION


# -- Task 6 ------------------------------------------------------------------
# zh: -- 任务 6 ------------------------------------------------------------------

def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The vector-Jacobian product v^T J of y = softmax(x), by autograd.

    x, v: (N,).  y = exp(x) / exp(x).sum() is a vector, so `y.backward()`
    needs the vector `v` to weigh its elements: `y.backward(v)` (or
    `torch.autograd.grad(y, x, grad_outputs=v)`).  Returns (N,).
    Build y out of place: an in-place op on a tensor backward needs fails.

    [zh]
    用 autograd 计算 y = softmax(x) 的向量-雅可比积 v^T J。

    x, v: (N,)。y = exp(x) / exp(x).sum() 是向量，所以 `y.backward()` 需要
    向量 `v` 给各元素加权：`y.backward(v)`（或
    `torch.autograd.grad(y, x, grad_outputs=v)`）。返回 (N,)。
    计算 y 时不要用原地操作：修改 backward 需要的张量会报错。
    """
    # BEGIN SOLUTION vjp
    x = x.detach().requires_grad_(True)
    e = x.exp()
    y = e / e.sum()
    y.backward(v)
    return x.grad
    # END SOLUTION


# -- Task 7 ------------------------------------------------------------------
# zh: -- 任务 7 ------------------------------------------------------------------

class Sigmoid(torch.autograd.Function):
    """sigmoid(x) = 1 / (1 + exp(-x)) with a hand-written backward.

    Use it as `Sigmoid.apply(x)`; x: any shape, the output has the same shape.
    forward saves what backward needs with `ctx.save_for_backward`;
    backward gets dL/dout and returns dL/dx = dL/dout * s * (1 - s).
    forward must not change x in place; the gradient must stay finite for
    inputs like ±100.

    [zh]
    sigmoid(x) = 1 / (1 + exp(-x))，backward 自己写。

    用法是 `Sigmoid.apply(x)`；x 形状任意，输出形状相同。
    forward 用 `ctx.save_for_backward` 保存 backward 需要的东西；
    backward 得到 dL/dout，返回 dL/dx = dL/dout * s * (1 - s)。
    forward 不能原地修改 x；对 ±100 这样的输入，梯度也必须是有限值。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION sigmoid
        s = 1 / (1 + torch.exp(-x))
        ctx.save_for_backward(s)
        return s
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION sigmoid
        (s,) = ctx.saved_tensors
        return grad_out * s * (1 - s)
        # END SOLUTION


# -- Task 8 ------------------------------------------------------------------
# zh: -- 任务 8 ------------------------------------------------------------------

class LinearFunction(torch.autograd.Function):
    """out = x @ W.T + b, as `LinearFunction.apply(x, W, b)`.

    x: (N, IN), W: (OUT, IN), b: (OUT,) -> out: (N, OUT).
    backward gets grad_out (N, OUT) and returns one gradient per input of
    forward, in order: grad_x (N, IN), grad_W (OUT, IN), grad_b (OUT,).

    [zh]
    out = x @ W.T + b，用法是 `LinearFunction.apply(x, W, b)`。

    x: (N, IN)，W: (OUT, IN)，b: (OUT,) -> out: (N, OUT)。
    backward 得到 grad_out (N, OUT)，按 forward 输入的顺序为每个输入返回一个梯度：
    grad_x (N, IN)、grad_W (OUT, IN)、grad_b (OUT,)。
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION linear
        ctx.save_for_backward(x, W)
        return x @ W.T + b
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        # BEGIN SOLUTION linear
        x, W = ctx.saved_tensors
        grad_x = grad_out @ W        # (N, OUT) @ (OUT, IN) -> (N, IN)
        grad_W = grad_out.T @ x      # (OUT, N) @ (N, IN) -> (OUT, IN)
        # b was added to every row, so its gradient sums over the rows
        # zh: b 加到了每一行上，所以它的梯度要按行求和
        grad_b = grad_out.sum(0)
        return grad_x, grad_W, grad_b
        # END SOLUTION
