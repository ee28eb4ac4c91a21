"""Checks for the autograd kata: backward, .grad, accumulation, detach/no_grad,
vector-Jacobian products and custom autograd Functions."""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch
from torch.overrides import TorchFunctionMode

from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.checks.errors import CheckFailed, LearnerError
from pytest_torchkata.checks.gradients import expect_gradients
from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.model import Kata

KATA = Kata("autograd", "Autograd (自动微分)",
            "derivatives with backward, second derivatives, accumulating and zeroing .grad, "
            "detach and no_grad, vector-Jacobian products, custom autograd Functions")


# -- learner-world helpers (run through kata.run) --------------------------------

def _label(name: str):
    """When learner code raises inside a helper, the message names the helper:
    name the learner's function instead."""
    def rename(helper):
        helper.__name__ = name
        return helper
    return rename


_AUTOGRAD_ENTRIES = (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad)


class _WatchAutograd(TorchFunctionMode):
    """Notes whether learner code asked autograd for a gradient."""

    def __init__(self) -> None:
        super().__init__()
        self.used = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in _AUTOGRAD_ENTRIES:
            self.used = True
        return func(*args, **(kwargs or {}))


def watch_call(module, name: str, *args):
    """Call the learner's ``name`` and say whether it used autograd."""
    watch = _WatchAutograd()
    with watch:
        out = getattr(module, name)(*args)
    return {"out": out, "autograd": watch.used}


@_label("backward_twice")
def accumulate_twice(module, w, x):
    out = module.backward_twice(w, x)
    return {"out": out, "grad": w.grad}


@_label("clear_grad")
def clear_then_backward(module, w, x):
    with trusted():
        w.grad = torch.full_like(w, 99.0)
    module.clear_grad(w)
    after = w.grad
    with trusted():
        after = None if after is None else after.clone()
        (w * x).sum().backward()
    return {"after": after, "fresh": w.grad}


@_label("grads_per_sample")
def per_sample(module, w, xs):
    out = module.grads_per_sample(w, xs)
    return {"out": out}


@_label("predict")
def predict_grad_mode(module, w, x):
    """Call ``predict``; report the result and whether grad mode was left on
    (then switch it back on, so later checks are not affected)."""
    try:
        out = module.predict(w, x)
        return {"out": out, "grad_enabled_after": torch.is_grad_enabled()}
    finally:
        torch.set_grad_enabled(True)


def apply_function(module, target: str, *args):
    """Forward of a custom Function (``"Sigmoid.apply"``), and the inputs as they are
    afterwards (the check compares them with what it sent, to see in-place changes)."""
    fn = module
    for part in target.split("."):
        fn = getattr(fn, part)
    out = fn(*args)
    return {"out": out, "after": [a.detach() for a in args]}


@_label("Sigmoid.apply")
def sigmoid_grad_at(module, x):
    with trusted():
        x = x.detach().requires_grad_(True)
    out = module.Sigmoid.apply(x)
    with trusted():
        out.sum().backward()
    return {"grad": x.grad}


@_label("grad_of_cubic")
def watch_grad_of_cubic(module, *args):
    return watch_call(module, "grad_of_cubic", *args)


@_label("second_derivative")
def watch_second_derivative(module, *args):
    return watch_call(module, "second_derivative", *args)


@_label("softmax_vjp")
def watch_softmax_vjp(module, *args):
    return watch_call(module, "softmax_vjp", *args)


@_label("Sigmoid.apply")
def apply_sigmoid(module, *args):
    return apply_function(module, "Sigmoid.apply", *args)


@_label("LinearFunction.apply")
def apply_linear(module, *args):
    return apply_function(module, "LinearFunction.apply", *args)


# -- check-side helpers -------------------------------------------------------------

def _needs_tensor(value, what: str, why_none: str) -> torch.Tensor:
    __tracebackhide__ = True
    if value is None:
        raise CheckFailed(f"{what} is None; {why_none}")
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(f"{what} should be a tensor, but is {describe(value)}")
    return value


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a.double(), b.double(), rtol=1e-4, atol=1e-5))


@contextlib.contextmanager
def _hint_when(needle: str, hint: str) -> Iterator[None]:
    """A learner error whose message contains ``needle`` gets this task's own hint."""
    try:
        yield
    except LearnerError as exc:
        if needle not in exc.message:
            raise
        raise LearnerError(exc.message, where=exc.where, hint=hint) from None


_NONE_GRAD = ("`.grad` stays None when the tensor does not require grad, when backward() was not "
              "called, or when it is not a leaf (make it with `x.detach().requires_grad_(True)`)")


