"""Checks for the autograd kata: backward, .grad, accumulation, detach/no_grad,
vector-Jacobian products and custom autograd Functions.

The learner-world helpers (called through ``kata.run``) live in
``autograd/world.py``; everything here runs on the grader's side.
"""

from __future__ import annotations

import torch

from pytest_torchkata.checks.errors import CheckFailed, LearnerError, Mistake
from pytest_torchkata.checks.gradients import expect_gradients
from pytest_torchkata.checks.values import describe, expect_close, expect_shape
from pytest_torchkata.checks.variants import matches, naming
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.autograd import world
from pytest_torchkata.katas.autograd.grader import (
    CUBIC, GRADS_PER_SAMPLE, NO_GRAPH, SIGMOID_BACKWARD, SIGMOID_FORWARD, expect_inputs_kept, needs_tensor, none_grad, uses_autograd, autograd_calls)
from pytest_torchkata.katas.autograd.hints import HINTS
from pytest_torchkata.katas.common.explained import explain
from pytest_torchkata.katas.common.seeded import jitter
from pytest_torchkata.model import Kata

KATA = Kata("autograd", Text("Autograd", "自动微分"),
            Text("derivatives with backward, second derivatives, accumulating and zeroing .grad, "
                 "detach and no_grad, vector-Jacobian products, custom autograd Functions",
                 "用 backward 求导、二阶导数、.grad 的累加与清零、detach 与 no_grad、向量-雅可比积、"
                 "自定义 autograd Function"))


# -- Task 1 ------------------------------------------------------------------------

