"""Checks for the functions kata: extending autograd with ``torch.autograd.Function``.

Values and gradients are compared with torch's own operations; gradient formulas
go through ``gradcheck``/``gradgradcheck`` (``pytest_torchkata.checks.gradients``).
What only the learner's world can show (the backward node, what ``ctx`` holds,
the raw tuple ``backward`` returns, a training step) comes back from the helpers
in ``functions/world.py`` through ``kata.run``.
"""


import torch
import torch.nn.functional as F

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.gradients import expect_gradgrad, expect_gradients
from pytest_torchkata.checks.training import expect_converged
from pytest_torchkata.checks.values import describe, expect_close
from pytest_torchkata.checks.variants import naming
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.functions import world
from pytest_torchkata.katas.functions.grader import (
    LEGENDRE_BACKWARD, LEGENDRE_FORWARD, MATMUL_GRADS, ROUND, SCALE_BACKWARD, SCALE_FORWARD, SOFTPLUS_FORWARD,
    SOFTPLUS_GRAD, EXP_BACKWARD, expect_finite_at_extremes, extremes, fit_start, reference_steps)
from pytest_torchkata.katas.functions.hints import HINTS
from pytest_torchkata.katas.common.seeded import jitter
from pytest_torchkata.katas.common.expect import expect_float_loss, expect_inputs_kept, expect_manual_update
from pytest_torchkata.model import Kata

KATA = Kata("functions", Text("Custom autograd Functions", "自定义 autograd Function"),
            Text("torch.autograd.Function: forward/backward, ctx.save_for_backward, "
                 "ctx.needs_input_grad, double backward, stable and straight-through gradients, "
                 "and a curve fit with your own Function",
                 "torch.autograd.Function：forward/backward、ctx.save_for_backward、"
                 "ctx.needs_input_grad、二阶反向传播、数值稳定的梯度与直通梯度，"
                 "以及用你自己的 Function 做曲线拟合"))


def _grads(result: dict, what: str) -> list:
    grads = result["grads"]
    if all(g is None for g in grads):
        raise CheckFailed(tr("{what}: no gradient reached the input after backward; does backward return "
                             "a tensor, and is the Function used through `.apply`?",
                             "{what}：反向传播之后输入没有得到梯度；backward 是否返回了张量？"
                             "Function 是否通过 `.apply` 调用？", what=what))
    return grads


def _applied(kata, name: str, inputs: list, upstream: torch.Tensor, extra: tuple = (),
             names: tuple = ("x",)) -> dict:
    """Apply the learner's Function and backward; its inputs must come back unchanged."""
    got = kata.run(world.apply_and_backward, name, inputs, upstream, extra)
    for value, what in [(got["out"], f"{name}.apply(...)")] + [(g, f"the gradient for input {i}")
                                                           for i, g in enumerate(got["grads"])]:
        if isinstance(value, torch.Tensor) and value.device.type != "cpu":
            raise CheckFailed(tr("{what} is on device {dev}, expected cpu (where the inputs are): was a device "
                                 "hard-coded (`.cuda()`, `device=...`)?", "{what} 在设备 {dev} 上，应在 cpu 上"
                                 "（输入所在的设备）：是不是写死了设备（`.cuda()`、`device=...`）？",
                                 what=what, dev=value.device))
    expect_inputs_kept(got, inputs, f"{name}.apply", list(names))
    return got


