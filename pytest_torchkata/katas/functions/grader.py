"""Grader side of the functions kata: the classic wrong versions of its Functions
(``checks.variants``), tried on the grader's side when a value check fails, and the
reference computations the checks compare with.  Never imported by ``world.py``."""

from __future__ import annotations

import math

import torch

from pytest_torchkata.checks.errors import Mistake
from pytest_torchkata.checks.variants import Variant, Variants
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.common.seeded import jitter
from pytest_torchkata.katas.functions import world


EXTREMES = torch.tensor([-100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0])


def extremes(points: "torch.Tensor | None" = None) -> tuple[torch.Tensor, str]:
    """``points`` (EXTREMES when not given) moved by a seeded amount each (under 0.5), and how a
    message names them."""
    x = jitter(EXTREMES if points is None else points, 0.5)
    return x, "x = [" + ", ".join(f"{v:.4g}" for v in x.tolist()) + "]"


def expect_finite_at_extremes(values, x: torch.Tensor, what: str, fix: str) -> None:
    """Names the first x where ``values`` is inf/NaN: the sign of an overflowing exp."""
    if isinstance(values, torch.Tensor) and values.shape == x.shape:
        bad = ~torch.isfinite(values)
        if bad.any():
            raise Mistake(tr("{what} is {v} at x = {x:g} (float32): exp of a large number overflows "
                             "(exp(100) is inf); {fix}",
                             "{what} 在 x = {x:g} 处是 {v}（float32）：大数的 exp 会溢出"
                             "（exp(100) 是 inf）；{fix}",
                             what=what, v=values[bad][0].item(), x=x[bad][0].item(), fix=fix), mistake="functions.exp_overflows")


def fit_start() -> list[float]:
    """The article's start (a=0, b=-1, c=0, d=0.3), each moved by a seeded amount under 0.01."""
    return jitter(torch.tensor(world.FIT_START, dtype=torch.float64), 0.01).tolist()


def reference_steps(start: list[float]) -> dict:
    """The article's update in float64, with autograd's own derivatives (not the learner's
    P3): the losses, the parameters and gradients at each step, and the second step's
    parameters as they come out when the first gradient is left in ``.grad``."""
    x = torch.linspace(-math.pi, math.pi, world.FIT_POINTS).double()
    y = torch.sin(x)
    params = [torch.tensor(v, dtype=torch.float64) for v in start]
    out: dict = {"losses": [], "means": [], "start": [], "grads": []}
    for _ in range(2):
        leaves = [p.clone().requires_grad_() for p in params]
        a, b, c, d = leaves
        z = c + d * x
        errors = (a + b * 0.5 * (5 * z ** 3 - 3 * z) - y).pow(2)
        grads = torch.autograd.grad(errors.sum(), leaves)
        out["losses"].append(errors.sum().item())
        out["means"].append(errors.mean().item())
        out["start"].append(params)
        out["grads"].append(list(grads))
        params = [p - world.FIT_LR * g for p, g in zip(params, grads)]
    g0, g1 = out["grads"]
    out["piled"] = [p - world.FIT_LR * (a + b) for p, a, b in zip(out["start"][1], g0, g1)]
    return out




# -- the tasks' classic wrong versions ------------------------------------------------------

# Scale.apply(x, factor): forward on (x, factor), backward on (g, factor)
SCALE_FORWARD = Variants(
    Variant("functions.scale_adds", lambda x, f: x + f,
            Text("factor was added, not multiplied: y = x * factor", "factor 被加上了，而不是相乘：y = x * factor")),
)
SCALE_BACKWARD = Variants(
    Variant("functions.scale_grad_divides", lambda g, f: g / f,
            Text("backward divided grad_output by factor; d(x * factor)/dx = factor multiplies it",
                 "backward 用 factor 除了 grad_output；d(x * factor)/dx = factor，应该相乘")),
)

# Exp.apply(x): backward on (x, g)
EXP_BACKWARD = Variants(
    Variant("functions.exp_grad_times_input", lambda x, g: g * x,
            Text("backward multiplied by the input x; the derivative of exp is exp itself: grad_output * exp(x), "
                 "from the saved output", "backward 乘的是输入 x；exp 的导数就是 exp 本身：grad_output * exp(x)，"
                 "用保存的输出")),
    Variant("functions.grad_output_ignored", lambda x, g: x.exp(),
            Text("backward returned exp(x) whatever grad_output is: the chain rule multiplies by it, "
                 "grad_output * exp(x)", "无论 grad_output 是什么，backward 都返回 exp(x)：链式法则要乘以它，"
                 "grad_output * exp(x)")),
)

