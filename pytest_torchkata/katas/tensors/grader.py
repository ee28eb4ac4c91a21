"""Check-side helpers of the tensors kata: expectations with learner messages and
the recognisers of its classic mistakes (a mistake is named only when the
learner's result matches that mistake's signature and not the right answer).

Runs on the grader's side only; the learner-world helpers are in
``tensors/world.py``.
"""

from __future__ import annotations

from typing import Any

import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import expect_close, expect_on_cpu, expect_shape, expect_tensor
from pytest_torchkata.checks.variants import Variant, Variants, matches as shared_matches
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.tensors import world
from pytest_torchkata.katas.common.explained import explain
from pytest_torchkata.katas.common.seeded import jitter

LOOP_N = 300          # rows given to the "no Python loop" checks


LOOP_MAX_CALLS = 60   # a loop over rows makes at least LOOP_N torch calls


def matches(a: Any, b: torch.Tensor, tol: float = 1e-5) -> bool:
    """A quiet comparison used only to recognise a mistake's signature: the shared
    ``matches`` with one tolerance for rtol and atol.  1e-5, tighter than its rtol 1e-4 on
    purpose: this kata's mistakes (a wrong layout, dim or dtype) are made of the same
    numbers as the answer, so they agree to rounding, and a looser rtol could name a
    mistake for an answer that is merely close.  ``tol=0.0`` asks for exact values."""
    return shared_matches(a, b, rtol=tol, atol=tol)


def expect_dtype(value: Any, dtype: torch.dtype, *, what: str, why: str = "",
                 why_when: torch.dtype | None = None, mistake: str = "") -> torch.Tensor:
    """The dtype asked for; ``why`` names the classic mistake that gives the wrong one
    (only when the result has ``why_when``, the dtype that mistake makes, if given)."""
    __tracebackhide__ = True
    tensor = expect_on_cpu(expect_tensor(value, what=what), what=what)
    if why_when is not None and tensor.dtype != why_when:
        why = ""
    if tensor.dtype != dtype:
        text = tr("{what} has dtype {got}, expected {want}", "{what} 的数据类型是 {got}，应为 {want}",
                  what=what, got=dtype_name(tensor.dtype), want=dtype_name(dtype))
        raise (Mistake(tr("{text}: {why}", "{text}：{why}", text=text, why=why), mistake=mistake) if why
               else CheckFailed(text))
    return tensor


def expect_batch_kept(out: Any, want: tuple, *, what: str) -> torch.Tensor:
    """``want`` has a size-1 batch: a result without its size-1 dims is a bare `.squeeze()`."""
    __tracebackhide__ = True
    tensor = expect_on_cpu(expect_tensor(out, what=what), what=what)
    if tuple(tensor.shape) != want and tuple(tensor.shape) == tuple(d for d in want if d != 1):
        raise Mistake(tr("{what} has shape {got}, expected {want}: the batch dimension of size 1 is gone; a bare "
                         "`.squeeze()` (or a reduction over every dim) drops it; squeeze one dim (`squeeze(1)`) "
                         "or keep it with `keepdim=True`",
                         "{what} 的形状是 {got}，应为 {want}：大小为 1 的批维度不见了；不带参数的 `.squeeze()`"
                         "（或对所有维度归约）会去掉它；只压缩指定的维度（`squeeze(1)`），或用 `keepdim=True` 保留它",
                         what=what, got=tuple(tensor.shape), want=want), mistake="tensors.batch_dim_squeezed")
    return expect_shape(tensor, want, what=what)


def expect_inputs_kept(res: dict, originals: dict, name: str) -> None:
    """The learner's function must leave its input tensors as they were."""
    __tracebackhide__ = True
    for (arg, before), after in zip(originals.items(), res["inputs"]):
        if not (isinstance(after, torch.Tensor) and after.shape == before.shape
                and torch.equal(after, before)):
            raise Mistake(tr("`{name}` changed its input `{arg}` in place (`{arg} -= ...`, `{arg}[...] = ...` "
                             "or a method ending in `_`): the caller's tensor is now different; build new "
                             "tensors instead (`{arg} = {arg} - ...`, `torch.where`)",
                             "`{name}` 原地修改了输入 `{arg}`（`{arg} -= ...`、`{arg}[...] = ...` 或以 `_` 结尾的"
                             "方法）：调用者的张量被改变了；请创建新张量（`{arg} = {arg} - ...`、`torch.where`）",
                             name=name, arg=arg), mistake="tensors.input_changed_in_place")


