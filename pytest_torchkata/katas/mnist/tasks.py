"""Checks for the mnist kata: the article's CNN, early warnings, data and training.

Every verdict is reached here, in the grading process, from observations made
by ``mnist/world.py`` next to the learner's code: expected outputs come from
the grader's own copy of the article's network with the learner's weights, the
train_step check runs on a model and batch chosen here, and the held-out
accuracy is measured here from the trained weights (``mnist/data.py``); the
learner's process only ever sees a training-only data folder.

The architecture checks need no data (random images).  The data and training
checks read MNIST from ``kata.data_dir``; when it is not there and cannot be
downloaded they are skipped with a message saying how to provide it.
"""

from __future__ import annotations

import math
import time

import torch

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.checks.training import STALE_GRAD, downsample, expect_converged
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.common.expect import expect_evaluated_in_eval_mode, expect_trained_in_training_mode
from pytest_torchkata.katas.mnist import data, grader
from pytest_torchkata.katas.mnist.grader import (EVAL_BATCH, EXPECTED_SHAPES, LAYERS, SHAPE_NOTES,
                                                  TOTAL_PARAMETERS, layer_text)
from pytest_torchkata.katas.mnist.hints import HINTS
from pytest_torchkata.katas.mnist.world import (evaluate_probe, fit_probe, forward_probe, layers_probe,
                                                 loaders_probe, sanity_probe)
from pytest_torchkata.model import Kata

KATA = Kata("mnist", Text("MNIST", "MNIST 手写数字识别"), Text(
    "the article's CNN for handwritten digits: layers, forward shapes, early warnings before "
    "training, MNIST loaders, evaluation, and training to a held-out accuracy",
    "文章中识别手写数字的卷积网络：各层、前向传播的形状、训练前的早期预警、MNIST 数据加载器、评估，"
    "以及训练到测试集上的目标准确率"))

LN_10 = math.log(10)
SUBSET_TARGET, FULL_TARGET = 0.95, 0.98  # held-out accuracy: offline 8k subset / full 60k MNIST
FULL_TRAIN_SIZE = 60_000
TIME_BUDGET_S = {"subset": 60.0, "full": 170.0}  # seconds of the fit request, measured here
PROBE_IMAGES, PROBE_AGREEMENT = 256, 0.99  # the trained Net against the grader's copy, on training digits


# -- task 1: layers --------------------------------------------------------------------------

@KATA.task("layers", Text("The layers of the article's CNN", "文章中卷积网络的各层"), points=3, hints=HINTS["layers"])
class TestLayers:
    def test_has_the_four_layers_by_name(self, kata):
        layers = kata.run(layers_probe)["layers"]
        for name, (kind, _, _) in LAYERS.items():
            got = layers[name]
            expect_true(got is not None, tr("Net has no attribute `{name}`: name the layers conv1, conv2, fc1, fc2",
                                            "Net 没有属性 `{name}`：各层请命名为 conv1、conv2、fc1、fc2", name=name))
            expect_true(got["registered"], tr("Net.{name} is not registered as a submodule: assign an nn.Module "
                                              "to self.{name} after super().__init__()",
                                              "Net.{name} 没有注册为子模块：请在 super().__init__() 之后把一个 "
                                              "nn.Module 赋值给 self.{name}", name=name))
            expect_true(got["type"] == kind, tr("Net.{name} is a {got}, expected nn.{kind}",
                                                "Net.{name} 是 {got}，应为 nn.{kind}",
                                                name=name, got=got["type"], kind=kind))

    def test_each_layer_has_the_right_shape(self, kata):
        layers = kata.run(layers_probe)["layers"]
        for name, (kind, weight, _) in LAYERS.items():
            got = layers[name]
            if got is None or got["weight"] is None:
                raise CheckFailed(tr("Net.{name} has no weight: it should be {want}",
                                     "Net.{name} 没有权重：它应当是 {want}", name=name, want=layer_text(kind, weight)))
            if got["weight"] != weight:
                why = tr(": two conv + pool stages leave 20 channels of 4 x 4, so each image flattens to "
                         "20 * 4 * 4 = 320 numbers", "：两次卷积加池化之后剩下 20 个 4 x 4 的通道，所以每张图片"
                         "展平后是 20 * 4 * 4 = 320 个数") if name == "fc1" else ""
                raise CheckFailed(tr("Net.{name} is {got}, expected {want}{why}", "Net.{name} 是 {got}，应为 {want}{why}",
                                     name=name, got=layer_text(got["type"], got["weight"]),
                                     want=layer_text(kind, weight), why=why))

    def test_has_21840_parameters(self, kata):
        got = kata.run(layers_probe)
        parts = ", ".join(f"{n} {c:,}" for n, (_, _, c) in LAYERS.items())
        expect_true(got["total"] == TOTAL_PARAMETERS,
                    tr("Net has {got:,} parameters, expected {want:,} ({parts}, weights and biases): is there an "
                       "extra layer, or one without bias?",
                       "Net 有 {got:,} 个参数，应为 {want:,}（{parts}，包括权重和偏置）：是不是多了一层，"
                       "或者有一层没有偏置？", got=got["total"], want=TOTAL_PARAMETERS, parts=parts))