@KATA.task("scale", Text("One gradient per input", "每个输入一个梯度"), points=2, hints=HINTS["scale"])
class TestScale:
    def test_forward_multiplies_by_factor(self, kata):
        x = torch.randn(3, 4)
        out = _applied(kata, "Scale", [x], torch.ones(3, 4), (2.5,))["out"]
        expect_close(out, x * 2.5, what="Scale.apply(x, 2.5)", variants=SCALE_FORWARD, inputs=(x, 2.5))

    def test_backward_scales_the_incoming_gradient(self, kata):
        x, g = torch.randn(3, 4), torch.randn(3, 4)
        grad = _grads(_applied(kata, "Scale", [x], g, (2.5,)), "Scale")[0]
        if isinstance(grad, torch.Tensor) and grad.shape == g.shape and torch.allclose(grad, g):
            raise Mistake(tr("Scale: x.grad equals grad_output; backward must multiply it by factor "
                             "(d(x * factor)/dx = factor)",
                             "Scale：x.grad 等于 grad_output；backward 必须再乘以 factor"
                             "（d(x * factor)/dx = factor）"), mistake="functions.grad_not_scaled")
        expect_close(grad, g * 2.5, what=tr("x.grad after Scale.apply(x, 2.5).backward(g)",
                                            "Scale.apply(x, 2.5).backward(g) 之后的 x.grad"),
                     variants=SCALE_BACKWARD, inputs=(g, 2.5))

    def test_a_0d_float64_input_and_a_negative_factor(self, kata):
        x, g, factor = torch.randn((), dtype=torch.float64), torch.randn((), dtype=torch.float64), -0.75
        got = _applied(kata, "Scale", [x], g, (factor,))
        what = tr("Scale.apply(x, -0.75) for a 0-d float64 x", "0 维 float64 的 x 的 Scale.apply(x, -0.75)")
        expect_close(got["out"], x * factor, what=what, check_dtype=False, variants=SCALE_FORWARD, inputs=(x, factor))
        expect_close(_grads(got, "Scale")[0], g * factor, what=tr("x.grad of {what}", "{what} 的 x.grad", what=what),
                     check_dtype=False, variants=SCALE_BACKWARD, inputs=(g, factor))

    def test_passes_gradcheck(self, kata):
        expect_gradients(kata, "Scale.apply", [torch.randn(2, 3), -1.5], what="Scale.apply(x, -1.5)")


@KATA.task("exp", Text("Saving tensors for backward", "为反向传播保存张量"), points=2, hints=HINTS["exp"])
class TestExp:
    def test_forward_is_exp(self, kata):
        x = torch.randn(5)
        out = _applied(kata, "Exp", [x], torch.ones(5))["out"]
        expect_close(out, x.exp(), what="Exp.apply(x)")

    def test_backward_multiplies_grad_output_by_exp(self, kata):
        x, g = torch.randn(2, 3), torch.randn(2, 3)
        grad = _grads(_applied(kata, "Exp", [x], g), "Exp")[0]
        expect_close(grad, g * x.exp(), what=tr("x.grad after Exp.apply(x).backward(g)", "Exp.apply(x).backward(g) "
                                                "之后的 x.grad"), variants=EXP_BACKWARD, inputs=(x, g))

    def test_tensors_go_through_save_for_backward(self, kata):
        found = kata.run(world.ctx_contents, "Exp", torch.randn(4))
        if found["attributes"]:
            names = ", ".join(f"`ctx.{a}`" for a in found["attributes"])
            raise Mistake(tr("Exp keeps a tensor as {names}; pass tensors to `ctx.save_for_backward(...)` "
                             "and read them from `ctx.saved_tensors` (autograd then checks they were not "
                             "changed in place, and frees them after backward)",
                             "Exp 把张量存成了 {names}；张量应当传给 `ctx.save_for_backward(...)`，再从 "
                             "`ctx.saved_tensors` 读回（这样 autograd 会检查它们没有被原地修改，并在反向传播后"
                             "释放它们）", names=names), mistake="functions.tensor_on_ctx")
        if found["saved"] < 1:
            raise CheckFailed(tr("Exp saved nothing with `ctx.save_for_backward`; backward needs exp(x): "
                                 "save the result in forward",
                                 "Exp 没有用 `ctx.save_for_backward` 保存任何东西；backward 需要 exp(x)："
                                 "请在 forward 中保存结果"))

    def test_passes_gradcheck(self, kata):
        expect_gradients(kata, "Exp.apply", [torch.randn(2, 3)], what="Exp.apply(x)")


def _matmul_what() -> str:
    return tr("MatMul.apply(a, b) with a (3, 4), b (4, 2)", "a 为 (3, 4)、b 为 (4, 2) 时的 MatMul.apply(a, b)")


