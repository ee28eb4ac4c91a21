"""Checks for the tensors kata (张量): creation, dtypes, permute/reshape,
broadcasting, masks, one-hot, stable softmax and the NumPy bridge.

The learner-world helpers (called through ``kata.run``) live in
``tensors/world.py``; everything here runs on the grader's side.
"""

from __future__ import annotations

import numpy as np
import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_tensor
from pytest_torchkata.checks.variants import naming
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.katas.tensors import world
from pytest_torchkata.katas.tensors.grader import (
    FLATTEN, FROM_ONE_HOT, ONE_HOT, LOOP_N, distances_checked, expect_batch_kept, expect_dtype, expect_finite_when_rows_differ,
    expect_no_loop, expect_softmax_along, masked_mean_checked, masked_mean_reference, matches, sq_dists)
from pytest_torchkata.katas.tensors.hints import HINTS
from pytest_torchkata.katas.common.explained import explain
from pytest_torchkata.model import Kata

KATA = Kata("tensors", Text("Tensors", "张量"),
            Text("creating tensors and dtypes, permute vs view, broadcasting, masks, one-hot, "
                 "stable softmax, the NumPy bridge",
                 "创建张量与数据类型、permute 与 view、广播、掩码、one-hot、数值稳定的 softmax、与 NumPy 互转"))


FORBID_SOFTMAX = {name: "the task is to write it yourself from exp, max and sum" for name in (
    "torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax", "torch.special.softmax",
    "torch.log_softmax", "torch.Tensor.log_softmax", "torch.nn.functional.log_softmax",
    "torch.special.log_softmax")}


# -- Task 1 -----------------------------------------------------------------------

@KATA.task("create", Text("Tensors from lists and NumPy", "从列表和 NumPy 创建张量"), points=2, hints=HINTS["create"])
class TestCreate:
    def test_a_list_of_ints_becomes_float32(self, kata):
        data = torch.randint(-9, 10, (2, 3)).tolist()
        out = kata.call("from_list", data)
        what = f"from_list({data})"
        expect_shape(out, (2, 3), what=what)
        expect_dtype(out, torch.float32, what=what,
                      why=tr("`torch.tensor` on a list of ints makes int64 unless you pass `dtype=torch.float32`",
                             "`torch.tensor` 作用于整数列表会得到 int64，除非传入 `dtype=torch.float32`"),
                     why_when=torch.int64, mistake="tensors.int_list_left_int64")
        expect_close(out, torch.tensor(data, dtype=torch.float32), what=what)

    def test_a_list_of_floats_keeps_its_values(self, kata):
        data = [round(v, 3) for v in (3 * torch.randn(3)).tolist()] + [1e-3]  # a small one, too
        out = kata.call("from_list", data)
        what = f"from_list({data})"
        expect_dtype(out, torch.float32, what=what)
        expect_close(out, torch.tensor(data, dtype=torch.float32), what=what)

    def test_a_three_level_list_and_a_one_element_list_keep_their_shape(self, kata):
        for data in (torch.randint(-9, 10, (3, 1, 5)).tolist(), [[round(torch.randn(()).item(), 3)]]):
            what = f"from_list({data})"
            out = expect_dtype(kata.call("from_list", data), torch.float32, what=what)
            expect_close(out, torch.tensor(data, dtype=torch.float32), what=what)

    def test_a_float64_array_stays_float64(self, kata):
        arr = torch.randn(3, 4, dtype=torch.float64).numpy()
        out = kata.call("from_numpy", arr)
        what = tr("from_numpy(a float64 array of shape (3, 4))", "from_numpy(形状为 (3, 4) 的 float64 数组)")
        expect_shape(out, (3, 4), what=what)
        expect_dtype(out, torch.float64, what=what,
                      why=tr("`torch.Tensor(arr)` and `dtype=torch.float32` convert; `torch.from_numpy(arr)` "
                             "keeps the array's dtype",
                             "`torch.Tensor(arr)` 和 `dtype=torch.float32` 会转换类型；`torch.from_numpy(arr)` "
                             "保持数组的数据类型"), why_when=torch.float32, mistake="tensors.array_dtype_converted")
        expect_close(out, torch.from_numpy(arr), what=what)

    def test_an_int32_array_stays_int32(self, kata):
        arr = torch.randint(-50, 50, (2, 3), dtype=torch.int32).numpy()
        out = kata.call("from_numpy", arr)
        what = tr("from_numpy(an int32 array of shape (2, 3))", "from_numpy(形状为 (2, 3) 的 int32 数组)")
        expect_dtype(out, torch.int32, what=what,
                      why=tr("`torch.Tensor(arr)` makes float32 whatever the array holds; use "
                             "`torch.from_numpy(arr)`",
                             "无论数组里是什么，`torch.Tensor(arr)` 都得到 float32；请用 `torch.from_numpy(arr)`"),
                     why_when=torch.float32, mistake="tensors.array_dtype_converted")
        expect_close(out, torch.from_numpy(arr), what=what)


