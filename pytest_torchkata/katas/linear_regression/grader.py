"""Grader-side helpers of the linear_regression kata: the classic wrong versions of its
references (``checks.variants``), run on the grader's side when a value check fails, to
name the slip the learner's output matches.  Never imported by ``world.py``."""

from __future__ import annotations

import torch

from pytest_torchkata.checks.variants import Variant, Variants
from pytest_torchkata.i18n import Text

# mse(pred, target) = ((pred - target) ** 2).mean(), on (N, 1) and (N, 1)
MSE = Variants(
    Variant("linear_regression.square_of_mean", lambda pred, target: (pred - target).mean() ** 2,
            Text("the mean was squared, mean(pred - target) ** 2, instead of averaging the squares",
                 "先求平均再平方了，mean(pred - target) ** 2，而不是对平方求平均"),
            hint=Text("square each difference first, then average: ((pred - target) ** 2).mean()",
                      "先把每个差平方，再求平均：((pred - target) ** 2).mean()")),
    Variant("linear_regression.absolute_not_squared", lambda pred, target: (pred - target).abs().mean(),
            Text("this is the mean absolute error, mean(|pred - target|); the task asks for the mean of the squares",
                 "这是平均绝对误差 mean(|pred - target|)；任务要求的是平方的平均"),
            hint=Text("square the differences instead of taking their absolute value: (pred - target) ** 2",
                      "把差平方，而不是取绝对值：(pred - target) ** 2")),
    Variant("linear_regression.root_of_mean_square", lambda pred, target: ((pred - target) ** 2).mean().sqrt(),
            Text("this is the root of the mean square (RMSE); the MSE has no square root",
                 "这是均方根误差（RMSE）；MSE 不开平方根"),
            hint=Text("drop the square root: ((pred - target) ** 2).mean()",
                      "去掉平方根：((pred - target) ** 2).mean()")),
    Variant("linear_regression.square_forgotten", lambda pred, target: (pred - target).mean(),
            Text("the differences were averaged without squaring them, mean(pred - target)",
                 "差没有平方就求平均了，mean(pred - target)"),
            hint=Text("square each difference before the mean: ((pred - target) ** 2).mean()",
                      "求平均之前先把每个差平方：((pred - target) ** 2).mean()")),
)

# more slips of the same formula: a precedence slip, the sum, a factor, an off-by-one divisor
MSE += Variants(
    Variant("linear_regression.sum_not_mean", lambda pred, target: ((pred - target) ** 2).sum(),
            Text("it is the SUM over the batch, not the mean: the loss would grow with the batch size",
                 "这是整个批次的和而不是平均值：损失会随批次大小变化"),
            hint=Text("average the squares: ((pred - target) ** 2).mean()", "对平方求平均：((pred - target) ** 2).mean()")),
    Variant("linear_regression.target_squared_only", lambda pred, target: (pred - target ** 2).mean(),
            Text("only the target was squared, `pred - target ** 2`: `**` binds tighter than `-`",
                 "只有 target 被平方了，`pred - target ** 2`：`**` 比 `-` 优先"),
            hint=Text("put the difference in brackets before squaring: (pred - target) ** 2",
                      "先给差加上括号再平方：(pred - target) ** 2")),
    Variant("linear_regression.half_mse", lambda pred, target: 0.5 * ((pred - target) ** 2).mean(),
            Text("it is half the MSE (a factor 1/2, as in some textbooks' loss); the task's MSE has no 1/2",
                 "这是 MSE 的一半（有的教材里的损失带 1/2）；本任务的 MSE 没有 1/2")),
    Variant("linear_regression.divided_by_n_minus_1",
            lambda pred, target: ((pred - target) ** 2).sum() / (pred.numel() - 1),
            Text("the sum of squares was divided by N - 1, not N (an off-by-one: the mean divides by the count)",
                 "平方和除以了 N - 1 而不是 N（差了一：平均值要除以个数）")),
)


def _after_update(x: torch.Tensor, y: torch.Tensor, start: list, grads: list, lr: float) -> torch.Tensor:
    w, b = (s - lr * g for s, g in zip(start, grads))
    return ((w * x + b - y) ** 2).mean()


# the loss a step returns, on (x, y, start, grads, lr): the step's inputs and what one step does
STEP_LOSS = Variants(
    Variant("linear_regression.loss_after_update", _after_update,
            Text("it is the loss AFTER the update: the step should return the loss it computed before updating",
                 "这是更新之后的损失：单步函数应返回更新之前算出的损失"),
            hint=Text("keep `loss` from the forward pass and return loss.item() at the end",
                      "保留前向计算得到的 `loss`，最后返回 loss.item()")),
    Variant("linear_regression.step_loss_summed", lambda x, y, start, grads, lr:
            ((start[0] * x + start[1] - y) ** 2).sum(),
            Text("it is the SUM of the squared errors over the batch, not their mean",
                 "这是整个批次的平方误差之和，而不是平均值")),
)

# w and b after one manual step, on (start, grads, lr)
UPDATE = Variants(
    Variant("linear_regression.lr_forgotten", lambda start, grads, lr: tuple(s - g for s, g in zip(start, grads)),
            Text("the whole gradient was subtracted: the step is `w -= lr * w.grad`, the learning rate was left out",
                 "减去了整个梯度：这一步应是 `w -= lr * w.grad`，漏掉了学习率")),
    Variant("linear_regression.lr_divides", lambda start, grads, lr: tuple(s - g / lr for s, g in zip(start, grads)),
            Text("the gradient was divided by the learning rate, not multiplied: `w -= lr * w.grad`",
                 "梯度被学习率除了，而不是乘：`w -= lr * w.grad`")),
)