# -- task 2: forward ---------------------------------------------------------------------------

@KATA.task("forward", Text("The forward pass: images to logits", "前向传播：从图片到 logits"), points=4,
           hints=HINTS["forward"])
class TestForward:
    def test_gives_10_scores_per_image(self, kata):
        got = kata.run(forward_probe, torch.rand(3, 1, 28, 28))
        expect_shape(got["out"], (3, 10), what=tr("Net()(x) for x of shape (3, 1, 28, 28)",
                                                  "形状为 (3, 1, 28, 28) 的 x 经过 Net()(x)"))

    def test_each_layer_gives_the_right_shape(self, kata):
        got = kata.run(forward_probe, torch.rand(3, 1, 28, 28))
        for name, shape in EXPECTED_SHAPES:
            want = (3, *shape)
            seen = got["shapes"].get(name)
            expect_true(seen is not None, tr("Net.{layer} was not used in forward", "forward 里没有用到 Net.{layer}",
                                             layer=name.split()[0]))
            note = SHAPE_NOTES.get(name)
            layer = tr("fc1 input", "fc1 的输入") if name == "fc1 input" else name
            expect_true(tuple(seen) == want,
                        tr("{name} has shape {got} for a batch of 3, expected {want}",
                           "批大小为 3 时 {name} 的形状是 {got}，应为 {want}", name=layer, got=tuple(seen), want=want)
                        + (tr(" ({note})", "（{note}）", note=note) if note else ""))

    def test_returns_logits_not_probabilities(self, kata):
        out = expect_shape(kata.run(forward_probe, torch.rand(4, 1, 28, 28))["out"], (4, 10), what="Net()(x)")
        if (out >= 0).all() and torch.allclose(out.sum(dim=1), torch.ones(4), atol=1e-4):
            raise CheckFailed(tr("Net's rows sum to 1, so forward returns probabilities: looks like softmax was "
                                 "applied before the loss; F.cross_entropy applies log-softmax itself, so return "
                                 "the raw fc2 output (logits)",
                                 "Net 输出的每一行加起来都是 1，说明 forward 返回的是概率：看起来在损失之前做了 softmax；"
                                 "F.cross_entropy 自己会做 log-softmax，所以请返回 fc2 的原始输出（logits）"))

    def test_each_sample_is_independent_of_the_batch(self, kata):
        got = kata.run(forward_probe, torch.rand(4, 1, 28, 28))
        out = expect_shape(got["out"], (4, 10), what=tr("Net()(x) for a batch of 4", "批大小为 4 时的 Net()(x)"))
        grader.same_each_time(got)
        for i, single in enumerate(got["singles"]):
            single = expect_shape(single, (1, 10), what=f"Net()(x[{i}:{i + 1}])")
            if not torch.allclose(out[i], single[0], rtol=1e-4, atol=1e-5):
                raise CheckFailed(tr("in eval mode, the output for image {i} changes when other images are in "
                                     "the batch: something mixes samples (a view/reshape that crosses samples, "
                                     "or a softmax over dim=0); flatten with torch.flatten(x, 1)",
                                     "在 eval 模式下，批次里有其他图片时第 {i} 张图片的输出会变：有什么把样本混在了一起"
                                     "（跨样本的 view/reshape，或者在 dim=0 上做 softmax）；请用 torch.flatten(x, 1) 展平",
                                     i=i))

    def test_computes_the_articles_network(self, kata):
        x = torch.rand(3, 1, 28, 28)
        got = kata.run(forward_probe, x)
        out = expect_shape(got["out"], (3, 10), what="Net()(x)")
        grader.same_each_time(got)
        weights = data.checked_weights(got["weights"], trained=False)
        if isinstance(weights, str):
            raise CheckFailed(tr("could not rebuild the article's network from Net's layers: {why}",
                                 "无法用 Net 的各层重建文章中的网络：{why}", why=weights))
        want = data.article_forward(weights, x)
        slip = grader.mistake_in_forward(weights, x, out)
        if slip:
            raise slip
        if torch.allclose(out, torch.log_softmax(want, dim=1), rtol=1e-4, atol=1e-5):
            kata.record(note=tr("forward returns log_softmax: fine with F.cross_entropy or F.nll_loss",
                                "forward 返回的是 log_softmax：配合 F.cross_entropy 或 F.nll_loss 都可以"))
            return
        expect_close(out, want, what=tr("Net()(x) against relu/max-pool/flatten/fc with the same weights",
                                        "Net()(x) 与相同权重下的 relu/max-pool/flatten/fc 对比"),
                     rtol=1e-4, atol=1e-5)


