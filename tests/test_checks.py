"""The messages of the check helpers (pytest_torchkata.checks.values): shape first, then
dtype, device, values; NaN/Inf located; the classic shape mistakes named."""

from __future__ import annotations

import pytest
import torch

from pytest_torchkata.checks.values import (
    describe,
    expect_close,
    expect_finite,
    expect_shape,
    expect_tensor,
    expect_true,
)
from pytest_torchkata.checks.errorkinds import kind_text
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.sandbox.wire import Opaque

BROADCAST = "the shapes would broadcast without an error"


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value.message


X = torch.arange(6.0).reshape(2, 3)


# -- passing cases ------------------------------------------------------------------

def test_equal_values_pass_and_return_nothing():
    assert expect_close(X.clone(), X, what="x") is None
    assert expect_close(1.0 + 1e-9, 1.0, what="a number") is None
    assert expect_close(torch.tensor(2.0), 2, what="a 0-d tensor against a number") is None
    assert expect_close(torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]), what="nan") is None


def test_tolerances_are_respected():
    off = X + 0.05
    expect_close(off, X, what="x", atol=0.1)
    expect_close(off, X, what="x", rtol=0.0, atol=0.051)
    with pytest.raises(CheckFailed):
        expect_close(off, X, what="x", atol=0.01)


def test_shape_and_tensor_helpers_return_the_tensor():
    assert expect_shape(X, (2, 3), what="x") is X
    assert expect_tensor(X, what="x") is X
    assert expect_finite(X, what="x") is X


def test_meta_tensors_are_compared_by_shape_dtype_and_device_only():
    expect_close(torch.empty(2, 3, device="meta"), torch.empty(2, 3, device="meta"), what="on meta")


def test_dtype_can_be_ignored():
    expect_close(torch.tensor([1.0, 2.0]), torch.tensor([1, 2]), what="x", check_dtype=False)


# -- order: shape, dtype, device, values ----------------------------------------------

def test_shape_is_reported_before_dtype_and_values():
    message = failure(expect_close, torch.zeros(3, 2, dtype=torch.float64), X, what="out")
    assert message.startswith("out has shape (3, 2), expected (2, 3)")
    assert "dtype" not in message


def test_dtype_is_reported_before_values():
    message = failure(expect_close, X.double() + 1, X, what="out")
    assert message == "out has dtype float64, expected float32"


def test_device_is_reported_before_values():
    message = failure(expect_close, torch.empty(2, 3, device="meta"), X, what="out")
    assert message == "out is on device meta, expected cpu"


def test_values_message_counts_mismatches_and_locates_the_worst():
    wrong = X.clone()
    wrong[1, 1] += 0.5
    wrong[0, 2] += 0.1
    message = failure(expect_close, wrong, X, what="softmax(x)")
    assert message.startswith("softmax(x): 2 of 6 value(s) are off; worst at index (1, 1): got 4.5, expected 4")
    assert "(difference 0.5, allowed 1.52e-05)" in message  # float32 defaults: 1e-5 + 1.3e-6 * 4


def test_values_message_shows_the_tolerance_given():
    message = failure(expect_close, X + 0.5, X, what="x", rtol=0.0, atol=0.1)
    assert "6 of 6 value(s) are off" in message and "allowed 0.1)" in message


def test_scalars_have_no_index():
    message = failure(expect_close, 1.5, 1.0, what="the loss")
    assert message.startswith("the loss: 1 of 1 value(s) are off; worst: got 1.5, expected 1")


def test_integer_and_bool_values():
    message = failure(expect_close, torch.tensor([1, 2, 3]), torch.tensor([1, 2, 4]), what="labels")
    assert "worst at index (2,): got 3, expected 4" in message
    message = failure(expect_close, torch.tensor([True, False]), torch.tensor([True, True]), what="mask")
    assert "got False, expected True" in message


# -- shapes -----------------------------------------------------------------------------

def test_broadcastable_wrong_shape_is_still_wrong():
    message = failure(expect_close, X[0], X, what="out")
    assert message.startswith("out has shape (3,), expected (2, 3)")
    assert BROADCAST in message