def expect_no_loop(kata: Any, name: str, rows: int) -> None:
    __tracebackhide__ = True
    if kata.torch_calls >= LOOP_MAX_CALLS:
        raise Mistake(tr("`{name}` made {calls} torch calls for {rows} rows: that looks like a Python loop "
                         "over rows; work on whole tensors at once (broadcasting, reductions with dim=)",
                         "`{name}` 对 {rows} 行数据调用了 {calls} 次 torch：这像是对每一行做 Python 循环；"
                         "请一次处理整个张量（广播、带 dim= 的归约）",
                         name=name, calls=kata.torch_calls, rows=rows), mistake="tensors.python_loop")


def shapes_explained(why: Text):
    return explain("must match the size of tensor b", why)


def sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


def _expansion(a: torch.Tensor, b: torch.Tensor, cross: float) -> torch.Tensor:
    return (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] + cross * (a @ b.T)


# pairwise_sq_dists(a (N, D), b (M, D)): the classic wrong versions, named by the output they give
DISTANCES = Variants(
    Variant("tensors.distances_swapped", lambda a, b: sq_dists(b, a),
            Text("rows and columns are swapped; out[i, j] pairs row i of a with row j of b",
                 "行和列对调了；out[i, j] 应是 a 的第 i 行与 b 的第 j 行")),
    Variant("tensors.distances_not_squared", lambda a, b: sq_dists(a, b).sqrt(),
            Text("it holds the distances, not their squares: leave out the square root",
                 "这是距离本身而不是距离的平方：去掉开平方")),
    Variant("tensors.distances_averaged", lambda a, b: sq_dists(a, b) / a.shape[1],
            Text("it averaged the squared differences over the D coordinates (`mean`); the squared distance "
                 "sums them (`sum(dim=-1)`)", "对 D 个坐标的差的平方求了平均（`mean`）；距离的平方是把它们加起来"
                 "（`sum(dim=-1)`）")),
    Variant("tensors.distances_l1", lambda a, b: (a[:, None, :] - b[None, :, :]).abs().sum(-1),
            Text("it summed |a − b| (the L1 distance); square the differences before summing",
                 "求的是 |a − b| 之和（L1 距离）；求和前要先平方")),
    Variant("tensors.distances_cross_term_sign", lambda a, b: _expansion(a, b, 2.0),
            Text("the cross term has the wrong sign: |a − b|² = |a|² + |b|² − 2a·b, not + 2a·b",
                 "交叉项的符号错了：|a − b|² = |a|² + |b|² − 2a·b，而不是 + 2a·b")),
    Variant("tensors.distances_cross_term_factor", lambda a, b: _expansion(a, b, -1.0),
            Text("the cross term lost its factor 2: |a − b|² = |a|² + |b|² − 2a·b, not − a·b",
                 "交叉项少了系数 2：|a − b|² = |a|² + |b|² − 2a·b，而不是 − a·b")),
)


PAIRING = Text("`a - b` pairs row i of a with row i of b only, so N and M must match; give each its own axis: "
            "`a[:, None, :] - b[None, :, :]` broadcasts to (N, M, D)",
            "`a - b` 只把 a 的第 i 行与 b 的第 i 行配对，所以 N 和 M 必须相等；给它们各自一个维度："
            "`a[:, None, :] - b[None, :, :]` 会广播成 (N, M, D)")


def distances_checked(kata, a: torch.Tensor, b: torch.Tensor, what: str, *, view: bool = False) -> torch.Tensor:
    """The learner's distances, with the classic pairing mistakes named (``view``: ``a``
    reaches the learner's function as a non-contiguous view)."""
    __tracebackhide__ = True
    with explain("must match the size of tensor b", PAIRING, mistake="tensors.rows_not_paired"):
        res = (kata.run(world.pairwise_sq_dists_on_a_view, a.T.contiguous(), b) if view else
               kata.run(world.call_pairwise_sq_dists, a, b))
    expect_inputs_kept(res, {"a": a, "b": b}, "pairwise_sq_dists")
    out, want = res["out"], sq_dists(a, b)
    found = DISTANCES.mistake(out, (a, b), what=what, expected=want)
    if found is not None:
        raise found
    return expect_batch_kept(out, tuple(want.shape), what=what)