@KATA.task("matmul", Text("Only the gradients asked for", "只计算需要的梯度"), points=3, hints=HINTS["matmul"])
class TestMatMul:
    def test_forward_is_matrix_product(self, kata):
        a, b = torch.randn(3, 4), torch.randn(4, 2)
        out = _applied(kata, "MatMul", [a, b], torch.ones(3, 2), names=("a", "b"))["out"]
        expect_close(out, a @ b, what=_matmul_what())

    def test_passes_gradcheck(self, kata):
        expect_gradients(kata, "MatMul.apply", [torch.randn(3, 4), torch.randn(4, 2)],
                         what=_matmul_what())

    @staticmethod
    def _backward(kata, a: torch.Tensor, b: torch.Tensor, needs: tuple, g: torch.Tensor) -> list:
        """What MatMul.backward returned: two values, each a tensor or None."""
        __tracebackhide__ = True
        got = kata.run(world.raw_backward, "MatMul", a, b, needs, g)["returned"]
        odd = next((v for v in got if v is not None and not isinstance(v, torch.Tensor)), None)
        if odd is not None:
            raise CheckFailed(tr("MatMul.backward returned {got} where a gradient tensor (or None) was expected",
                                 "MatMul.backward 在应返回梯度张量（或 None）的位置返回了 {got}", got=describe(odd)))
        if len(got) != 2:
            raise CheckFailed(tr("MatMul.backward returned {n} value(s); it needs one per input of forward "
                                 "(a and b), None for a gradient that is not needed",
                                 "MatMul.backward 返回了 {n} 个值；forward 的每个输入（a 和 b）各需要一个，"
                                 "不需要的梯度返回 None", n=len(got)))
        return got

    def _only(self, kata, needs: tuple, wanted: int) -> None:
        a, b, g = torch.randn(3, 4), torch.randn(4, 2), torch.randn(3, 2)
        got = self._backward(kata, a, b, needs, g)
        names = ("a", "b")
        other = 1 - wanted
        expected = g @ b.T if wanted == 0 else a.T @ g
        moved = got[other]
        if got[wanted] is None and isinstance(moved, torch.Tensor) and moved.shape == expected.shape \
                and moved.device == expected.device and torch.allclose(moved, expected, rtol=1e-4, atol=1e-5):
            raise Mistake(tr("MatMul.backward returned the gradient for `{x}` in place {i}: gradients go in the "
                             "order of `forward`'s inputs, (grad for a, grad for b)",
                             "MatMul.backward 把 `{x}` 的梯度放在了第 {i} 个位置：梯度要按 `forward` 输入的顺序"
                             "返回，即（a 的梯度, b 的梯度）", x=names[wanted], i=other), mistake="functions.grads_out_of_order")
        if got[other] is not None:
            raise Mistake(tr(
                "MatMul.backward computed a gradient for `{other}` although only `{wanted}` requires grad "
                "(ctx.needs_input_grad is {needs}); check `ctx.needs_input_grad[{i}]` and return None "
                "for `{other}`",
                "MatMul.backward 为 `{other}` 计算了梯度，但只有 `{wanted}` 需要梯度"
                "（ctx.needs_input_grad 是 {needs}）；请检查 `ctx.needs_input_grad[{i}]`，并为 `{other}` "
                "返回 None", other=names[other], wanted=names[wanted], needs=needs, i=other), mistake="functions.needs_input_grad_ignored")
        expect_close(got[wanted], expected,
                     what=tr("the gradient for `{x}` when only `{x}` requires grad",
                             "只有 `{x}` 需要梯度时 `{x}` 的梯度", x=names[wanted]))

    def test_square_matrices_both_gradients(self, kata):
        # square, so a missing transpose or a swapped pair keeps its shape and shows in the values
        a, b, g = torch.randn(3, 3), torch.randn(3, 3), torch.randn(3, 3)
        got = self._backward(kata, a, b, (True, True), g)
        want = (g @ b.T, a.T @ g)
        what = tr("MatMul.backward for square a, b (3, 3): (grad_a, grad_b)", "方阵 a, b (3, 3) 的 MatMul.backward："
                  "(grad_a, grad_b)")
        with naming(MATMUL_GRADS, (a, b, g), tuple(got), what=what, expected=want):
            for i, name in enumerate("ab"):
                expect_close(got[i], want[i], what=tr("{what}, the gradient for `{name}`", "{what}，`{name}` 的梯度",
                                                      what=what, name=name))

    def test_only_a_requires_grad(self, kata):
        self._only(kata, (True, False), 0)

    def test_only_b_requires_grad(self, kata):
        self._only(kata, (False, True), 1)


