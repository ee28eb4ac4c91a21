"""Checks for the norms kata (an example kata pack): the L2 norm along a dimension, and
normalizing by it.  Everything comes from ``pytest_torchkata.kata``; learner code is
reached only through the ``kata`` fixture, and torch computes what is expected."""

import torch

from pytest_torchkata.kata import Kata, KataFixture, Mistake, Text, expect_close, expect_finite, expect_shape, tr
from torchkata_pack_example.norms.hints import HINTS

KATA = Kata("norms", Text("Vector norms", "向量范数"),
            Text("the L2 norm along a dimension, and normalizing by it",
                 "沿某一个维度的 L2 范数，以及用它做归一化"))


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a, b))


@KATA.task("l2_norm", Text("The L2 norm", "L2 范数"), points=2, hints=HINTS["l2_norm"])
class TestL2Norm:
    def test_norm_of_each_row(self, kata: KataFixture) -> None:
        x = torch.randn(4, 5)
        what = tr("l2_norm(x, dim=1) for x of shape (4, 5)", "形状为 (4, 5) 的 x 的 l2_norm(x, dim=1)")
        got = expect_shape(kata.call("l2_norm", x, dim=1), (4,), what=what)
        squares = (x ** 2).sum(dim=1)
        if _same(got, squares):
            raise Mistake(tr("{what} is the sum of squares: the norm is its square root (`.sqrt()`)",
                             "{what} 是平方和：范数是它的平方根（`.sqrt()`）", what=what))
        if _same(got, x.sum(dim=1).abs().sqrt()):
            raise Mistake(tr("{what} is the square root of the plain sum: square each entry first (`x ** 2`)",
                             "{what} 是直接求和后的平方根：要先把每个元素平方（`x ** 2`）", what=what))
        expect_close(got, torch.linalg.vector_norm(x, dim=1), what=what)

    def test_norm_along_the_first_dim(self, kata: KataFixture) -> None:
        x = torch.randn(3, 6)
        what = tr("l2_norm(x, dim=0) for x of shape (3, 6)", "形状为 (3, 6) 的 x 的 l2_norm(x, dim=0)")
        got = expect_shape(kata.call("l2_norm", x, dim=0), (6,), what=what)
        expect_close(got, torch.linalg.vector_norm(x, dim=0), what=what)


@KATA.task("normalize", Text("Unit vectors", "单位向量"), points=2, hints=HINTS["normalize"])
class TestNormalize:
    def test_each_row_becomes_a_unit_vector(self, kata: KataFixture) -> None:
        x = torch.randn(4, 5) * 3
        what = tr("normalize(x, dim=1) for x of shape (4, 5)", "形状为 (4, 5) 的 x 的 normalize(x, dim=1)")
        got = expect_shape(kata.call("normalize", x, dim=1), (4, 5), what=what)
        if _same(got, x / (x ** 2).sum(dim=1, keepdim=True)):
            raise Mistake(tr("{what} divides by the sum of squares: divide by its square root, the norm",
                             "{what} 除以的是平方和：应该除以它的平方根，也就是范数", what=what))
        expect_close(got, x / torch.linalg.vector_norm(x, dim=1, keepdim=True), what=what)

    def test_a_row_of_zeros_stays_zeros(self, kata: KataFixture) -> None:
        x = torch.randn(3, 4)
        x[1] = 0.0
        what = tr("normalize(x, dim=1) where row 1 of x is all zeros",
                  "x 的第 1 行全为零时的 normalize(x, dim=1)")
        got = expect_shape(kata.call("normalize", x, dim=1), (3, 4), what=what)
        if got.isnan().any():
            raise Mistake(tr("{what} has NaN: a row of zeros has norm 0, and 0 / 0 is NaN; divide by "
                             "`norm.clamp_min(eps)`",
                             "{what} 出现了 NaN：全零行的范数是 0，而 0 / 0 是 NaN；请除以 `norm.clamp_min(eps)`",
                             what=what))
        expect_finite(got, what=what)
        expect_close(got[1], torch.zeros(4), what=what)