def masked_mean_reference(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    out = torch.zeros(x.shape[0], dtype=x.dtype)
    for i in range(x.shape[0]):
        if mask[i].any():
            out[i] = x[i][mask[i]].mean()
    return out


def _masked_parts(x: torch.Tensor, mask: torch.Tensor) -> tuple:
    m = mask.to(x.dtype)
    return m, (x * m).sum(1), m.sum(1).clamp(min=1)


# masked_mean(x (N, L), mask (N, L)): the classic wrong versions (no row of the checks' masks is
# empty where a version would divide by zero, so each gives numbers to compare)
MASKED_MEAN = Variants(
    Variant("tensors.mask_ignored", lambda x, mask: x.mean(1),
            Text("the mask was ignored: every entry of the row was averaged", "掩码被忽略了：整行的元素都参与了平均")),
    Variant("tensors.mask_ignored_in_sum", lambda x, mask: x.sum(1) / _masked_parts(x, mask)[2],
            Text("the mask was ignored in the sum: unselected entries were added too; sum `x * mask`",
                 "求和时忽略了掩码：未选中的元素也被加进去了；请对 `x * mask` 求和")),
    Variant("tensors.divided_by_row_length", lambda x, mask: _masked_parts(x, mask)[1] / x.shape[1],
            Text("it divided by the row length, not by the count of True entries",
                 "除以了行的长度，而不是 True 元素的个数")),
    Variant("tensors.mask_inverted",
            lambda x, mask: (x * (~mask).to(x.dtype)).sum(1) / (~mask).to(x.dtype).sum(1).clamp(min=1),
            Text("the mask is inverted: the entries where it is False were averaged; keep those where it is True",
                 "掩码用反了：平均的是掩码为 False 的元素；应保留为 True 的元素")),
    Variant("tensors.count_of_whole_mask", lambda x, mask: _masked_parts(x, mask)[1] / mask.to(x.dtype).sum().clamp(min=1),
            Text("it divided by the count of the whole mask; count each row's: `mask.sum(dim=1)`",
                 "除以了整个掩码的计数；应按行计数：`mask.sum(dim=1)`")),
    Variant("tensors.floor_division",
            lambda x, mask: torch.div(_masked_parts(x, mask)[1], _masked_parts(x, mask)[2], rounding_mode="floor"),
            Text("`//` is floor division: it rounds the mean down to a whole number; divide with `/`",
                 "`//` 是向下取整的除法：均值被舍成了整数；请用 `/` 相除")),
    Variant("tensors.masked_mean_wrong_dim",
            lambda x, mask: (x * mask.to(x.dtype)).sum(0) / mask.to(x.dtype).sum(0).clamp(min=1),
            Text("it averaged down the columns (dim 0), one mean per position; one mean per row sums along dim=1",
                 "沿列（dim 0）求了平均，每个位置一个均值；每行一个均值要沿 dim=1 求和")),
)


def expect_no_masked_mean_mistake(out: Any, x: torch.Tensor, mask: torch.Tensor, what: str) -> None:
    """Recognise the classic masked-mean mistakes by the values they give."""
    __tracebackhide__ = True
    if isinstance(out, torch.Tensor) and out.dim() == 0 and x.shape[0] > 1:
        raise Mistake(tr("{what} is a single number: `x[mask]` gathers the selected entries of every row into "
                         "one flat tensor; one mean per row needs sums along dim=1",
                         "{what} 只是一个数：`x[mask]` 把所有行被选中的元素收集成一个一维张量；"
                         "每行一个均值需要沿 dim=1 求和", what=what), mistake="tensors.one_mean_for_the_batch")
    found = MASKED_MEAN.mistake(out, (x, mask), what=what, expected=masked_mean_reference(x, mask))
    if found is not None:
        raise found


def masked_mean_checked(kata, x: torch.Tensor, mask: torch.Tensor, what: str, *, rtol=None, atol=None,
                        view: bool = False):
    __tracebackhide__ = True
    res = (kata.run(world.masked_mean_on_a_view, x.T.contiguous(), mask) if view else
           kata.run(world.call_masked_mean, x, mask))
    expect_inputs_kept(res, {"x": x, "mask": mask}, "masked_mean")
    out = res["out"]
    expect_no_masked_mean_mistake(out, x, mask, what)
    expect_batch_kept(out, (x.shape[0],), what=what)
    if out.is_floating_point() and bool(torch.isnan(out).any()) and not bool(mask.any(1).all()):
        raise Mistake(tr("{what} gave NaN for a row with no True entry: 0 selected entries makes 0 / 0; clamp the "
                         "count to at least 1 (or use `torch.where`)", "{what} 对没有 True 元素的行给出了 NaN："
                         "选中 0 个元素就是 0 / 0；把计数 clamp 到至少 1（或用 `torch.where`）", what=what), mistake="tensors.nan_on_empty_row")
    expect_close(out, masked_mean_reference(x, mask), what=what, rtol=rtol, atol=atol)


KEEPDIM = Text("a reduction along `dim` removes that dim, so `x - x.amax(dim)` no longer lines up with x; "
            "`keepdim=True` keeps it as size 1 and the result broadcasts back",
            "沿 `dim` 的归约会去掉这一维，于是 `x - x.amax(dim)` 与 x 对不齐；`keepdim=True` 把它保留为大小 1，"
            "结果就能广播回去")


def softmax_of(kata, x: torch.Tensor, dim: int, *, log: bool, what: str, view: bool = False) -> torch.Tensor:
    """The learner's (log-)softmax of ``x``, its input checked to be left unchanged
    (``view``: ``x`` reaches the learner's function as a non-contiguous view)."""
    __tracebackhide__ = True
    name = "log_softmax" if log else "softmax"
    with shapes_explained(KEEPDIM):
        if view:
            res = kata.run(world.log_softmax_on_a_view if log else world.softmax_on_a_view,
                           x.transpose(0, 1).contiguous(), dim=dim)
        else:
            res = kata.run(world.call_log_softmax if log else world.call_softmax, x, dim=dim)
    expect_inputs_kept(res, {"x": x}, name)
    out = expect_shape(res["out"], tuple(x.shape), what=what)
    return expect_dtype(out, x.dtype, what=what)


def softmax_reference(x: torch.Tensor, dim: int, log: bool) -> torch.Tensor:
    return torch.log_softmax(x, dim) if log else torch.softmax(x, dim)


def mistake_in_unkept_softmax(out: torch.Tensor, x: torch.Tensor, dim: int, log: bool, what: str) -> Mistake | None:
    """The mistake, when ``out`` matches the (log-)softmax written without ``keepdim=True``,
    which broadcasts against the wrong axis wherever it does not fail."""
    try:
        s = x - x.amax(dim=dim)
        e = s.exp()
        unkept = (s - e.sum(dim=dim).log()) if log else e / e.sum(dim=dim)
    except RuntimeError:
        return None
    if not matches(unkept, softmax_reference(x, dim, log)) and matches(out, unkept):
        return Mistake(tr("{what}: {why}", "{what}：{why}", what=what, why=KEEPDIM), mistake="tensors.softmax_without_keepdim")
    return None


def mistake_in_whole_sum_softmax(out: torch.Tensor, x: torch.Tensor, dim: int, log: bool, what: str) -> Mistake | None:
    """The mistake, when ``out`` matches the (log-)softmax normalised by the sum of every
    entry (`e.sum()` without `dim`), the max taken along `dim` or over the whole tensor."""
    for s in (x - x.amax(dim=dim, keepdim=True), x - x.amax()):
        e = s.exp()
        wrong = (s - e.sum().log()) if log else e / e.sum()
        if not matches(wrong, softmax_reference(x, dim, log)) and matches(out, wrong):
            return Mistake(tr("{what} was divided by the sum of the whole tensor: `sum()` without `dim` adds every "
                              "entry; normalise along `dim` with `sum(dim=dim, keepdim=True)`",
                              "{what} 除以的是整个张量的和：不带 `dim` 的 `sum()` 把所有元素都加起来了；请用 "
                              "`sum(dim=dim, keepdim=True)` 沿 `dim` 归一化", what=what),
                           mistake="tensors.softmax_sum_without_dim")
    return None


def _shift(x: torch.Tensor, dim: int) -> torch.Tensor:
    return x - x.amax(dim=dim, keepdim=True)


# softmax(x, dim) and log_softmax(x, dim): wrong versions the other checks of the task do not name
SOFTMAX = Variants(
    Variant("tensors.softmax_shift_in_numerator_only",
            lambda x, dim: _shift(x, dim).exp() / x.exp().sum(dim=dim, keepdim=True),
            Text("the max was subtracted in the numerator only: exp(x - max) / sum(exp(x)) is the softmax times "
                 "exp(-max); subtract it from x once and use the same shifted tensor above and below",
                 "只在分子里减去了最大值：exp(x - max) / sum(exp(x)) 等于 softmax 乘以 exp(-max)；请先从 x 中减去"
                 "最大值，分子分母都用这个平移后的张量")),
    Variant("tensors.softmax_sign", lambda x, dim: torch.softmax(-x, dim),
            Text("it is the softmax of -x: the sign of the logits was flipped", "这是 -x 的 softmax：logits 的符号反了")),
)
LOG_SOFTMAX = Variants(
    Variant("tensors.logsumexp_max_not_added_back",
            lambda x, dim: x - _shift(x, dim).exp().sum(dim=dim, keepdim=True).log(),
            Text("the max was not added back: log(sum(exp(x - max))) is logsumexp(x) - max, so x minus it is off "
                 "by the max; subtract it from the shifted x (`s - log(sum(exp(s)))` with `s = x - max`)",
                 "减去的最大值没有加回来：log(sum(exp(x - max))) 等于 logsumexp(x) - max，所以用 x 减去它会差一个"
                 "最大值；应从平移后的 x 中减去（`s - log(sum(exp(s)))`，其中 `s = x - max`）")),
    Variant("tensors.log_softmax_sign",
            lambda x, dim: _shift(x, dim) + _shift(x, dim).exp().sum(dim=dim, keepdim=True).log(),
            Text("the log of the sum was added, not subtracted: log_softmax = s - log(sum(exp(s)))",
                 "对和取的 log 被加上了，而不是减去：log_softmax = s - log(sum(exp(s)))")),
    Variant("tensors.log_softmax_returns_softmax", lambda x, dim: torch.softmax(x, dim),
            Text("it returns the softmax itself, without the log", "返回的是 softmax 本身，没有取 log")),
)


def expect_softmax_along(kata, x: torch.Tensor, dim: int, *, log: bool, view: bool = False) -> None:
    """The learner's softmax (or log_softmax) of ``x`` along ``dim`` against torch's
    (``view``: given as a non-contiguous view of the same values)."""
    __tracebackhide__ = True
    kind = "" if x.dtype == torch.float32 else f" {dtype_name(x.dtype)}"
    kind += ", non-contiguous" if view else ""
    what = f"{'log_softmax' if log else 'softmax'}(x {tuple(x.shape)}{kind}, dim={dim})"
    out = softmax_of(kata, x, dim, log=log, what=what, view=view)
    probs, d = (out.exp() if log else out), dim % x.dim()
    for other in range(x.dim()):
        if other != d and torch.allclose(probs.sum(other).double(), torch.ones((), dtype=torch.float64), atol=1e-4):
            raise Mistake(tr("{what} sums to 1 along dim {other}, not dim {d}: the reduction ran over the wrong "
                             "dim; pass `dim=dim` to every max/sum", "{what} 沿 dim {other} 求和为 1，而不是 dim {d}："
                             "归约用错了维度；每个 max/sum 都要传 `dim=dim`", what=what, other=other, d=d), mistake="tensors.softmax_wrong_dim")
    for recognise in (mistake_in_unkept_softmax, mistake_in_whole_sum_softmax):
        found = recognise(out, x, dim, log, what)
        if found is not None:
            raise found
    expect_close(out, softmax_reference(x, dim, log), what=what, variants=LOG_SOFTMAX if log else SOFTMAX,
                 inputs=(x, dim))


def expect_finite_when_rows_differ(kata, *, log: bool) -> None:
    """Row 0 near +1000, row 1 near -1000, row 2 spread from -1000 to 1000: only a
    max taken along `dim` keeps rows 0 and 1 finite, and only a log taken before
    the division keeps row 2's log-probabilities finite."""
    __tracebackhide__ = True
    x = jitter(torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -999.0], [-1000.0, 0.0, 1000.0]]), 0.5)
    what = (f"{'log_softmax' if log else 'softmax'}([[1000, 1001, 1002], [-1000, -1001, -999], "
            f"[-1000, 0, 1000]] + under 0.5 each, dim=1)")
    out = softmax_of(kata, x, 1, log=log, what=what)
    finite = [bool(f) for f in torch.isfinite(out).all(dim=1)]
    if finite == [True, False, True]:
        raise Mistake(tr("{what} is NaN/Inf in row 1 only: the max of the whole tensor (`x.max()`) was subtracted, "
                         "not the max along `dim`, so row 1 underflows to 0 / 0; use `x.amax(dim=dim, "
                         "keepdim=True)`", "{what} 只在第 1 行出现 NaN/Inf：减去的是整个张量的最大值（`x.max()`），"
                         "而不是沿 `dim` 的最大值，第 1 行下溢成了 0 / 0；请用 `x.amax(dim=dim, keepdim=True)`",
                         what=what), mistake="tensors.softmax_global_max")
    if log and finite == [True, True, False]:
        raise Mistake(tr("{what} has -inf in row 2 (expected [-2000, -1000, 0]): the log of a softmax that "
                         "underflowed to 0 is -inf; take the log before dividing: `s - log(sum(exp(s)))` with "
                         "`s = x - max`", "{what} 的第 2 行出现 -inf（应为 [-2000, -1000, 0]）：对下溢成 0 的 softmax "
                         "取 log 得 -inf；请在除法之前取 log：`s - log(sum(exp(s)))`，其中 `s = x - max`", what=what), mistake="tensors.log_of_underflowed_softmax")
    if log and all(finite) and float(out[2, 0]) > -1000:
        raise Mistake(tr("{what} gives {got:.4g} for row 2's first entry, expected -2000: a small epsilon added "
                         "before the log (`log(softmax + eps)`) floors the log-probabilities at log(eps); take "
                         "the log before dividing: `s - log(sum(exp(s)))` with `s = x - max`",
                         "{what} 第 2 行第一个元素是 {got:.4g}，应为 -2000：在 log 之前加一个小的 epsilon"
                         "（`log(softmax + eps)`）会把对数概率截断在 log(eps)；请在除法之前取 log："
                         "`s - log(sum(exp(s)))`，其中 `s = x - max`", what=what, got=float(out[2, 0])), mistake="tensors.log_of_softmax_plus_eps")
    if not all(finite):
        raise Mistake(tr("{what} contains NaN/Inf: exp(1000) overflows to inf (and log of an underflowed 0 is "
                         "-inf); subtract the max along `dim` before `exp`", "{what} 含有 NaN/Inf：exp(1000) 溢出为 "
                         "inf（对下溢成 0 的数取 log 得 -inf）；在 `exp` 之前减去沿 `dim` 的最大值", what=what), mistake="tensors.softmax_overflows")
    # near ±1000 float32 resolves only 6e-5, so the tolerance allows a few of those steps
    expect_close(out, softmax_reference(x, 1, log), what=what, rtol=2e-4, atol=1e-5)


