"""Grader-side helpers of the linear_regression kata: the classic wrong versions of its
references (``checks.variants``), run on the grader's side when a value check fails, to
name the slip the learner's output matches.  Never imported by ``world.py``."""

from __future__ import annotations

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