@KATA.task("cubic", Text("A derivative with backward()", "用 backward() 求导"), points=2, hints=HINTS["cubic"])
class TestGradOfCubic:
    def _run(self, kata, x):
        with explain("does not require grad", NO_GRAPH), explain("grad can be implicitly created only for scalar", Text(
                "y is not a single number: only a scalar can call backward() without an argument; sum the whole "
                "expression, `(x ** 3 + 2 * x).sum()` (`x ** 3 + 2 * x.sum()` sums only the second term)",
                "y 不是一个数：只有标量才能不带参数调用 backward()；请对整个表达式求和，`(x ** 3 + 2 * x).sum()`"
                "（`x ** 3 + 2 * x.sum()` 只对第二项求了和）"), mistake=True):
            return kata.run(world.watch_grad_of_cubic, x)

    def test_gradient_is_3x2_plus_2(self, kata):
        x = torch.randn(6)
        res = self._run(kata, x)
        if res["out"] is None and uses_autograd(res["events"]):
            raise Mistake(tr("grad_of_cubic(x) returned None although backward() ran: no gradient reached the "
                             "leaf you returned; the graph from x to y was cut (`.detach()`, `.data`, `.item()`, "
                             "`torch.tensor(...)`) or the returned x is not that leaf (`y.grad`, or a tensor made by "
                             "`.to()`/`.double()` after `requires_grad_`, which is a new, non-leaf tensor)",
                             "虽然调用了 backward()，grad_of_cubic(x) 仍返回 None：梯度没有到达你返回的叶子节点；"
                             "从 x 到 y 的计算图被切断了（`.detach()`、`.data`、`.item()`、`torch.tensor(...)`），"
                             "或者返回的 x 不是那个叶子节点（`y.grad`，或在 `requires_grad_` 之后用 `.to()`/`.double()` 得到的新张量，"
                             "它不是叶子节点）"), mistake="autograd.returned_grad_of_another_tensor")
        out = needs_tensor(res["out"], "grad_of_cubic(x)", none_grad())
        expect_shape(out, (6,), what="grad_of_cubic(x)")
        cut = tr("was the graph cut with `.data` or `.detach()`?", "是不是用 `.data` 或 `.detach()` 切断了计算图？")
        if bool((out == 0).all()):
            raise Mistake(tr("grad_of_cubic(x) is all zeros: no gradient reached x ({cut})",
                             "grad_of_cubic(x) 全是 0：没有梯度传到 x（{cut}）", cut=cut), mistake="autograd.graph_cut")
        if matches(out, torch.full_like(x, 2.0)):
            raise Mistake(tr("grad_of_cubic(x) is 2 everywhere: only the `2 * x` part reached x, `x ** 3` was cut "
                             "from the graph ({cut})", "grad_of_cubic(x) 处处为 2：只有 `2 * x` 的部分传到了 x，"
                             "`x ** 3` 被切出了计算图（{cut}）", cut=cut), mistake="autograd.graph_cut_cube_part")
        if matches(out, (3 * x ** 2 + 2) / x.numel()):
            raise Mistake(tr("grad_of_cubic(x) is (3 * x**2 + 2) / N: y was a mean, not a sum; `.mean()` divides "
                             "every gradient by the N elements, build y with `.sum()`",
                             "grad_of_cubic(x) 是 (3 * x**2 + 2) / N：y 用的是均值而不是和；`.mean()` 会把每个梯度"
                             "除以元素个数 N，请用 `.sum()` 计算 y"), mistake="autograd.mean_not_sum")
        if matches(out, 3 * x ** 2):
            raise Mistake(tr("grad_of_cubic(x) is 3 * x**2: the `2 * x` part was cut from the graph ({cut})",
                             "grad_of_cubic(x) 是 3 * x**2：`2 * x` 的部分被切出了计算图（{cut}）", cut=cut), mistake="autograd.graph_cut_linear_part")
        expect_close(out, 3 * x ** 2 + 2, what=tr("grad_of_cubic(x), expected 3 * x**2 + 2",
                                                  "grad_of_cubic(x)，应为 3 * x**2 + 2"), rtol=1e-5, atol=1e-5,
                     variants=CUBIC, inputs=(x,))

    def test_float64_and_a_single_element(self, kata):
        for x in (torch.randn(5, dtype=torch.float64), torch.randn(1)):
            what = f"grad_of_cubic(x ({x.numel()},) {dtype_name(x.dtype)})"
            out = expect_shape(needs_tensor(self._run(kata, x)["out"], what, none_grad()), tuple(x.shape), what=what)
            expect_close(out, 3 * x ** 2 + 2, what=what, rtol=1e-5, atol=1e-5, check_dtype=False,
                         variants=CUBIC, inputs=(x,))

    def test_uses_autograd(self, kata):
        if not uses_autograd(self._run(kata, torch.randn(4))["events"]):
            raise Mistake(tr("grad_of_cubic did not call backward(): let autograd find the derivative "
                             "(`y.backward()`, then `x.grad`) instead of writing it by hand",
                             "grad_of_cubic 没有调用 backward()：让 autograd 求导（`y.backward()`，再取 `x.grad`），"
                             "不要手写导数"), mistake="autograd.derivative_by_hand")


# -- Task 2 ------------------------------------------------------------------------

def _second_reference(x: torch.Tensor) -> torch.Tensor:
    return 6 * x * torch.sin(x) + 6 * x ** 2 * torch.cos(x) - x ** 3 * torch.sin(x)


def _first_reference(x: torch.Tensor) -> torch.Tensor:
    return 3 * x ** 2 * torch.sin(x) + x ** 3 * torch.cos(x)