_NO_LEAF = ("x does not require grad, so y has no graph: start with `x = x.detach().requires_grad_(True)` "
            "and build y from that x (no `.data`/`.detach()` on the way)")


# -- Task 1 ------------------------------------------------------------------------

@KATA.task("cubic", "A derivative with backward()", points=2,
           hint="make a leaf with `x = x.detach().requires_grad_(True)`, build y as a scalar, "
                "call `y.backward()`, return `x.grad`")
class TestGradOfCubic:
    def _run(self, kata, x):
        with _hint_when("does not require grad", _NO_LEAF):
            return kata.run(watch_grad_of_cubic, x)

    def test_gradient_is_3x2_plus_2(self, kata):
        x = torch.randn(6)
        res = self._run(kata, x)
        out = _needs_tensor(res["out"], "grad_of_cubic(x)", _NONE_GRAD)
        expect_shape(out, (6,), what="grad_of_cubic(x)")
        want = 3 * x ** 2 + 2
        if bool((out == 0).all()):
            raise CheckFailed("grad_of_cubic(x) is all zeros: no gradient reached x "
                              "(was the graph cut with `.data` or `.detach()`?)")
        if _close(out, torch.full_like(x, 2.0)):
            raise CheckFailed("grad_of_cubic(x) is 2 everywhere: only the `2 * x` part reached x, "
                              "`x ** 3` was cut from the graph (`.data`/`.detach()`?)")
        if _close(out, 3 * x ** 2):
            raise CheckFailed("grad_of_cubic(x) is 3 * x**2: the `2 * x` part was cut from the graph "
                              "(`.data`/`.detach()`?)")
        expect_close(out, want, what="grad_of_cubic(x), expected 3 * x**2 + 2", rtol=1e-5, atol=1e-5)

    def test_uses_autograd(self, kata):
        res = self._run(kata, torch.randn(4))
        expect_true(res["autograd"], "grad_of_cubic did not call backward(): let autograd find the derivative "
                                     "(`y.backward()`, then `x.grad`) instead of writing it by hand")


# -- Task 2 ------------------------------------------------------------------------

def _second_reference(x: torch.Tensor) -> torch.Tensor:
    return 6 * x * torch.sin(x) + 6 * x ** 2 * torch.cos(x) - x ** 3 * torch.sin(x)


def _first_reference(x: torch.Tensor) -> torch.Tensor:
    return 3 * x ** 2 * torch.sin(x) + x ** 3 * torch.cos(x)


_CREATE_GRAPH = ("the first `torch.autograd.grad` needs `create_graph=True`, or its result has no graph "
                 "to differentiate again")


@KATA.task("second", "A second derivative", points=3,
           hint="`(g,) = torch.autograd.grad(y, x, create_graph=True)`, then "
                "`torch.autograd.grad(g.sum(), x)`")
class TestSecondDerivative:
    def _run(self, kata, x):
        with _hint_when("does not require grad", _CREATE_GRAPH):
            return kata.run(watch_second_derivative, x)

    def test_matches_the_formula(self, kata):
        x = torch.randn(6, dtype=torch.float64)
        out = _needs_tensor(self._run(kata, x)["out"], "second_derivative(x)", _NONE_GRAD)
        expect_shape(out, (6,), what="second_derivative(x)")
        if _close(out, _first_reference(x)):
            raise CheckFailed("second_derivative(x) is the first derivative: differentiate its sum once more")
        expect_close(out, _second_reference(x), what="second_derivative(x)", rtol=1e-6, atol=1e-8,
                     check_dtype=False)

    def test_uses_autograd(self, kata):
        res = self._run(kata, torch.randn(4, dtype=torch.float64))
        expect_true(res["autograd"], "second_derivative did not call autograd: use `torch.autograd.grad` "
                                     "twice instead of writing the formula by hand")


# -- Task 3 ------------------------------------------------------------------------

@KATA.task("accumulate", "Gradients add up", points=2,
           hint="each backward() adds into .grad; to start afresh set `w.grad = None` "
                "(or `w.grad.zero_()`)")
