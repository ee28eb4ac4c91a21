"""Check helpers with messages written for learners.

Comparisons follow ``torch.testing.assert_close``: attributes first (type,
shape, dtype, device), then NaN/Inf, then values with the count of mismatched
elements, the worst one with its index, and the tolerance allowed.  Every
helper raises ``CheckFailed`` with a message in the current language (``what``
is the kata author's, translated there); the plugin adds the task and its hint.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from pytest_torchkata.checks.errorkinds import kind_text
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.checks.variants import Variants, naming
from pytest_torchkata.i18n import tr
from pytest_torchkata.sandbox.observe import describe  # noqa: F401 (described on both sides)
from pytest_torchkata.sandbox.wire import Opaque

# Bound once, so learner code that patches torch in this process cannot change it.
_isfinite = torch.isfinite

# what a method or function looks like when returned without being called (``sandbox.observe.describe``)
_METHODS = frozenset({"builtin_function_or_method", "method", "function", "method-wrapper"})

# torch.testing.assert_close's documented defaults (rtol, atol), for the message.
_DEFAULT_TOL = {
    torch.float16: (1e-3, 1e-5), torch.bfloat16: (1.6e-2, 1e-5), torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7), torch.complex64: (1.3e-6, 1e-5), torch.complex128: (1e-7, 1e-7),
}


def expect_tensor(value: Any, *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    if isinstance(value, torch.Tensor):
        return value
    text = tr("{what} should return a tensor, but returned {got}", "{what} 应该返回一个张量，实际返回的是{got}",
              what=what, got=describe(value))
    tensors = isinstance(value, tuple) and bool(value) and all(isinstance(v, torch.Tensor) for v in value)
    if tensors and (len(value) == 1 or (len(value) % 2 == 0 and value[1].dtype == torch.int64)):
        # (g,) from torch.autograd.grad, (values, indices) from torch.max/min: the same kind as the raw error
        text += tr("; {why}", "；{why}", why=kind_text("tuple_as_tensor"))
    elif tensors:
        text += tr("; return only the tensor that was asked for", "；只返回题目要求的那个张量")
    elif isinstance(value, Opaque) and value.type_name in _METHODS:
        text += tr("; {why}", "；{why}", why=kind_text("method_not_called"))
    elif value is None:
        text += tr("; is a `return` missing?", "；是不是漏写了 `return`？")
    raise CheckFailed(text)


def expect_on_cpu(tensor: torch.Tensor, *, what: str) -> torch.Tensor:
    """The inputs are on the CPU, so the result must be too (a hard-coded `.cuda()` or `device=` moves it)."""
    __tracebackhide__ = True
    if tensor.device.type != "cpu":
        raise CheckFailed(tr("{what} is on device {got}, expected cpu (where its inputs are): was a device "
                             "hard-coded (`.cuda()`, `device=...`)?", "{what} 在设备 {got} 上，应在 cpu 上"
                             "（输入所在的设备）：是不是写死了设备（`.cuda()`、`device=...`）？",
                             what=what, got=tensor.device))
    return tensor


def expect_shape(value: Any, shape: tuple[int, ...], *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    tensor = expect_tensor(value, what=what)
    got, want = tuple(tensor.shape), tuple(shape)
    if got == want:
        return tensor
    text = tr("{what} has shape {got}, expected {want}", "{what} 的形状是 {got}，应为 {want}",
              what=what, got=got, want=want)
    try:
        torch.broadcast_shapes(got, want)
        text += tr(" (the shapes would broadcast without an error, so the numbers would be silently wrong)",
                   "（这两个形状可以广播，不会报错，结果却会悄悄算错）")
    except RuntimeError:
        pass
    text += _shape_advice(got, want)
    raise CheckFailed(text)


def _shape_advice(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """The usual reason two shapes differ, when the shapes themselves show it."""
    if tuple(d for d in got if d != 1) == tuple(d for d in want if d != 1):
        return tr("; a size-1 dimension is extra or missing: `squeeze(dim)`, `unsqueeze(dim)` "
                  "or `keepdim=True`?",
                  "；多了或少了一个大小为 1 的维度：试试 `squeeze(dim)`、`unsqueeze(dim)` 或 `keepdim=True`？")
    if sorted(got) == sorted(want):
        return tr("; the same sizes in another order: a transpose or permute missing or extra?",
                  "；维度大小相同但顺序不同：是不是少了或多了一次 transpose/permute？")
    if math.prod(got) == math.prod(want):
        return tr("; the same number of elements, arranged differently: check the view/reshape",
                  "；元素个数相同，但排列不同：检查 view/reshape")
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
                 check_device: bool = True, variants: "Variants | None" = None, inputs: tuple = ()) -> None:
    """``actual`` must equal ``expected`` (a tensor or number) within tolerance.

    ``variants``: the task's classic wrong versions (``checks.variants``), run here on
    ``inputs`` (the grader's own tensors the check gave the learner's code) when the
    comparison fails; a match names that mistake instead of "N values are off"."""
    __tracebackhide__ = True
    with naming(variants, inputs, actual, what=what, expected=expected):
        _expect_close(actual, expected, what=what, rtol=rtol, atol=atol, check_dtype=check_dtype,
                      check_device=check_device)


def _expect_close(actual: Any, expected: Any, *, what: str, rtol: float | None, atol: float | None,
                  check_dtype: bool, check_device: bool) -> None:
    __tracebackhide__ = True
    if not isinstance(expected, torch.Tensor):
        if isinstance(actual, torch.Tensor) and actual.numel() == 1:
            actual = actual.item()
        if not isinstance(actual, (int, float)) or isinstance(actual, bool):
            raise CheckFailed(tr("{what} should be a number, but is {got}", "{what} 应该是一个数，实际是{got}",
                                 what=what, got=describe(actual)))
        expected_t = torch.tensor(float(expected), dtype=torch.float64)
        actual_t = torch.tensor(float(actual), dtype=torch.float64)
        return _values(actual_t, expected_t, what=what, rtol=rtol, atol=atol)
    tensor = expect_shape(actual, tuple(expected.shape), what=what)
    if check_dtype and tensor.dtype != expected.dtype:
        raise CheckFailed(tr("{what} has dtype {got}, expected {want}", "{what} 的 dtype 是 {got}，应为 {want}",
                             what=what, got=str(tensor.dtype).replace("torch.", ""),
                             want=str(expected.dtype).replace("torch.", "")))
    if check_device and tensor.device.type != expected.device.type:
        raise CheckFailed(tr("{what} is on device {got}, expected {want}", "{what} 在设备 {got} 上，应在 {want} 上",
                             what=what, got=tensor.device, want=expected.device))
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
            where = tr(" at index {idx}", "（索引 {idx}）", idx=idx) if actual.dim() else ""
            raise CheckFailed(tr(
                "{what} has {count} non-finite value(s) where finite ones were expected, "
                "first {value}{where} (expected {want})",
                "{what} 有 {count} 个本应有限的值变成了非有限值，第一个是 {value}{where}（应为 {want}）",
                what=what, count=int(bad.sum()), value=value, where=where,
                want=_fmt(expected.reshape(-1)[flat].item())))
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
    where = tr(" at index {idx}", "（索引 {idx}）", idx=idx) if actual.dim() else ""
    text = tr("{what}: {mismatched} of {count} value(s) are off; worst{where}: got {got}, expected {want}",
              "{what}：{count} 个值中有 {mismatched} 个不对；偏差最大的值{where}：得到 {got}，应为 {want}",
              what=what, mismatched=mismatched, count=actual.numel(), where=where,
              got=_fmt(got_v) if isinstance(got_v, float) else got_v,
              want=_fmt(want_v) if isinstance(want_v, float) else want_v)
    gap, room = diff.reshape(-1)[flat].item(), allowed.reshape(-1)[flat].item()
    if not inexact:
        gap = abs(int(got_v) - int(want_v))
    if math.isfinite(gap) and math.isfinite(room):
        text += tr(" (difference {gap}, allowed {room})", "（相差 {gap}，允许 {room}）",
                   gap=_fmt(gap), room=_fmt(room))
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
    text = tr("{what} should return a Python float, but returned {got}",
              "{what} 应该返回一个 Python 浮点数，实际返回的是{got}", what=what, got=describe(value))
    if isinstance(value, torch.Tensor):
        text += tensor_note or tr("; turn a one-element tensor into a float with `.item()`",
                                  "；用 `.item()` 把只有一个元素的张量变成浮点数")
    raise CheckFailed(text)


def expect_finite(value: Any, *, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    tensor = expect_tensor(value, what=what)
    bad = ~_isfinite(tensor.detach())
    if bad.any():
        flat = int(bad.reshape(-1).nonzero()[0])
        where = tr(" at index {idx}", "（索引 {idx}）", idx=_index(flat, tuple(tensor.shape))) if tensor.dim() else ""
        raise CheckFailed(tr("{what} has {count} NaN/Inf value(s), first {value}{where}",
                             "{what} 有 {count} 个 NaN/Inf 值，第一个是 {value}{where}",
                             what=what, count=int(bad.sum()), value=tensor.reshape(-1)[flat].item(), where=where))
    return tensor