@KATA.task("second", Text("A second derivative", "二阶导数"), points=3, hints=HINTS["second"])
class TestSecondDerivative:
    def _run(self, kata, x):
        try:
            return kata.run(world.watch_second_derivative, x)
        except LearnerError as exc:
            if "does not require grad" not in exc.message:
                raise
            events = kata.run(world.second_derivative_events, x)["events"]
            calls = autograd_calls(events)
            if calls and "create_graph" not in calls[0]:
                raise Mistake(tr("the first derivative was taken without `create_graph=True`, so it has no graph "
                                 "of its own to differentiate again — {error}",
                                 "求一阶导数时没有传 `create_graph=True`，所以它自己没有计算图，无法再次求导 —— {error}",
                                 error=exc.message), where=exc.where, mistake="autograd.create_graph_missing") from None
            raise LearnerError(tr("{error} — {why}", "{error} —— {why}", error=exc.message, why=NO_GRAPH),
                               where=exc.where, hint=exc.hint) from None

    def test_matches_the_formula(self, kata):
        x = torch.randn(6, dtype=torch.float64)
        out = needs_tensor(self._run(kata, x)["out"], "second_derivative(x)", none_grad())
        expect_shape(out, (6,), what="second_derivative(x)")
        if matches(out, _first_reference(x)):
            raise Mistake(tr("second_derivative(x) is the first derivative: differentiate its sum once more",
                             "second_derivative(x) 是一阶导数：对它的和再求一次导"), mistake="autograd.first_not_second_derivative")
        if matches(out, _first_reference(x) + _second_reference(x)):
            raise Mistake(tr("second_derivative(x) is the first plus the second derivative: x.grad still held "
                             "the first one when the second backward added into it; take `g = x.grad`, set "
                             "`x.grad = None`, then differentiate `g.sum()`",
                             "second_derivative(x) 是一阶与二阶导数之和：第二次 backward 累加进 x.grad 时，"
                             "里面还留着一阶导数；先取 `g = x.grad`，再设 `x.grad = None`，然后对 `g.sum()` 求导"), mistake="autograd.grad_accumulated_into_second")
        expect_close(out, _second_reference(x), what="second_derivative(x)", rtol=1e-6, atol=1e-7,
                     check_dtype=False)

    def test_uses_autograd(self, kata):
        if not uses_autograd(self._run(kata, torch.randn(4, dtype=torch.float64))["events"]):
            raise Mistake(tr("second_derivative did not call autograd: use `torch.autograd.grad` twice instead "
                             "of writing the formula by hand", "second_derivative 没有调用 autograd：请调用两次 "
                             "`torch.autograd.grad`，不要手写公式"), mistake="autograd.derivative_by_hand")


# -- Task 3 ------------------------------------------------------------------------

_TWICE = Text("backward frees the graph it walked; build a fresh loss for each backward (or pass "
          "`retain_graph=True` to the first one)", "backward 会释放走过的计算图；每次 backward 前都重新计算 loss"
          "（或在第一次传 `retain_graph=True`）")


@KATA.task("accumulate", Text("Gradients add up", "梯度会累加"), points=2, hints=HINTS["accumulate"])
class TestAccumulate:
    def test_two_backward_passes_add_up(self, kata):
        w, x = torch.randn(5, requires_grad=True), torch.randn(5)
        with explain("backward through the graph a second time", _TWICE, mistake="autograd.backward_twice_without_retain_graph"):
            res = kata.run(world.accumulate_twice, w, x)
        grad = needs_tensor(res["grad"], tr("w.grad after backward_twice", "backward_twice 之后的 w.grad"),
                             none_grad())
        expect_shape(grad, (5,), what="w.grad")
        if matches(grad, x):
            raise Mistake(tr("w.grad equals the gradient of ONE backward pass (x); two passes should add up to "
                             "2 * x: do not zero or replace w.grad in between",
                             "w.grad 等于一次 backward 的梯度（x）；两次应累加为 2 * x：中间不要清零或替换 w.grad"), mistake="autograd.grad_replaced_not_added")
        expect_close(grad, 2 * x, what=tr("w.grad after two backward passes (2 * x)",
                                          "两次 backward 之后的 w.grad（2 * x）"))
        out = needs_tensor(res["out"], "backward_twice(w, x)", tr("return `w.grad`", "请返回 `w.grad`"))
        expect_close(out, 2 * x, what=tr("backward_twice(w, x), the returned w.grad",
                                         "backward_twice(w, x) 返回的 w.grad"))

    def test_clear_grad_resets(self, kata):
        w, x = torch.randn(5, requires_grad=True), torch.randn(5)
        res = kata.run(world.clear_then_backward, w, x)
        after = res["after"]
        if not torch.equal(res["w_after"], res["w_before"]):
            raise Mistake(tr("clear_grad(w) changed w itself (like `w.zero_()`): the weights are not the gradient; "
                             "reset `w.grad` (`w.grad = None` or `w.grad.zero_()`)",
                             "clear_grad(w) 修改了 w 本身（比如 `w.zero_()`）：权重不是梯度；请重置 `w.grad`"
                             "（`w.grad = None` 或 `w.grad.zero_()`）"), mistake="autograd.weights_cleared_not_grad")
        if after is not None and not (isinstance(after, torch.Tensor) and bool((after == 0).all())):
            like = (tr(" with values like {v:g}", "，数值例如 {v:g}", v=after.reshape(-1)[0].item())
                    if isinstance(after, torch.Tensor) and after.numel() else "")
            raise CheckFailed(tr("after clear_grad(w), w.grad should be None or all zeros, but is {got}{like}",
                                 "clear_grad(w) 之后 w.grad 应为 None 或全 0，实际是 {got}{like}",
                                 got=describe(after), like=like))
        fresh = needs_tensor(res["fresh"], tr("w.grad after clear_grad and one backward",
                                               "clear_grad 后再做一次 backward 的 w.grad"), none_grad())
        expect_close(fresh, x, what=tr("w.grad after clear_grad(w) and one backward",
                                       "clear_grad(w) 后再做一次 backward 的 w.grad"))