# -- Task 2 -----------------------------------------------------------------------

@KATA.task("reshape", Text("Permute, then flatten", "先 permute，再展平"), points=2, hints=HINTS["reshape"])
class TestReshape:
    def test_channels_last_moves_the_channel_axis(self, kata):
        x = torch.randn(2, 3, 4, 5)
        out = kata.call("to_channels_last", x)
        what = "to_channels_last(x (2, 3, 4, 5))"
        if matches(out, x.transpose(1, 3)):
            raise Mistake(tr("{what} has shape (2, 5, 4, 3): `transpose(1, 3)` swaps C with W, so H and W "
                             "change places too; `permute(0, 2, 3, 1)` keeps H before W",
                             "{what} 的形状是 (2, 5, 4, 3)：`transpose(1, 3)` 交换了 C 和 W，H 和 W 也随之对调；"
                             "`permute(0, 2, 3, 1)` 保持 H 在 W 之前", what=what), mistake="tensors.transpose_not_permute")
        if matches(out, x.permute(0, 3, 1, 2)):
            raise Mistake(tr("{what} has shape (2, 5, 3, 4): `permute(0, 3, 1, 2)` moves the last axis first "
                             "(channels-last to channels-first); permute lists, for each new axis, the old one "
                             "it comes from: `permute(0, 2, 3, 1)`",
                             "{what} 的形状是 (2, 5, 3, 4)：`permute(0, 3, 1, 2)` 把最后一维移到前面（从通道在后变成"
                             "通道在前）；permute 的参数是每个新维度来自哪个旧维度：`permute(0, 2, 3, 1)`", what=what), mistake="tensors.permute_backwards")
        expect_shape(out, (2, 4, 5, 3), what=what)
        if matches(out, x.reshape(2, 4, 5, 3), tol=0.0):
            raise Mistake(tr("{what} has the right shape but scrambled values: `reshape`/`view` only "
                             "relabel the axes; `permute(0, 2, 3, 1)` moves them",
                             "{what} 形状正确但数值被打乱了：`reshape`/`view` 只是重新划分维度；"
                             "`permute(0, 2, 3, 1)` 才会移动维度", what=what), mistake="tensors.reshape_not_permute")
        expect_close(out, x.permute(0, 2, 3, 1), what=what)

    def test_flatten_pixels_keeps_one_row_per_image(self, kata):
        x = torch.randn(2, 4, 5, 3)
        out = kata.call("flatten_pixels", x)
        what = "flatten_pixels(x (2, 4, 5, 3))"
        if isinstance(out, torch.Tensor) and tuple(out.shape) == (120,):
            raise Mistake(tr("{what} has shape (120,), expected (2, 60): `flatten()` and `reshape(-1)` also "
                             "flatten the batch dimension; keep it with `flatten(1)` or `reshape(x.shape[0], -1)`",
                             "{what} 的形状是 (120,)，应为 (2, 60)：`flatten()` 和 `reshape(-1)` 把批维度也展平了；"
                             "用 `flatten(1)` 或 `reshape(x.shape[0], -1)` 保留它", what=what), mistake="tensors.flatten_drops_batch")
        expect_shape(out, (2, 60), what=what)
        expect_close(out, x.reshape(2, 60), what=what, variants=FLATTEN, inputs=(x,))

    def test_a_batch_of_one_keeps_its_batch_dimension(self, kata):
        h, w = int(torch.randint(3, 6, ())), int(torch.randint(6, 9, ()))  # odd and even, H != W
        x = torch.randn(1, 3, h, w)
        what = f"to_channels_last(x (1, 3, {h}, {w}))"
        out = expect_batch_kept(kata.call("to_channels_last", x), (1, h, w, 3), what=what)
        expect_close(out, x.permute(0, 2, 3, 1), what=what)
        flat_what = f"flatten_pixels(x (1, {h}, {w}, 3))"
        flat = expect_batch_kept(kata.call("flatten_pixels", out.contiguous()), (1, h * w * 3), what=flat_what)
        expect_close(flat, x.permute(0, 2, 3, 1).reshape(1, -1), what=flat_what, variants=FLATTEN,
                     inputs=(x.permute(0, 2, 3, 1).contiguous(),))

    def test_flatten_pixels_works_on_a_permuted_tensor(self, kata):
        with explain("view size is not compatible", Text(
                "`view` needs a contiguous tensor and the output of `permute` is not; `reshape` (or `flatten(1)`) "
                "copies when it must",
                "`view` 需要连续的张量，而 `permute` 的结果不连续；`reshape`（或 `flatten(1)`）在需要时会复制"),
                mistake=True):
            shape = [2, 3, int(torch.randint(3, 7, ())), int(torch.randint(3, 7, ()))]
            result = kata.run(world.flatten_pixels_after_permute, shape)
        b, c, h, w = shape
        expected = torch.arange(b * c * h * w, dtype=torch.float32).reshape(shape).permute(0, 2, 3, 1).reshape(b, -1)
        expect_close(result["out"], expected, what=tr("flatten_pixels(x.permute(0, 2, 3, 1)) (non-contiguous "
                                                      "input)", "flatten_pixels(x.permute(0, 2, 3, 1))（不连续的输入）"),
                     variants=FLATTEN, inputs=(expected.reshape(b, h, w, c),))