class TestAccumulate:
    def test_two_backward_passes_add_up(self, kata):
        w, x = torch.randn(5, requires_grad=True), torch.randn(5)
        res = kata.run(accumulate_twice, w, x)
        grad = _needs_tensor(res["grad"], "w.grad after backward_twice", _NONE_GRAD)
        expect_shape(grad, (5,), what="w.grad")
        if _close(grad, x):
            raise CheckFailed("w.grad equals the gradient of ONE backward pass (x); two passes should "
                              "add up to 2 * x: do not zero or replace w.grad in between")
        expect_close(grad, 2 * x, what="w.grad after two backward passes (2 * x)", rtol=1e-5, atol=1e-6)
        out = _needs_tensor(res["out"], "backward_twice(w, x)", "return `w.grad`")
        expect_close(out, 2 * x, what="backward_twice(w, x), the returned w.grad", rtol=1e-5, atol=1e-6)

    def test_clear_grad_resets(self, kata):
        w, x = torch.randn(5, requires_grad=True), torch.randn(5)
        res = kata.run(clear_then_backward, w, x)
        after = res["after"]
        if after is not None:
            expect_true(isinstance(after, torch.Tensor) and bool((after == 0).all()),
                        f"after clear_grad(w), w.grad should be None or all zeros, but is "
                        f"{describe(after)}" + (f" with values like {after.reshape(-1)[0].item():g}"
                                                if isinstance(after, torch.Tensor) and after.numel() else ""))
        fresh = _needs_tensor(res["fresh"], "w.grad after clear_grad and one backward", _NONE_GRAD)
        expect_close(fresh, x, what="w.grad after clear_grad(w) and one backward", rtol=1e-5, atol=1e-6)


# -- Task 4 ------------------------------------------------------------------------

@KATA.task("zero", "Zero the gradient between steps", points=3,
           hint="after each backward: `grads.append(w.grad.clone())`, then `w.grad.zero_()`")
class TestGradsPerSample:
    def test_one_gradient_per_sample(self, kata):
        w, xs = torch.randn(3, requires_grad=True), torch.randn(4, 3)
        out = _needs_tensor(kata.run(per_sample, w, xs)["out"], "grads_per_sample(w, xs)",
                            "is a `return` missing?")
        expect_shape(out, (4, 3), what="grads_per_sample(w, xs)")
        want = 2 * (xs @ w.detach())[:, None] * xs
        if _close(out, want.cumsum(0)):
            raise CheckFailed("row i of grads_per_sample is the SUM of the gradients of samples 0..i: "
                              "w.grad was not zeroed between samples (gradients accumulate)")
        if bool((out == 0).all()) or (_close(out, want[-1].expand_as(want))):
            raise CheckFailed("every row of grads_per_sample is the same: they are one tensor, w.grad, "
                              "changed in place later; append `w.grad.clone()`")
        expect_close(out, want, what="grads_per_sample(w, xs), row i = 2 * (w @ x_i) * x_i",
                     rtol=1e-5, atol=1e-5)


# -- Task 5 ------------------------------------------------------------------------

@KATA.task("detach", "Stop gradients: no_grad and detach", points=3,
           hint="`with torch.no_grad():` builds no graph; `y.detach()` is y's value cut off "
                "from the graph")
class TestDetach:
    def test_predict_values(self, kata):
        w, x = torch.randn(3, requires_grad=True), torch.randn(5, 3)
        out = kata.run(predict_grad_mode, w, x)["out"]
        expect_close(out, x @ w.detach(), what="predict(w, x)", rtol=1e-5, atol=1e-6)

    def test_predict_builds_no_graph(self, kata):
        w, x = torch.randn(3, requires_grad=True), torch.randn(5, 3)
        res = kata.run(predict_grad_mode, w, x)
        out = expect_shape(res["out"], (5,), what="predict(w, x)")
        expect_true(not out.requires_grad, "predict(w, x) requires grad: compute it inside "
                                           "`with torch.no_grad():` so that no graph is built")
        expect_true(res["grad_enabled_after"],
                    "grad mode is still off after predict returned: use `with torch.no_grad():` "
                    "instead of `torch.set_grad_enabled(False)`")

    def test_gradient_flows_through_one_branch(self, kata):
        w, x = torch.randn(5, requires_grad=True), torch.randn(5)
        out = _needs_tensor(kata.call("grad_through_one_branch", w, x), "grad_through_one_branch(w, x)",
                            _NONE_GRAD)
        expect_shape(out, (5,), what="grad_through_one_branch(w, x)")
        y = (w * x).detach()
        if _close(out, 2 * x * y):
            raise CheckFailed("grad_through_one_branch gives 2 * x * y, the gradient of (y**2).sum(): the "
                              "second y should be `y.detach()` so no gradient flows through it")
        expect_close(out, x * y, what="grad_through_one_branch(w, x), expected x * y", rtol=1e-5, atol=1e-6)


# -- Task 6 ------------------------------------------------------------------------

@KATA.task("vjp", "Vector-Jacobian product", points=3,
           hint="y is a vector: `y.backward(v)` or `torch.autograd.grad(y, x, grad_outputs=v)`")
