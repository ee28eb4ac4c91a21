"""expect_gradients / expect_gradgrad: each classic backward mistake gets a message naming it.

A tiny kata ("grad") is registered from a pytester conftest.py through the
``pytest_torchkata_register_katas`` hook; its checks (checks_grad.py) use
expect_gradients on a learner file written here, correct or with one mistake.
"""

from __future__ import annotations

import textwrap

import pytest
import torch

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.checks.gradients import band, diagnose, expect_gradients, guess, relative_error

CONFTEST = textwrap.dedent("""
    def pytest_torchkata_register_katas(register):
        import checks_grad
        register(checks_grad.KATA)
""")

CHECKS = textwrap.dedent('''
    """Checks of the test-only kata "grad"."""
    import torch

    from pytest_torchkata.checks.gradients import expect_gradgrad, expect_gradients
    from pytest_torchkata.model import Kata

    KATA = Kata("grad", "Gradients", "custom autograd Functions (test kata)")


    @KATA.task("sigmoid", "Sigmoid", hint="d sigmoid = s * (1 - s)")
    class TestSigmoid:
        def test_backward_matches_finite_differences(self, kata):
            expect_gradients(kata, "Sigmoid.apply", [torch.randn(3, 4)], what="Sigmoid.apply(x)")


    @KATA.task("total", "Sum of all elements", hint="every element gets the upstream gradient")
    class TestTotal:
        def test_backward_matches_finite_differences(self, kata):
            expect_gradients(kata, "Total.apply", [torch.randn(2, 5)], what="Total.apply(x)")


    @KATA.task("scale", "Scale by a number", hint="one gradient per forward input")
    class TestScale:
        def test_backward_matches_finite_differences(self, kata):
            expect_gradients(kata, "Scale.apply", [torch.randn(4), 3.0], what="Scale.apply(x, 3.0)")


    @KATA.task("mul", "Elementwise product", hint="d(xy)/dx = y, d(xy)/dy = x")
    class TestMul:
        def test_backward_matches_finite_differences(self, kata):
            expect_gradients(kata, "Mul.apply", [torch.randn(5), torch.randn(5)], what="Mul.apply(x, y)")


    @KATA.task("square", "Square (a plain function)", hint="keep every step in torch")
    class TestSquare:
        def test_gradient_flows(self, kata):
            expect_gradients(kata, "square", [torch.randn(4)], what="square(x)", kwargs={"scale": 1.0})

        def test_second_derivative(self, kata):
            expect_gradgrad(kata, "Sigmoid.apply", [torch.randn(3)], what="Sigmoid.apply(x)")
''')

LEARNER = textwrap.dedent('''
    import torch


    class Sigmoid(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = 1 / (1 + torch.exp(-x))
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_out):
            (y,) = ctx.saved_tensors
            return grad_out * y * (1 - y)


    class Total(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.shape = x.shape
            return x.sum()

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out.expand(ctx.shape).clone()


    class Scale(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out * ctx.k, None


    class Mul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, grad_out):
            x, y = ctx.saved_tensors
            return grad_out * y, grad_out * x


    def square(x, scale):
        return (x * x) * scale
''')


def mistake(*replacements: tuple[str, str]) -> str:
    """The correct learner file with text replaced; each ``old`` must occur exactly once.
    Mistakes in different tasks share one grading run (each task is graded on its own)."""
    source = LEARNER
    for old, new in replacements:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


@pytest.fixture
def grade_grad(grade):
    def run(source: str, *args: str, checks: str = CHECKS):
        # a plugin module, not a conftest.py: --kata-isolate refuses one above the kata folder
        return grade("grad", source, "-p", "grad_plugin", *args,
                     files={"grad_plugin.py": CONFTEST, "checks_grad.py": checks})
    return run


def test_correct_functions_get_full_marks(grade_grad):
    g = grade_grad(LEARNER)
    assert g.full_marks, g.output


def test_correct_functions_isolated(grade_grad):
    g = grade_grad(LEARNER, "--kata-isolate")
    assert g.full_marks, g.output


def test_factor_two_mean_none_detach_and_gradient_count_are_named(grade_grad):
    g = grade_grad(mistake(
        ("return grad_out * y * (1 - y)", "return 2 * grad_out * y * (1 - y)"),   # factor of 2
        ("return grad_out.expand(ctx.shape).clone()", "return grad_out.expand(ctx.shape) / 10"),  # mean
        ("return grad_out * ctx.k, None", "return grad_out * ctx.k"),             # one gradient short
        ("return grad_out * y, grad_out * x", "return grad_out * y, None"),       # None for a tensor
        ("return (x * x) * scale", "return torch.tensor((x * x).tolist()) * scale"),  # graph cut
    ))
    assert {t: g.status(t) for t in ("sigmoid", "total", "scale", "mul", "square")} == dict.fromkeys(
        ("sigmoid", "total", "scale", "mul", "square"), "failed"), g.output
    sigmoid = g.message("sigmoid")
    assert "off by a factor of 2" in sigmoid and "`x` is wrong" in sigmoid and "d out[" in sigmoid
    assert "1/10 of the true gradient: mean instead of sum" in g.message("total")
    scale = g.message("scale")
    assert "incorrect number of gradients" in scale
    assert "one gradient per `forward` input" in scale  # the hint mapped from torch's message
    assert "backward returned None for `y` (input 1)" in g.message("mul")
    assert "cut off from the graph" in g.message("square")