# -- Task 3 -----------------------------------------------------------------------

@KATA.task("distances", Text("Pairwise distances by broadcasting", "用广播计算两两距离"), points=3,
           hints=HINTS["distances"], forbidden={"torch.cdist": "the point is to pair the rows with broadcasting yourself"})
class TestDistances:
    def test_values_match_a_float64_reference(self, kata):
        a, b = torch.randn(5, 3, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64)
        what = "pairwise_sq_dists(a (5, 3), b (7, 3))"
        expect_close(distances_checked(kata, a, b, what), sq_dists(a, b), what=what)

    def test_a_single_pair_keeps_both_dimensions(self, kata):
        a, b = torch.randn(1, 3), torch.randn(1, 3)
        what = "pairwise_sq_dists(a (1, 3), b (1, 3))"
        expect_close(distances_checked(kata, a, b, what), sq_dists(a, b), what=what)

    def test_distances_are_never_negative(self, kata):
        # every row of b is also a row of a (distance 0), far from the origin: the |a|² + |b|² − 2a·b
        # shortcut goes below 0 somewhere at every seed tried (2000), not at 88% of them as with 16 rows near 10
        a = 30 + torch.randn(64, 3)
        b = a[torch.randperm(64)]
        out = distances_checked(kata, a, b, "pairwise_sq_dists(a (64, 3), b (64, 3))")
        if not bool((out >= 0).all()):
            raise Mistake(tr("pairwise_sq_dists has negative values (smallest {low:.3g}), but squared distances "
                             "cannot be: the |a|² + |b|² − 2a·b shortcut loses precision; subtract first, or "
                             "`clamp(min=0)`", "pairwise_sq_dists 出现了负值（最小 {low:.3g}），而距离的平方不可能"
                             "为负：|a|² + |b|² − 2a·b 的写法会损失精度；先相减，或 `clamp(min=0)`",
                             low=out.min().item()), mistake="tensors.distances_negative")

    def test_a_non_contiguous_input_with_odd_sizes(self, kata):
        a, b = torch.randn(7, 3), torch.randn(4, 3)  # a arrives as a transposed view
        what = tr("pairwise_sq_dists(a (7, 3) non-contiguous, b (4, 3))", "pairwise_sq_dists(a (7, 3) 不连续, b (4, 3))")
        expect_close(distances_checked(kata, a, b, what, view=True), sq_dists(a, b), what=what)

    def test_no_python_loop_over_rows(self, kata):
        a, b = torch.randn(LOOP_N, 2), torch.randn(8, 2)
        what = f"pairwise_sq_dists(a ({LOOP_N}, 2), b (8, 2))"
        out = distances_checked(kata, a, b, what)
        expect_no_loop(kata, "pairwise_sq_dists", LOOP_N)
        expect_close(out, sq_dists(a, b), what=what, rtol=1e-4, atol=1e-4)


