"""Check helpers with messages written for learners.

Comparisons follow ``torch.testing.assert_close``: attributes first (type,
shape, dtype, device), then NaN/Inf, then values with the count of mismatched
elements, the worst one with its index, and the tolerance allowed.  Every
helper raises ``CheckFailed``; the plugin adds the task and its hint.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.sandbox.wire import Opaque

# Bound once, so learner code that patches torch in this process cannot change it.
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
        return f"{'an' if value.type_name[:1].lower() in 'aeiou' else 'a'} {value.type_name}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "None"
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name} ({value!r})" if isinstance(value, (int, float, bool)) else f"{article} {name}"


def expect_tensor(value: Any, *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    if isinstance(value, torch.Tensor):
        return value
    text = f"{what} should return a tensor, but returned {describe(value)}"
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, torch.Tensor) for v in value):
        text += ("; `torch.max(x, dim)` returns (values, indices): take `.values` or unpack it"
                 if value[1].dtype == torch.int64 else "; return only the tensor that was asked for")
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
    text += _shape_advice(got, want)
    raise CheckFailed(text)


def _shape_advice(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """The usual reason two shapes differ, when the shapes themselves show it."""
    if tuple(d for d in got if d != 1) == tuple(d for d in want if d != 1):
        return ("; a size-1 dimension is extra or missing: `squeeze(dim)`, `unsqueeze(dim)` "
                "or `keepdim=True`?")
    if sorted(got) == sorted(want):
        return "; the same sizes in another order: a transpose or permute missing or extra?"
    if math.prod(got) == math.prod(want):
        return "; the same number of elements, arranged differently: check the view/reshape"
    return ""


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
    """Compare values like ``torch.testing.assert_close`` (``|a - e| <= atol +
    rtol * |e|``, NaN equal to NaN, same defaults per dtype), without calling it:
    its first call imports torch.distributed and sympy (seconds of startup)."""
    __tracebackhide__ = True
    if rtol is None and atol is None:
        # the looser of the two dtypes' defaults, as assert_close does
        tols = [_DEFAULT_TOL.get(t.dtype, (0.0, 0.0)) for t in (actual, expected)]
        r, a = max(t[0] for t in tols), max(t[1] for t in tols)
    else:
        r, a = (rtol or 0.0), (atol or 0.0)
    if actual.dtype != expected.dtype:
        common = torch.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    inexact = actual.is_floating_point() or actual.is_complex()
    if inexact:
        bad = ~_isfinite(actual) & _isfinite(expected)
        if bad.any():
            flat = int(bad.reshape(-1).nonzero()[0])
            idx = _index(flat, tuple(actual.shape))
            value = actual.reshape(-1)[flat].item()
            where = f" at index {idx}" if actual.dim() else ""
            raise CheckFailed(
                f"{what} has {int(bad.sum())} non-finite value(s) where finite ones were expected, "
                f"first {value}{where} (expected {_fmt(expected.reshape(-1)[flat].item())})"
            )
    wide = torch.complex128 if actual.is_complex() else torch.float64
    a64, e64 = actual.to(wide), expected.to(wide)
    diff = (a64 - e64).abs()
    allowed = a + r * e64.abs()
    if inexact:
        close = (diff <= allowed) & _isfinite(a64) & _isfinite(e64)  # inf equals only inf
        ok = close | (a64 == e64) | (a64.isnan() & e64.isnan())
    elif r == 0 and a == 0:
        ok = actual == expected  # exact, even for int64 beyond 2**53
    else:
        ok = diff <= allowed
    if bool(ok.all()):
        return
    over = torch.where(ok, torch.full_like(diff, -math.inf), (diff - allowed).nan_to_num(nan=math.inf))
    mismatched = int((~ok).sum())
    flat = int(over.reshape(-1).argmax())
    idx = _index(flat, tuple(actual.shape))
    got_v, want_v = a64.reshape(-1)[flat].item(), e64.reshape(-1)[flat].item()
    if actual.dtype == torch.bool:
        got_v, want_v = bool(got_v), bool(want_v)
    elif not inexact:
        got_v, want_v = actual.reshape(-1)[flat].item(), expected.reshape(-1)[flat].item()
    where = f" at index {idx}" if actual.dim() else ""
    text = (f"{what}: {mismatched} of {actual.numel()} value(s) are off; worst{where}: "
            f"got {_fmt(got_v) if isinstance(got_v, float) else got_v}, "
            f"expected {_fmt(want_v) if isinstance(want_v, float) else want_v}")
    gap, room = diff.reshape(-1)[flat].item(), allowed.reshape(-1)[flat].item()
    if not inexact:
        gap = abs(int(got_v) - int(want_v))
    if math.isfinite(gap) and math.isfinite(room):
        text += f" (difference {_fmt(gap)}, allowed {_fmt(room)})"
    raise CheckFailed(text)


def expect_true(condition: Any, message: str) -> None:
    """A plain condition with a learner message (instead of a bare ``assert``)."""
    __tracebackhide__ = True
    if not condition:
        raise CheckFailed(message)


def expect_float(value: Any, *, what: str, tensor_note: str = "") -> float:
    """A plain Python number (what ``loss.item()`` gives), not a tensor."""
    __tracebackhide__ = True
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return float(value)
    text = f"{what} should return a Python float, but returned {describe(value)}"
    if isinstance(value, torch.Tensor):
        text += tensor_note or "; turn a one-element tensor into a float with `.item()`"
    raise CheckFailed(text)


def expect_finite(value: Any, *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    tensor = expect_tensor(value, what=what)
    bad = ~_isfinite(tensor.detach())
    if bad.any():
        flat = int(bad.reshape(-1).nonzero()[0])
        where = f" at index {_index(flat, tuple(tensor.shape))}" if tensor.dim() else ""
        raise CheckFailed(f"{what} has {int(bad.sum())} NaN/Inf value(s), first "
                          f"{tensor.reshape(-1)[flat].item()}{where}")
    return tensor