# -- task 3: train_step and the early warnings ------------------------------------------------


@KATA.task("train_step", Text("One training step, and the early warnings", "一步训练，以及早期预警"), points=4,
           hints=HINTS["train_step"], timeout=60)
class TestTrainStep:
    def test_returns_the_loss_as_a_float(self, kata):
        got, _, losses, log_probs = grader.step(kata, False, 0.1)
        grader.step_ran(got)
        expect_true("forward" in got["seen"]["events"], tr("train_step never called the model: use model(x), not model.forward(x)",
                                         "train_step 从未调用模型：请用 model(x)，不要用 model.forward(x)"))
        value = got["value"]
        if isinstance(value, torch.Tensor):
            raise CheckFailed(tr("train_step returned {got}: return `loss.item()`, a Python float, so the graph of "
                                 "the step can be freed", "train_step 返回了 {got}：请返回 `loss.item()`（Python float），"
                                 "这样这一步的计算图才能被释放", got=describe(value)))
        expect_true(isinstance(value, float), tr("train_step should return the loss as a float, but returned {got}",
                                                 "train_step 应当以 float 返回损失，但返回了 {got}", got=describe(value)))
        slip = grader.mistake_in_loss(value, losses, log_probs)
        if slip:
            raise slip
        expect_close(value, losses["right"][0], what=tr("the loss train_step returned (cross-entropy before the step)",
                                                        "train_step 返回的损失（更新之前的交叉熵）"),
                     rtol=1e-4, atol=1e-6)

    def test_takes_a_batch_of_one(self, kata):
        grader.expect_batch_of_one(kata)

    def test_updates_the_parameters(self, kata):
        got, state, _, _ = grader.step(kata, False, 0.1)
        after = got["after"]
        moved = any(not (isinstance(after.get(n), torch.Tensor) and after[n].shape == p.shape
                         and torch.equal(after[n], p)) for n, p in state.items())
        if not moved:
            grader.step_ran(got, order=True)
        expect_true(moved, tr("after train_step with lr=0.1 no parameter changed: call optimizer.step()",
                              "lr=0.1 的 train_step 之后没有任何参数改变：请调用 optimizer.step()"))

    def test_clears_old_gradients(self, kata):
        got, _, losses, log_probs = grader.step(kata, True, 0.0)
        grads, want = got["grads"], losses["right"][1]
        slip = grader.mistake_in_grads(grads, losses, log_probs)
        if slip:
            raise slip
        for name, w in want.items():
            grad = grads.get(name)
            if grad is None or not grad.abs().any():
                state = "None" if grad is None else tr("all zero", "全为零")
                raise CheckFailed(tr("after train_step, {name}.grad is {state}: zero_grad() ran after backward(); "
                                     "call it before", "train_step 之后 {name}.grad 是 {state}：zero_grad() 在 "
                                     "backward() 之后才运行；请在之前调用它", name=name, state=state))
            what = tr("{name}.grad after train_step", "train_step 之后的 {name}.grad", name=name)
            grad = expect_shape(grad, tuple(w.shape), what=what)
            if (grad - w).abs().max() > 100:
                raise CheckFailed(tr("after train_step, {name}.grad still holds the old gradient ({stale:g}) plus "
                                     "the new one: gradients add up until cleared; call optimizer.zero_grad() first",
                                     "train_step 之后 {name}.grad 里仍是旧梯度（{stale:g}）加上新梯度：梯度在清空之前"
                                     "会一直累加；请先调用 optimizer.zero_grad()", name=name, stale=STALE_GRAD))
            expect_close(grad, w, what=what, rtol=1e-4, atol=1e-6)

    def test_fresh_net_starts_near_ln_10(self, kata):
        x, y = data.digit_like_batch()
        history = kata.run(sanity_probe, x, y, 0, None)["history"]
        expect_true(isinstance(history, list) and history and isinstance(history[0], float),
                    tr("train_step should return the loss as a float, but returned {got}",
                       "train_step 应当以 float 返回损失，但返回了 {got}",
                       got=describe(history[0] if isinstance(history, list) and history else history)))
        first = history[0]
        if first < 0.5:
            raise CheckFailed(tr("a fresh Net's first loss is {first:.4g}, far below ln 10 = 2.303 for 10 classes: "
                                 "looks like F.nll_loss on raw logits; use F.cross_entropy (or return log_softmax)",
                                 "新建的 Net 的第一个损失是 {first:.4g}，远低于 10 个类别应有的 ln 10 = 2.303："
                                 "看起来是对原始 logits 做了 F.nll_loss；请用 F.cross_entropy（或者返回 log_softmax）",
                                 first=first))
        expect_true(abs(first - LN_10) < 0.2,
                    tr("a fresh Net's first loss is {first:.4g}, expected about ln 10 = 2.303 (10 classes, no "
                       "knowledge yet): check the loss and the last layer",
                       "新建的 Net 的第一个损失是 {first:.4g}，应约为 ln 10 = 2.303（10 个类别，还什么都没学到）："
                       "请检查损失函数和最后一层", first=first))

    def test_can_overfit_one_batch(self, kata):
        x, y = data.digit_like_batch()
        got = kata.run(sanity_probe, x, y, 100, 0.05)
        out = got.get("out")
        probabilities = (isinstance(out, torch.Tensor) and out.shape == (len(x), 10) and bool((out >= 0).all())
                         and bool(torch.allclose(out.sum(dim=1), torch.ones(len(x)), atol=1e-3)))
        hint = (tr("forward returns probabilities (rows sum to 1): looks like softmax was applied before the "
                   "loss, which keeps it from falling; return the raw fc2 output",
                   "forward 返回的是概率（每行加起来是 1）：看起来在损失之前做了 softmax，这让损失降不下去；"
                   "请返回 fc2 的原始输出")
                if probabilities else
                tr("a model that cannot learn one batch by heart will not learn a data set: check forward "
                   "(ReLUs, pooling) and train_step (zero_grad, step)",
                   "连一个批次都记不住的模型学不会整个数据集：请检查 forward（ReLU、池化）和 train_step"
                   "（zero_grad、step）"))
        expect_converged(got, target=0.05, kata=kata, hint=hint,
                         what=tr("Net + train_step learning one batch of 64 by heart (eval mode, SGD lr 0.05, "
                                 "momentum 0.9, up to 100 steps)",
                                 "Net + train_step 记住一个 64 张图片的批次（eval 模式，SGD lr 0.05，"
                                 "momentum 0.9，最多 100 步）"))


