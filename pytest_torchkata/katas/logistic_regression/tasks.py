"""Checks for the logistic_regression kata: logits, stable losses, honest scaling.

The training checks use the grader's own model and blobs, so each task is graded
on its own.  Reference values come from torch, computed here on the check side
(outside the learner's forbidden-API rules); the learner-world helpers are in
``logistic_regression/world.py``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.training import expect_converged
from pytest_torchkata.checks.values import expect_close, expect_finite, expect_shape
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.logistic_regression import world
from pytest_torchkata.katas.logistic_regression.grader import (
    BCE, BLOB_LABELS, CROSS_ENTROPY, LOG_SOFTMAX, PROBE_D, affine, blobs_pair, expect_bce_step_loss, expected_step,
    expect_no_scaling_mistake, pair, probe)
from pytest_torchkata.katas.logistic_regression.hints import HINTS
from pytest_torchkata.katas.common.seeded import draw_seed, jitter
from pytest_torchkata.katas.common.expect import expect_connected, expect_grads_not_stale, expect_inputs_kept, expect_mean_not_sum, expect_own_generator, graded_step
from pytest_torchkata.model import Kata

KATA = Kata("logistic_regression", Text("Logistic regression", "逻辑回归"),
            Text("logits, a stable BCE, train-only standardisation, training to a loss, softmax cross-entropy",
                 "logits、数值稳定的 BCE、只用训练集统计量的标准化、训练到指定损失、softmax 交叉熵"))

LR, STEPS = 0.5, 300
MIN_ACCURACY, MAX_LOSS = 0.97, 0.05
TOL = {"rtol": 1e-5, "atol": 1e-5}  # no tighter than torch.testing.assert_close's float32 defaults


# -- the tasks -----------------------------------------------------------------------

@KATA.task("model", Text("A model that returns logits", "返回 logits 的模型"), points=2, hints=HINTS["model"])
class TestModel:
    def test_returns_one_logit_per_row(self, kata):
        info = kata.run(world.model_outputs, 3, [torch.randn(7, 3)])
        expect_shape(info["outs"][0], (7,), what=tr("LogisticRegression(3) on x of shape (7, 3)",
                                                    "x 形状为 (7, 3) 时的 LogisticRegression(3)"))

    def test_keeps_the_batch_dimension_for_a_single_row(self, kata):
        info = kata.run(world.model_outputs, 3, [torch.randn(1, 3)])
        out = info["outs"][0]
        if isinstance(out, torch.Tensor) and out.shape == ():
            raise Mistake(tr("LogisticRegression(3) on one row (x of shape (1, 3)) returned a 0-dim tensor: "
                             "`.squeeze()` with no dim also drops the batch dimension when N = 1; use "
                             "`.squeeze(1)`", "LogisticRegression(3) 在只有一行（x 形状为 (1, 3)）时返回了 0 维"
                             "张量：不带 dim 的 `.squeeze()` 在 N = 1 时连批次维度也去掉了；请用 `.squeeze(1)`"), mistake="logistic_regression.batch_dim_squeezed")
        expect_shape(out, (1,), what=tr("LogisticRegression(3) on x of shape (1, 3)",
                                        "x 形状为 (1, 3) 时的 LogisticRegression(3)"))

    def test_has_in_features_plus_one_parameters(self, kata):
        info = kata.run(world.model_outputs, 5, [torch.randn(4, 5)])
        if info["n_params"] == 0:
            raise Mistake(tr("LogisticRegression(5) has no parameters: plain tensors kept as attributes are not "
                             "registered (the optimizer would never see them); wrap them in nn.Parameter or use "
                             "nn.Linear", "LogisticRegression(5) 没有任何参数：作为属性保存的普通张量不会被注册"
                             "（优化器永远看不到它们）；请用 nn.Parameter 包起来，或使用 nn.Linear"), mistake="logistic_regression.parameters_not_registered")
        if info["n_params"] != 6 or not info["trainable"]:
            raise CheckFailed(tr("LogisticRegression(5) has {n} trainable parameter value(s), expected 6 "
                                 "(5 weights and a bias, one affine layer)",
                                 "LogisticRegression(5) 有 {n} 个可训练参数值，应为 6 个"
                                 "（5 个权重和 1 个偏置，一个仿射层）", n=info["n_params"]))

    def test_forward_returns_logits_not_probabilities(self, kata):
        x = probe()
        out = kata.run(world.model_outputs, PROBE_D, [x])["outs"][0]
        out = expect_shape(out, (len(x),), what=tr("LogisticRegression(3) on x of shape ({n}, 3)",
                                                   "x 形状为 ({n}, 3) 时的 LogisticRegression(3)", n=len(x)))
        if not torch.allclose(out, affine(x, out), rtol=1e-4, atol=1e-4) and ((out > 0) & (out < 1)).all():
            z = torch.logit(out.double())
            if torch.allclose(out.double(), torch.sigmoid(affine(x.double(), z)), rtol=1e-4, atol=1e-5):
                raise Mistake(tr("forward returns sigmoid(w·x + b), all in (0, 1), where logits were expected: "
                                 "drop the sigmoid, BCEWithLogitsLoss applies it itself",
                                 "forward 返回的是 sigmoid(w·x + b)，全部在 (0, 1) 之间，而这里要的是 logits："
                                 "去掉 sigmoid，BCEWithLogitsLoss 会自己做"), mistake="logistic_regression.sigmoid_in_forward")
        if not torch.allclose(out, affine(x, out), rtol=1e-4, atol=1e-4) and out.min() >= 0 and (out == 0).any():
            raise Mistake(tr("forward's outputs are never negative and some are exactly 0: a ReLU (or clamp) on the "
                             "output cuts off the negative logits, so class 0 can never be predicted confidently; "
                             "return the raw scores w·x + b", "forward 的输出从不为负，而且有些恰好是 0：输出上的 ReLU"
                             "（或 clamp）砍掉了负的 logits，类别 0 永远无法被有把握地预测；请返回原始分数 w·x + b"), mistake="logistic_regression.relu_on_logits")
        expect_close(out, affine(x, out), rtol=1e-4, atol=1e-4, what=tr(
            "forward(x) compared with the affine map w·x + b read off at x = 0 and the unit vectors",
            "forward(x) 与在 x = 0 和单位向量处读出的仿射映射 w·x + b 的比较"))


BCE_FORBIDDEN = ("torch.nn.functional.binary_cross_entropy_with_logits", "torch.binary_cross_entropy_with_logits",
                 "torch.nn.functional.binary_cross_entropy")


@KATA.task("bce", Text("Stable binary cross-entropy on logits", "基于 logits 的数值稳定二元交叉熵"), points=3, hints=HINTS["bce"],
           forbidden={name: "write the formula yourself" for name in BCE_FORBIDDEN})
class TestBce:
    def test_matches_torch_on_ordinary_logits(self, kata):
        z, y = 3 * torch.randn(20), torch.randint(0, 2, (20,)).float()
        out = expect_shape(kata.call("bce_with_logits", z, y), (), what="bce_with_logits(z (20,), y (20,))")
        want = F.binary_cross_entropy_with_logits(z, y)
        expect_mean_not_sum(out, want, 20, "bce_with_logits")
        expect_close(out, want, what="bce_with_logits(z, y)", **TOL, variants=BCE, inputs=(z, y))

    def test_an_odd_batch_a_batch_of_one_and_the_far_tails(self, kata):
        far = jitter(torch.tensor([1e4, -1e4, 1000.0, -1000.0, 1e4]), 0.5)
        for z, y in ((3 * torch.randn(21), torch.randint(0, 2, (21,)).float()), (torch.randn(1), torch.rand(1)),
                     (far, torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0]))):
            what = f"bce_with_logits(z ({len(z)},), y ({len(z)},))" + (" at |z| ≥ 1000" if z is far else "")
            out = expect_shape(kata.call("bce_with_logits", z, y), (), what=what)
            expect_close(out, F.binary_cross_entropy_with_logits(z, y), what=what, rtol=1e-5, atol=1e-4,
                         variants=BCE, inputs=(z, y))

    def test_matches_torch_on_soft_targets(self, kata):
        z, y = 3 * torch.randn(20), torch.rand(20)
        expect_close(kata.call("bce_with_logits", z, y), F.binary_cross_entropy_with_logits(z, y), **TOL,
                     what=tr("bce_with_logits(z, y) with targets in [0, 1]", "目标在 [0, 1] 中时的 bce_with_logits(z, y)"),
                     variants=BCE, inputs=(z, y))

    def test_value_and_gradient_are_finite_at_plus_minus_100(self, kata):
        z = jitter(torch.tensor([100.0, -100.0, 100.0, -100.0]), 0.5)
        y = torch.tensor([0.0, 1.0, 1.0, 0.0])
        got = kata.run(world.bce_backward, z, y)
        want = F.binary_cross_entropy_with_logits(z, y)  # about 50: two of four logits wrong by about 100
        loss = got["loss"]
        if isinstance(loss, torch.Tensor) and loss.numel() == 1 and not torch.isfinite(loss).all():
            raise Mistake(tr("bce_with_logits at logits ±100 gave {got}, expected 50: σ(100) rounds to 1, so a "
                             "naive log(1 - sigmoid(z)) is log(0) = -inf; use the max(z, 0) - z·y + "
                             "log1p(exp(-|z|)) form", "logits 为 ±100 时 bce_with_logits 给出 {got}，应为 50："
                             "σ(100) 舍入为 1，朴素的 log(1 - sigmoid(z)) 就是 log(0) = -inf；请用 "
                             "max(z, 0) - z·y + log1p(exp(-|z|)) 的形式", got=loss.item()), mistake="logistic_regression.naive_bce_overflows")
        grad = got["grad"]
        if isinstance(loss, torch.Tensor) and loss.numel() == 1 and 0 < float(loss) < 49 and \
                isinstance(grad, torch.Tensor) and grad.shape == z.shape and bool((grad.abs() < 1e-3).all()):
            raise Mistake(tr("bce_with_logits at logits ±100 gave {got:.4g}, expected 50, and its gradient there is "
                             "0: a confidently wrong logit costs only about -log ε and teaches nothing, which is "
                             "what clamping σ(z) to [ε, 1 - ε] (or log(p + ε)) does; use the max(z, 0) - z·y + "
                             "log1p(exp(-|z|)) form", "logits 为 ±100 时 bce_with_logits 给出 {got:.4g}，应为 50，"
                             "而且那里的梯度是 0：一个自信却错误的 logit 只付出约 -log ε 的代价，也学不到东西，"
                             "这正是把 σ(z) 截断到 [ε, 1 - ε]（或 log(p + ε)）的效果；请用 max(z, 0) - z·y + "
                             "log1p(exp(-|z|)) 的形式", got=float(loss)), mistake="logistic_regression.probabilities_clamped")
        expect_close(loss, want, what=tr("bce_with_logits at logits [100, -100, 100, -100] (each moved by less "
                                         "than 0.5)", "logits 为 [100, -100, 100, -100]（各自移动不到 0.5）时的 "
                                         "bce_with_logits"), rtol=1e-5, atol=1e-4)
        expect_connected(got["connected"] and got["grad"] is not None, "bce_with_logits(logits, targets)", "logits")
        grad = expect_finite(got["grad"], what=tr("the gradient of bce_with_logits at logits ±100",
                                                  "logits 为 ±100 时 bce_with_logits 的梯度"))
        expect_close(grad, (torch.sigmoid(z) - y) / 4, what="d bce / d logits (±100)", **TOL)


@KATA.task("standardize", Text("Standardise with training statistics only", "只用训练集统计量做标准化"),
           points=2, hints=HINTS["standardize"])
class TestStandardize:
    def test_training_features_get_mean_0_and_std_1_each(self, kata):
        x_train = torch.randn(200, 3) * torch.tensor([1.0, 5.0, 0.2]) + torch.tensor([3.0, -1.0, 10.0])
        x_test = x_train[:10].clone()
        got = kata.run(world.standardize_call, x_train, x_test)
        expect_inputs_kept(got, [x_train, x_test], "standardize", ["x_train", "x_test"])
        train = expect_shape(pair(got["out"], "standardize")[0], (200, 3),
                             what=tr("standardize's train_scaled", "standardize 的 train_scaled"))
        std = train.std(dim=0)
        std_pop = train.std(dim=0, unbiased=False)  # either std convention is fine
        if not ((std - 1).abs().max() < 0.01 or (std_pop - 1).abs().max() < 0.01):
            expect_no_scaling_mistake(train, x_train)
            raise CheckFailed(tr("each feature's std after scaling should be 1, but is {std}; take the mean and std "
                                 "over dim=0 (one per feature) of the training set",
                                 "缩放后每个特征的标准差应为 1，但实际是 {std}；请在训练集上沿 dim=0 求均值和标准差"
                                 "（每个特征一个）", std=[round(s, 3) for s in std.tolist()]))
        expect_close(train.mean(dim=0), torch.zeros(3), atol=1e-3, rtol=0,
                     what=tr("each feature's mean after scaling", "缩放后每个特征的均值"))

    def test_one_feature_odd_rows_and_a_single_test_row(self, kata):
        x_train, x_test = 4 * torch.randn(7, 1) + 3, 4 * torch.randn(1, 1) + 3
        got = pair(kata.call("standardize", x_train, x_test), "standardize")
        mean = x_train.mean(dim=0, keepdim=True)
        for i, (name, x) in enumerate((("train_scaled", x_train), ("test_scaled", x_test))):
            out = expect_shape(got[i], tuple(x.shape), what=tr("standardize's {name} for one feature, 7 training rows and "
                                                               "1 test row", "一个特征、7 行训练数据、1 行测试数据时 "
                                                               "standardize 的 {name}", name=name))
            if not any(torch.allclose(out, (x - mean) / x_train.std(dim=0, unbiased=u), rtol=1e-4, atol=1e-4)
                       for u in (True, False)):  # either std convention is fine
                if i == 0:
                    expect_no_scaling_mistake(out, x_train)
                expect_close(out, (x - mean) / x_train.std(dim=0, keepdim=True), rtol=1e-4, atol=1e-4,
                             what=tr("standardize's {name} (one feature, a single test row)",
                                     "standardize 的 {name}（一个特征，一行测试数据）", name=name))

    def test_test_set_uses_the_training_mean_and_std(self, kata):
        x_train = torch.randn(300, 2) * torch.tensor([2.0, 0.5]) + torch.tensor([1.0, -4.0])
        x_test = torch.randn(100, 2) * torch.tensor([2.0, 0.5]) + torch.tensor([7.0, -4.0])  # shifted by +6
        test = expect_shape(pair(kata.call("standardize", x_train, x_test), "standardize")[1], (100, 2),
                            what=tr("standardize's test_scaled", "standardize 的 test_scaled"))
        mean, std = x_train.mean(dim=0), x_train.std(dim=0)
        if abs(float(test[:, 0].mean())) < 0.5:
            raise Mistake(tr("the test set was shifted by +6 in feature 0, but its scaled mean is {m:.3g}: it was "
                             "standardised with the test set's own mean and std (a leak); scale it with the "
                             "training statistics", "测试集的特征 0 平移了 +6，但缩放后的均值是 {m:.3g}：它是用测试集"
                             "自己的均值和标准差标准化的（数据泄露）；请用训练集的统计量缩放",
                             m=float(test[:, 0].mean())), mistake="logistic_regression.test_statistics_leak")
        if not torch.allclose(test, (x_test - mean) / x_train.std(dim=0, unbiased=False), rtol=1e-4, atol=1e-4):
            expect_close(test, (x_test - mean) / std, rtol=1e-4, atol=1e-4,
                         what=tr("test_scaled = (x_test - train mean) / train std",
                                 "test_scaled = (x_test - 训练集均值) / 训练集标准差"))


@KATA.task("blobs", Text("Two Gaussian blobs with float labels", "带浮点标签的两团高斯数据"), points=2, hints=HINTS["blobs"])
class TestBlobs:
    def test_shapes_and_dtypes(self, kata):
        x, y = blobs_pair(kata, 40, seed=draw_seed())
        expect_shape(x, (40, 2), what=tr("make_blobs(40)'s x", "make_blobs(40) 的 x"))
        expect_shape(y, (40,), what=tr("make_blobs(40)'s y", "make_blobs(40) 的 y"))
        expect_close(x, x.float(), what=tr("make_blobs(40)'s x", "make_blobs(40) 的 x"))  # dtype float32
        if y.dtype != torch.float32:
            cls = Mistake if y.dtype == torch.int64 else CheckFailed
            raise cls(tr("y has dtype {got}, expected float32: BCEWithLogitsLoss needs float targets "
                         "(`y.float()`); int64 labels are for cross-entropy", "y 的数据类型是 {got}，应为 float32："
                         "BCEWithLogitsLoss 需要浮点目标（`y.float()`）；int64 标签是给交叉熵用的",
                         got=dtype_name(y.dtype)),
                      mistake="logistic_regression.int_labels" if cls is Mistake else "")

    def test_labels_are_half_zeros_then_half_ones(self, kata):
        _, y = blobs_pair(kata, 40, seed=draw_seed())
        expect_close(y.to(torch.float32), torch.cat([torch.zeros(20), torch.ones(20)]), check_dtype=False,
                     what=tr("make_blobs(40)'s y", "make_blobs(40) 的 y"))

    def test_an_odd_n_gives_class_1_the_extra_row(self, kata):
        n = 2 * int(torch.randint(10, 30, ())) + 1
        x, y = blobs_pair(kata, n, seed=draw_seed())
        expect_close(y.to(torch.float32), torch.cat([torch.zeros(n // 2), torch.ones(n - n // 2)]), check_dtype=False,
                     what=tr("make_blobs({n})'s y (the first n // 2 rows class 0, the rest class 1)",
                             "make_blobs({n}) 的 y（前 n // 2 行是类别 0，其余是类别 1）", n=n),
                     variants=BLOB_LABELS, inputs=(n,))
        expect_shape(x, (n, 2), what=tr("make_blobs({n})'s x", "make_blobs({n}) 的 x", n=n))

    def test_blobs_sit_at_minus_two_and_plus_two_with_std_1(self, kata):
        x, y = blobs_pair(kata, 2000, seed=draw_seed())
        expect_shape(x, (2000, 2), what=tr("make_blobs(2000)'s x", "make_blobs(2000) 的 x"))
        y = expect_shape(y, (2000,), what=tr("make_blobs(2000)'s y", "make_blobs(2000) 的 y")).to(torch.float32)
        for label, centre in ((0.0, -2.0), (1.0, 2.0)):
            pts = x[y == label]
            m, s = pts.mean(dim=0), pts.std(dim=0)
            if not (((m - centre).abs() < 0.15).all() and ((s - 1).abs() < 0.1).all()):
                raise CheckFailed(tr("class {c} should be centred at ({p:g}, {p:g}) with std 1, but has mean {m} "
                                     "and std {s}", "类别 {c} 应以 ({p:g}, {p:g}) 为中心、标准差为 1，但均值是 {m}，"
                                     "标准差是 {s}", c=int(label), p=centre, m=[round(v, 2) for v in m.tolist()],
                                     s=[round(v, 2) for v in s.tolist()]))

    def test_same_seed_gives_the_same_blobs(self, kata):
        seed = draw_seed()
        x1, _ = blobs_pair(kata, 30, seed=seed)
        x2, _ = blobs_pair(kata, 30, seed=seed)
        x3, _ = blobs_pair(kata, 30, seed=seed + 1)
        expect_close(x2, x1, what=tr("make_blobs(30, seed={seed})'s x, made twice",
                                     "两次生成的 make_blobs(30, seed={seed}) 的 x", seed=seed))
        if torch.equal(x1, x3):
            raise CheckFailed(tr("make_blobs gives the same x for seeds {seed} and {other}: pass generator=g (seeded "
                                 "with `seed`) to torch.randn", "make_blobs 在 seed {seed} 和 {other} 下给出相同的 x："
                                 "请给 torch.randn 传入用 `seed` 初始化的 generator=g", seed=seed, other=seed + 1))

    def test_leaves_the_global_random_state_alone(self, kata):
        expect_own_generator(kata.run(world.make_blobs_rng, 20, draw_seed()), "make_blobs")


@KATA.task("train", Text("Training to an accuracy and a loss", "训练到指定的准确率和损失"), points=4, hints=HINTS["train"])
class TestTrain:
    def test_one_step_matches_sgd_on_bce_with_logits(self, kata):
        x, y = world.blobs(64, seed=draw_seed())
        got, loss = graded_step(kata, world.train_step_once, x, y, 0.5)
        want = expected_step(x, y, 0.5)
        expect_bce_step_loss(loss, want)
        for name, value in got["params"].items():
            expect_close(value, want["params"][name], rtol=1e-4, atol=1e-5, what=tr(
                "{name} after one SGD step (lr 0.5)", "SGD 一步之后的 {name}（lr 0.5）", name=name))

    def test_gradients_are_zeroed_every_step(self, kata):
        x, y = world.blobs(64, seed=draw_seed())
        got = kata.run(world.train_step_once, x, y, 0.0, True)
        expect_grads_not_stale(got["grads"], expected_step(x, y, 0.0)["grads"], "train_step", tr(
            "call optimizer.zero_grad() before loss.backward()", "请在 loss.backward() 之前调用 optimizer.zero_grad()"))

    def test_three_hundred_steps_reach_the_accuracy_and_the_loss(self, kata):
        x, y = world.blobs(400, seed=draw_seed())
        got = kata.run(world.train_step_training, x, y, LR, STEPS, MAX_LOSS)
        accuracy = float(((got["logits"] > 0).float() == y).float().mean())
        history = got["result"]["history"]
        final = history[-1] if history else float("nan")
        hint = ""
        if accuracy >= MIN_ACCURACY and final > 0.3:
            hint = tr("accuracy is {acc:.3f} but the loss stays near {loss:.2f}: that is the floor of a sigmoid "
                      "before BCEWithLogitsLoss (squashed twice); pass the logits straight in",
                      "准确率是 {acc:.3f}，但损失一直在 {loss:.2f} 附近：这是在 BCEWithLogitsLoss 之前多加一个 sigmoid"
                      "（压了两次）时的下限；请直接传入 logits", acc=accuracy, loss=final)
        expect_converged(got["result"], target=MAX_LOSS, kata=kata, hint=hint, what=tr(
            "BCE loss after {steps} SGD steps (lr {lr})", "{steps} 步 SGD 之后的 BCE 损失（lr {lr}）", steps=STEPS, lr=LR))
        if accuracy < MIN_ACCURACY:
            raise CheckFailed(tr("accuracy after training is {acc:.3f}, expected at least {min}",
                                 "训练后的准确率是 {acc:.3f}，应至少为 {min}", acc=accuracy, min=MIN_ACCURACY))


CE_FORBIDDEN = ("torch.log_softmax", "torch.Tensor.log_softmax", "torch.nn.functional.log_softmax",
                "torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax",
                "torch.logsumexp", "torch.Tensor.logsumexp", "torch.nn.functional.cross_entropy",
                "torch.special.log_softmax", "torch.special.softmax", "torch.special.logsumexp")
_LOG_OF_SOFTMAX = Text(
    "{what} at logits ±1000 gave {row}: that is the log OF a softmax; exp(z - m) of a score far below the row's "
    "maximum underflows to 0 and log(0) = -inf; stay in log space: (z - m) - log Σ exp(z - m)",
    "logits 为 ±1000 时 {what} 给出 {row}：这是先算 softmax 再取 log；比该行最大值小很多的分数，exp(z - m) 会下溢为 0，"
    "而 log(0) = -inf；请一直在对数空间里计算：(z - m) - log Σ exp(z - m)")
EXTREME = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0], [-1000.0, -1001.0, -1002.0]])


@KATA.task("cross_entropy", Text("Stable log-softmax and cross-entropy", "数值稳定的 log-softmax 与交叉熵"),
           points=4, hints=HINTS["cross_entropy"], forbidden={name: "write it yourself" for name in CE_FORBIDDEN})
class TestCrossEntropy:
    def test_log_softmax_matches_torch(self, kata):
        z = 3 * torch.randn(6, 4)
        got = kata.run(world.log_softmax_call, z)
        expect_inputs_kept(got, [z], "log_softmax", ["logits"])
        out = expect_shape(got["out"], (6, 4), what="log_softmax(z (6, 4))")
        if torch.allclose(out, torch.log_softmax(z, dim=0), **TOL):
            raise Mistake(tr("log_softmax normalised each column (dim 0, across the batch); each ROW is one "
                             "sample's scores: use dim=1", "log_softmax 对每一列（dim 0，跨批次）做了归一化；"
                             "每一行才是一个样本的分数：请用 dim=1"), mistake="logistic_regression.log_softmax_wrong_dim")
        expect_close(out, torch.log_softmax(z, dim=1), what="log_softmax(z (6, 4))", **TOL, variants=LOG_SOFTMAX,
                     inputs=(z,))

    def test_log_softmax_is_finite_at_logits_of_1000(self, kata):
        z = jitter(EXTREME, 0.5)
        out = expect_shape(kata.call("log_softmax", z), (3, 3), what="log_softmax(z (3, 3))")
        finite = torch.isfinite(out).all(dim=1)
        if not finite.all():
            if finite[0] and not finite[2]:
                raise Mistake(tr("log_softmax is finite in the row near +1000 but gives {row} in the row near "
                                 "-1000: one maximum for the whole tensor was subtracted, which leaves exp of "
                                 "-2000 there (0, then log 0); subtract each ROW's maximum: "
                                 "amax(dim=1, keepdim=True)", "log_softmax 在接近 +1000 的那一行是有限的，但在接近 "
                                 "-1000 的那一行给出 {row}：减去的是整个张量的一个最大值，那一行就剩下 exp(-2000)"
                                 "（得 0，再取 log 0）；请减去每一行自己的最大值：amax(dim=1, keepdim=True)",
                                 row=out[2].tolist()), mistake="logistic_regression.global_max")
            bad = int((~finite).nonzero()[0])
            if finite[0] and bool((out[bad][~torch.isfinite(out[bad])] == float("-inf")).all()):
                raise Mistake(_LOG_OF_SOFTMAX.format(what="log_softmax", row=out[bad].tolist()), mistake="logistic_regression.log_of_softmax")
            raise Mistake(tr("log_softmax at logits ~1000 gave {row}: exp(1000) overflows to inf; subtract each "
                             "row's maximum before exp", "logits 约为 1000 时 log_softmax 给出 {row}：exp(1000) "
                             "溢出为 inf；请在 exp 之前减去每一行的最大值", row=out[bad].tolist()), mistake="logistic_regression.log_softmax_overflows")
        expect_close(out, torch.log_softmax(z, dim=1), what=tr("log_softmax at logits ±1000",
                                                                     "logits 为 ±1000 时的 log_softmax"), **TOL)

    def test_cross_entropy_matches_torch_with_integer_targets(self, kata):
        z, t = 2 * torch.randn(10, 5), torch.randint(0, 5, (10,))
        out = expect_shape(kata.call("cross_entropy", z, t), (), what="cross_entropy(z (10, 5), t (10,))")
        want = F.cross_entropy(z, t)
        expect_mean_not_sum(out, want, 10, "cross_entropy")
        if isinstance(out, torch.Tensor) and out.shape == () and torch.allclose(out, -want, **TOL):
            raise Mistake(tr("cross_entropy returned {got:.4g}, the NEGATIVE of the cross-entropy {want:.4g}: "
                             "log-probabilities are ≤ 0, so the loss is minus their mean",
                             "cross_entropy 返回了 {got:.4g}，是交叉熵 {want:.4g} 的相反数：对数概率 ≤ 0，"
                             "所以损失是它们平均值的相反数", got=float(out), want=float(want)), mistake="logistic_regression.ce_sign")
        table = -torch.log_softmax(z, dim=1)[:, t].mean()
        if torch.allclose(out, table, **TOL) and not torch.allclose(out, want, **TOL):
            raise Mistake(tr("cross_entropy averaged an (N, N) table: `log_probs[:, targets]` takes every row's "
                             "entries at every target; pick one entry per row with "
                             "`log_probs[torch.arange(N), targets]` or `gather`",
                             "cross_entropy 对一个 (N, N) 的表格取了平均：`log_probs[:, targets]` 取出的是每一行在"
                             "所有目标处的值；请用 `log_probs[torch.arange(N), targets]` 或 `gather` 每行只取一个"), mistake="logistic_regression.ce_table_not_gather")
        expect_close(out, want, what="cross_entropy(z, targets)", **TOL, variants=CROSS_ENTROPY, inputs=(z, t))

    def test_cross_entropy_on_a_batch_of_one_and_two_classes(self, kata):
        for z, t in ((2 * torch.randn(1, 5), torch.randint(0, 5, (1,))), (2 * torch.randn(7, 2), torch.randint(0, 2, (7,)))):
            what = f"cross_entropy(z {tuple(z.shape)}, t ({len(t)},))"
            out = expect_shape(kata.call("cross_entropy", z, t), (), what=what)
            expect_close(out, F.cross_entropy(z, t), what=what, **TOL, variants=CROSS_ENTROPY, inputs=(z, t))

    def test_cross_entropy_value_and_gradient_are_finite_at_1000(self, kata):
        z = jitter(torch.tensor([[1000.0, -1000.0, 0.0], [0.0, 1000.0, -1000.0]]), 0.5)
        t = torch.tensor([1, 1])
        got = kata.run(world.cross_entropy_backward, z, t)
        want = F.cross_entropy(z, t)
        loss = got["loss"]
        if isinstance(loss, torch.Tensor) and loss.numel() == 1 and not torch.isfinite(loss).all():
            small = kata.call("cross_entropy", torch.tensor([[0.0, -200.0]]), torch.tensor([1]))  # no overflow here
            if isinstance(small, torch.Tensor) and small.numel() == 1 and float(small) == float("inf"):
                raise Mistake(_LOG_OF_SOFTMAX.format(what="cross_entropy", row=loss.item()), mistake="logistic_regression.log_of_softmax")
            raise Mistake(tr("cross_entropy at logits ±1000 gave {got}, expected {want:g}: exp(1000) overflows; "
                             "subtract each row's maximum first", "logits 为 ±1000 时 cross_entropy 给出 {got}，"
                             "应为 {want:g}：exp(1000) 溢出了；请先减去每一行的最大值", got=loss.item(), want=want.item()), mistake="logistic_regression.ce_overflows")
        expect_close(loss, want, rtol=1e-5, atol=1e-4, what=tr("cross_entropy at logits ±1000",
                                                               "logits 为 ±1000 时的 cross_entropy"))
        expect_connected(got["connected"] and got["grad"] is not None, "cross_entropy(logits, targets)", "logits")
        grad = expect_finite(got["grad"], what=tr("the gradient of cross_entropy at logits ±1000",
                                                  "logits 为 ±1000 时 cross_entropy 的梯度"))
        want_grad = (torch.softmax(z, dim=1) - F.one_hot(t, 3).float()) / 2
        expect_close(grad, want_grad, what="d cross_entropy / d logits (±1000)", **TOL)
