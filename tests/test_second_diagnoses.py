"""Second diagnoses fire only on their own evidence: a NaN gradient is blamed on a
fractional power of a negative number only when the NaN sits exactly where the input
is negative; a division by 0 or an overflowing exp only when the gradient holds Inf."""

import types

import pytest
import torch

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.checks.gradients import diagnose, expect_gradients

X = torch.tensor([1.5, -0.5, 2.0, -1.25], dtype=torch.float64)
TRUE = torch.diag(3 * X ** 2)  # d x**3 / dx, laid out (out, in)


def test_nan_exactly_where_the_input_is_negative_names_a_fractional_power():
    analytic = torch.diag(3 * (X ** 3) ** (2 / 3))  # NaN at the negative x
    text = diagnose(analytic, TRUE, name="x", out_dims=1, at=X)
    assert "NaN exactly where `x` is negative" in text and "fractional power" in text
    assert "log or divide at 0" not in text and "exp overflowing" not in text


def test_nan_elsewhere_gets_no_guess():
    analytic = TRUE.clone()
    analytic[0, 0] = float("nan")  # x[0] is positive: no evidence of a negative base
    text = diagnose(analytic, TRUE, name="x", out_dims=1, at=X)
    assert "NaN/Inf" in text and "fractional power" not in text and "?" not in text.split(" (relative")[0]
    assert "fractional power" not in diagnose(analytic, TRUE, name="x", out_dims=1)  # no inputs: no evidence


def test_inf_alone_suggests_a_division_by_zero_or_an_overflow():
    analytic = TRUE.clone()
    analytic[1, 1] = float("inf")
    text = diagnose(analytic, TRUE, name="x", out_dims=1, at=X)
    assert "division by 0 or an exp overflowing?" in text and "fractional power" not in text


class _FakeKata:
    """Runs the learner-world helper directly on a module, as kata.run would."""

    def __init__(self, module):
        self.module = module

    def run(self, helper, *args, **kwargs):
        return helper(self.module, *args, **kwargs)


class _Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * 3 * (x ** 3) ** (2 / 3)  # the slip: NaN wherever x < 0


def test_a_custom_backward_with_a_fractional_power_is_told_so():
    module = types.ModuleType("learner_cube")
    module.Cube = _Cube
    with pytest.raises(CheckFailed) as caught:
        expect_gradients(_FakeKata(module), "Cube.apply", [torch.tensor([0.5, -1.0, 2.0, -0.25])], what="Cube")
    assert "fractional power of a negative number" in caught.value.message