# -- task 4: evaluate ---------------------------------------------------------------------------


@KATA.task("evaluate", Text("Accuracy on held-out data", "在测试集上的准确率"), points=3,
           hints=HINTS["evaluate"])
class TestEvaluate:
    def test_evaluates_in_eval_mode_without_a_graph(self, kata):
        state, x, y, _ = grader.evaluation_case()
        got = kata.run(evaluate_probe, state, x, y, EVAL_BATCH)
        expect_true(got["seen"], tr("evaluate never called the model: use model(x)",
                                    "evaluate 从未调用模型：请用 model(x)"))
        expect_evaluated_in_eval_mode(got["modes"], "mnist")
        expect_true(not any(grad for _, grad in got["seen"]),
                    tr("evaluate built autograd graphs: wrap the loop in `with torch.no_grad():`",
                       "evaluate 构建了 autograd 计算图：请把循环放进 `with torch.no_grad():`"))

    def test_counts_the_correct_fraction(self, kata):
        state, x, y, right = grader.evaluation_case()
        value = kata.run(evaluate_probe, state, x, y, EVAL_BATCH)["value"]
        expect_true(isinstance(value, (float, int)) and not isinstance(value, bool),
                    tr("evaluate should return a float, but returned {got}", "evaluate 应当返回 float，但返回了 {got}",
                       got=describe(value)))
        if slip := grader.mistake_in_evaluation(value, right, state, x, y):
            raise slip
        what = tr("evaluate(model, loader) with {right} of {n} right", "{n} 个中对了 {right} 个时的 evaluate(model, "
                  "loader)", right=right, n=len(y))
        expect_close(float(value), right / len(y), what=what, atol=1e-6)


