"""Mistake variants: a task's classic wrong versions, declared beside its reference.

A task declares a table of the slips learners really make, each as the function
that computes the mistaken output from the same inputs the check used::

    MSE = Variants(
        Variant("linear_regression.square_of_mean",
                lambda pred, target: (pred - target).mean() ** 2,
                Text("the mean was squared, (mean(pred - target)) ** 2, instead of the mean of the squares",
                     "先求平均再平方了，(mean(pred - target)) ** 2，而不是平方的平均")),
    )
    expect_close(out, want, what="mse(pred, target)", variants=MSE, inputs=(pred, target))

When the value check fails, the grader runs the variants on the same inputs (here,
in the grader's process, never in a learner's) and, if what the learner returned
``matches`` one, raises that variant's ``Mistake``: its id goes into the report and
its message, with what came and what was expected, is the check's message.  A
variant that raises, or whose output the correct answer also matches on these
inputs, simply does not match.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.i18n import Text, tr

# "kata.short_name": the kata, then the slip in a few snake_case words
MISTAKE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

# one tolerance for recognising every variant: loose enough for float32 sums taken in
# another order, far tighter than any slip the tables declare
RTOL, ATOL = 1e-4, 1e-5

_isfinite = torch.isfinite  # bound once: learner code cannot patch what the grader calls


@dataclass(frozen=True)
class Variant:
    """One classic wrong version of a task's reference.

    ``id``: ``kata.short_name`` (travels into the JSON report). ``compute``: called
    with the check's inputs (copies), returns the mistaken output. ``message``: names
    the mistake in both languages (the grader adds what came and what was expected).
    ``hint``: what to do about it, shown instead of the task's hint."""

    id: str
    compute: Callable[..., Any]
    message: Text
    hint: "Text | None" = None

    def __post_init__(self) -> None:
        if not MISTAKE_ID.match(self.id):
            raise ValueError(f"mistake id {self.id!r} must read kata.short_name (lowercase, snake_case)")
        if not isinstance(self.message, Text) or not (self.message.en.strip() and self.message.zh.strip()):
            raise ValueError(f"mistake {self.id!r}: the message must be a Text in both languages")
        if self.hint is not None and not isinstance(self.hint, Text):
            raise ValueError(f"mistake {self.id!r}: the hint must be a Text in both languages")
        if not callable(self.compute):
            raise ValueError(f"mistake {self.id!r}: compute must be a function of the check's inputs")


class Variants:
    """A task's table of ``Variant`` s, tried in the order declared (the first match names it)."""

    def __init__(self, *variants: Variant) -> None:
        ids = [v.id for v in variants]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a mistake id is declared twice: {sorted(i for i in ids if ids.count(i) > 1)}")
        if not all(isinstance(v, Variant) for v in variants):
            raise ValueError("Variants takes Variant(...) entries only")
        self.variants: tuple[Variant, ...] = tuple(variants)

    def __iter__(self) -> Iterator[Variant]:
        return iter(self.variants)

    def __len__(self) -> int:
        return len(self.variants)

    def __add__(self, other: "Variants") -> "Variants":
        return Variants(*self.variants, *other.variants)

    def ids(self) -> list[str]:
        return [v.id for v in self.variants]

    def gradients(self, wrt: int = 0) -> "Variants":
        """The same slips seen through their gradients: each variant's ``compute`` becomes
        the gradient of its output's sum with respect to input ``wrt`` (autograd, on the
        grader's copies), with the same id, message and hint; for a check of d loss / d input."""
        return Variants(*(Variant(v.id, _gradient_of(v.compute, wrt), v.message, v.hint) for v in self.variants))

    def find(self, observed: Any, inputs: tuple = (), expected: Any = None) -> Variant | None:
        """The first variant whose output on ``inputs`` the ``observed`` value matches (and
        the ``expected`` one does not: such a variant cannot be told apart on these inputs)."""
        for variant in self.variants:
            mistaken = run_variant(variant, inputs)
            if mistaken is _FAILED:
                continue
            if expected is not None and matches(expected, mistaken):
                continue
            if matches(observed, mistaken):
                return variant
        return None

    def mistake(self, observed: Any, inputs: tuple = (), *, what: str, expected: Any = None) -> Mistake | None:
        """The ``Mistake`` naming the variant ``observed`` matches, or None."""
        variant = self.find(observed, inputs, expected)
        return None if variant is None else named(variant, observed, expected, what=what)


_FAILED = object()


def _gradient_of(compute: Callable[..., Any], wrt: int) -> Callable[..., Any]:
    def gradient(*inputs: Any) -> torch.Tensor:
        x = inputs[wrt].detach().requires_grad_(True)
        args = (*inputs[:wrt], x, *inputs[wrt + 1:])
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(compute(*args).sum(), x, allow_unused=False)
        return grad
    return gradient