def test_column_instead_of_vector_is_named():
    message = failure(expect_shape, torch.zeros(4, 1), (4,), what="predictions")
    assert message.startswith("predictions has shape (4, 1), expected (4,)")
    assert BROADCAST in message
    assert "size-1 dimension" in message and "squeeze" in message


def test_transposed_and_reshaped_results_are_named():
    assert "transpose or permute" in failure(expect_shape, torch.zeros(3, 2), (2, 3), what="x")
    message = failure(expect_shape, torch.zeros(6), (2, 3), what="x")
    assert BROADCAST not in message and "same number of elements" in message


def test_unrelated_shapes_get_no_advice():
    assert failure(expect_shape, torch.zeros(4, 2), (4, 3), what="x") == "x has shape (4, 2), expected (4, 3)"


# -- not a tensor -----------------------------------------------------------------------

def test_tuple_from_torch_max_is_explained():
    message = failure(expect_tensor, torch.max(X, dim=1), what="row_max(x)")
    assert message.startswith("row_max(x) should return a tensor, but returned a tuple of 2")
    assert kind_text("tuple_as_tensor") in message  # the same words as the raw error of that kind
    # the same through expect_close, which checks the type first
    assert "(values, indices)" in failure(expect_close, tuple(torch.max(X, dim=1)), X.amax(1), what="m")


def test_other_pairs_are_not_blamed_on_torch_max():
    message = failure(expect_tensor, (X, X), what="f(x)")
    assert "torch.max" not in message and "only the tensor" in message


def test_missing_return_is_suggested():
    assert "is a `return` missing?" in failure(expect_tensor, None, what="f(x)")


def test_other_kinds_are_described():
    assert failure(expect_tensor, [1.0, 2.0], what="f(x)").endswith("returned a list of 2")
    assert failure(expect_tensor, Opaque("Linear"), what="f(x)").endswith("returned a Linear")
    assert describe(3) == "an int (3)" and describe(2.5) == "a float (2.5)"
    assert failure(expect_tensor, Opaque("OrderedDict"), what="f(x)").endswith("returned an OrderedDict")
    assert describe(X) == "a tensor of shape (2, 3) (float32)"
    assert failure(expect_tensor, Opaque("ndarray"), what="f(x)").endswith("returned a NumPy array")


def test_a_number_was_expected():
    assert failure(expect_close, X, 1.0, what="loss") == "loss should be a number, but is a tensor of shape (2, 3) (float32)"
    assert "but is a bool" in failure(expect_close, True, 1.0, what="loss")


# -- NaN / Inf --------------------------------------------------------------------------

def test_nan_is_located():
    bad = X.clone()
    bad[1, 2] = float("nan")
    message = failure(expect_close, bad, X, what="out")
    assert message == "out has 1 non-finite value(s) where finite ones were expected, first nan at index (1, 2) (expected 5)"


def test_expect_finite_locates_inf_and_counts():
    bad = X.clone()
    bad[0, 1] = float("inf")
    bad[1, 0] = float("nan")
    assert failure(expect_finite, bad, what="logits") == "logits has 2 NaN/Inf value(s), first inf at index (0, 1)"
    assert failure(expect_finite, torch.tensor(float("nan")), what="loss") == "loss has 1 NaN/Inf value(s), first nan"


def test_expected_nonfinite_values_need_no_difference():
    message = failure(expect_close, torch.tensor([1.0, 2.0]), torch.tensor([1.0, float("-inf")]), what="x")
    assert message == "x: 1 of 2 value(s) are off; worst at index (1,): got 2, expected -inf"


# -- expect_true ---------------------------------------------------------------------------

def test_expect_true_uses_the_message_verbatim():
    expect_true(True, "never shown")
    assert failure(expect_true, 0, "the model is still in training mode") == "the model is still in training mode"


def test_check_failed_is_an_assertion_error():
    # so pytest shows it as a failed check, not an error of the grader
    assert issubclass(CheckFailed, AssertionError)


def test_a_one_element_tensor_with_any_stride_crosses_the_wire():
    from pytest_torchkata.sandbox.wire import roundtrip
    odd = torch.tensor([[0.0, 0.0, 1.0]]).argsort(dim=1, descending=True)[:, 0]  # shape (1,), stride (3,)
    assert odd.stride() == (3,)
    assert torch.equal(roundtrip(odd), torch.tensor([2]))