# -- Task 4 ------------------------------------------------------------------------

@KATA.task("zero", Text("Zero the gradient between steps", "每步之间把梯度清零"), points=3, hints=HINTS["zero"])
class TestGradsPerSample:
    def test_one_gradient_per_sample(self, kata):
        w, xs = torch.randn(3, requires_grad=True), torch.randn(4, 3)
        res = kata.run(world.watch_grads_per_sample, w, xs)
        out = needs_tensor(res["out"], "grads_per_sample(w, xs)", tr("is a `return` missing?", "是不是少了 `return`？"))
        want = 2 * (xs @ w.detach())[:, None] * xs
        with naming(GRADS_PER_SAMPLE, (w.detach(), xs), out, what="grads_per_sample(w, xs)", expected=want):
            expect_shape(out, (4, 3), what="grads_per_sample(w, xs)")
        if matches(out, want.cumsum(0)):
            raise Mistake(tr("row i of grads_per_sample is the SUM of the gradients of samples 0..i: w.grad was "
                             "not zeroed between samples (gradients accumulate)",
                             "grads_per_sample 的第 i 行是样本 0..i 的梯度之和：样本之间没有把 w.grad 清零（梯度会累加）"),
                          mistake="autograd.grad_not_zeroed")
        if bool((out == 0).all()) or matches(out, want[-1].expand_as(want)):
            events = res["events"]
            if not {"clone", "copy_", "__deepcopy__", "tolist"} & set(events):
                raise Mistake(tr("every row of grads_per_sample is the same: they are one tensor, w.grad, changed "
                                 "in place later (`.detach()` and `.data` share its memory, they do not copy); "
                                 "append `w.grad.clone()`",
                                 "grads_per_sample 的每一行都一样：它们是同一个张量 w.grad，之后被原地修改了"
                                 "（`.detach()` 和 `.data` 与它共享内存，并不复制）；请改为追加 `w.grad.clone()`"),
                              mistake="autograd.grad_not_copied")
            if bool((out == 0).all()):
                raise Mistake(tr("every row of grads_per_sample is zero: w.grad was zeroed before it was copied; "
                                 "copy it first, then zero it", "grads_per_sample 的每一行都是 0：w.grad 在复制之前"
                                 "就被清零了；先复制，再清零"), mistake="autograd.zeroed_before_copy")
        expect_close(out, want, what=tr("grads_per_sample(w, xs), row i = 2 * (w @ x_i) * x_i",
                                        "grads_per_sample(w, xs)，第 i 行 = 2 * (w @ x_i) * x_i"),
                     variants=GRADS_PER_SAMPLE, inputs=(w.detach(), xs))

    def test_a_batch_of_one_sample(self, kata):
        w, xs = torch.randn(5, requires_grad=True), torch.randn(1, 5)
        what = "grads_per_sample(w (5,), xs (1, 5))"
        out = needs_tensor(kata.run(world.watch_grads_per_sample, w, xs)["out"], what,
                           tr("is a `return` missing?", "是不是少了 `return`？"))
        expect_shape(out, (1, 5), what=what)
        expect_close(out, 2 * (xs @ w.detach())[:, None] * xs, what=what, variants=GRADS_PER_SAMPLE,
                     inputs=(w.detach(), xs))