@KATA.task("cube", Text("A backward autograd can differentiate", "可以再求导的 backward"), points=2, hints=HINTS["cube"])
class TestCube:
    def test_forward_is_cube(self, kata):
        x = torch.randn(5)
        out = _applied(kata, "Cube", [x], torch.ones(5))["out"]
        expect_close(out, x ** 3, what="Cube.apply(x)")

    def test_passes_gradcheck(self, kata):
        # Shape (5,): no size of 3 here, so the guess for a missing factor 3 reads "0.333x".
        expect_gradients(kata, "Cube.apply", [torch.randn(5)], what="Cube.apply(x)")

    def test_passes_gradgradcheck(self, kata):
        expect_gradgrad(kata, "Cube.apply", [torch.randn(2, 3)],
                        what=tr("Cube.apply(x), second derivative", "Cube.apply(x) 的二阶导数"))


@KATA.task("softplus", Text("Numerically stable softplus", "数值稳定的 softplus"), points=3, hints=HINTS["softplus"],
           forbidden={"torch.nn.functional.softplus": "write the stable formula yourself",
                      "torch.logaddexp": "write the stable formula yourself",
                      "torch.Tensor.logaddexp": "write the stable formula yourself"})
class TestSoftplus:
    def test_forward_is_finite_and_correct_at_plus_minus_100(self, kata):
        x, at = extremes()
        out = _applied(kata, "Softplus", [x], torch.ones(7))["out"]
        expect_finite_at_extremes(out, x, "Softplus.apply(x)", tr(
            "rewrite log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|))",
            "把 log(1 + exp(x)) 改写成 max(x, 0) + log1p(exp(-|x|))"))
        expect_close(out, F.softplus(x), what=tr("Softplus.apply(x) at {at}", "Softplus.apply(x)，"
                                                 "{at}", at=at), variants=SOFTPLUS_FORWARD, inputs=(x,))

    def test_gradient_is_finite_and_correct_at_plus_minus_100(self, kata):
        x, at = extremes()
        grad = _grads(_applied(kata, "Softplus", [x], torch.ones(7)), "Softplus")[0]
        expect_finite_at_extremes(grad, x, tr("the gradient of Softplus", "Softplus 的梯度"), tr(
            "exp(x) / (1 + exp(x)) is inf / inf there; use torch.sigmoid(x)",
            "那里 exp(x) / (1 + exp(x)) 是 inf / inf；请用 torch.sigmoid(x)"))
        expect_close(grad, torch.sigmoid(x), what=tr(
            "x.grad of Softplus.apply(x).sum() at {at}", "Softplus.apply(x).sum() 的 x.grad，{at}", at=at),
            variants=SOFTPLUS_GRAD, inputs=(x,))

    def test_passes_gradcheck(self, kata):
        expect_gradients(kata, "Softplus.apply", [3 * torch.randn(2, 3)], what="Softplus.apply(x)")

    def test_stays_finite_and_correct_in_the_far_tails(self, kata):
        # past exp's float32 overflow (88.7) and far beyond: a threshold at 100 or 1000 still overflows here
        x, at = extremes(torch.tensor([-1e4, -1000.0, -95.0, -89.0, 89.0, 95.0, 1000.0, 1e4]))
        got = _applied(kata, "Softplus", [x], torch.ones(8))
        fix = tr("let exp see only -|x|: max(x, 0) + log1p(exp(-|x|)), and sigmoid(x) for the gradient",
                 "让 exp 只接触 -|x|：max(x, 0) + log1p(exp(-|x|))，梯度用 sigmoid(x)")
        expect_finite_at_extremes(got["out"], x, "Softplus.apply(x)", fix)
        expect_close(got["out"], F.softplus(x), what=tr("Softplus.apply(x) at {at}", "Softplus.apply(x)，{at}", at=at),
                     variants=SOFTPLUS_FORWARD, inputs=(x,))
        grad = _grads(got, "Softplus")[0]
        expect_finite_at_extremes(grad, x, tr("the gradient of Softplus", "Softplus 的梯度"), fix)
        expect_close(grad, torch.sigmoid(x), what=tr("x.grad of Softplus.apply(x).sum() at {at}",
                                                     "Softplus.apply(x).sum() 的 x.grad，{at}", at=at),
                     variants=SOFTPLUS_GRAD, inputs=(x,))