# -- task 5: data -------------------------------------------------------------------------------

@KATA.task("data", Text("MNIST data loaders", "MNIST 数据加载器"), points=2, hints=HINTS["data"])
class TestLoaders:
    def _loaders(self, kata) -> dict:
        self.batch = int(torch.randint(16, 49, ()))
        got = kata.run(loaders_probe, data.learner_root(kata), self.batch)
        expect_true(got["shape"] == "ok", tr("make_loaders should return (train_loader, test_loader), but returned "
                                             "{got}", "make_loaders 应当返回 (train_loader, test_loader)，但返回了 {got}",
                                             got=got["shape"]))
        for split in ("train", "test"):
            expect_true(got[split]["type"] == "DataLoader",
                        tr("the {split} loader is a {got}, expected a torch DataLoader",
                           "{split} 加载器是 {got}，应为 torch 的 DataLoader", split=split, got=got[split]["type"]))
        return got

    def test_returns_the_train_and_test_splits(self, kata):
        got = self._loaders(kata)
        expect_true(got["train"]["train_split"] is not False and got["test"]["train_split"] is not True,
                    tr("make_loaders mixed up the splits: train=True for the training loader, train=False for "
                       "the test loader", "make_loaders 把训练集和测试集弄反了：训练加载器用 train=True，"
                       "测试加载器用 train=False"))
        expect_true(got["train"]["length"] > got["test"]["length"],
                    tr("the training set has {train} images and the test set {test}: train=True for the training "
                       "loader", "训练集有 {train} 张图片，测试集有 {test} 张：训练加载器要用 train=True",
                       train=got["train"]["length"], test=got["test"]["length"]))

    def test_batches_are_images_and_labels(self, kata):
        got = self._loaders(kata)
        expect_true(got["train"]["batch_size"] == self.batch,
                    tr("the training loader's batch size is {got}, expected the batch_size argument ({want})",
                       "训练加载器的批大小是 {got}，应为参数 batch_size（{want}）", got=got["train"]["batch_size"],
                       want=self.batch))
        for split in ("train", "test"):
            info = got[split]
            size = self.batch if split == "train" else (info["x"].shape[0] if isinstance(info["x"], torch.Tensor) else 1)
            x = expect_shape(info["x"], (size, 1, 28, 28), what=tr("a batch of {split} images",
                                                                   "一个批次的 {split} 图片", split=split))
            expect_true(x.dtype == torch.float32, tr("{split} images have dtype {dtype}, expected float32: use "
                                                     "transform=transforms.ToTensor()",
                                                     "{split} 图片的数据类型是 {dtype}，应为 float32：请用 "
                                                     "transform=transforms.ToTensor()", split=split, dtype=x.dtype))
            y = expect_shape(info["y"], (size,), what=tr("a batch of {split} labels", "一个批次的 {split} 标签",
                                                         split=split))
            expect_true(y.dtype == torch.int64, tr("{split} labels have dtype {dtype}, expected int64",
                                                   "{split} 标签的数据类型是 {dtype}，应为 int64",
                                                   split=split, dtype=y.dtype))

    def test_shuffles_training_but_not_test_data(self, kata):
        got = self._loaders(kata)
        expect_true(got["train"]["shuffled"], tr("the training loader does not shuffle: pass shuffle=True, or "
                                                 "every epoch shows the digits in the same order",
                                                 "训练加载器没有打乱数据：请传入 shuffle=True，否则每个 epoch "
                                                 "看到的数字顺序都一样"))
        expect_true(got["test"]["sequential"], tr("the test loader shuffles: pass shuffle=False (the order does "
                                                  "not help, and fixed order makes results reproducible)",
                                                  "测试加载器打乱了数据：请传入 shuffle=False（顺序对评估没有帮助，"
                                                  "固定顺序让结果可以复现）"))