# -- Task 5 ------------------------------------------------------------------------

@KATA.task("detach", Text("Stop gradients: no_grad and detach", "阻断梯度：no_grad 与 detach"),
           points=3, hints=HINTS["detach"])
class TestDetach:
    def test_predict_values(self, kata):
        w, x = torch.randn(3, requires_grad=True), torch.randn(5, 3)
        out = kata.run(world.predict_grad_mode, w, x)["out"]
        expect_close(out, x @ w.detach(), what="predict(w, x)", rtol=1e-5, atol=1e-5)

    def test_predict_keeps_a_batch_of_one(self, kata):
        w, x = torch.randn(4, requires_grad=True), torch.randn(1, 4)
        out = expect_shape(kata.run(world.predict_grad_mode, w, x)["out"], (1,), what="predict(w (4,), x (1, 4))")
        expect_close(out, x @ w.detach(), what="predict(w (4,), x (1, 4))", rtol=1e-5, atol=1e-5)

    def test_predict_builds_no_graph(self, kata):
        w, x = torch.randn(3, requires_grad=True), torch.randn(5, 3)
        res = kata.run(world.predict_grad_mode, w, x)
        out = expect_shape(res["out"], (5,), what="predict(w, x)")
        if out.requires_grad:
            raise Mistake(tr("predict(w, x) requires grad: compute it inside `with torch.no_grad():` so that no "
                             "graph is built", "predict(w, x) 需要梯度：请在 `with torch.no_grad():` 中计算，"
                             "这样就不会构建计算图"), mistake="autograd.graph_built_in_predict")
        if not res["grad_enabled_after"]:
            raise Mistake(tr("grad mode is still off after predict returned: use `with torch.no_grad():` instead "
                             "of `torch.set_grad_enabled(False)`", "predict 返回后梯度模式仍是关闭的：请用 "
                             "`with torch.no_grad():`，不要用 `torch.set_grad_enabled(False)`"), mistake="autograd.grad_mode_left_off")

    def test_gradient_flows_through_one_branch(self, kata):
        w, x = torch.randn(5, requires_grad=True), torch.randn(5)
        with explain("does not require grad", NO_GRAPH):
            res = kata.run(world.one_branch, w, x)
        out = needs_tensor(res["out"], "grad_through_one_branch(w, x)", none_grad())
        expect_shape(out, (5,), what="grad_through_one_branch(w, x)")
        y = (w * x).detach()
        if matches(out, 2 * x * y):
            raise Mistake(tr("grad_through_one_branch gives 2 * x * y, the gradient of (y**2).sum(): the second y "
                             "should be `y.detach()` so no gradient flows through it",
                             "grad_through_one_branch 得到 2 * x * y，即 (y**2).sum() 的梯度：第二个 y 应是 "
                             "`y.detach()`，这样梯度不会从它流过"), mistake="autograd.both_branches")
        expect_close(out, x * y, what=tr("grad_through_one_branch(w, x), expected x * y",
                                         "grad_through_one_branch(w, x)，应为 x * y"))


# -- Task 6 ------------------------------------------------------------------------