class TestSoftmaxVJP:
    def test_matches_the_jacobian(self, kata):
        x, v = torch.randn(5, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
        out = _needs_tensor(kata.run(watch_softmax_vjp, x, v)["out"], "softmax_vjp(x, v)", _NONE_GRAD)
        expect_shape(out, (5,), what="softmax_vjp(x, v)")
        jac = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), x)  # (N, N)
        if bool((out.abs() < 1e-12).all()):
            raise CheckFailed("softmax_vjp(x, v) is all zeros, the result for v = ones (softmax sums to 1): "
                              "was v ignored, e.g. `y.sum().backward()`? Pass it: `y.backward(v)`")
        expect_close(out, v @ jac, what="softmax_vjp(x, v), expected v @ J", rtol=1e-6, atol=1e-9,
                     check_dtype=False)

    def test_uses_autograd(self, kata):
        res = kata.run(watch_softmax_vjp, torch.randn(4), torch.randn(4))
        expect_true(res["autograd"], "softmax_vjp did not call autograd: use `y.backward(v)` or "
                                     "`torch.autograd.grad(y, x, grad_outputs=v)`")


# -- Task 7 ------------------------------------------------------------------------

@KATA.task("sigmoid", "A custom autograd Function", points=4,
           hint="save the output s with `ctx.save_for_backward(s)`; in backward read it back from "
                "`ctx.saved_tensors`: dsigmoid/dx = s * (1 - s), times grad_out")
class TestSigmoidFunction:
    def test_forward_values(self, kata):
        x = torch.randn(3, 4, requires_grad=True)
        res = kata.run(apply_sigmoid, x)
        expect_close(res["out"], torch.sigmoid(x.detach()), what="Sigmoid.apply(x)", rtol=1e-5, atol=1e-6)
        after = res["after"][0]
        expect_true(isinstance(after, torch.Tensor) and torch.equal(after, x.detach()), "Sigmoid.apply(x) changed x in place (like `x.sigmoid_()` or "
                                           "`x.neg_()`): use out-of-place ops in forward")

    def test_gradients_match_finite_differences(self, kata):
        expect_gradients(kata, "Sigmoid.apply", [torch.randn(3, 4)], what="Sigmoid")

    def test_gradient_finite_for_large_inputs(self, kata):
        x = torch.tensor([-100.0, -10.0, 0.0, 10.0, 100.0])
        grad = _needs_tensor(kata.run(sigmoid_grad_at, x)["grad"],
                             "x.grad after Sigmoid.apply(x).sum().backward()", "did backward return the gradient?")
        expect_shape(grad, (5,), what="the gradient of Sigmoid at x = [-100, -10, 0, 10, 100]")
        bad = ~torch.isfinite(grad)
        if bool(bad.any()):
            at = ", ".join(f"{v:g}" for v in x[bad].tolist())
            raise CheckFailed(f"the gradient of Sigmoid is NaN/Inf at x = {at}: exp(-x) overflows there; "
                              f"compute it from the saved output s, as s * (1 - s), which stays finite")
        s = torch.sigmoid(x)
        expect_close(grad, s * (1 - s), what="the gradient of Sigmoid at x = [-100, -10, 0, 10, 100]",
                     rtol=1e-4, atol=1e-6)


_W_SHAPE = ("W is (OUT, IN): forward multiplies by its transpose, `x @ W.T`; in backward write each "
            "product's shapes down, e.g. (N, OUT) @ (OUT, IN) -> (N, IN)")


# -- Task 8 ------------------------------------------------------------------------

@KATA.task("linear", "A custom Function with several inputs", points=5,
           hint="return three gradients in forward's order, each shaped like its input: x (N, IN), "
                "W (OUT, IN), b (OUT,); b was added to every row, so its gradient sums grad_out over rows")
class TestLinearFunction:
    def test_forward_values(self, kata):
        x, W, b = torch.randn(4, 3), torch.randn(2, 3), torch.randn(2)
        with _hint_when("shapes cannot be multiplied", _W_SHAPE):
            res = kata.run(apply_linear, x, W, b)
        out = expect_shape(res["out"], (4, 2), what="LinearFunction.apply(x, W, b)")
        if _close(out, x @ W.T):
            raise CheckFailed("LinearFunction.apply(x, W, b) equals x @ W.T: the bias b is missing in forward")
        expect_close(out, torch.nn.functional.linear(x, W, b), what="LinearFunction.apply(x, W, b)",
                     rtol=1e-5, atol=1e-5)

    def test_gradients_match_finite_differences(self, kata):
        # N == OUT, so that a mean over the batch shows as "1/N" in the diagnosis.
        x, W, b = torch.randn(3, 4), torch.randn(3, 4), torch.randn(3)
        with _hint_when("shapes cannot be multiplied", _W_SHAPE):
            expect_gradients(kata, "LinearFunction.apply", [x, W, b], what="LinearFunction")