# MatMul.backward on (a, b, g) with both inputs requiring grad: (grad_a, grad_b)
MATMUL_GRADS = Variants(
    Variant("functions.matmul_grads_not_transposed", lambda a, b, g: (g @ b, a @ g),
            Text("the transposes are missing: d a = grad_output @ b.T and d b = a.T @ grad_output",
                 "少了转置：d a = grad_output @ b.T，d b = a.T @ grad_output")),
    Variant("functions.matmul_grads_swapped", lambda a, b, g: (a.T @ g, g @ b.T),
            Text("the two gradients are swapped: return them in the order of `forward`'s inputs, (grad_a, grad_b)",
                 "两个梯度的顺序反了：要按 forward 输入的顺序返回，(grad_a, grad_b)")),
    Variant("functions.matmul_grad_order_of_product", lambda a, b, g: (b.T @ g.T, g.T @ a.T),
            Text("the products are in the wrong order (they give the transposes): d a = grad_output @ b.T, "
                 "d b = a.T @ grad_output", "乘积的顺序反了（得到的是转置）：d a = grad_output @ b.T，"
                 "d b = a.T @ grad_output")),
)

# Softplus.apply(x): forward on x, the gradient of its sum on x
SOFTPLUS_FORWARD = Variants(
    Variant("functions.softplus_max_missing", lambda x: torch.log1p(torch.exp(-x.abs())),
            Text("the max(x, 0) term is missing: log(1 + e^x) = max(x, 0) + log1p(exp(-|x|))",
                 "少了 max(x, 0) 这一项：log(1 + e^x) = max(x, 0) + log1p(exp(-|x|))")),
    Variant("functions.softplus_abs_not_max", lambda x: x.abs() + torch.log1p(torch.exp(-x.abs())),
            Text("|x| was used where max(x, 0) belongs: for negative x that adds |x| too much",
                 "在该用 max(x, 0) 的地方用了 |x|：x 为负时多加了 |x|")),
)
SOFTPLUS_GRAD = Variants(
    Variant("functions.softplus_grad_sign", lambda x: torch.sigmoid(-x),
            Text("the gradient is sigmoid(-x): the derivative of softplus is sigmoid(x)",
                 "梯度是 sigmoid(-x)：softplus 的导数是 sigmoid(x)")),
)

# RoundSTE.apply(x): forward on x
ROUND = Variants(
    Variant("functions.round_half_up", lambda x: torch.floor(x + 0.5),
            Text("halves were rounded up (`floor(x + 0.5)`); torch.round rounds them to the even neighbour "
                 "(2.5 -> 2, 3.5 -> 4)", "一半被向上取整了（`floor(x + 0.5)`）；torch.round 把它们舍入到偶数"
                 "（2.5 -> 2，3.5 -> 4）"),
            hint=Text("use torch.round(x) itself", "直接用 torch.round(x)")),
    Variant("functions.round_half_away", lambda x: torch.sign(x) * torch.floor(x.abs() + 0.5),
            Text("halves were rounded away from zero (2.5 -> 3, -2.5 -> -3); torch.round rounds them to the even "
                 "neighbour (2.5 -> 2)", "一半被远离零舍入了（2.5 -> 3，-2.5 -> -3）；torch.round 把它们舍入到偶数"
                 "（2.5 -> 2）"),
            hint=Text("use torch.round(x) itself", "直接用 torch.round(x)")),
    Variant("functions.floor_not_round", torch.floor,
            Text("it rounds down (floor), not to the nearest integer", "这是向下取整（floor），不是四舍五入到最近的整数")),
    Variant("functions.trunc_not_round", torch.trunc,
            Text("it cuts off the fraction (trunc, as `.int()` does), not rounding to the nearest integer",
                 "这是截断小数部分（trunc，和 `.int()` 一样），不是舍入到最近的整数")),
)

# LegendreP3.apply(x): forward on x, backward on (x, g)
LEGENDRE_FORWARD = Variants(
    Variant("functions.p3_bracket_dropped", lambda x: 0.5 * 5 * x ** 3 - 3 * x,
            Text("the bracket was dropped: 0.5 * 5 * x**3 - 3 * x halves only the first term; "
                 "P3 = 0.5 * (5 x^3 - 3 x)", "括号丢了：0.5 * 5 * x**3 - 3 * x 只把第一项减半了；P3 = 0.5 * (5 x^3 - 3 x)")),
)
LEGENDRE_BACKWARD = Variants(
    Variant("functions.p3_grad_bracket_dropped", lambda x, g: g * (1.5 * 5 * x ** 2 - 1),
            Text("the bracket was dropped: 1.5 * 5 * x**2 - 1 multiplies only the first term; "
                 "P3'(x) = 1.5 * (5 x^2 - 1)", "括号丢了：1.5 * 5 * x**2 - 1 只乘了第一项；P3'(x) = 1.5 * (5 x^2 - 1)")),
    Variant("functions.grad_output_ignored", lambda x, g: 1.5 * (5 * x ** 2 - 1),
            Text("backward returned P3'(x) whatever grad_output is: the chain rule multiplies by it",
                 "无论 grad_output 是什么，backward 都返回 P3'(x)：链式法则要乘以它")),
    Variant("functions.p3_instead_of_derivative", lambda x, g: g * 0.5 * (5 * x ** 3 - 3 * x),
            Text("backward multiplied by P3(x) itself, not its derivative P3'(x) = 1.5 * (5 x^2 - 1)",
                 "backward 乘的是 P3(x) 本身，而不是它的导数 P3'(x) = 1.5 * (5 x^2 - 1)")),
)