@KATA.task("vjp", Text("Vector-Jacobian product", "向量-雅可比积"), points=3, hints=HINTS["vjp"])
class TestSoftmaxVJP:
    def _run(self, kata, x, v):
        with explain("grad can be implicitly created only for scalar outputs", Text(
                "y is a vector, so backward needs the weight of each element: `y.backward(v)`",
                "y 是向量，backward 需要每个元素的权重：`y.backward(v)`"), mistake=True), \
                explain("modified by an inplace operation", Text(
                    "an in-place operation (`e /= ...`, `e.div_(...)`) changed a tensor that backward needs; "
                    "use the out-of-place `e = e / ...`",
                    "原地操作（`e /= ...`、`e.div_(...)`）修改了 backward 需要的张量；请用非原地的 `e = e / ...`"),
                        mistake=True):
            return kata.run(world.watch_softmax_vjp, x, v)

    def test_matches_the_jacobian(self, kata):
        x, v = torch.randn(5, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
        out = needs_tensor(self._run(kata, x, v)["out"], "softmax_vjp(x, v)", none_grad())
        expect_shape(out, (5,), what="softmax_vjp(x, v)")
        jac = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), x)  # (N, N)
        if bool((out.abs() < 1e-12).all()):
            raise Mistake(tr("softmax_vjp(x, v) is all zeros, the result for v = ones (softmax sums to 1): was v "
                             "ignored, e.g. `y.sum().backward()`? Pass it: `y.backward(v)`",
                             "softmax_vjp(x, v) 全是 0，正是 v 全为 1 时的结果（softmax 之和为 1）：是不是忽略了 v，"
                             "比如 `y.sum().backward()`？请传入它：`y.backward(v)`"), mistake="autograd.vjp_v_ignored")
        expect_close(out, v @ jac, what=tr("softmax_vjp(x, v), expected v @ J", "softmax_vjp(x, v)，应为 v @ J"),
                     check_dtype=False)

    def test_uses_autograd(self, kata):
        if not uses_autograd(self._run(kata, torch.randn(4), torch.randn(4))["events"]):
            raise Mistake(tr("softmax_vjp did not call autograd: use `y.backward(v)` or "
                             "`torch.autograd.grad(y, x, grad_outputs=v)`", "softmax_vjp 没有调用 autograd：请用 "
                             "`y.backward(v)` 或 `torch.autograd.grad(y, x, grad_outputs=v)`"), mistake="autograd.derivative_by_hand")


# -- Task 7 ------------------------------------------------------------------------


