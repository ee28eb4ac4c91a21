"""Checks for the training kata: a step, an epoch, accuracy, evaluation, a seeded loader, fit.

The grader chooses the starting weights and the data, and replays every piece of work with a
reference loop on its own copy of the model, here, where no learner code runs.  The helpers in
``training/world.py`` hand the learner's functions the same model and report what they saw
(results, parameters, gradients, the order of zero_grad / backward / step, modes).  A message
names a mistake only when those observations show it: stale gradients planted before a step
with ``lr=0`` are blamed only when they are still there afterwards.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from pytest_torchkata.checks.errors import CheckFailed, LearnerError, Mistake
from pytest_torchkata.checks.training import STALE_GRAD as STALE, expect_converged, sgd_reference
from pytest_torchkata.checks.values import describe, expect_close, expect_float, expect_true
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.training import grader, world
from pytest_torchkata.katas.training.hints import HINTS
from pytest_torchkata.katas.common.expect import expect_evaluated_in_eval_mode, expect_trained_in_training_mode
from pytest_torchkata.katas.common.seeded import draw_seed
from pytest_torchkata.model import Kata

KATA = Kata("training", Text("The training loop", "训练循环"), Text(
    "forward, loss, backward, step: a step, an epoch, accuracy, evaluation, seeded loaders, fit",
    "前向、损失、反向传播、更新：一步、一个 epoch、准确率、评估、带种子的数据加载器、fit"))


# -- task 1: one step ----------------------------------------------------------------

@KATA.task("step", Text("One training step", "一步训练"), points=3, hints=HINTS["step"])
class TestTrainStep:
    def _run(self, kata, lr: float, stale: bool, batch: int | None = None):
        batch = int(torch.randint(5, 10, ())) if batch is None else batch  # odd and even sizes, by the seed
        x, y = torch.randn(batch, 4), torch.randint(0, 3, (batch,))
        net, state = grader.start()
        loss = nn.CrossEntropyLoss()(net(x), y)
        loss.backward()
        ref = {"loss": loss.item(), "fresh": [p.grad for p in net.parameters()],
               "before": [p.detach() for p in net.parameters()]}
        return ref, kata.run(world.one_train_step, state, x, y, lr, stale)

    def test_returns_the_loss_as_a_python_float(self, kata):
        ref, info = self._run(kata, 0.1, False)
        value = expect_float(info["result"], what="train_step", tensor_note=tr(
            "; return `loss.item()`: a loss tensor keeps its whole graph alive, and adding such tensors up over an "
            "epoch fills the memory", "；请返回 `loss.item()`：损失张量会让整个计算图一直留在内存里，"
            "一个 epoch 里把这些张量加起来会占满内存"))
        expect_close(value, ref["loss"], what=tr("the loss train_step returned (before the update)",
                                                 "train_step 返回的损失（更新之前）"))

    def test_old_gradients_are_cleared_before_backward(self, kata):
        ref, info = self._run(kata, 0.0, True)  # lr 0: the step changes nothing, the gradients stay to be seen
        events, grads = info["events"], info["grads"]
        if "grad" not in events:
            raise Mistake(tr("no gradient reached the parameters during train_step: backward() was not called on "
                             "the model's loss, or the loss was cut from the graph (a new tensor made from "
                             "loss.item(), or .detach()); call loss.backward() on loss_fn(model(x), y) itself",
                             "train_step 期间没有梯度到达参数：没有对模型的损失调用 backward()，或者损失被从计算图上"
                             "切断了（用 loss.item() 新建的张量，或 .detach()）；请直接对 loss_fn(model(x), y) "
                             "调用 loss.backward()"))
        if grader.close(grads, [f + STALE for f in ref["fresh"]]):
            raise Mistake(tr("gradients left from before the step (.grad filled with {stale:g}) were added to the new "
                             "ones: call optimizer.zero_grad() at the start of every step",
                             "这一步之前留下的梯度（.grad 里填的 {stale:g}）被加到了新梯度上：每一步开始时都要调用 "
                             "optimizer.zero_grad()", stale=STALE))
        later = events[len(events) - 1 - events[::-1].index("grad"):]  # from the last backward on
        if "zero" in later and all(g is None or not bool(g.any()) for g in grads):
            if "step" in later and later.index("zero") < later.index("step"):
                where = tr("before step(): the step found no gradients", "在 step() 之前：step 找不到梯度")
            elif "zero" not in events[:events.index("grad")]:
                where = tr("after step(): the step used the old gradients added to the new ones",
                           "在 step() 之后：step 用的是旧梯度加上新梯度")
            else:
                return  # cleared before backward and again after the step: the step was right
            raise Mistake(tr("zero_grad() ran after backward() ({where}); call it first, before the forward pass",
                             "zero_grad() 在 backward() 之后才运行（{where}）；请最先调用它，在前向传播之前",
                             where=where))
        grader.expect_single_backward(grads, ref["fresh"])
        for i, (got, want) in enumerate(zip(grads, ref["fresh"])):
            expect_true(got is not None, tr("after train_step, parameter {i} has no gradient",
                                            "train_step 之后，参数 {i} 没有梯度", i=i))
            expect_close(got, want, what=tr("the gradient of parameter {i} after train_step",
                                            "train_step 之后参数 {i} 的梯度", i=i), rtol=1e-4, atol=1e-5)

    def test_parameters_take_one_sgd_step(self, kata):
        ref, info = self._run(kata, 0.1, False)
        events = info["events"]
        if "step" not in events:
            raise Mistake(tr("the parameters did not change: optimizer.step() was never called; backward() only "
                             "computes gradients, call optimizer.step() after it",
                             "参数没有变化：从未调用 optimizer.step()；backward() 只计算梯度，之后要调用 optimizer.step()"))
        if "grad" in events and "zero" in events[events.index("grad"):events.index("step")]:
            raise Mistake(tr("zero_grad() ran after backward() and before step(): the step found no gradients, so "
                             "the parameters did not change; the order is zero_grad, forward, backward, step",
                             "zero_grad() 在 backward() 之后、step() 之前运行：step 找不到梯度，参数没有变化；"
                             "正确顺序是 zero_grad、前向、backward、step"))
        for i, (after, before, grad) in enumerate(zip(info["after"], ref["before"], ref["fresh"])):
            what = tr("parameter {i} after one SGD step (lr 0.1)", "一步 SGD（lr 0.1）之后的参数 {i}", i=i)
            expect_close(after, before - 0.1 * grad, what=what, rtol=1e-4, atol=1e-5)

    def test_takes_a_batch_of_one(self, kata):
        self._run(kata, 0.1, False)  # a larger batch first: what fails there is not about a batch of one
        try:
            ref, info = self._run(kata, 0.1, False, batch=1)
        except LearnerError as error:
            raise Mistake(tr("train_step works on a batch of several samples but raised on a batch of one (N = 1): "
                             "{error}; a batch is (N, ...) for any N: does something drop the batch dimension when it "
                             "is 1 (a .squeeze() with no dim)?",
                             "train_step 在多个样本的批次上能运行，但在只有一个样本的批次（N = 1）上出错：{error}；"
                             "批次对任意 N 都是 (N, ...)："
                             "是不是有什么在 N 为 1 时把批次维度去掉了（不带 dim 的 .squeeze()）？",
                             error=error.message), mistake="training.batch_of_one") from None
        value = expect_float(info["result"], what="train_step")
        expect_close(value, ref["loss"], what=tr("the loss train_step returned for a batch of one sample",
                                                 "只有一个样本的批次上 train_step 返回的损失"))

    def test_calls_the_model_once_as_model_x(self, kata):
        forwards = self._run(kata, 0.1, False)[1]["forwards"]
        if forwards == 0:
            raise Mistake(tr("a forward hook on the model never fired: call the model as `model(x)`; "
                             "`model.forward(x)` skips hooks",
                             "模型上的前向钩子一次也没有触发：请用 `model(x)` 调用模型；`model.forward(x)` 会跳过钩子"))
        expect_true(forwards == 1, tr("the model ran {n} times for one step; run it once",
                                      "一步训练里模型运行了 {n} 次；只运行一次", n=forwards))


# -- task 2: an epoch ------------------------------------------------------------------

@KATA.task("epoch", Text("One epoch over a DataLoader", "在 DataLoader 上训练一个 epoch"), points=3, hints=HINTS["epoch"])
class TestTrainEpoch:
    def _run(self, kata):
        x, y = torch.randn(64, 4), torch.randint(0, 3, (64,))
        net, state = grader.start()
        losses = sgd_reference(net, zip(x.split(16), y.split(16)), nn.CrossEntropyLoss(), lr=0.1)
        info = kata.run(world.one_epoch, state, x, y, 16)
        info["accumulated"] = grader.accumulating_reference(state, x, y, 16, 0.1)  # the grader's, from its state
        return losses, [p.detach() for p in net.parameters()], info

    def test_returns_the_mean_batch_loss_as_a_float(self, kata):
        losses, ref_after, info = self._run(kata)
        result = info["result"]
        if isinstance(result, torch.Tensor) and result.requires_grad:
            raise Mistake(tr("train_epoch returned a tensor that requires grad: adding up `loss` tensors keeps every "
                             "batch's graph in memory; add `loss.item()` instead",
                             "train_epoch 返回了需要梯度的张量：把 `loss` 张量加起来会让每个批次的计算图都留在内存里；"
                             "请累加 `loss.item()`"))
        value = expect_float(result, what="train_epoch")
        grader.expect_grads_cleared_each_batch(info["after"], info["accumulated"], ref_after)
        found = grader.mistake_in_epoch_loss(value, losses, 64, Text("train_epoch returned {got:.4g}, {named}",
                                                                       "train_epoch 返回了 {got:.4g}，{named}"))
        if found is not None:
            raise found
        expect_close(value, sum(losses) / len(losses), what=tr("train_epoch's mean batch loss", "train_epoch 的平均批次损失"),
                     rtol=1e-4, atol=1e-5)

    def test_keeps_no_batch_graph_alive(self, kata):
        _, _, info = self._run(kata)
        if info["kept"] > 1:
            raise Mistake(tr("the loss tensors of {n} batches were added up while they still held their graphs "
                             "(like `total += loss`, with .item() only at the end): every batch's graph stays in "
                             "memory until the epoch ends; add `loss.item()` each batch instead",
                             "{n} 个批次的损失张量在仍带着计算图时被加在了一起（比如 `total += loss`，最后才 .item()）："
                             "每个批次的计算图都会留在内存里直到 epoch 结束；请每个批次累加 `loss.item()`",
                             n=info["kept"]))

    def test_takes_one_step_per_batch(self, kata):
        _, ref_after, info = self._run(kata)
        grader.expect_grads_cleared_each_batch(info["after"], info["accumulated"], ref_after)
        expect_true(info["forwards"] == 4, tr("the model ran {n} times for a loader of 4 batches, expected 4 (one "
                                              "forward per batch, called as `model(x)`)",
                                              "对 4 个批次的 loader，模型运行了 {n} 次，应为 4 次（每个批次一次前向，"
                                              "用 `model(x)` 调用）", n=info["forwards"]))
        for i, (got, want) in enumerate(zip(info["after"], ref_after)):
            expect_close(got, want, what=tr("parameter {i} after one epoch (4 SGD steps, lr 0.1)",
                                            "一个 epoch（4 步 SGD，lr 0.1）之后的参数 {i}", i=i), rtol=1e-4, atol=1e-5)

    def test_trains_in_training_mode(self, kata):
        _, _, info = self._run(kata)
        if info["modes"] and not all(info["modes"]):
            raise Mistake(tr("the model started this epoch in eval mode and stayed there (dropout would be off): "
                             "call model.train() at the start of train_epoch",
                             "模型以评估模式开始这个 epoch 并一直保持（dropout 会是关闭的）：请在 train_epoch 开头调用 "
                             "model.train()"))


# -- task 3: accuracy ---------------------------------------------------------------------

@KATA.task("accuracy", Text("Accuracy from logits", "由 logits 计算准确率"), points=2, hints=HINTS["accuracy"])
class TestAccuracy:
    def test_fraction_of_rows_whose_top_logit_is_the_label(self, kata):
        logits = torch.randn(10, 4)
        labels = torch.tensor([int(i) for i in logits.argmax(1)[:6]] + [0, 1, 2, 3])
        grader.check_accuracy(kata, logits, labels)

    def test_argmax_runs_across_classes(self, kata):
        # square logits: argmax over the wrong dim gives a plausible number instead of an error
        logits = torch.tensor([[0.1, 2.0, 0.3, 0.0], [1.5, 0.2, 0.1, 0.0], [0.3, 0.1, 0.2, 2.5], [0.2, 3.0, 0.9, 0.1]])
        logits += 0.05 * torch.rand(4, 4)  # seeded, small: the same argmax by rows and by columns
        grader.check_accuracy(kata, logits, torch.tensor([1, 0, 3, 3]))  # 0.75 by rows, 0.5 by columns

    def test_a_batch_of_one_and_a_transposed_view(self, kata):
        logits = torch.randn(1, 5)
        grader.check_accuracy(kata, logits, logits.argmax(1))  # N = 1: right
        grader.check_accuracy(kata, logits, (logits.argmax(1) + 1) % 5)  # N = 1: wrong
        by_class = torch.randn(4, 7, dtype=torch.float64)  # (C, N) stored: its .T is a non-contiguous (N, C) view
        labels = by_class.argmax(0)
        labels[:3] = (labels[:3] + 1) % 4
        grader.check_accuracy(kata, by_class.T, labels)

    def test_all_wrong_and_all_right(self, kata):
        logits = torch.eye(3).repeat(2, 1) * 5 + torch.rand(6, 3)  # (6, 3): row i predicts i % 3
        labels = torch.tensor([0, 1, 2, 0, 1, 2])
        grader.check_accuracy(kata, logits, labels)
        grader.check_accuracy(kata, logits, (labels + 1) % 3)


# -- task 4: evaluation -------------------------------------------------------------------

@KATA.task("evaluate", Text("Evaluation in eval mode without gradients", "在评估模式下、不计算梯度地评估"),
           points=3, hints=HINTS["evaluate"])
class TestEvaluate:
    N, BATCH = 50, 16  # batches of 16, 16, 16 and 2: the last one is smaller

    def _run(self, kata):
        net, state = grader.start(dropout=0.5)
        x = torch.randn(self.N, 4)
        with torch.no_grad():
            pred = net.eval()(x).argmax(1)
            y = torch.randint(0, 3, (self.N,))
            y[-2:] = pred[-2:]  # the small last batch is all right, so a mean of batch accuracies is visibly off
            batches = [(net(xb), yb) for xb, yb in zip(x.split(self.BATCH), y.split(self.BATCH))]
        losses = [nn.functional.cross_entropy(out, yb).item() for out, yb in batches]
        accs = [(out.argmax(1) == yb).float().mean().item() for out, yb in batches]
        ref = {"losses": losses, "sample_loss": sum(l * len(yb) for l, (_, yb) in zip(losses, batches)) / self.N,
               "acc": (pred == y).float().mean().item(), "batch_acc": sum(accs) / len(accs),
               "before": [p.detach() for p in net.parameters()]}
        return ref, kata.run(world.evaluate_watched, state, x, y, self.BATCH)

    def test_runs_in_eval_mode(self, kata):
        info = self._run(kata)[1]
        seen = info["seen"]
        expect_true(seen, tr("a forward hook on the model never fired during evaluate: call it as `model(x)`",
                             "evaluate 期间模型上的前向钩子一次也没有触发：请用 `model(x)` 调用模型"))
        expect_evaluated_in_eval_mode(info["modes"], "training")

    def test_computes_no_gradients(self, kata):
        ref, info = self._run(kata)
        if any(grad for _, grad in info["seen"]):
            raise Mistake(tr("evaluate ran the model with gradients enabled, building graphs nobody uses: wrap the "
                             "loop in `with torch.no_grad():`", "evaluate 在开启梯度的情况下运行模型，构建了没人用的"
                             "计算图：请把循环放进 `with torch.no_grad():`"))
        changed = any(not torch.equal(a, b) for a, b in zip(info["after"], ref["before"]))
        expect_true(not any(info["has_grad"]) and not changed,
                    tr("evaluate changed the parameters or their gradients: it must only measure",
                       "evaluate 改变了参数或它们的梯度：它只能测量"))

    def test_leaves_the_model_in_training_mode(self, kata):
        info = self._run(kata)[1]
        if not all(info["training_after"]):
            raise Mistake(tr("after evaluate the model is still in eval mode, so the next epoch would train without "
                             "dropout: call model.train() before returning",
                             "evaluate 之后模型仍处于评估模式，下一个 epoch 会在没有 dropout 的情况下训练："
                             "返回前请调用 model.train()"))

    def test_returns_mean_loss_and_accuracy(self, kata):
        ref, info = self._run(kata)
        result = info["result"]
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed(tr("evaluate should return (mean loss, accuracy), but returned {got}",
                                 "evaluate 应返回 (平均损失, 准确率)，实际返回了 {got}", got=describe(result)))
        loss = expect_float(result[0], what=tr("evaluate's mean loss", "evaluate 的平均损失"))
        acc = expect_float(result[1], what=tr("evaluate's accuracy", "evaluate 的准确率"))
        grader.expect_not_swapped(loss, acc, ref)
        if not math.isclose(loss, ref["sample_loss"], rel_tol=1e-4, abs_tol=1e-5):  # either mean is accepted
            found = grader.mistake_in_epoch_loss(loss, ref["losses"], self.N,
                                                 Text("evaluate's mean loss is {got:.4g}, {named}",
                                                      "evaluate 的平均损失是 {got:.4g}，{named}"))
            if found is not None:
                raise found
            expect_close(loss, sum(ref["losses"]) / len(ref["losses"]),
                         what=tr("evaluate's mean loss (eval mode)", "evaluate 的平均损失（评估模式）"), rtol=1e-4, atol=1e-5)
        if math.isclose(acc, ref["batch_acc"], abs_tol=1e-6) and not math.isclose(acc, ref["acc"], abs_tol=1e-6):
            raise Mistake(tr("evaluate's accuracy is {got:.4g}, the mean of the per-batch accuracies, but the last "
                             "batch holds only {last} samples; count the correct predictions over all {n} samples "
                             "and divide by {n} (expected {want:.4g})",
                             "evaluate 的准确率是 {got:.4g}，这是各批次准确率的平均，但最后一个批次只有 {last} 个样本；"
                             "请统计全部 {n} 个样本中预测正确的个数再除以 {n}（应为 {want:.4g}）",
                             got=acc, last=self.N % self.BATCH, n=self.N, want=ref["acc"]))
        batches = math.ceil(self.N / self.BATCH)
        if math.isclose(acc, ref["acc"] * self.N / batches, abs_tol=1e-6):
            raise Mistake(tr("evaluate's accuracy is {got:.4g}: the number of correct predictions divided by the {b} "
                             "batches; divide by the {n} samples", "evaluate 的准确率是 {got:.4g}：这是预测正确的个数"
                             "除以 {b} 个批次；应除以 {n} 个样本", got=acc, b=batches, n=self.N))
        expect_close(acc, ref["acc"], what=tr("evaluate's accuracy over all {n} samples", "evaluate 在全部 {n} 个样本上的"
                                              "准确率", n=self.N))


# -- task 5: a seeded DataLoader -------------------------------------------------------

@KATA.task("loader", Text("A seeded, shuffled DataLoader", "带种子的、打乱顺序的 DataLoader"), points=2, hints=HINTS["loader"])
class TestMakeLoader:
    def test_serves_every_item_in_shuffled_batches(self, kata):
        grader.expect_every_item_served(kata)

    def test_the_same_seed_gives_the_same_order(self, kata):
        info = kata.run(world.loader_orders, 20, 5, draw_seed())
        if info["first"] != info["again"]:
            raise Mistake(tr("two loaders made with the same seed served different orders: the shuffle follows "
                             "torch's global random generator; give the DataLoader its own "
                             "`generator=torch.Generator().manual_seed(seed)`", "用同一个种子创建的两个 loader 给出了"
                             "不同的顺序：打乱顺序用的是 torch 的全局随机数生成器；请给 DataLoader 它自己的 "
                             "`generator=torch.Generator().manual_seed(seed)`"))

    def test_another_seed_gives_another_order(self, kata):
        info = kata.run(world.loader_orders, 20, 5, seed := draw_seed())
        expect_true(info["first"] != info["other"], tr(
            "seeds {seed} and {other} gave the same order: seed the generator with `seed`",
            "种子 {seed} 和 {other} 给出了相同的顺序：请用 `seed` 设定生成器的种子", seed=seed, other=seed + 1))


# -- task 6: fit ----------------------------------------------------------------------------

# measured over 40 seeds with the reference: last training loss at most 0.18, accuracy at least 0.95;
# a softmax before CrossEntropyLoss floors near 0.6
EPOCHS, LR, TARGET_LOSS, TARGET_ACC = 6, 0.05, 0.3, 0.9


def _fit(kata, epochs: int) -> tuple[dict, tuple]:
    generator = torch.Generator().manual_seed(0)
    data = (*grader.blobs(240, generator), *grader.blobs(120, generator))
    _, state = grader.start(dropout=0.1)
    return kata.run(world.fit_blobs, state, data, epochs, LR), data


@KATA.task("fit", Text("Fitting a classifier", "训练一个分类器"), points=3, timeout=30, hints=HINTS["fit"])
class TestFit:
    def test_history_has_one_entry_per_epoch(self, kata):
        grader.expect_history(_fit(kata, 2)[0]["history"], 2)

    def test_learns_three_gaussian_classes(self, kata):
        info = _fit(kata, EPOCHS)[0]
        history = grader.expect_history(info["history"], EPOCHS)
        result = {"history": history["train_loss"], "steps": EPOCHS, "seconds": info["seconds"],
                  "reached": history["train_loss"][-1] <= TARGET_LOSS, "stopped": "max_steps"}
        expect_converged(result, target=TARGET_LOSS, what=tr("fit's training loss over {n} epochs",
                                                             "fit 在 {n} 个 epoch 里的训练损失", n=EPOCHS),
                         kata=kata, hint=tr("check that the loss gets the raw logits (no softmax before "
                                            "CrossEntropyLoss) and that the optimizer is made once, with lr and "
                                            "momentum=0.9", "检查损失函数拿到的是原始 logits（CrossEntropyLoss 之前"
                                            "不要 softmax），以及优化器只创建一次，带 lr 和 momentum=0.9"))
        expect_true(history["val_acc"][-1] >= TARGET_ACC,
                    tr("validation accuracy after {n} epochs is {got:.3f}, expected at least {want} on these "
                       "well-separated classes", "{n} 个 epoch 之后验证准确率是 {got:.3f}，在这些分得很开的类别上应至少为 "
                       "{want}", n=EPOCHS, got=history["val_acc"][-1], want=TARGET_ACC))

    def test_makes_one_sgd_optimizer_with_momentum(self, kata):
        optimizers = _fit(kata, 2)[0]["optimizers"]
        expect_true(optimizers, tr("fit never called an optimizer's step()", "fit 从未调用优化器的 step()"))
        if len(optimizers) > 1:
            raise Mistake(tr("fit made {n} optimizers for 2 epochs: each new one starts with empty momentum, so the "
                             "state SGD built up is thrown away; make the optimizer once, before the epoch loop",
                             "2 个 epoch 里 fit 创建了 {n} 个优化器：每个新优化器的动量都是空的，SGD 积累的状态被丢掉了；"
                             "请在 epoch 循环之前只创建一次优化器", n=len(optimizers)))
        opt = optimizers[0]
        expect_true(opt["type"] == "SGD" and opt["momentum"] == 0.9 and opt["lr"] == LR,
                    tr("fit's optimizer is {type} with lr {lr} and momentum {momentum}; the task asks for "
                       "torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)", "fit 的优化器是 {type}，lr 为 {lr}，"
                       "momentum 为 {momentum}；任务要求 torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)",
                       type=opt["type"], lr=opt["lr"], momentum=opt["momentum"]))

    def test_every_epoch_trains_in_training_mode(self, kata):
        info = _fit(kata, 2)[0]
        expect_trained_in_training_mode(info["modes"], "training")
        seen = info["seen"]
        if any(grad and not training for training, grad in seen):
            raise Mistake(tr("fit trained with the model in eval mode (after the first evaluation?): dropout was off "
                             "while learning; make sure model.train() runs at the start of every epoch",
                             "fit 在模型处于评估模式时进行了训练（第一次评估之后？）：学习时 dropout 是关闭的；"
                             "请确保每个 epoch 开始时都会运行 model.train()"))

    def test_validation_numbers_describe_the_trained_model(self, kata):
        info, (_, _, x_val, y_val) = _fit(kata, 2)
        history = grader.expect_history(info["history"], 2)
        grader.expect_validated_in_eval(info["seen"])
        model = world.loaded(world.classifier(dropout=0.1), info["final"]).eval()
        with torch.no_grad():
            logits = model(x_val)
        loss = nn.functional.cross_entropy(logits, y_val).item()
        acc = (logits.argmax(1) == y_val).float().mean().item()
        what = tr("the last val_loss (the trained model on val_loader)", "最后一个 val_loss（训练后的模型在 val_loader 上）")
        expect_close(history["val_loss"][-1], loss, what=what, rtol=1e-4, atol=1e-5)
        expect_close(history["val_acc"][-1], acc, what=tr("the last val_acc (the trained model on val_loader)", "最后一个 val_acc（训练后的模型在 val_loader 上）"))
