"""Grader side of the logistic_regression kata: reading what the learner's functions returned
(pairs of tensors) and naming the usual scaling slips of ``standardize``.  Nothing here runs
learner code; it reads observations and names a mistake only when they show it.
"""

from __future__ import annotations

import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import describe, expect_tensor
from pytest_torchkata.i18n import tr


def pair(got, what: str) -> tuple:
    __tracebackhide__ = True
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise CheckFailed(tr("{what} should return two tensors, but returned {got}",
                             "{what} 应返回两个张量，但返回了 {got}", what=what, got=describe(got)))
    return got[0], got[1]


def blobs_pair(kata, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The learner's ``make_blobs(n, seed=seed)``: two tensors, x and y."""
    __tracebackhide__ = True
    x, y = pair(kata.call("make_blobs", n, seed=seed), "make_blobs")
    return (expect_tensor(x, what=tr("make_blobs({n})'s x", "make_blobs({n}) 的 x", n=n)),
            expect_tensor(y, what=tr("make_blobs({n})'s y", "make_blobs({n}) 的 y", n=n)))


def expect_known_scaling_slip(train: torch.Tensor, x: torch.Tensor) -> None:
    """Names the usual reason the scaled training features do not have std 1, when ``train`` shows it."""
    __tracebackhide__ = True
    mean, near = x.mean(dim=0), (lambda a, b: a.shape == b.shape and torch.allclose(a, b, rtol=1e-3, atol=1e-3))
    slips = [
        ((x - x.mean()) / x.std(), tr("take the mean and std over dim=0 (one per feature), not over the whole tensor",
                                      "请沿 dim=0 求均值和标准差（每个特征一个），而不是对整个张量求")),
        ((x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True),
         tr("the mean and std were taken over dim=1, across each sample's features; take them over dim=0, one "
            "per feature", "均值和标准差是沿 dim=1（每个样本的各个特征）求的；请沿 dim=0 求，每个特征一个")),
        (x - mean, tr("the features were centred but not divided by their std", "特征减去了均值，但没有除以标准差")),
        ((x - mean) / x.var(dim=0), tr("the features were divided by their variance; divide by the std (its "
                                       "square root)", "特征除以的是方差；请除以标准差（方差的平方根）")),
        ((x - mean) / x.var(dim=0, unbiased=False), tr("the features were divided by their variance; divide by "
                                                       "the std (its square root)",
                                                       "特征除以的是方差；请除以标准差（方差的平方根）")),
    ]
    for want, why in slips:
        if near(train, want):
            raise Mistake(tr("each feature's std after scaling should be 1, but is {std}: {why}",
                             "缩放后每个特征的标准差应为 1，但实际是 {std}：{why}",
                             std=[round(v, 3) for v in train.std(dim=0).tolist()], why=why))