def test_half_sign_zero_and_not_started_are_named(grade_grad):
    g = grade_grad(mistake(
        ("return grad_out * y * (1 - y)", "return grad_out * y * (1 - y) / 2"),
        ("return grad_out.expand(ctx.shape).clone()", "return torch.zeros_like(grad_out).expand(ctx.shape)"),
        ("return grad_out * y, grad_out * x", "return grad_out * y, -grad_out * x"),
        ("return grad_out * ctx.k, None", "raise NotImplementedError('Task 3: not yet')"),
    ))
    assert "half the true gradient: off by a factor of 2" in g.message("sigmoid")
    assert g.status("total") == "failed"
    assert "all zeros: the graph is broken" in g.message("total")
    assert g.status("mul") == "failed"
    assert "`y` is wrong" in g.message("mul") and "sign flipped" in g.message("mul")
    assert g.status("scale") == "not_started"


def test_swapped_gradients_and_a_detached_backward(grade_grad):
    g = grade_grad(mistake(
        ("return grad_out * y, grad_out * x", "return grad_out * x, grad_out * y"),
        ("(y,) = ctx.saved_tensors\n", "(y,) = ctx.saved_tensors\n        y = y.detach()\n"),
    ))
    message = g.message("mul")
    assert "`x` is wrong" in message or "`y` is wrong" in message
    assert "1 more input/output pair" in message
    # a detached backward is right to first order, wrong to second
    assert g.status("sigmoid") == "passed"
    assert g.status("square") == "failed"
    assert "second derivative" in g.message("square") or "differentiable" in g.message("square")


def test_forbidden_call_in_forward_is_refused(grade_grad):
    checks = CHECKS.replace('hint="d sigmoid = s * (1 - s)")',
                            'hint="d sigmoid = s * (1 - s)", forbidden={"torch.sigmoid": "write it yourself"})')
    g = grade_grad(mistake(("y = 1 / (1 + torch.exp(-x))", "y = torch.sigmoid(x)")), checks=checks)
    assert g.status("sigmoid") == "failed"
    assert "torch.sigmoid" in g.message("sigmoid")


def test_forbidden_rules_ignore_the_graders_own_calls(grade_grad):
    checks = CHECKS.replace('hint="d sigmoid = s * (1 - s)")',
                            'hint="d sigmoid = s * (1 - s)", forbidden={"torch.sigmoid": "write it yourself", '
                            '"torch.autograd.grad": "no autograd", "torch.Tensor.sum": "no sums"})')
    g = grade_grad(LEARNER, checks=checks)
    assert g.full_marks, g.output


# -- the pure part ---------------------------------------------------------------

def _jac(values):
    return torch.diag(torch.tensor(values, dtype=torch.float64))


def test_diagnose_good_gradient():
    j = _jac([0.25, 0.2, 0.1])
    assert diagnose(j, j + 1e-12, name="x") .startswith("the gradient for `x` is good")


def test_diagnose_factor_two_with_worst_element():
    text = diagnose(_jac([0.5, 0.4, 0.2]), _jac([0.25, 0.2, 0.1]), name="x", out_dims=1)
    assert text == ("the gradient for `x` is wrong; backward is 2x the true gradient: off by a factor of 2? "
                    "(relative error 0.5; worst at d out[0] / d x[0]: backward gives 0.5, "
                    "finite differences give 0.25)")


def test_diagnose_sign_mean_sum_and_zero():
    n = torch.tensor([[1.0, 2.0, -3.0, 4.0]], dtype=torch.float64)
    assert "sign flipped" in diagnose(-n, n)
    assert "mean instead of sum" in diagnose(n / 4, n)
    assert "sum instead of mean" in diagnose(n * 4, n)
    assert "graph is broken" in diagnose(torch.zeros_like(n), n)
    assert diagnose(None, n, name="w") == "no gradient reached `w`"


def test_diagnose_names_nan_in_backward():
    n = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    text = diagnose(torch.tensor([1.0, float("nan"), 3.0], dtype=torch.float64), n, name="x")
    assert "(relative error NaN; worst at index (1): backward gives nan" in text
    assert "NaN/Inf" in text


def test_diagnose_unclean_error_gives_no_guess():
    n = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    text = diagnose(torch.tensor([1.0, 2.5, 3.0], dtype=torch.float64), n, name="x")
    assert "is wrong" in text and "?" not in text


def test_bands_follow_cs231n():
    assert band(0.5) == "wrong"
    assert band(1e-3) == "probably wrong"
    assert band(1e-5).startswith("OK only if the function has kinks")
    assert band(1e-9) == "good"
    n = torch.tensor([1.0, 2.0], dtype=torch.float64)
    assert relative_error(n, n) == 0.0
    assert relative_error(n * 2, n) == pytest.approx(0.5)
    assert relative_error(torch.zeros(2), torch.zeros(2)) == 0.0


def test_guess_needs_a_consistent_ratio():
    n = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    assert guess(n * torch.tensor([2.0, 2.0, 2.0], dtype=torch.float64), n) .endswith("off by a factor of 2?")
    assert guess(n * torch.tensor([2.0, 1.0, 2.0], dtype=torch.float64), n) == ""
    assert guess(n * 3, n) == "backward is 3x the true gradient"


class _FakeKata:
    """Runs the learner-world helper directly on a module, as kata.run would."""

    def __init__(self, module):
        self.module = module

    def run(self, helper, *args, **kwargs):
        return helper(self.module, *args, **kwargs)


def test_expect_gradients_without_the_plugin():
    import types

    module = types.ModuleType("learner_double")

    def double(x):
        return x * 2

    module.double = double
    expect_gradients(_FakeKata(module), "double", [torch.randn(3)], what="double(x)")
    module.double = lambda x: x.detach() + x  # value 2x, but the gradient only 1
    with pytest.raises(CheckFailed, match="half the true gradient"):
        expect_gradients(_FakeKata(module), "double", [torch.randn(3)], what="double(x)")