# -- task 6: training to a held-out accuracy ------------------------------------------------------


@KATA.task("fit", Text("Train to a held-out accuracy", "训练到测试集上的目标准确率"), points=5,
           hints=HINTS["fit"], timeout=200)
class TestFit:
    def test_reaches_the_accuracy_target_on_held_out_digits(self, kata):
        root = data.mnist_root(kata)
        view = data.learner_view(root)
        start = time.perf_counter()
        probe = PROBE_IMAGES + int(torch.randint(0, 64, ()))  # which digits the copies are compared on
        got = kata.run(fit_probe, view, probe)
        seconds = time.perf_counter() - start  # measured here, around the whole request
        history = grader.history(got["history"])
        weights = data.checked_weights(got["weights"])
        if isinstance(weights, str):
            raise CheckFailed(tr("{why}: fit must train the Net it is given (task 1's layers)",
                                 "{why}：fit 必须训练传给它的那个 Net（任务 1 的各层）", why=weights))
        grader.weights_moved(got, weights)
        expect_trained_in_training_mode(got["modes"], "mnist", given=tr("the grader hands fit a Net in eval mode", "评分器传给 fit 的 Net 处于 eval 模式"))
        images, _ = data.load_split(root, train=True, limit=probe)
        own = got["outputs"]
        if not (isinstance(own, torch.Tensor) and own.shape == (probe, 10)):
            raise CheckFailed(tr("the trained Net gave {got} for {n} images, expected ({n}, 10) scores",
                                 "训练后的 Net 对 {n} 张图片给出了 {got}，应为 ({n}, 10) 的分数",
                                 got=describe(own), n=probe))
        agree = float((own.argmax(dim=1) == data.predict(weights, images)).float().mean())
        if agree < PROBE_AGREEMENT:
            raise CheckFailed(tr("the trained Net's predictions differ from the article's network with its own "
                                 "weights on {off:.0%} of {n} training digits: forward must compute the article's "
                                 "network (task 2), since held-out digits are classified with its weights",
                                 "在 {n} 张训练图片中，有 {off:.0%} 的图片上训练后的 Net 的预测与使用同样权重的文章网络"
                                 "不一致：forward 必须计算文章中的网络（任务 2），因为测试集上的数字是用它的权重分类的",
                                 off=1 - agree, n=probe))
        accuracy, _ = data.held_out_accuracy(root, weights)
        train_size = data.train_size(root)
        full = train_size >= FULL_TRAIN_SIZE
        target = FULL_TARGET if full else SUBSET_TARGET
        budget = TIME_BUDGET_S["full" if full else "subset"]
        kata.record(loss_history=[v if math.isfinite(v) else None for v in downsample(history)],
                    accuracy=accuracy, target=target, seconds=round(seconds, 2), train_size=train_size,
                    optimizer=grader.optimizer_text(got))
        if accuracy < target:
            raise CheckFailed(grader.shortfall(got, history, accuracy, seconds, target),
                              hint=grader.fit_hint(got, history))
        expect_true(seconds <= budget,
                    tr("held-out accuracy {accuracy:.1%} is enough, but training took {seconds:.0f} s, over the "
                       "{budget:.0f} s budget: fewer epochs, a larger batch, or a higher learning rate",
                       "测试集准确率 {accuracy:.1%} 已经够了，但训练用了 {seconds:.0f} 秒，超过了 {budget:.0f} 秒的预算："
                       "减少 epoch、加大批次，或者提高学习率", accuracy=accuracy, seconds=seconds, budget=budget))
