"""Check helpers with messages written for learners.

Thin wrappers over ``torch.testing.assert_close``: attributes first (type,
shape, dtype, device), then NaN/Inf, then values with the count of mismatched
elements, the worst one with its index, and the tolerance allowed.  Every
helper raises ``CheckFailed``; the plugin adds the task and its hint.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.testing

from pytest_torchkata.errors import CheckFailed
from pytest_torchkata.wire import Opaque

# Bound once, so learner code that patches torch in this process cannot change them.
_assert_close = torch.testing.assert_close
_isfinite = torch.isfinite

# torch.testing.assert_close's documented defaults (rtol, atol), for the message.
_DEFAULT_TOL = {
    torch.float16: (1e-3, 1e-5), torch.bfloat16: (1.6e-2, 1e-5), torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7), torch.complex64: (1.3e-6, 1e-5), torch.complex128: (1e-7, 1e-7),
}


def describe(value: Any) -> str:
    """A short, learner-readable description of a value's kind."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} ({str(value.dtype).replace('torch.', '')})"
    if isinstance(value, Opaque):
        return f"a {value.type_name}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "None"
    return f"a {type(value).__name__} ({value!r})" if isinstance(value, (int, float, bool)) else \
        f"a {type(value).__name__}"


def expect_tensor(value: Any, *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    if isinstance(value, torch.Tensor):
        return value
    text = f"{what} should return a tensor, but returned {describe(value)}"
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, torch.Tensor) for v in value):
        text += "; `torch.max(x, dim)` returns (values, indices): take `.values` or unpack it"
    elif value is None:
        text += "; is a `return` missing?"
    raise CheckFailed(text)


def expect_shape(value: Any, shape: tuple[int, ...], *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    tensor = expect_tensor(value, what=what)
    got, want = tuple(tensor.shape), tuple(shape)
    if got == want:
        return tensor
    text = f"{what} has shape {got}, expected {want}"
    try:
        torch.broadcast_shapes(got, want)
        text += " (the shapes would broadcast without an error, so the numbers would be silently wrong)"
    except RuntimeError:
        pass
    raise CheckFailed(text)


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for size in reversed(shape):
        out.append(flat % size if size else 0)
        flat = flat // size if size else 0
    return tuple(reversed(out))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def expect_close(actual: Any, expected: Any, *, what: str, rtol: float | None = None,
                 atol: float | None = None, check_dtype: bool = True,
                 check_device: bool = True) -> None:
    """``actual`` must equal ``expected`` (a tensor or number) within tolerance."""
    __tracebackhide__ = True
    if not isinstance(expected, torch.Tensor):
        if isinstance(actual, torch.Tensor) and actual.numel() == 1:
            actual = actual.item()
        if not isinstance(actual, (int, float)) or isinstance(actual, bool):
            raise CheckFailed(f"{what} should be a number, but is {describe(actual)}")
        expected_t = torch.tensor(float(expected), dtype=torch.float64)
        actual_t = torch.tensor(float(actual), dtype=torch.float64)
        return _values(actual_t, expected_t, what=what, rtol=rtol, atol=atol)
    tensor = expect_shape(actual, tuple(expected.shape), what=what)
    if check_dtype and tensor.dtype != expected.dtype:
        raise CheckFailed(f"{what} has dtype {str(tensor.dtype).replace('torch.', '')}, "
                          f"expected {str(expected.dtype).replace('torch.', '')}")
    if check_device and tensor.device.type != expected.device.type:
        raise CheckFailed(f"{what} is on device {tensor.device}, expected {expected.device}")
    if tensor.device.type == "meta" or expected.device.type == "meta":
        return None
    _values(tensor.detach(), expected.detach().to(tensor.device), what=what, rtol=rtol, atol=atol)


def _values(actual: torch.Tensor, expected: torch.Tensor, *, what: str,
            rtol: float | None, atol: float | None) -> None:
    __tracebackhide__ = True
    if actual.dtype != expected.dtype:
        common = torch.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    if actual.is_floating_point() or actual.is_complex():
        bad = ~_isfinite(actual) & _isfinite(expected)
        if bad.any():
            flat = int(bad.reshape(-1).nonzero()[0])
            idx = _index(flat, tuple(actual.shape))
            value = actual.reshape(-1)[flat].item()
            raise CheckFailed(
                f"{what} has {int(bad.sum())} non-finite value(s) where finite ones were expected, "
                f"first {value} at index {idx} (expected {_fmt(expected.reshape(-1)[flat].item())})"
            )
    tol = {} if rtol is None and atol is None else {
        "rtol": rtol if rtol is not None else 0.0, "atol": atol if atol is not None else 0.0}
    try:
        _assert_close(actual, expected, check_device=False, equal_nan=True, **tol)
        return
    except AssertionError:
        pass
    r, a = (tol["rtol"], tol["atol"]) if tol else _DEFAULT_TOL.get(actual.dtype, (0.0, 0.0))
    a64, e64 = actual.to(torch.float64 if not actual.is_complex() else torch.complex128), \
        expected.to(torch.float64 if not expected.is_complex() else torch.complex128)
    diff = (a64 - e64).abs()
    allowed = a + r * e64.abs()
    over = (diff - allowed).nan_to_num(nan=float("inf"))
    mismatched = int((over > 0).sum())
    flat = int(over.reshape(-1).argmax())
    idx = _index(flat, tuple(actual.shape))
    got_v, want_v = a64.reshape(-1)[flat].item(), e64.reshape(-1)[flat].item()
    where = f" at index {idx}" if actual.dim() else ""
    raise CheckFailed(
        f"{what}: {mismatched} of {actual.numel()} value(s) are off; worst{where}: "
        f"got {_fmt(got_v) if isinstance(got_v, float) else got_v}, "
        f"expected {_fmt(want_v) if isinstance(want_v, float) else want_v} "
        f"(difference {_fmt(diff.reshape(-1)[flat].item())}, allowed {_fmt(allowed.reshape(-1)[flat].item())})"
    )


def expect_true(condition: Any, message: str) -> None:
    """A plain condition with a learner message (instead of a bare ``assert``)."""
    __tracebackhide__ = True
    if not condition:
        raise CheckFailed(message)


def expect_finite(value: Any, *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    tensor = expect_tensor(value, what=what)
    bad = ~_isfinite(tensor.detach())
    if bad.any():
        flat = int(bad.reshape(-1).nonzero()[0])
        raise CheckFailed(f"{what} has {int(bad.sum())} NaN/Inf value(s), first "
                          f"{tensor.reshape(-1)[flat].item()} at index {_index(flat, tuple(tensor.shape))}")
    return tensor