@KATA.task("round_ste", Text("Straight-through rounding", "直通估计的取整"), points=2, hints=HINTS["round_ste"])
class TestRoundSTE:
    @staticmethod
    def _x() -> torch.Tensor:
        """Seeded values, none within 0.1 of halfway between integers, where rounding conventions differ."""
        return torch.randint(-3, 4, (8,)).float() + torch.rand(8) * 0.8 - 0.4

    def test_forward_rounds(self, kata):
        x = self._x()
        out = _applied(kata, "RoundSTE", [x], torch.ones(8))["out"]
        expect_close(out, torch.round(x), what=tr("RoundSTE.apply(x) at x = {x}",
                                                  "RoundSTE.apply(x)，x = {x}", x=[round(v, 3) for v in x.tolist()]),
                     variants=ROUND, inputs=(x,))

    def test_forward_rounds_exact_halves_to_even(self, kata):
        # torch.round rounds halfway cases to the even neighbour; the contract says forward is torch.round(x)
        x = torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]) + 2 * torch.randint(-3, 4, ()).float()
        out = _applied(kata, "RoundSTE", [x], torch.ones(6))["out"]
        expect_close(out, torch.round(x), what=tr("RoundSTE.apply(x) at the exact halves x = {x}",
                                                  "RoundSTE.apply(x)，x 取恰好一半的值 {x}", x=x.tolist()),
                     variants=ROUND, inputs=(x,))

    def test_gradient_passes_straight_through(self, kata):
        # Not gradcheck: this gradient is meant to differ from round's true derivative (0).
        g = jitter(torch.arange(1.0, 9.0), 0.5)  # never all ones
        grad = _grads(_applied(kata, "RoundSTE", [self._x()], g), "RoundSTE")[0]
        if isinstance(grad, torch.Tensor) and grad.shape == g.shape:
            if not grad.any():
                raise Mistake(tr("x.grad from RoundSTE is all zero: that is round's true derivative; a "
                                 "straight-through estimator passes grad_output through unchanged",
                                 "RoundSTE 给出的 x.grad 全是 0：那是 round 的真实导数；直通估计器应当把 "
                                 "grad_output 原样传回"), mistake="functions.true_derivative_of_round")
            if torch.equal(grad, torch.ones(8)):
                raise Mistake(tr("x.grad from RoundSTE is all ones whatever grad_output is; return "
                                 "grad_output itself, not ones",
                                 "无论 grad_output 是什么，RoundSTE 给出的 x.grad 都是 1；请返回 grad_output "
                                 "本身，而不是全 1"), mistake="functions.ones_not_grad_output")
        g_text = [round(v, 3) for v in g.tolist()]
        expect_close(grad, g, what=tr("x.grad after RoundSTE.apply(x).backward(g) with g = {g}",
                                      "g = {g} 时 RoundSTE.apply(x).backward(g) 之后的 x.grad", g=g_text))


@KATA.task("legendre", Text("Legendre polynomial P3", "勒让德多项式 P3"), points=2, hints=HINTS["legendre"])
class TestLegendreP3:
    def test_forward_is_p3(self, kata):
        x = jitter(torch.linspace(-1.5, 1.5, 7), 0.3)
        out = _applied(kata, "LegendreP3", [x], torch.ones(7))["out"]
        expect_close(out, 0.5 * (5 * x ** 3 - 3 * x), what="LegendreP3.apply(x)", variants=LEGENDRE_FORWARD,
                     inputs=(x,))

    def test_backward_is_grad_output_times_the_derivative(self, kata):
        x, g = jitter(torch.linspace(-1.5, 1.5, 7), 0.3), torch.randn(7)
        grad = _grads(_applied(kata, "LegendreP3", [x], g), "LegendreP3")[0]
        expect_close(grad, g * 1.5 * (5 * x ** 2 - 1), what=tr("x.grad after LegendreP3.apply(x).backward(g)",
                                                               "LegendreP3.apply(x).backward(g) 之后的 x.grad"),
                     rtol=1e-5, atol=1e-5, variants=LEGENDRE_BACKWARD, inputs=(x, g))

    def test_passes_gradcheck(self, kata):
        expect_gradients(kata, "LegendreP3.apply", [torch.randn(2, 3)], what="LegendreP3.apply(x)")


STEP = "train_step"


def _float32(tensors: list) -> list:
    return [t.float() for t in tensors]