# -- Task 4 -----------------------------------------------------------------------

@KATA.task("masked_mean", Text("Masked mean that never divides by zero", "不会除以零的掩码均值"),
           points=3, hints=HINTS["masked_mean"])
class TestMaskedMean:
    def test_each_row_averages_only_its_selected_entries(self, kata):
        mask = torch.rand(4, 6) < 0.5
        mask[:, 0] = True
        mask[0] = torch.tensor([True, False, True, False, True, False])
        x = torch.randn(4, 6).masked_fill(~mask, 1000.0).add(2.5)  # unselected entries must not count
        masked_mean_checked(kata, x, mask, "masked_mean(x (4, 6), mask (4, 6))")

    def test_a_row_with_no_selected_entry_gives_zero_not_nan(self, kata):
        x = torch.randn(3, 5)
        mask = torch.tensor([[True, False, True, False, False], [False] * 5, [True] * 5])
        masked_mean_checked(kata, x, mask, tr("masked_mean with row 1 of the mask all False",
                                               "masked_mean（掩码第 1 行全为 False）"))

    def test_a_batch_of_one_row_keeps_its_dimension(self, kata):
        x, mask = torch.randn(1, 6), torch.tensor([[True, False, True, True, False, False]])
        masked_mean_checked(kata, x, mask, "masked_mean(x (1, 6), mask (1, 6))")

    def test_float64_stays_float64_on_a_non_contiguous_x(self, kata):
        mask = torch.rand(5, 7) < 0.5
        mask[:, 1] = True
        x = torch.randn(5, 7, dtype=torch.float64)  # arrives as a transposed view
        masked_mean_checked(kata, x, mask, tr("masked_mean(x (5, 7) float64 non-contiguous, mask (5, 7))",
                                               "masked_mean(x (5, 7) float64 不连续, mask (5, 7))"), view=True)

    def test_no_python_loop_over_rows(self, kata):
        x, mask = torch.randn(LOOP_N, 4), torch.rand(LOOP_N, 4) < 0.5
        out = kata.run(world.call_masked_mean, x, mask)["out"]
        expect_no_loop(kata, "masked_mean", LOOP_N)
        expect_close(out, masked_mean_reference(x, mask), what=f"masked_mean(x ({LOOP_N}, 4), mask)", rtol=1e-5, atol=1e-5)