def run_variant(variant: Variant, inputs: tuple) -> Any:
    """The variant's output on copies of ``inputs``, or ``_FAILED`` when it raises:
    a variant never changes the check's inputs and never ends a check."""
    try:
        return variant.compute(*(_copy(x) for x in inputs))
    except Exception:  # a variant undefined on these inputs (a shape it cannot take) does not match
        return _FAILED


def _copy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().clone().requires_grad_(value.requires_grad)
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _as_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(float(value), dtype=torch.float64)
    return None


def matches(observed: Any, mistaken: Any, *, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Whether ``observed`` is the ``mistaken`` output: the same shape (a number matches
    a one-element tensor), every value within ``rtol``/``atol`` (RTOL/ATOL unless a kata
    asks otherwise), NaN where it has NaN.  Tuples and lists match element by element.
    Never raises."""
    try:
        if isinstance(mistaken, (tuple, list)):
            return (isinstance(observed, (tuple, list)) and len(observed) == len(mistaken)
                    and all(matches(o, m, rtol=rtol, atol=atol) for o, m in zip(observed, mistaken)))
        a, b = _as_tensor(observed), _as_tensor(mistaken)
        if a is None or b is None or a.is_complex() or b.is_complex():
            return False
        if a.shape != b.shape:
            if a.numel() == 1 and b.numel() == 1 and (a.dim() == 0 or b.dim() == 0):
                a, b = a.reshape(()), b.reshape(())  # a number against a scalar tensor
            else:
                return False
        a, b = a.to("cpu", torch.float64), b.to("cpu", torch.float64)
        same_nan = a.isnan() == b.isnan()
        close = ((a - b).abs() <= atol + rtol * b.abs()) | (a == b)
        return bool((same_nan & (close | a.isnan())).all())
    except Exception:
        return False


def named(variant: Variant, observed: Any, expected: Any, *, what: str) -> Mistake:
    """The variant's ``Mistake``: its name first (the summary shows a message's
    beginning), then what came and what was expected."""
    evidence = _evidence(observed, expected)
    message = (tr("{what}: {mistake} ({evidence})", "{what}：{mistake}（{evidence}）",
                  what=what, mistake=variant.message, evidence=evidence) if evidence else
               tr("{what}: {mistake}", "{what}：{mistake}", what=what, mistake=variant.message))
    return Mistake(message, hint=str(variant.hint) if variant.hint else "", mistake=variant.id)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _evidence(observed: Any, expected: Any) -> str:
    """What came against what was expected, in a few words (shape first, then the worst value)."""
    a, b = _as_tensor(observed), _as_tensor(expected)
    if a is None or b is None:
        return ""
    if a.shape != b.shape and not (a.numel() == 1 == b.numel()):
        return tr("got shape {got}, expected {want}", "得到的形状是 {got}，应为 {want}",
                  got=tuple(a.shape), want=tuple(b.shape))
    try:
        a64, b64 = a.reshape(-1).to("cpu", torch.float64), b.reshape(-1).to("cpu", torch.float64)
    except Exception:
        return ""
    if a64.numel() == 0:
        return ""
    diff = (a64 - b64).abs().nan_to_num(nan=math.inf)
    flat = int(diff.argmax())
    got, want = a64[flat].item(), b64[flat].item()
    if a.dim() == 0 or a.numel() == 1:
        return tr("got {got}, expected {want}", "得到 {got}，应为 {want}", got=_fmt(got), want=_fmt(want))
    idx = _unflatten(flat, tuple(a.shape))
    return tr("worst at index {idx}: got {got}, expected {want}", "偏差最大的值（索引 {idx}）：得到 {got}，应为 {want}",
              idx=idx, got=_fmt(got), want=_fmt(want))


def _unflatten(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for size in reversed(shape):
        out.append(flat % size if size else 0)
        flat = flat // size if size else 0
    return tuple(reversed(out))


@contextlib.contextmanager
def naming(variants: "Variants | None", inputs: tuple, observed: Any, *, what: str,
           expected: Any = None) -> Iterator[None]:
    """Any plain ``CheckFailed`` raised inside becomes the named ``Mistake`` when
    ``observed`` matches one of ``variants`` on ``inputs`` (for checks of their own
    making: ``with naming(MSE, (pred, target), out, what=...): expect_...``)."""
    __tracebackhide__ = True
    try:
        yield
    except CheckFailed as failed:
        if isinstance(failed, Mistake) or not variants:
            raise
        found = variants.mistake(observed, inputs, what=what, expected=expected)
        if found is None:
            raise
        found.where = failed.where
        raise found from None
