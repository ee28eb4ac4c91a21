"""Checks for the tensors kata (张量): creation, dtypes, permute/reshape,
broadcasting, masks, one-hot, stable softmax and the NumPy bridge."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from pytest_torchkata.checks.values import describe, expect_close, expect_finite, expect_shape, expect_tensor, expect_true
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.model import Kata

KATA = Kata("tensors", "Tensors (张量)",
            "creating tensors and dtypes, permute vs view, broadcasting, masks, one-hot, "
            "stable softmax, the NumPy bridge")

LOOP_N = 300          # rows given to the "no Python loop" checks
LOOP_MAX_CALLS = 60   # a loop over rows makes at least LOOP_N torch calls

_SOFTMAX_RULE = "write it yourself from exp, max and sum"
FORBID_SOFTMAX = {
    "torch.softmax": _SOFTMAX_RULE,
    "torch.Tensor.softmax": _SOFTMAX_RULE,
    "torch.nn.functional.softmax": _SOFTMAX_RULE,
    "torch.special.softmax": _SOFTMAX_RULE,
    "torch.log_softmax": _SOFTMAX_RULE,
    "torch.Tensor.log_softmax": _SOFTMAX_RULE,
    "torch.nn.functional.log_softmax": _SOFTMAX_RULE,
    "torch.special.log_softmax": _SOFTMAX_RULE,
}


def _dtype(t: torch.Tensor) -> str:
    return str(t.dtype).replace("torch.", "")


def _expect_dtype(value: Any, dtype: torch.dtype, *, what: str, why: str = "") -> torch.Tensor:
    tensor = expect_tensor(value, what=what)
    if tensor.dtype != dtype:
        raise CheckFailed(f"{what} has dtype {_dtype(tensor)}, expected {str(dtype).replace('torch.', '')}"
                          + (f": {why}" if why else ""))
    return tensor


def _expect_no_loop(kata: Any, name: str, rows: int) -> None:
    calls = kata.torch_calls
    expect_true(calls < LOOP_MAX_CALLS,
                f"`{name}` made {calls} torch calls for {rows} rows: that looks like a Python loop "
                f"over rows; work on whole tensors at once (broadcasting, reductions with dim=)")


# -- Task 1 -----------------------------------------------------------------------

@KATA.task("create", "Tensors from lists and NumPy", points=2,
           hint="`torch.tensor(data, dtype=torch.float32)` for lists; `torch.from_numpy(arr)` keeps the "
                "array's dtype")
class TestCreate:
    def test_a_list_of_ints_becomes_float32(self, kata):
        data = [[1, 2, 3], [4, 5, 6]]
        out = kata.call("from_list", data)
        what = "from_list([[1, 2, 3], [4, 5, 6]])"
        expect_shape(out, (2, 3), what=what)
        _expect_dtype(out, torch.float32, what=what,
                      why="`torch.tensor` on a list of ints makes int64 unless you pass `dtype=torch.float32`")
        expect_close(out, torch.tensor(data, dtype=torch.float32), what=what)

    def test_a_list_of_floats_keeps_its_values(self, kata):
        data = [0.5, -1.25, 3.0, 1e-3]
        out = kata.call("from_list", data)
        what = "from_list([0.5, -1.25, 3.0, 0.001])"
        _expect_dtype(out, torch.float32, what=what)
        expect_close(out, torch.tensor(data, dtype=torch.float32), what=what)

    def test_a_float64_array_stays_float64(self, kata):
        arr = torch.randn(3, 4, dtype=torch.float64).numpy()
        out = kata.call("from_numpy", arr)
        what = "from_numpy(a float64 array of shape (3, 4))"
        expect_shape(out, (3, 4), what=what)
        _expect_dtype(out, torch.float64, what=what,
                      why="`torch.Tensor(arr)` and `dtype=torch.float32` convert; `torch.from_numpy(arr)` "
                          "keeps the array's dtype")
        expect_close(out, torch.from_numpy(arr), what=what)

    def test_an_int32_array_stays_int32(self, kata):
        arr = np.arange(6, dtype=np.int32).reshape(2, 3)
        out = kata.call("from_numpy", arr)
        what = "from_numpy(np.arange(6, dtype=np.int32).reshape(2, 3))"
        _expect_dtype(out, torch.int32, what=what,
                      why="`torch.Tensor(arr)` makes float32 whatever the array holds; use `torch.from_numpy(arr)`")
        expect_close(out, torch.from_numpy(arr), what=what)


# -- Task 2 -----------------------------------------------------------------------

def flatten_pixels_after_permute(learner: Any, shape: list[int]) -> Any:
    """Runs next to the learner code: a permuted (non-contiguous) batch goes into
    `flatten_pixels` without crossing the wire (which would make it contiguous)."""
    b, c, h, w = shape
    images = torch.arange(b * c * h * w, dtype=torch.float32).reshape(b, c, h, w)
    x = images.permute(0, 2, 3, 1)  # (B, H, W, C), not contiguous
    return {"contiguous": x.is_contiguous(), "out": learner.flatten_pixels(x)}


@KATA.task("reshape", "Permute, then flatten", points=2,
           hint="`permute(0, 2, 3, 1)` moves axes; `reshape` (not `view`) flattens a non-contiguous tensor")
class TestReshape:
    def test_channels_last_moves_the_channel_axis(self, kata):
        x = torch.randn(2, 3, 4, 5)
        out = kata.call("to_channels_last", x)
        what = "to_channels_last(x of shape (2, 3, 4, 5))"
        expect_shape(out, (2, 4, 5, 3), what=what)
        if torch.equal(out, x.reshape(2, 4, 5, 3)) and not torch.equal(out, x.permute(0, 2, 3, 1)):
            raise CheckFailed(f"{what} has the right shape but scrambled values: `reshape`/`view` only "
                              f"relabel the axes; `permute(0, 2, 3, 1)` moves them")
        expect_close(out, x.permute(0, 2, 3, 1), what=what)

    def test_flatten_pixels_keeps_one_row_per_image(self, kata):
        x = torch.randn(2, 4, 5, 3)
        out = kata.call("flatten_pixels", x)
        what = "flatten_pixels(x of shape (2, 4, 5, 3))"
        expect_shape(out, (2, 60), what=what)
        expect_close(out, x.reshape(2, 60), what=what)

    def test_flatten_pixels_works_on_a_permuted_tensor(self, kata):
        result = kata.run(flatten_pixels_after_permute, [2, 3, 4, 5])
        expected = torch.arange(120, dtype=torch.float32).reshape(2, 3, 4, 5).permute(0, 2, 3, 1).reshape(2, 60)
        expect_close(result["out"], expected, what="flatten_pixels(x.permute(0, 2, 3, 1)) (non-contiguous input)")


# -- Task 3 -----------------------------------------------------------------------

def _sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


@KATA.task("distances", "Pairwise distances by broadcasting", points=3,
           hint="`a[:, None, :] - b[None, :, :]` has shape (N, M, D); square it and sum over the last dim",
           forbidden={"torch.cdist": "the point is to pair the rows with broadcasting yourself"})
class TestDistances:
    def test_values_match_a_float64_reference(self, kata):
        a, b = torch.randn(5, 3, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64)
        out = kata.call("pairwise_sq_dists", a, b)
        what = "pairwise_sq_dists(a (5, 3), b (7, 3))"
        expect_shape(out, (5, 7), what=what)
        expect_close(out, _sq_dists(a, b), what=what, rtol=1e-9, atol=1e-9)

    def test_distances_are_never_negative(self, kata):
        a = 10 + torch.randn(64, 3)
        b = a[:16].clone()  # every row of b is also a row of a: distance 0
        out = expect_shape(kata.call("pairwise_sq_dists", a, b), (64, 16),
                           what="pairwise_sq_dists(a (64, 3), b (16, 3))")
        expect_true(bool((out >= 0).all()),
                    f"pairwise_sq_dists has negative values (smallest {out.min().item():.3g}), but squared "
                    f"distances cannot be: the |a|² + |b|² − 2a·b shortcut loses precision; subtract first, "
                    f"or `clamp(min=0)`")

    def test_no_python_loop_over_rows(self, kata):
        a, b = torch.randn(LOOP_N, 2), torch.randn(8, 2)
        out = kata.call("pairwise_sq_dists", a, b)
        _expect_no_loop(kata, "pairwise_sq_dists", LOOP_N)
        expect_close(out, _sq_dists(a, b), what=f"pairwise_sq_dists(a ({LOOP_N}, 2), b (8, 2))",
                     rtol=1e-4, atol=1e-4)


# -- Task 4 -----------------------------------------------------------------------

def _masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    out = torch.zeros(x.shape[0], dtype=x.dtype)
    for i in range(x.shape[0]):
        if mask[i].any():
            out[i] = x[i][mask[i]].mean()
    return out


@KATA.task("masked_mean", "Masked mean that never divides by zero", points=3,
           hint="sum `x * mask` and divide by the count of True entries, clamped to at least 1")
class TestMaskedMean:
    def test_each_row_averages_only_its_selected_entries(self, kata):
        mask = torch.rand(4, 6) < 0.5
        mask[:, 0] = True
        x = torch.randn(4, 6).masked_fill(~mask, 1000.0)  # unselected entries must not count
        out = kata.call("masked_mean", x, mask)
        what = "masked_mean(x (4, 6), mask (4, 6))"
        expect_shape(out, (4,), what=what)
        expect_close(out, _masked_mean(x, mask), what=what, rtol=1e-5, atol=1e-5)

    def test_a_row_with_no_selected_entry_gives_zero_not_nan(self, kata):
        x = torch.randn(3, 5)
        mask = torch.tensor([[True, False, True, False, False],
                             [False] * 5,
                             [True] * 5])
        out = kata.call("masked_mean", x, mask)
        what = "masked_mean with row 1 of the mask all False"
        out = expect_shape(out, (3,), what=what)
        if out.is_floating_point() and torch.isnan(out[1]):
            raise CheckFailed(f"{what} gave NaN for that row: 0 selected entries makes 0 / 0; "
                              f"clamp the count to at least 1 (or use `torch.where`)")
        expect_finite(out, what=what)
        expect_close(out, _masked_mean(x, mask), what=what, rtol=1e-5, atol=1e-6)

    def test_no_python_loop_over_rows(self, kata):
        x = torch.randn(LOOP_N, 4)
        mask = torch.rand(LOOP_N, 4) < 0.5
        out = kata.call("masked_mean", x, mask)
        _expect_no_loop(kata, "masked_mean", LOOP_N)
        expect_close(out, _masked_mean(x, mask), what=f"masked_mean(x ({LOOP_N}, 4), mask)", rtol=1e-5, atol=1e-5)


# -- Task 5 -----------------------------------------------------------------------

@KATA.task("one_hot", "One-hot labels and back", points=2,
           hint="index a zeros tensor with `out[torch.arange(N), labels] = 1`; back with `argmax(dim=1)`",
           forbidden={"torch.nn.functional.one_hot": "build it yourself by indexing"})
class TestOneHot:
    def test_one_hot_puts_a_single_one_per_row(self, kata):
        labels = torch.tensor([2, 0, 1, 2, 3])
        out = kata.call("one_hot", labels, 4)
        what = "one_hot(tensor([2, 0, 1, 2, 3]), 4)"
        expect_shape(out, (5, 4), what=what)
        _expect_dtype(out, torch.float32, what=what)
        expected = torch.zeros(5, 4)
        expected[torch.arange(5), labels] = 1.0
        expect_close(out, expected, what=what)

    def test_one_hot_uses_num_classes_not_the_largest_label(self, kata):
        out = expect_tensor(kata.call("one_hot", torch.tensor([0, 1]), 5), what="one_hot(tensor([0, 1]), 5)")
        expect_true(tuple(out.shape) == (2, 5),
                    f"one_hot(tensor([0, 1]), 5) has shape {tuple(out.shape)}, expected (2, 5): the width is "
                    f"`num_classes`, even when the largest class never shows up in `labels`")

    def test_from_one_hot_returns_the_index_of_each_row_max(self, kata):
        scores = torch.randn(6, 4)
        out = kata.call("from_one_hot", scores)
        what = "from_one_hot(scores of shape (6, 4))"
        if isinstance(out, tuple) and len(out) == 2:
            raise CheckFailed(f"{what} returned a tuple of 2, not a tensor: `torch.max(x, dim)` returns "
                              f"(values, indices); take `.indices` here, or use `argmax(dim=1)`")
        expect_shape(out, (6,), what=what)
        _expect_dtype(out, torch.int64, what=what,
                      why="these are class indices; `torch.max(x, dim).values` are the largest values, "
                          "`.indices` (or `argmax`) their positions")
        expect_close(out, scores.argmax(dim=1), what=what)


# -- Task 6 and 7 ---------------------------------------------------------------------

def _check_dim(out: torch.Tensor, x: torch.Tensor, dim: int, what: str, *, log: bool) -> None:
    """Names the classic mistake when the result is normalised along another dim."""
    probs = out.exp() if log else out
    for other in range(x.dim()):
        if other != dim % x.dim() and torch.allclose(probs.sum(other), torch.ones(()), atol=1e-4):
            raise CheckFailed(f"{what} sums to 1 along dim {other}, not dim {dim % x.dim()}: the reduction "
                              f"ran over the wrong dim; pass `dim=dim` to every max/sum")


def _expect_softmax_along(kata, x: torch.Tensor, dim: int, *, log: bool) -> None:
    """The learner's softmax (or log_softmax) of ``x`` along ``dim`` against torch's."""
    __tracebackhide__ = True
    name = "log_softmax" if log else "softmax"
    what = f"{name}(x {tuple(x.shape)}, dim={dim})"
    out = kata.call(name, x, dim=dim)
    expect_shape(out, tuple(x.shape), what=what)
    _check_dim(out, x, dim, what, log=log)
    want = torch.log_softmax(x, dim) if log else torch.softmax(x, dim)
    expect_close(out, want, what=what, rtol=1e-5, atol=1e-5 if log else 1e-6)


@KATA.task("softmax", "Numerically stable softmax", points=3,
           hint="subtract `x.amax(dim=dim, keepdim=True)` before `exp`, then divide by the sum along `dim`",
           forbidden=FORBID_SOFTMAX)
class TestSoftmax:
    def test_matches_torch_along_dim_1(self, kata):
        _expect_softmax_along(kata, torch.randn(3, 5), 1, log=False)

    def test_uses_the_dim_it_is_given(self, kata):
        _expect_softmax_along(kata, torch.randn(3, 5), 0, log=False)

    def test_works_along_a_middle_dim(self, kata):
        _expect_softmax_along(kata, torch.randn(2, 3, 4), 1, log=False)

    def test_stays_finite_at_logits_of_1000(self, kata):
        x = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
        out = kata.call("softmax", x, dim=1)
        what = "softmax([[1000, 1001, 1002], [-1000, 0, 1000]], dim=1)"
        out = expect_shape(out, (2, 3), what=what)
        if not torch.isfinite(out).all():
            raise CheckFailed(f"{what} contains NaN/Inf: exp(1000) overflows to inf; subtract the max "
                              f"along `dim` before `exp`")
        expect_close(out, torch.softmax(x, 1), what=what, rtol=1e-5, atol=1e-6)


@KATA.task("log_softmax", "Numerically stable log-softmax", points=2,
           hint="with `s = x - max`: log_softmax = `s - log(sum(exp(s)))` along `dim`; never take log of a "
                "softmax",
           forbidden=FORBID_SOFTMAX)
class TestLogSoftmax:
    def test_matches_torch_along_dim_1(self, kata):
        _expect_softmax_along(kata, torch.randn(3, 5), 1, log=True)

    def test_uses_the_dim_it_is_given(self, kata):
        _expect_softmax_along(kata, torch.randn(3, 5), 0, log=True)

    def test_stays_finite_at_logits_of_plus_minus_1000(self, kata):
        x = torch.tensor([[-1000.0, 0.0, 1000.0], [1000.0, 1001.0, 1002.0]])
        out = kata.call("log_softmax", x, dim=1)
        what = "log_softmax([[-1000, 0, 1000], [1000, 1001, 1002]], dim=1)"
        out = expect_shape(out, (2, 3), what=what)
        if not torch.isfinite(out).all():
            raise CheckFailed(f"{what} contains -inf/NaN (expected [-2000, -1000, 0] in row 0): log of a "
                              f"softmax that underflowed to 0 is -inf; compute `s - log(sum(exp(s)))` "
                              f"with `s = x - max`")
        expect_close(out, torch.log_softmax(x, 1), what=what, rtol=1e-5, atol=1e-4)


# -- Task 8 -----------------------------------------------------------------------

def share_memory_probe(learner: Any) -> dict:
    """Runs next to the learner code: the returned tensor's values, then its values
    after a write into `arr` (results cross back as copies, so only this side can
    see the write); the check compares them."""
    arr = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = learner.share_memory_with_numpy(arr)
    if not isinstance(t, torch.Tensor):
        return {"kind": describe(t)}
    before = t.detach().cpu().clone()
    arr[0, 0] = 42.0
    return {"kind": "tensor", "dtype": str(t.dtype).replace("torch.", ""), "before": before,
            "after": t.detach().cpu().clone()}


@KATA.task("numpy_bridge", "The NumPy bridge", points=2,
           hint="`t.detach().cpu().numpy()` to leave torch; `torch.from_numpy(arr)` shares memory, "
                "`torch.tensor(arr)` copies")
class TestNumpyBridge:
    def test_to_numpy_works_on_a_tensor_that_requires_grad(self, kata, device):
        t = torch.randn(3, 4).to(device).requires_grad_(True)
        out = kata.call("to_numpy", t)
        what = f"to_numpy(a (3, 4) tensor on {device} that requires grad)"
        if not isinstance(out, np.ndarray):
            raise CheckFailed(f"{what} should return a NumPy array, but returned {describe(out)}")
        expect_true(out.dtype == np.float32, f"{what} has dtype {out.dtype}, expected float32")
        expect_close(torch.from_numpy(out), t.detach().cpu(), what=what)

    def test_from_numpy_tensor_shares_memory_with_the_array(self, kata):
        probe = kata.run(share_memory_probe)
        what = "share_memory_with_numpy(a float64 array)"
        if probe["kind"] != "tensor":
            raise CheckFailed(f"{what} should return a tensor, but returned {probe['kind']}")
        expect_true(probe["dtype"] == "float64", f"{what} has dtype {probe['dtype']}, expected float64 "
                                                 f"(converting the dtype makes a copy)")
        before, after = probe["before"], probe["after"]
        want = torch.arange(6, dtype=torch.float64).reshape(2, 3)
        expect_true(isinstance(before, torch.Tensor) and before.shape == want.shape
                    and torch.equal(before.to(torch.float64), want), f"{what} does not hold the array's values")
        expect_true(isinstance(after, torch.Tensor) and after.numel() > 0 and float(after.reshape(-1)[0]) == 42.0, f"{what} returned a copy: a write into the array did not show in the "
                                     f"tensor; `torch.tensor(arr)` copies, `torch.from_numpy(arr)` shares")