# -- Task 5 -----------------------------------------------------------------------

@KATA.task("one_hot", Text("One-hot labels and back", "one-hot 标签与还原"), points=2, hints=HINTS["one_hot"])
class TestOneHot:
    def test_one_hot_puts_a_single_one_per_row(self, kata):
        labels = torch.randint(0, 4, (5,))
        out = kata.call("one_hot", labels, 4)
        what = f"one_hot(tensor({labels.tolist()}), 4)"
        expected = torch.zeros(5, 4)
        expected[torch.arange(5), labels] = 1.0
        with naming(ONE_HOT, (labels, 4), out, what=what, expected=expected):
            expect_shape(out, (5, 4), what=what)
        rows, cols = torch.zeros(5, 4), torch.zeros(5, 4)
        rows[labels], cols[:, labels] = 1.0, 1.0
        for wrong, code in ((rows, "out[labels] = 1"), (cols, "out[:, labels] = 1")):
            if matches(out, wrong):
                raise Mistake(tr("{what} has rows with more than one 1: `{code}` fills whole rows or columns; "
                                 "index each row with its own label: `out[torch.arange(N), labels] = 1`",
                                 "{what} 有的行不止一个 1：`{code}` 填满了整行或整列；要让每一行用自己的标签做下标："
                                 "`out[torch.arange(N), labels] = 1`", what=what, code=code), mistake="tensors.one_hot_fills_rows_or_columns")
        expect_dtype(out, torch.float32, what=what,
                      why=tr("`F.one_hot` and integer zeros give int64 labels; the task asks for float32 "
                             "(`.float()`)", "`F.one_hot` 和整数类型的全零张量得到 int64；任务要求 float32（`.float()`）")
                      if matches(out, expected) else "", why_when=torch.int64, mistake="tensors.one_hot_left_int64")
        expect_close(out, expected, what=what, variants=ONE_HOT, inputs=(labels, 4))

    def test_one_hot_keeps_a_batch_of_one(self, kata):
        classes = int(torch.randint(3, 9, ()))
        labels = torch.randint(0, classes, (1,))
        what = f"one_hot(tensor({labels.tolist()}), {classes})"
        out = expect_batch_kept(kata.call("one_hot", labels, classes), (1, classes), what=what)
        expected = torch.nn.functional.one_hot(labels, classes).float()
        expect_close(out, expected, what=what, variants=ONE_HOT, inputs=(labels, classes))

    def test_one_hot_uses_num_classes_not_the_largest_label(self, kata):
        labels, classes = torch.randint(0, 3, (2,)), int(torch.randint(5, 8, ()))
        what = f"one_hot(tensor({labels.tolist()}), {classes})"
        out = expect_tensor(kata.call("one_hot", labels, classes), what=what)
        seen = int(labels.max()) + 1
        if tuple(out.shape) == (2, seen):
            raise Mistake(tr("{what} has shape (2, {seen}), expected (2, {classes}): the width is `num_classes`, even "
                             "when the largest class never shows up in `labels` (pass it to `F.one_hot` too)",
                             "{what} 的形状是 (2, {seen})，应为 (2, {classes})：宽度是 `num_classes`，即使最大的类别没有"
                             "出现在 `labels` 中（`F.one_hot` 也要传入它）", what=what, seen=seen, classes=classes), mistake="tensors.one_hot_width_from_labels")
        expect_shape(out, (2, classes), what=what)

    def test_from_one_hot_returns_the_index_of_each_row_max(self, kata):
        scores = torch.randn(6, 4)
        out = kata.call("from_one_hot", scores)
        what = "from_one_hot(scores (6, 4))"
        if isinstance(out, tuple) and len(out) == 2:
            raise Mistake(tr("{what} returned a tuple of 2, not a tensor: `torch.max(x, dim)` returns (values, "
                             "indices); take `.indices` here, or use `argmax(dim=1)`",
                             "{what} 返回了二元组而不是张量：`torch.max(x, dim)` 返回 (values, indices)；"
                             "这里取 `.indices`，或用 `argmax(dim=1)`", what=what), mistake="tensors.torch_max_tuple")
        if matches(out, scores.argmax(0)):
            raise Mistake(tr("{what} has shape (4,), expected (6,): the argmax ran down the batch (dim 0); one "
                             "index per row is `argmax(dim=1)`", "{what} 的形状是 (4,)，应为 (6,)：argmax 沿批维度"
                             "（dim 0）进行了；每行一个下标应是 `argmax(dim=1)`", what=what), mistake="tensors.argmax_wrong_dim")
        if isinstance(out, torch.Tensor) and out.dim() == 0:
            raise Mistake(tr("{what} is a single index: `argmax()` without `dim` looks at the flattened tensor; "
                             "use `argmax(dim=1)`", "{what} 只是一个下标：不带 `dim` 的 `argmax()` 作用于展平后的"
                             "张量；请用 `argmax(dim=1)`", what=what), mistake="tensors.argmax_without_dim")
        expect_shape(out, (6,), what=what)
        expect_dtype(out, torch.int64, what=what,
                      why=tr("these are class indices; `torch.max(x, dim).values` are the largest values, "
                             "`.indices` (or `argmax`) their positions", "这里要的是类别下标；`torch.max(x, dim)"
                             ".values` 是最大值，`.indices`（或 `argmax`）才是它们的位置")
                      if matches(out, scores.amax(1)) else "", mistake="tensors.max_values_not_indices")
        expect_close(out, scores.argmax(dim=1), what=what, variants=FROM_ONE_HOT, inputs=(scores,))

    def test_from_one_hot_keeps_a_batch_of_one(self, kata):
        scores = torch.randn(1, 3)
        out = expect_batch_kept(kata.call("from_one_hot", scores), (1,), what="from_one_hot(scores (1, 3))")
        expect_close(out, scores.argmax(dim=1), what="from_one_hot(scores (1, 3))")