@KATA.task("fit", Text("Fit sin(x) with your Function", "用你的 Function 拟合 sin(x)"), points=3,
           timeout=30, hints=HINTS["fit"])
class TestFit:
    def test_one_step_is_gradient_descent_on_the_sum_of_squares(self, kata):
        start = fit_start()
        got = kata.run(world.two_steps, start)["steps"][0]
        want = reference_steps(start)
        loss = expect_float_loss(got, STEP)
        if abs(loss - want["means"][0]) <= 1e-4 * want["means"][0]:
            raise Mistake(tr("train_step returned {got:.6g}, the MEAN of the squared errors; this fit "
                             "uses their sum ({want:.6g}): `.sum()`, not `.mean()`",
                             "train_step 返回了 {got:.6g}，是误差平方的平均值；这个拟合用的是它们的和"
                             "（{want:.6g}）：用 `.sum()`，不是 `.mean()`", got=loss, want=want["losses"][0]), mistake="functions.mean_not_sum")
        expect_close(loss, want["losses"][0], rtol=1e-4, what=tr(
            "the loss train_step returned (sum of squared errors, before the update)",
            "train_step 返回的损失（误差平方和，更新之前）"))
        expect_manual_update(got, _float32(want["start"][0]), _float32(want["grads"][0]), world.FIT_LR,
                             list("abcd"), STEP)

    def test_gradients_do_not_pile_up_between_steps(self, kata):
        start = fit_start()
        steps = kata.run(world.two_steps, start)["steps"]
        if len(steps) < 2:
            raise CheckFailed(tr("the first train_step already left the parameters unusable (see the "
                                 "first check), so no second step was taken",
                                 "第一次 train_step 已经让参数无法再用（见第一项检查），所以没有进行第二步"))
        got = steps[1]
        want = reference_steps(start)
        values = got["values"]
        second = _float32([p - world.FIT_LR * g for p, g in zip(want["start"][1], want["grads"][1])])
        piled = _float32(want["piled"])
        if not all(torch.allclose(v, w, rtol=1e-4, atol=1e-7) for v, w in zip(values, second)) and \
                all(torch.allclose(v, p, rtol=1e-4, atol=1e-7) for v, p in zip(values, piled)):
            raise Mistake(tr("the second train_step moved the parameters by the first step's gradient plus "
                             "the second's: the first gradient was still in `.grad` (backward adds to it); "
                             "clear it after the update (`p.grad = None` or `p.grad.zero_()`)",
                             "第二次 train_step 按第一步和第二步梯度之和移动了参数：第一步的梯度还留在 "
                             "`.grad` 里（backward 会往里累加）；请在更新之后清掉它（`p.grad = None` 或 "
                             "`p.grad.zero_()`）"), mistake="functions.grad_not_cleared")
        for i, name in enumerate("abcd"):
            expect_close(values[i], second[i], rtol=1e-4, atol=1e-7, what=tr(
                "`{name}` after a second step of train_step", "第二次 train_step 之后的 `{name}`", name=name))

    def test_uses_the_custom_function(self, kata):
        calls = kata.run(world.counts_custom_calls, fit_start())
        if calls["forward"] < 1:
            raise Mistake(tr("train_step never called LegendreP3.apply; compute P3 with your Function",
                             "train_step 没有调用 LegendreP3.apply；请用你自己的 Function 计算 P3"), mistake="functions.function_not_used")
        if calls["backward"] < 1:
            raise Mistake(tr("LegendreP3.backward never ran during train_step; is loss.backward() called?",
                             "train_step 运行期间 LegendreP3.backward 一次也没有执行；是否调用了 loss.backward()？"), mistake="functions.backward_never_ran")

    def test_converges(self, kata):
        result = kata.run(world.fit, fit_start())
        expect_converged(result, target=world.FIT_TARGET, kata=kata, what=tr(
            "the fit of a + b * P3(c + d * x) to sin(x) (lr {lr:g})",
            "a + b * P3(c + d * x) 对 sin(x) 的拟合（lr {lr:g}）", lr=world.FIT_LR),
            hint=tr("start from a=0, b=-1, c=0, d=0.3; use the sum (not the mean) of squared errors",
                    "从 a=0, b=-1, c=0, d=0.3 开始；使用误差平方的和（不是平均值）"))
