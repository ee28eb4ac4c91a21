"""Two Jacobians read in words: the relative error, its band, and the classic mistake.

``diagnose(analytic, numeric)`` compares backward's Jacobian with the finite
differences' and says it in one sentence, in the learner's language: the input,
how wrong (CS231n's bands of the relative error), the classic mistake behind a
clean ratio (a factor of 2, a flipped sign, mean instead of sum) and the worst
element.  Pure: tensors in, a sentence out; ``checks.gradients`` builds the
Jacobians in the grading process and calls it.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from pytest_torchkata.i18n import tr

# CS231n's bands for the relative error between analytic and numeric gradients.
WRONG, PROBABLY_WRONG, KINKS = 1e-2, 1e-4, 1e-7


def relative_error(analytic: torch.Tensor, numeric: torch.Tensor) -> float:
    """max |a - n| / max(max |a|, max |n|); 0 when both are all zero."""
    a, n = analytic.detach().to(torch.float64), numeric.detach().to(torch.float64)
    if a.numel() == 0:
        return 0.0
    scale = max(float(a.abs().max()), float(n.abs().max()))
    diff = float((a - n).abs().max())
    if not math.isfinite(diff):  # NaN, or Inf (whose inf / inf would read as NaN, below every band)
        return float("inf")
    return diff / scale if scale > 0 else 0.0


def band(error: float) -> str:
    """CS231n's reading of a relative error: "wrong", "probably wrong",
    "OK only with kinks" or "good"."""
    if error > WRONG:
        return "wrong"
    if error > PROBABLY_WRONG:
        return "probably wrong"
    if error > KINKS:
        return "OK only if the function has kinks (like relu at 0)"
    return "good"


BAND_WORDS = {
    "wrong": ("wrong", "错误"),
    "probably wrong": ("probably wrong", "很可能是错的"),
    "OK only if the function has kinks (like relu at 0)": ("OK only if the function has kinks (like relu at 0)",
                                                           "只有当函数有折点（比如 relu 在 0 处）时才算可以"),
    "good": ("good", "正确"),
}


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _idx(flat: int, shape: tuple[int, ...]) -> list[int]:
    out = []
    for size in reversed(shape):
        out.append(flat % size if size else 0)
        flat = flat // size if size else 0
    return list(reversed(out))


def _where(flat: int, shape: tuple[int, ...], out_dims: int | None, name: str) -> str:
    index = _idx(flat, shape)
    if out_dims is None:
        return f" index ({', '.join(map(str, index))})" if index else ""
    o, i = index[:out_dims], index[out_dims:]
    o_txt = f"out[{', '.join(map(str, o))}]" if o else "out"
    i_txt = f"{name}[{', '.join(map(str, i))}]" if i else name
    return f" d {o_txt} / d {i_txt}"


def guess(analytic: torch.Tensor, numeric: torch.Tensor, *, sizes: tuple[int, ...] = (),
          back: str = "backward") -> str:
    """The classic mistake behind a clean ratio between the Jacobians, or ''.
    ``back`` names what gave ``analytic`` (``double backward`` for second derivatives)."""
    a, n = analytic.detach().to(torch.float64).reshape(-1), numeric.detach().to(torch.float64).reshape(-1)
    if a.numel() == 0 or not bool(torch.isfinite(a).all()):
        return ""
    scale_n = float(n.abs().max()) if n.numel() else 0.0
    if scale_n == 0:
        return tr("the true gradient is zero here but {back} gives values", "这里真实的梯度是零，但 {back} 给出了非零值",
                  back=back) if float(a.abs().max()) else ""
    if float(a.abs().max()) == 0:
        return tr("{back} gives all zeros: the graph is broken (detach/.data/.item()?)",
                  "{back} 给出的全是零：计算图断了（detach/.data/.item()？）", back=back)
    mask = n.abs() > 1e-3 * scale_n
    ratios = a[mask] / n[mask]
    r = float(ratios.median())
    if r == 0 or not bool(((ratios - r).abs() <= 1e-3 * abs(r) + 1e-9).all()):
        return ""
    # A clean factor, with zeros where the true gradient is zero.
    if float(a[~mask].abs().max() if bool((~mask).any()) else 0.0) > 1e-3 * float(a.abs().max()):
        return ""

    def near(value: float) -> bool:
        return abs(r - value) <= 1e-3 * abs(value)

    if near(1.0):
        return ""
    if near(2.0):
        return tr("backward is 2x the true gradient: off by a factor of 2?",
                  "backward 是真实梯度的 2 倍：差了一个因子 2？")
    if near(0.5):
        return tr("backward is half the true gradient: off by a factor of 2?",
                  "backward 是真实梯度的一半：差了一个因子 2？")
    if near(-1.0):
        return tr("backward has the opposite sign: sign flipped?", "backward 的符号相反：符号反了？")
    for size in sorted(set(s for s in sizes if s > 1)):
        if near(1.0 / size):
            return tr("backward is 1/{size} of the true gradient: mean instead of sum?",
                      "backward 是真实梯度的 1/{size}：把求和写成了求均值？", size=size)
        if near(float(size)):
            return tr("backward is {size}x the true gradient: sum instead of mean?",
                      "backward 是真实梯度的 {size} 倍：把求均值写成了求和？", size=size)
    if near(-2.0) or near(-0.5):
        return tr("backward is {r}x the true gradient: sign flipped and off by a factor of 2?",
                  "backward 是真实梯度的 {r} 倍：符号反了，还差了一个因子 2？", r=_fmt(r))
    return tr("backward is {r}x the true gradient", "backward 是真实梯度的 {r} 倍", r=_fmt(r))


def nonfinite_why(analytic: torch.Tensor, numeric: torch.Tensor, *, back: str = "backward",
                  at: torch.Tensor | None = None, name: str = "the input") -> str:
    """Why ``analytic`` (a Jacobian laid out (*out, *in)) holds NaN/Inf where the finite
    differences are finite, said only as far as the evidence goes: NaN exactly at the
    input elements ``at`` that are negative is a fractional power (or sqrt, log) of a
    negative number; Inf alone is a division by 0 or an overflowing exp; otherwise no guess."""
    bad = ~torch.isfinite(analytic)
    nan, inf = bool(analytic.isnan().any()), bool(analytic.isinf().any())
    if at is not None and nan and not inf and at.numel() and analytic.numel() % at.numel() == 0:
        columns = bad.reshape(-1, at.numel()).any(0)  # the input elements whose gradient is NaN
        negative = at.detach().reshape(-1).to(torch.float64) < 0
        if bool(negative.any()) and bool((columns == negative).all()):
            return tr("{back} gives NaN exactly where `{name}` is negative: a fractional power of a negative "
                      "number (`x ** 0.5`, `x ** 1.5`, `pow(x, 2.5)`) is NaN, and so are its sqrt and log; "
                      "keep the exponent an integer or write the power with `abs` and `sign`",
                      "{back} 恰好在 `{name}` 为负的位置给出 NaN：负数的非整数次幂（`x ** 0.5`、`x ** 1.5`、"
                      "`pow(x, 2.5)`）是 NaN，负数的 sqrt 和 log 也是；让指数保持整数，或者用 `abs` 和 `sign` 写这个幂",
                      back=back, name=name)
    if inf and not nan:
        return tr("{back} gives Inf: a division by 0 or an exp overflowing?",
                  "{back} 给出了 Inf：除以了 0，还是 exp 溢出了？", back=back)
    return tr("{back} gives NaN/Inf where finite differences give finite values",
              "{back} 给出了 NaN/Inf，而有限差分给出的是有限值", back=back)


def diagnose(analytic: Any, numeric: torch.Tensor, *, name: str = "the input",
             out_dims: int | None = None, sizes: tuple[int, ...] = (), order: int = 1,
             at: torch.Tensor | None = None) -> str:
    """One sentence on how ``analytic`` (backward's Jacobian, or None when no
    gradient came) compares with ``numeric`` (finite differences).

    ``out_dims``: how many leading dimensions belong to the output (the worst
    element is then shown as ``d out[i] / d x[j]``); ``sizes``: the candidate N
    for the mean-vs-sum guess (defaults to the Jacobian's dimensions and element counts);
    ``order`` 2 speaks of the second derivative and of double backward; ``at``: the
    input's values, the evidence for naming where a NaN comes from.
    """
    numeric = numeric.detach().to(torch.float64)
    if analytic is None:
        return tr("no gradient reached `{name}`", "没有梯度到达 `{name}`", name=name)
    subject = (tr("the second derivative for `{name}`", "`{name}` 的二阶导数", name=name) if order == 2 else
               tr("the gradient for `{name}`", "`{name}` 的梯度", name=name))
    back = "double backward" if order == 2 else "backward"
    analytic = analytic.detach().to(torch.float64)
    if tuple(analytic.shape) != tuple(numeric.shape):
        return tr("{subject} has {got} values, expected {want}", "{subject}有 {got} 个值，应为 {want} 个",
                  subject=subject, got=analytic.numel(), want=numeric.numel())
    if not sizes:
        shape = tuple(numeric.shape)
        if out_dims is not None:
            sizes = (*shape, math.prod(shape[:out_dims]), math.prod(shape[out_dims:]))
        else:
            sizes = (*shape, numeric.numel())
    error = relative_error(analytic, numeric)
    verdict = band(error)
    if numeric.numel() == 0:
        return tr("{subject} is good (it has no elements)", "{subject} 正确（它没有元素）", subject=subject)
    diff = (analytic - numeric).abs().nan_to_num(nan=float("inf")).reshape(-1)
    flat = int(diff.argmax())
    where = _where(flat, tuple(numeric.shape), out_dims, name)
    a_v, n_v = float(analytic.reshape(-1)[flat]), float(numeric.reshape(-1)[flat])
    err_txt = "NaN" if math.isinf(error) else _fmt(error)
    en, zh = BAND_WORDS[verdict]
    text = tr("{subject} is {verdict}", "{subject}{verdict}", subject=subject, verdict=tr(en, zh))
    if verdict == "good":
        return text + tr(" (relative error {error})", "（相对误差 {error}）", error=err_txt)
    # The likely mistake first (summaries cut long lines), then the numbers behind it.
    if not bool(torch.isfinite(analytic).all()):
        why = nonfinite_why(analytic, numeric, back=back, at=at, name=name)
    else:
        why = guess(analytic, numeric, sizes=sizes, back=back)
    return text + (tr("; ", "；") + why if why else "") + tr(
        " (relative error {error}; worst at{where}: {back} gives {a}, finite differences give {n})",
        "（相对误差 {error}；最差处在{where}：{back} 给出 {a}，有限差分给出 {n}）",
        error=err_txt, where=where, back=back, a=_fmt(a_v), n=_fmt(n_v))