# -- Task 6 and 7 ---------------------------------------------------------------------

class SoftmaxChecks:
    """The same checks for softmax (``log = False``) and log_softmax (``log = True``)."""

    log = False

    def test_matches_torch_along_dim_1(self, kata):
        expect_softmax_along(kata, torch.randn(3, 5), 1, log=self.log)

    def test_uses_the_dim_it_is_given(self, kata):
        expect_softmax_along(kata, torch.randn(3, 5), 0, log=self.log)

    def test_works_along_a_middle_dim(self, kata):
        expect_softmax_along(kata, torch.randn(2, 3, 4), 1, log=self.log)

    def test_works_on_a_square_input(self, kata):
        expect_softmax_along(kata, torch.randn(4, 4) * 3, 1, log=self.log)

    def test_keeps_float64_along_a_negative_dim(self, kata):
        expect_softmax_along(kata, torch.randn(2, 3, 5, dtype=torch.float64), -1, log=self.log)

    def test_a_dim_of_size_one(self, kata):
        expect_softmax_along(kata, torch.randn(4, 1), 1, log=self.log)

    def test_works_on_a_non_contiguous_input(self, kata):
        expect_softmax_along(kata, torch.randn(5, 3) * 2, 1, log=self.log, view=True)

    def test_stays_finite_at_logits_of_plus_minus_1000(self, kata):
        expect_finite_when_rows_differ(kata, log=self.log)


@KATA.task("softmax", Text("Numerically stable softmax", "数值稳定的 softmax"),
           points=3, hints=HINTS["softmax"], forbidden=FORBID_SOFTMAX)
class TestSoftmax(SoftmaxChecks):
    log = False


@KATA.task("log_softmax", Text("Numerically stable log-softmax", "数值稳定的 log-softmax"),
           points=2, hints=HINTS["log_softmax"], forbidden=FORBID_SOFTMAX)