# flatten_pixels(x (B, H, W, C)) -> (B, H*W*C) in the order of x
FLATTEN = Variants(
    Variant("tensors.flatten_channels_first", lambda x: x.permute(0, 3, 1, 2).reshape(x.shape[0], -1),
            Text("the values are in channels-first order (C, H, W): the axes were moved back before flattening; "
                 "flatten x in its own (H, W, C) order: `x.reshape(x.shape[0], -1)`",
                 "数值是按通道在前 (C, H, W) 的顺序排列的：展平前又把维度移回去了；请按 x 自己的 (H, W, C) 顺序"
                 "展平：`x.reshape(x.shape[0], -1)`")),
    Variant("tensors.flatten_width_first", lambda x: x.transpose(1, 2).reshape(x.shape[0], -1),
            Text("H and W were swapped before flattening (`transpose(1, 2)`): the rows come out column by column",
                 "展平前交换了 H 和 W（`transpose(1, 2)`）：结果是按列而不是按行排列的")),
)


def _rolled(labels: torch.Tensor, num_classes: int, shift: int) -> torch.Tensor:
    out = torch.zeros(labels.shape[0], num_classes)
    out[torch.arange(labels.shape[0]), (labels + shift) % num_classes] = 1.0
    return out


# one_hot(labels (N,), num_classes) and from_one_hot(scores (N, C))
ONE_HOT = Variants(
    Variant("tensors.one_hot_off_by_one", lambda labels, c: _rolled(labels, c, -1),
            Text("every 1 sits one column to the left (`labels - 1`): the labels are already 0..C-1",
                 "每个 1 都左移了一列（`labels - 1`）：标签本来就是 0..C-1")),
    Variant("tensors.one_hot_transposed", lambda labels, c: _rolled(labels, c, 0).T,
            Text("it is transposed, (num_classes, N): one row per sample, one column per class",
                 "它被转置了，是 (num_classes, N)：应每个样本一行、每个类别一列")),
)
FROM_ONE_HOT = Variants(
    Variant("tensors.argmin_not_argmax", lambda scores: scores.argmin(dim=1),
            Text("these are the positions of the smallest entries (`argmin`); the class is the largest one's, "
                 "`argmax(dim=1)`", "这是最小元素的位置（`argmin`）；类别应是最大元素的位置，`argmax(dim=1)`")),
)
