"""Check-side helpers of the autograd kata: expectations with learner messages
and the recognisers of its classic mistakes.  Runs on the grader's side only;
the learner-world helpers are in ``autograd/world.py``.
"""

from __future__ import annotations

from typing import Any

import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import describe, expect_on_cpu
from pytest_torchkata.checks.variants import Variant, Variants
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.autograd import world


def needs_tensor(value: Any, what: str, why_none: str) -> torch.Tensor:
    __tracebackhide__ = True
    if value is None:
        raise CheckFailed(tr("{what} is None; {why}", "{what} 是 None；{why}", what=what, why=why_none))
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(tr("{what} should be a tensor, but is {got}", "{what} 应是张量，实际是 {got}",
                             what=what, got=describe(value)))
    return expect_on_cpu(value, what=what)


def autograd_calls(events: list) -> list:
    """The learner's calls of autograd's entry points, in order ("autograd.grad+create_graph", ...)."""
    return [e for e in events if e.split("+")[0] in world.AUTOGRAD_EVENT]


def uses_autograd(events: list) -> bool:
    return bool(autograd_calls(events))


def none_grad() -> str:
    return tr("`.grad` stays None when the tensor does not require grad, when backward() was not called, or "
              "when it is not a leaf (make it with `x.detach().requires_grad_(True)`)",
              "以下情况 `.grad` 为 None：张量不需要梯度、没有调用 backward()、或它不是叶子节点"
              "（用 `x.detach().requires_grad_(True)` 创建）")


NO_GRAPH = Text("nothing on the way from x to the result requires grad, so there is no graph to walk back: make "
             "the leaf with `x = x.detach().requires_grad_(True)` and build everything from that x, with grad "
             "mode on (no `torch.no_grad()`, `.data`, `.detach()`, `.item()` or `torch.tensor(...)` on the way)",
             "从 x 到结果的路径上没有需要梯度的张量，于是没有计算图可以反向传播：用 "
             "`x = x.detach().requires_grad_(True)` 创建叶子节点，并在梯度模式开启时全部从这个 x 计算（中途不要用 "
             "`torch.no_grad()`、`.data`、`.detach()`、`.item()` 或 `torch.tensor(...)`）")


def expect_inputs_kept(res: dict, what: str) -> None:
    __tracebackhide__ = True
    for name, before, after in zip(("x", "W", "b"), res["before"], res["after"]):
        if not torch.equal(before, after):
            raise Mistake(tr("{what} changed {name} in place (like `x.sigmoid_()` or `x.neg_()`): use out-of-place "
                             "ops in forward", "{what} 原地修改了 {name}（比如 `x.sigmoid_()` 或 `x.neg_()`）："
                             "forward 中请用非原地操作", what=what, name=name), mistake="autograd.input_changed_in_place")


# grads_per_sample(w, xs): row i = d (w @ x_i) ** 2 / d w = 2 * (w @ x_i) * x_i
GRADS_PER_SAMPLE = Variants(
    Variant("autograd.power_before_product", lambda w, xs: xs ** 2,
            Text("each row is x_i ** 2, the gradient of `w @ x ** 2`: `**` binds tighter than `@`, so x was squared "
                 "before the product; the loss is `(w @ x) ** 2`",
                 "每一行都是 x_i ** 2，即 `w @ x ** 2` 的梯度：`**` 比 `@` 优先，所以先把 x 平方了再做乘积；"
                 "loss 应为 `(w @ x) ** 2`"),
            hint=Text("put the product in brackets before squaring: loss = (w @ x) ** 2",
                      "先给乘积加上括号再平方：loss = (w @ x) ** 2")),
    Variant("autograd.square_forgotten", lambda w, xs: xs.clone(),
            Text("each row is x_i, the gradient of `w @ x` alone: the square of the loss is missing",
                 "每一行都是 x_i，只是 `w @ x` 的梯度：loss 少了平方"),
            hint=Text("the loss of one sample is (w @ x) ** 2", "一个样本的 loss 是 (w @ x) ** 2")),
)