class TestLogSoftmax(SoftmaxChecks):
    log = True


# -- Task 8 -----------------------------------------------------------------------

@KATA.task("numpy_bridge", Text("The NumPy bridge", "与 NumPy 互转"), points=2, hints=HINTS["numpy_bridge"])
class TestNumpyBridge:
    def test_to_numpy_works_on_a_tensor_that_requires_grad(self, kata, device):
        t = torch.randn(3, 4).to(device).requires_grad_(True)
        what = tr("to_numpy(a (3, 4) tensor on {device} that requires grad)",
                  "to_numpy(位于 {device}、需要梯度的 (3, 4) 张量)", device=device)
        with explain("Can't call numpy() on Tensor that requires grad", Text(
                "the tensor is part of a graph; `.detach()` gives the same values without it",
                "这个张量属于计算图；`.detach()` 得到数值相同、但脱离计算图的张量"), mistake=True):
            out = kata.call("to_numpy", t)
        if not isinstance(out, np.ndarray):
            raise CheckFailed(tr("{what} should return a NumPy array, but returned {got}",
                                 "{what} 应返回 NumPy 数组，却返回了 {got}", what=what, got=describe(out)))
        if out.dtype != np.float32:
            raise CheckFailed(tr("{what} has dtype {got}, expected float32 (the tensor's own)",
                                 "{what} 的数据类型是 {got}，应为 float32（与张量相同）", what=what, got=out.dtype))
        expect_close(torch.from_numpy(out), t.detach().cpu(), what=what)

    def test_to_numpy_keeps_float64_and_int64(self, kata):
        for t in (torch.randn(2, 5, dtype=torch.float64), torch.randint(-9, 10, (3,))):
            what = tr("to_numpy(a {kind} tensor)", "to_numpy({kind} 张量)", kind=dtype_name(t.dtype))
            out = kata.call("to_numpy", t)
            if not (isinstance(out, np.ndarray) and out.dtype == t.numpy().dtype):
                raise CheckFailed(tr("{what} returned {got}, expected a NumPy array of {kind}, the tensor's own dtype "
                                     "(a `.float()` or `.astype(...)` converts; `.detach().cpu().numpy()` keeps it)",
                                     "{what} 返回了 {got}，应为 {kind} 的 NumPy 数组，即张量自己的数据类型（`.float()` 或 "
                                     "`.astype(...)` 会转换类型；`.detach().cpu().numpy()` 保持它）", what=what,
                                     got=out.dtype if isinstance(out, np.ndarray) else describe(out), kind=dtype_name(t.dtype)))
            expect_close(torch.from_numpy(out), t, what=what)

    def test_from_numpy_tensor_shares_memory_with_the_array(self, kata):
        arr = torch.randn(2, 3, dtype=torch.float64).numpy()
        probe = kata.run(world.share_memory_probe, arr)
        what = tr("share_memory_with_numpy(a float64 array)", "share_memory_with_numpy(float64 数组)")
        before = expect_tensor(probe["out"], what=what)
        if before.dtype != torch.float64:
            raise Mistake(tr("{what} has dtype {got}, expected float64: converting the dtype makes a copy",
                             "{what} 的数据类型是 {got}，应为 float64：转换数据类型会产生副本",
                             what=what, got=dtype_name(before.dtype)), mistake="tensors.share_memory_converted")
        expect_close(before, torch.from_numpy(arr), what=what)
        if probe["after_write"][0, 0].item() != 42.0:
            raise Mistake(tr("{what} returned a copy: a write into the array did not show in the tensor; "
                             "`torch.tensor(arr)` copies, `torch.from_numpy(arr)` shares",
                             "{what} 返回了副本：写入数组的改动没有出现在张量中；`torch.tensor(arr)` 会复制，"
                             "`torch.from_numpy(arr)` 共享内存", what=what), mistake="tensors.share_memory_copied")