@KATA.task("sigmoid", Text("A custom autograd Function", "自定义 autograd Function"), points=4, hints=HINTS["sigmoid"])
class TestSigmoidFunction:
    def test_forward_values(self, kata):
        x = torch.randn(3, 4, requires_grad=True)
        res = kata.run(world.apply_sigmoid, x)
        expect_close(res["out"], torch.sigmoid(x.detach()), what="Sigmoid.apply(x)", variants=SIGMOID_FORWARD,
                     inputs=(x.detach(),))
        expect_inputs_kept(res, "Sigmoid.apply(x)")

    def test_gradients_match_finite_differences(self, kata):
        expect_gradients(kata, "Sigmoid.apply", [torch.randn(3, 4)], what="Sigmoid")

    def test_gradient_finite_for_large_inputs(self, kata):
        x = jitter(torch.tensor([-100.0, -10.0, 0.0, 10.0, 100.0]), 0.5)
        at = "[" + ", ".join(f"{v:.4g}" for v in x.tolist()) + "]"
        what = tr("the gradient of Sigmoid at x = {at}", "Sigmoid 在 x = {at} 处的梯度", at=at)
        grad = needs_tensor(kata.run(world.sigmoid_grad_at, x)["grad"],
                             tr("x.grad after Sigmoid.apply(x).sum().backward()",
                                "Sigmoid.apply(x).sum().backward() 之后的 x.grad"),
                             tr("did backward return the gradient?", "backward 是否返回了梯度？"))
        expect_shape(grad, (5,), what=what)
        bad = ~torch.isfinite(grad)
        if bool(bad.any()):
            raise Mistake(tr("the gradient of Sigmoid is NaN/Inf at x = {at}: exp(-x) overflows there; compute it "
                             "from the saved output s, as s * (1 - s), which stays finite",
                             "Sigmoid 的梯度在 x = {at} 处是 NaN/Inf：exp(-x) 在那里溢出；请用保存的输出 s 计算 "
                             "s * (1 - s)，它总是有限的", at=", ".join(f"{v:g}" for v in x[bad].tolist())), mistake="autograd.sigmoid_grad_overflows")
        s = torch.sigmoid(x)
        expect_close(grad, s * (1 - s), what=what, rtol=1e-4, atol=1e-5)

    def test_backward_multiplies_by_grad_out(self, kata):
        x, g = torch.randn(6), torch.tensor([3.0, -2.0, 0.5, 4.0, -1.0, 2.5])
        what = tr("x.grad after Sigmoid.apply(x).backward(g)", "Sigmoid.apply(x).backward(g) 之后的 x.grad")
        grad = needs_tensor(kata.run(world.sigmoid_grad_at, x, g)["grad"], what,
                            tr("did backward return the gradient?", "backward 是否返回了梯度？"))
        s = torch.sigmoid(x)
        if matches(grad, s * (1 - s)):
            raise Mistake(tr("{what} is s * (1 - s), whatever g is: backward ignored grad_out; the chain rule "
                             "multiplies the local derivative by it: `grad_out * s * (1 - s)`",
                             "{what} 总是 s * (1 - s)，与 g 无关：backward 忽略了 grad_out；链式法则要把局部导数乘以它："
                             "`grad_out * s * (1 - s)`", what=what), mistake="autograd.grad_out_ignored")
        expect_close(grad, g * s * (1 - s), what=what, rtol=1e-4, atol=1e-5, variants=SIGMOID_BACKWARD,
                     inputs=(x, g))

    def test_a_float64_scalar_and_a_3d_input(self, kata):
        for x in (torch.randn((), dtype=torch.float64), torch.randn(2, 3, 2, dtype=torch.float64)):
            what = tr("Sigmoid.apply(x) for a float64 x of shape {shape}", "float64、形状为 {shape} 的 x 的 "
                      "Sigmoid.apply(x)", shape=tuple(x.shape))
            out = kata.run(world.apply_sigmoid, x)["out"]
            expect_close(out, torch.sigmoid(x), what=what, check_dtype=False, variants=SIGMOID_FORWARD, inputs=(x,))


# -- Task 8 ------------------------------------------------------------------------

_W_SHAPE = Text("W is (OUT, IN): forward multiplies by its transpose, `x @ W.T`; in backward write each "
            "product's shapes down, e.g. (N, OUT) @ (OUT, IN) -> (N, IN)",
            "W 的形状是 (OUT, IN)：forward 要乘它的转置 `x @ W.T`；backward 中把每个乘积的形状写下来，"
            "例如 (N, OUT) @ (OUT, IN) -> (N, IN)")


@KATA.task("linear", Text("A custom Function with several inputs", "多输入的自定义 Function"), points=5, hints=HINTS["linear"])
class TestLinearFunction:
    def test_forward_values(self, kata):
        x, W, b = torch.randn(4, 3), torch.randn(2, 3), torch.randn(2)
        with explain("shapes cannot be multiplied", _W_SHAPE):
            res = kata.run(world.apply_linear, x, W, b)
        out = expect_shape(res["out"], (4, 2), what="LinearFunction.apply(x, W, b)")
        if matches(out, x @ W.T):
            raise Mistake(tr("LinearFunction.apply(x, W, b) equals x @ W.T: the bias b is missing in forward",
                             "LinearFunction.apply(x, W, b) 等于 x @ W.T：forward 中漏掉了偏置 b"), mistake="autograd.bias_missing")
        expect_close(out, torch.nn.functional.linear(x, W, b), what="LinearFunction.apply(x, W, b)",
                     rtol=1e-5, atol=1e-5)
        expect_inputs_kept(res, "LinearFunction.apply(x, W, b)")

    def test_gradients_match_finite_differences(self, kata):
        # N == OUT, so that a mean over the batch shows as "1/N" in the diagnosis.
        x, W, b = torch.randn(3, 4), torch.randn(3, 4), torch.randn(3)
        with explain("shapes cannot be multiplied", _W_SHAPE):
            expect_gradients(kata, "LinearFunction.apply", [x, W, b], what="LinearFunction")
