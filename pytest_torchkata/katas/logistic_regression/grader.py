"""Grader side of the logistic_regression kata: reading what the learner's functions returned
(pairs of tensors) and naming the usual scaling slips of ``standardize``.  Nothing here runs
learner code; it reads observations and names a mistake only when they show it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import describe, expect_tensor
from pytest_torchkata.checks.variants import Variant, Variants
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.logistic_regression import world


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


def expect_no_scaling_mistake(train: torch.Tensor, x: torch.Tensor) -> None:
    """Names the usual reason the scaled training features do not have std 1, when ``train`` shows it."""
    __tracebackhide__ = True
    mean, near = x.mean(dim=0), (lambda a, b: a.shape == b.shape and torch.allclose(a, b, rtol=1e-3, atol=1e-3))
    slips = [
        ((x - x.mean()) / x.std(), "logistic_regression.stats_of_the_whole_tensor",
         tr("take the mean and std over dim=0 (one per feature), not over the whole tensor",
            "请沿 dim=0 求均值和标准差（每个特征一个），而不是对整个张量求")),
        ((x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True), "logistic_regression.stats_over_dim_1",
         tr("the mean and std were taken over dim=1, across each sample's features; take them over dim=0, one "
            "per feature", "均值和标准差是沿 dim=1（每个样本的各个特征）求的；请沿 dim=0 求，每个特征一个")),
        (x - mean, "logistic_regression.not_divided_by_std",
         tr("the features were centred but not divided by their std", "特征减去了均值，但没有除以标准差")),
        ((x - mean) / x.var(dim=0), "logistic_regression.divided_by_variance",
         tr("the features were divided by their variance; divide by the std (its square root)",
            "特征除以的是方差；请除以标准差（方差的平方根）")),
        ((x - mean) / x.var(dim=0, unbiased=False), "logistic_regression.divided_by_variance",
         tr("the features were divided by their variance; divide by the std (its square root)",
            "特征除以的是方差；请除以标准差（方差的平方根）")),
        (x - mean / x.std(dim=0), "logistic_regression.standardize_precedence",
         tr("only the mean was divided, `x - mean / std`: `/` binds tighter than `-`; write (x - mean) / std",
            "只有均值被除了，`x - mean / std`：`/` 比 `-` 优先；请写 (x - mean) / std")),
    ]
    for want, mistake, why in slips:
        if near(train, want):
            raise Mistake(tr("each feature's std after scaling should be 1, but is {std}: {why}",
                             "缩放后每个特征的标准差应为 1，但实际是 {std}：{why}",
                             std=[round(v, 3) for v in train.std(dim=0).tolist()], why=why), mistake=mistake)


def _bce_parts(z: torch.Tensor, y: torch.Tensor) -> tuple:
    return z.clamp(min=0), z * y, torch.log1p(torch.exp(-z.abs()))


# bce_with_logits(z, y) = mean(max(z, 0) - z·y + log1p(exp(-|z|)))
BCE = Variants(
    Variant("logistic_regression.bce_sign", lambda z, y: -(lambda m, zy, l: (m - zy + l).mean())(*_bce_parts(z, y)),
            Text("it is the negative of the BCE: the loss is minus the mean log-likelihood, so it is never negative",
                 "这是 BCE 的相反数：损失是平均对数似然的相反数，所以永远不会是负的")),
    Variant("logistic_regression.bce_targets_flipped", lambda z, y: (lambda m, zy, l: (m - z * (1 - y) + l).mean())(
        *_bce_parts(z, y)),
            Text("the targets are flipped (1 - y in place of y): the loss rewards the wrong class",
                 "目标反了（用 1 - y 代替了 y）：损失在奖励错误的类别")),
    Variant("logistic_regression.log_not_log1p", lambda z, y: (z.clamp(min=0) - z * y - z.abs()).mean(),
            Text("log(exp(-|z|)) is missing its 1: the term is log(1 + exp(-|z|)), `torch.log1p(torch.exp(-z.abs()))`",
                 "log(exp(-|z|)) 少了 1：这一项是 log(1 + exp(-|z|))，`torch.log1p(torch.exp(-z.abs()))`")),
    Variant("logistic_regression.bce_bracket_slip", lambda z, y: (lambda m, zy, l: (m - zy - l).mean())(*_bce_parts(z, y)),
            Text("the log term was subtracted, `max(z, 0) - (z·y + log1p(...))`: it is added, "
                 "max(z, 0) - z·y + log1p(exp(-|z|))", "log 项被减去了，`max(z, 0) - (z·y + log1p(...))`：它应该加上，"
                 "max(z, 0) - z·y + log1p(exp(-|z|))")),
    Variant("logistic_regression.bce_sum_not_mean", lambda z, y: (lambda m, zy, l: (m - zy + l).sum())(*_bce_parts(z, y)),
            Text("it is the SUM over the batch, not the mean", "这是整个批次的和，而不是平均值")),
)


def _blob_labels(n: int, zeros: int, first: float = 0.0) -> torch.Tensor:
    return torch.cat([torch.full((zeros,), first), torch.full((n - zeros,), 1.0 - first)])


# make_blobs(n)'s y for an odd n: n // 2 zeros, then the rest ones
BLOB_LABELS = Variants(
    Variant("logistic_regression.half_rounded_up", lambda n: _blob_labels(n, n - n // 2),
            Text("class 0 got the extra row: (n + 1) // 2 zeros; the first n // 2 rows are class 0 and the rest, "
                 "one more for an odd n, class 1", "类别 0 多得了一行：(n + 1) // 2 个 0；前 n // 2 行是类别 0，其余"
                 "（n 为奇数时多一行）是类别 1")),
    Variant("logistic_regression.half_twice", lambda n: _blob_labels(2 * (n // 2), n // 2),
            Text("one row short: n // 2 rows of each class make n - 1 rows for an odd n; class 1 gets the rest, "
                 "n - n // 2", "少了一行：每类 n // 2 行，n 为奇数时只有 n - 1 行；类别 1 应是其余的 n - n // 2 行")),
    Variant("logistic_regression.classes_in_the_wrong_order", lambda n: _blob_labels(n, n // 2, first=1.0),
            Text("the ones come first: the first n // 2 rows are class 0", "1 排在了前面：前 n // 2 行应是类别 0")),
)


def _log_softmax(z: torch.Tensor) -> torch.Tensor:
    s = z - z.amax(dim=1, keepdim=True)
    return s - s.exp().sum(dim=1, keepdim=True).log()


# log_softmax(z) and cross_entropy(z, t)
LOG_SOFTMAX = Variants(
    Variant("logistic_regression.logsumexp_max_not_added_back",
            lambda z: z - (z - z.amax(dim=1, keepdim=True)).exp().sum(dim=1, keepdim=True).log(),
            Text("the max was not added back: log Σ exp(z - m) is logsumexp(z) - m, so z minus it is off by m; "
                 "subtract it from the shifted z: (z - m) - log Σ exp(z - m)",
                 "减去的最大值没有加回来：log Σ exp(z - m) 等于 logsumexp(z) - m，所以 z 减去它会差一个 m；"
                 "应从平移后的 z 中减去：(z - m) - log Σ exp(z - m)")),
)
CROSS_ENTROPY = Variants(
    Variant("logistic_regression.targets_off_by_one",
            lambda z, t: -_log_softmax(z)[torch.arange(len(t)), t - 1].mean(),
            Text("each row's entry was taken one class to the left (`targets - 1`): the targets are already 0..C-1",
                 "每一行取的是左边一个类别的值（`targets - 1`）：目标本来就是 0..C-1")),
    Variant("logistic_regression.ce_without_log", lambda z, t: -torch.softmax(z, 1)[torch.arange(len(t)), t].mean(),
            Text("it averages minus the probabilities, not the log-probabilities: pick from log_softmax, not softmax",
                 "它平均的是概率的相反数，而不是对数概率：要从 log_softmax 而不是 softmax 中取值")),
    Variant("logistic_regression.ce_sum_not_mean", lambda z, t: -_log_softmax(z)[torch.arange(len(t)), t].sum(),
            Text("it is the SUM over the batch, not the mean", "这是整个批次的和，而不是平均值")),
)


# -- references the checks compare with -------------------------------------------------

PROBE_D = 3


def probe() -> torch.Tensor:
    """Inputs that read off an affine map: 0 gives b, each unit vector gives b + w_i; then ±10 times
    each unit vector, where any weight not tiny makes one logit negative."""
    eye = torch.eye(PROBE_D)
    return torch.cat([torch.zeros(1, PROBE_D), eye, torch.randn(8, PROBE_D), 10 * eye, -10 * eye])


def affine(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    b = out[0]
    return x @ (out[1:PROBE_D + 1] - b) + b


def expected_step(x: torch.Tensor, y: torch.Tensor, lr: float) -> dict:
    model = world.fresh_model([0.3, -0.2], 0.1)
    logits = model(x)
    loss = F.binary_cross_entropy_with_logits(logits, y)
    loss.backward()
    return {"loss": loss.item(), "logits": logits.detach(), "y": y,
            "params": {n: (p - lr * p.grad).detach() for n, p in model.named_parameters()},
            "grads": {n: p.grad.clone() for n, p in model.named_parameters()}}


def _close(a: float, b: float) -> bool:
    # Not the shared ``matches``: a loss is one number, close within 1e-4 of max(1, |b|)
    # (an absolute 1e-4 below 1), which no rtol/atol pair gives; NaN is never close.
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def expect_bce_step_loss(loss: float, want: dict) -> None:
    """The loss a training step returned is BCE-with-logits on the logits before the update; the
    swapped arguments and a sigmoid before the loss are named."""
    __tracebackhide__ = True
    y = want["y"]
    if not _close(loss, want["loss"]):
        if _close(loss, F.binary_cross_entropy_with_logits(y, want["logits"]).item()):
            raise Mistake(tr("train_step returned loss {got:.6g}, which is loss_fn(y, logits): the arguments are "
                             "swapped; a loss takes (input, target), here (logits, y)",
                             "train_step 返回的损失是 {got:.6g}，等于 loss_fn(y, logits)：参数顺序反了；"
                             "损失函数的参数是 (input, target)，这里是 (logits, y)", got=loss), mistake="logistic_regression.loss_arguments_swapped")
        if _close(loss, F.binary_cross_entropy_with_logits(torch.sigmoid(want["logits"]), y).item()):
            raise Mistake(tr("train_step returned loss {got:.6g}, expected BCE-with-logits {want:.6g}; that is "
                             "the loss of sigmoid(logits): a sigmoid before BCEWithLogitsLoss squashes twice, "
                             "pass the logits straight in", "train_step 返回的损失是 {got:.6g}，应为 "
                             "BCE-with-logits {want:.6g}；这是 sigmoid(logits) 的损失：在 BCEWithLogitsLoss 之前"
                             "再用 sigmoid 会压两次，请直接传入 logits", got=loss, want=want["loss"]), mistake="logistic_regression.sigmoid_before_bce_with_logits")
        raise CheckFailed(tr("train_step returned loss {got:.6g}, expected BCE-with-logits {want:.6g} (before "
                             "the update; allowed relative difference 1e-4)", "train_step 返回的损失是 {got:.6g}，"
                             "应为更新之前的 BCE-with-logits {want:.6g}（允许相对误差 1e-4）",
                             got=loss, want=want["loss"]))