# more slips of the same task: a sample left out of the loop (off by one)
GRADS_PER_SAMPLE += Variants(
    Variant("autograd.last_sample_skipped", lambda w, xs: 2 * (xs[:-1] @ w)[:, None] * xs[:-1],
            Text("the last sample is missing: the loop stopped one row early (`range(len(xs) - 1)`); go over "
                 "every row of xs", "少了最后一个样本：循环提前一行结束了（`range(len(xs) - 1)`）；请遍历 xs 的每一行")),
    Variant("autograd.first_sample_skipped", lambda w, xs: 2 * (xs[1:] @ w)[:, None] * xs[1:],
            Text("the first sample is missing: the loop started at row 1 (`range(1, len(xs))`); rows count from 0",
                 "少了第一个样本：循环从第 1 行开始（`range(1, len(xs))`）；行号从 0 开始")),
)


def _cubic_of_sum(x: torch.Tensor) -> torch.Tensor:
    return torch.full_like(x, 3 * float(x.sum()) ** 2 + 2)


# grad_of_cubic(x): d/dx sum(x**3 + 2x) = 3x² + 2
CUBIC = Variants(
    Variant("autograd.power_of_the_sum", _cubic_of_sum,
            Text("every entry is 3 * sum(x)**2 + 2, the gradient of `x.sum() ** 3 + 2 * x.sum()`: the sum was taken "
                 "before the power; y = (x ** 3 + 2 * x).sum() cubes each entry first",
                 "每个元素都是 3 * sum(x)**2 + 2，即 `x.sum() ** 3 + 2 * x.sum()` 的梯度：先求和再求幂了；"
                 "y = (x ** 3 + 2 * x).sum() 要先对每个元素求立方")),
    Variant("autograd.cubic_grad_doubled", lambda x: 2 * (3 * x ** 2 + 2),
            Text("it is twice the derivative: backward ran twice into the same .grad (gradients add up)",
                 "这是导数的两倍：backward 对同一个 .grad 运行了两次（梯度会累加）")),
)

# Sigmoid: forward on x, backward on (x, grad_out)
SIGMOID_FORWARD = Variants(
    Variant("autograd.sigmoid_sign", lambda x: 1 / (1 + torch.exp(x.detach())),
            Text("it is sigmoid(-x): the sign in exp(-x) was lost, 1 / (1 + exp(x))",
                 "这是 sigmoid(-x)：exp(-x) 里的负号丢了，写成了 1 / (1 + exp(x))")),
)
SIGMOID_BACKWARD = Variants(
    Variant("autograd.sigmoid_grad_from_input", lambda x, g: g * x * (1 - x),
            Text("backward used the input x where it needs the output s: dL/dx = grad_out * s * (1 - s), with "
                 "s = sigmoid(x) saved in forward", "backward 用了输入 x，而它需要的是输出 s：dL/dx = grad_out * s * (1 - s)，"
                 "其中 s = sigmoid(x) 在 forward 中保存")),
    Variant("autograd.sigmoid_grad_missing_s", lambda x, g: g * (1 - torch.sigmoid(x)),
            Text("a factor s is missing: dL/dx = grad_out * s * (1 - s), not grad_out * (1 - s)",
                 "少了一个因子 s：dL/dx = grad_out * s * (1 - s)，而不是 grad_out * (1 - s)")),
    Variant("autograd.sigmoid_grad_plus", lambda x, g: g * torch.sigmoid(x) * (1 + torch.sigmoid(x)),
            Text("the sign in (1 - s) was flipped: dL/dx = grad_out * s * (1 - s), not s * (1 + s)",
                 "(1 - s) 中的符号反了：dL/dx = grad_out * s * (1 - s)，而不是 s * (1 + s)")),
)
