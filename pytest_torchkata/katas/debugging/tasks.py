"""Checks for the debugging kata: hooks, gradient reports, anomaly detection, a bug hunt.

The models and inputs are built here, in the grader's process, and every expected
value (which module makes the first NaN, gradient norms, losses after training)
is computed here; the learner-world helpers in ``debugging/world.py`` hand back
what the learner's functions returned and the calls they made.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.training import sgd_reference
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.debugging import grader
from pytest_torchkata.katas.debugging import world
from pytest_torchkata.katas.debugging.hints import HINTS
from pytest_torchkata.katas.common.seeded import draw_seed, jitter
from pytest_torchkata.model import Kata

KATA = Kata("debugging", Text("Debugging", "调试"),
            Text("forward hooks to find the first NaN, per-parameter gradient reports, anomaly detection "
                 "in backward, and a hunt for four classic bugs",
                 "用前向钩子找到第一个 NaN、逐参数的梯度报告、反向传播中的异常检测，以及找出四个经典 bug"))

# float32 numbers compared as Python floats: torch.testing.assert_close's float32 defaults, a little looser in rtol
F32 = {"rtol": 1e-5, "atol": 1e-5}


@KATA.task("first_bad", Text("Find the first module that makes NaN/Inf", "找出第一个产生 NaN/Inf 的模块"),
           points=3, hints=HINTS["first_bad"])
class TestFirstBadModule:
    def _judge(self, kata, case: str) -> None:
        model, x = grader.nan_case(case)
        got = kata.run(world.first_bad_facts, case, dict(model.state_dict()), x)
        grader.expect_first_bad_module(got, model, x, case)

    def test_names_the_innermost_module_that_made_the_first_nan(self, kata):
        self._judge(kata, "log")

    def test_counts_inf_as_bad_too(self, kata):
        self._judge(kata, "inf")

    def test_returns_none_when_every_output_is_finite(self, kata):
        self._judge(kata, "clean")

    def test_removes_its_hooks(self, kata):
        model, x = grader.nan_case("log")
        got = kata.run(world.first_bad_facts, "log", dict(model.state_dict()), x)
        left = sorted(got["leftover"]) + (["(global hooks)"] if got["global_left"] else [])
        expect_true(not left, tr(
            "hooks are still registered on {names} after first_bad_module returned: keep the handles and call "
            "`handle.remove()` (in a `finally:` block)",
            "first_bad_module 返回后 {names} 上仍注册着钩子：请保存句柄并调用 `handle.remove()`（放在 `finally:` 中）",
            names=", ".join(repr(n) for n in left)))

    def test_removes_its_hooks_when_the_forward_raises(self, kata):
        model, x = grader.nan_case("raise")
        got = kata.run(world.first_bad_facts, "raise", dict(model.state_dict()), x)
        left = sorted(got["leftover"]) + (["(global hooks)"] if got["global_left"] else [])
        if left:
            raise Mistake(tr(
                "hooks are still registered on {names} after the model's forward raised ({error}): remove them "
                "with `handle.remove()` in a `finally:` block, so they go even when the forward fails",
                "模型的前向计算报错（{error}）后，{names} 上仍注册着钩子：请在 `finally:` 中用 `handle.remove()` 移除它们，"
                "这样即使前向计算失败也会被移除", names=", ".join(repr(n) for n in left),
                error=got["raised"] or "RuntimeError"))


def _branchy_case() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(draw_seed())
        model = world.Branchy()
        x, y = torch.randn(16, 6), torch.randint(0, 3, (16,))
    return model, x, y


@KATA.task("grad_report", Text("Gradient report per parameter", "逐参数的梯度报告"), points=3, hints=HINTS["grad_report"])
class TestGradReport:
    def _run(self, kata, stale: bool) -> tuple[dict, dict, dict, list]:
        model, x, y = _branchy_case()
        got = kata.run(world.grad_report_facts, dict(model.state_dict()), x, y, stale)
        F.cross_entropy(model(x), y).backward()
        truth = {n: (p.grad.norm().item() if p.grad is not None else None) for n, p in model.named_parameters()}
        own = {n: p.detach().norm().item() for n, p in model.named_parameters()}
        report = got["report"]
        expect_true(isinstance(report, dict), tr("grad_report should return a dict, but returned {got}",
                                                 "grad_report 应返回 dict，实际返回了 {got}", got=describe(report)))
        missing = [n for n in truth if n not in report]
        expect_true(not missing, tr("grad_report has no entry for {names}: use the names from "
                                    "model.named_parameters()", "grad_report 缺少 {names} 的条目：请使用 "
                                    "model.named_parameters() 给出的名字", names=", ".join(missing)))
        events = got["events"]
        if all(report[n] is None for n in truth):
            if "backward" not in events:
                raise Mistake(tr("every entry of grad_report is None: backward() never ran; call "
                                 "`loss.backward()` once", "grad_report 的每一项都是 None：backward() 从未运行；"
                                 "请调用一次 `loss.backward()`"))
            if any(e.startswith("zero_grad") for e in events[events.index("backward"):]):
                raise Mistake(tr("every entry of grad_report is None: zero_grad() after backward() erased the "
                                 "gradients just computed; clear them before the backward",
                                 "grad_report 的每一项都是 None：在 backward() 之后调用 zero_grad() 擦掉了刚算出的梯度；"
                                 "请在反向传播之前清除"))
        for name, value in report.items():
            if isinstance(value, torch.Tensor):
                raise Mistake(tr("grad_report[{name!r}] is a tensor: report Python floats, `p.grad.norm().item()`",
                                 "grad_report[{name!r}] 是张量：请返回 Python float，`p.grad.norm().item()`",
                                 name=name))
        return report, truth, own, events

    def _values(self, report: dict, truth: dict, own: dict, stale: bool) -> None:
        for name, want in truth.items():
            if want is None:
                continue
            value = report[name]
            if isinstance(value, float) and not math.isclose(value, want, rel_tol=1e-4) and \
                    math.isclose(value, own[name], rel_tol=1e-4):
                raise Mistake(tr("grad_report[{name!r}] is {got:.6g}, the norm of the parameter itself: report "
                                 "the norm of its gradient, `p.grad.norm()`", "grad_report[{name!r}] 是 {got:.6g}，"
                                 "这是参数本身的范数：请报告梯度的范数 `p.grad.norm()`", name=name, got=value))
            what = (tr("grad_report[{name!r}] with old gradients left in .grad (call model.zero_grad() first)",
                       "grad_report[{name!r}]（.grad 中留有旧梯度；请先调用 model.zero_grad()）", name=name)
                    if stale else f"grad_report[{name!r}]")
            expect_close(value, want, what=what, **F32)

    def test_reports_every_parameter_and_none_for_the_detached_branch(self, kata):
        report, truth, own, _ = self._run(kata, False)
        for name in ("side.weight", "side.bias"):
            expect_true(report[name] is None, tr(
                "grad_report[{name!r}] is {got!r}, expected None: `side` sits behind a .detach(), so its .grad "
                "stays None; report None, not 0.0, so a cut-off branch stands out",
                "grad_report[{name!r}] 是 {got!r}，应为 None：`side` 在 .detach() 之后，它的 .grad 保持 None；"
                "请报告 None 而不是 0.0，这样被切断的分支才显眼", name=name, got=report[name]))
        self._values(report, truth, own, False)

    def test_clears_old_gradients_first(self, kata):
        report, truth, own, events = self._run(kata, True)
        side = report.get("side.weight")
        if side is not None:
            if side == 0.0 and "zero_grad(set_to_none=False)" in events:
                raise Mistake(tr(
                    "grad_report['side.weight'] is 0.0, expected None: zero_grad(set_to_none=False) leaves zero "
                    "tensors in .grad, so a parameter no gradient reached looks like one with a zero gradient; "
                    "use model.zero_grad() (set_to_none=True)",
                    "grad_report['side.weight'] 是 0.0，应为 None：zero_grad(set_to_none=False) 会在 .grad 中留下全零"
                    "张量，使没有梯度到达的参数看起来像梯度为 0；请用 model.zero_grad()（set_to_none=True）"))
            planted = 7.0 * math.sqrt(48)
            if isinstance(side, float) and math.isclose(side, planted, rel_tol=1e-4):
                raise Mistake(tr(
                    "with old gradients left in .grad, grad_report shows {got:.6g} for 'side.weight', the norm of the "
                    "old gradient (this loss gives it none): clear them first with `model.zero_grad()`",
                    ".grad 中留有旧梯度时，grad_report 对 'side.weight' 报告了 {got:.6g}，这是旧梯度的范数"
                    "（这次的损失不会给它梯度）：请先用 `model.zero_grad()` 清除", got=side))
        self._values(report, truth, own, True)
        expect_true(side is None, tr("grad_report['side.weight'] is {got!r}, expected None",
                                     "grad_report['side.weight'] 是 {got!r}，应为 None", got=side))


@KATA.task("find_nan", Text("Find the NaN in backward with anomaly detection", "用异常检测找出反向传播中的 NaN"),
           points=3, hints=HINTS["find_nan"])
class TestFindNanBackward:
    def _judge(self, kata, case: str, want: str | None, formula: str) -> None:
        values = [0.0, *jitter(torch.tensor([0.5, 2.0], dtype=torch.float64), 1.5).tolist()]  # 0: the NaN
        got = kata.run(world.find_nan_facts, case, values)
        name, during = got["name"], got["during_backward"]
        if name != want:
            if want and isinstance(name, str) and want in name:
                raise Mistake(tr("find_nan_backward returned {got!r}: return only the node's name, {want!r}",
                                 "find_nan_backward 返回了 {got!r}：只需返回节点名 {want!r}", got=name, want=want))
            if want and name is None and during and not during[0][0]:
                raise Mistake(tr(
                    "find_nan_backward returned None for {formula}: anomaly detection was off while the backward ran, "
                    "so no error named the node; run it inside `with torch.autograd.detect_anomaly():`",
                    "对 {formula}，find_nan_backward 返回了 None：反向传播时异常检测是关闭的，所以没有报错指出节点；"
                    "请在 `with torch.autograd.detect_anomaly():` 中运行", formula=formula))
            if want and name is None and during and not during[0][1]:
                raise Mistake(tr("find_nan_backward returned None: anomaly detection ran with check_nan=False, "
                                 "which does not look for NaN; keep the default check_nan=True",
                                 "find_nan_backward 返回了 None：异常检测使用了 check_nan=False，不会检查 NaN；"
                                 "请保持默认的 check_nan=True"))
            if case == "log" and name == "SqrtBackward0":
                raise CheckFailed(tr(
                    "find_nan_backward returned {got!r} for {formula} at x = 0, expected {want!r}: read the name from "
                    "the error message, do not hard-code it", "对 x = 0 处的 {formula}，find_nan_backward 返回了 "
                    "{got!r}，应为 {want!r}：请从报错信息中读出名字，不要写死", got=name, want=want, formula=formula))
            raise CheckFailed(tr("find_nan_backward returned {got!r} for {formula}, expected {want!r}",
                                 "对 {formula}，find_nan_backward 返回了 {got!r}，应为 {want!r}",
                                 got=name, want=want, formula=formula))
        if got["anomaly_after"]:
            raise Mistake(tr("anomaly detection is still on after find_nan_backward: use it as a `with` block so it "
                             "is switched off again", "find_nan_backward 之后异常检测仍然开着：请用 `with` 语句，"
                             "让它结束后自动关闭"))

    def test_names_sqrt_backward(self, kata):
        self._judge(kata, "sqrt", "SqrtBackward0", "torch.where(x > 0, x.sqrt(), 0)")

    def test_names_log_backward(self, kata):
        self._judge(kata, "log", "LogBackward0", "torch.where(x > 0, x.log(), 0)")

    def test_returns_none_for_a_clean_backward(self, kata):
        self._judge(kata, "smooth", None, "tanh(x) * 2")


def _on_linear_batches(kata, helper, n: int, size: int) -> tuple[nn.Module, list, dict]:
    """The grader's own seeded nn.Linear(3, 1) and ``n`` batches, and what ``helper`` saw the learner do on
    a copy of them."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(draw_seed())
        model = nn.Linear(3, 1)
        batches = [(torch.randn(size, 3), torch.randn(size, 1)) for _ in range(n)]
    return model, batches, kata.run(helper, model.weight.detach(), model.bias.detach(), batches)


@KATA.task("mean_loss", Text("Bug hunt: a mean loss that keeps the graph", "找 bug：保留了计算图的平均损失"),
           points=2, hints=HINTS["mean_loss"])
class TestMeanLoss:
    def _judge(self, kata, n: int, size: int) -> None:
        __tracebackhide__ = True
        model, batches, got = _on_linear_batches(kata, world.mean_loss_facts, n, size)
        with torch.no_grad():
            losses = torch.tensor([F.mse_loss(model(x), y).item() for x, y in batches], dtype=torch.float64)
        truth = losses.mean().item()
        value = grader.expect_mean_loss(got, truth, len(batches))
        expect_close(value, truth, what=tr("mean_loss(model, batches) over {n} batch(es) of {size}",
                                           "{n} 个大小为 {size} 的批次上的 mean_loss(model, batches)", n=n, size=size),
                     variants=grader.MEAN_LOSS, inputs=(losses, size), **F32)

    def test_returns_a_float_with_the_mean_loss(self, kata):
        self._judge(kata, 4, 5)

    def test_odd_numbers_of_batches_and_a_single_batch(self, kata):
        self._judge(kata, 3 + 2 * int(torch.randint(0, 2, ())), int(torch.randint(2, 8, ())))  # 3 or 5 batches
        self._judge(kata, 1, int(torch.randint(1, 8, ())))  # one batch (of one sample, sometimes)


@KATA.task("train_steps", Text("Bug hunt: training steps that pile up gradients", "找 bug：梯度不断累加的训练步"),
           points=2, hints=HINTS["train_steps"])
class TestTrainSteps:
    def test_three_steps_follow_the_reference(self, kata):
        model, batches, got = _on_linear_batches(kata, world.train_steps_facts, 3, 8)
        truth = sgd_reference(model, batches, F.mse_loss, lr=0.1)
        losses, events = got["losses"], got["events"]
        expect_true(isinstance(losses, list) and len(losses) == 3, tr(
            "train_steps should return a list of 3 losses for 3 batches, but returned {got}",
            "3 个批次时 train_steps 应返回含 3 个损失的列表，实际返回了 {got}", got=describe(losses)))
        if any(isinstance(v, torch.Tensor) for v in losses):
            raise Mistake(tr("train_steps returned loss tensors: append `loss.item()`, a Python float",
                             "train_steps 返回的是损失张量：请改为追加 `loss.item()`，即 Python float"))
        wrong = [n for n, p in model.named_parameters()
                 if not torch.allclose(got["params"][n], p.detach(), rtol=1e-5, atol=1e-5)]
        if wrong:
            grader.expect_no_training_order_mistake(events)
        for i, (value, want) in enumerate(zip(losses, truth)):
            expect_close(value, want, what=f"train_steps(...)[{i}]", **F32)
        for name, p in model.named_parameters():
            expect_close(got["params"][name], p.detach(), what=tr("{name} after 3 steps", "3 步之后的 {name}",
                                                                  name=name), **F32)


@KATA.task("probabilities", Text("Bug hunt: softmax over the wrong dimension", "找 bug：在错误的维度上做 softmax"),
           points=2, hints=HINTS["probabilities"])
class TestClassProbabilities:
    def test_a_batch_of_one_and_odd_sizes(self, kata):
        for shape in ((1, int(torch.randint(3, 8, ()))), (int(torch.randint(2, 5, ())) * 2 + 1, 3)):
            logits = 2 * torch.randn(*shape)
            got = expect_shape(kata.call("class_probabilities", logits), shape,
                               what=tr("class_probabilities(logits of shape {shape})",
                                       "class_probabilities（形状为 {shape} 的 logits）", shape=shape))
            expect_close(got, torch.softmax(logits, dim=1), what=tr(
                "class_probabilities(logits of shape {shape})", "class_probabilities（形状为 {shape} 的 logits）",
                shape=shape), variants=grader.PROBABILITIES, inputs=(logits,))

    def test_rows_sum_to_one_and_match_softmax(self, kata):
        logits = torch.randn(5, 4)
        got = expect_shape(kata.call("class_probabilities", logits), (5, 4), what="class_probabilities(logits)")
        if torch.allclose(got.sum(dim=0), torch.ones(4), atol=1e-5) and \
                not torch.allclose(got.sum(dim=1), torch.ones(5), atol=1e-5):
            raise Mistake(tr("class_probabilities: columns sum to 1 instead of rows, so softmax ran over dim=0 (the "
                             "batch) and each sample depends on the others; use dim=1",
                             "class_probabilities：是每列而不是每行加起来等于 1，说明 softmax 在 dim=0（批次维度）上进行，"
                             "每个样本都依赖其他样本；请用 dim=1"), mistake="debugging.softmax_wrong_dim")
        if math.isclose(got.sum().item(), 1.0, rel_tol=1e-4):
            raise Mistake(tr("class_probabilities: all 20 entries together sum to 1, so the whole batch was "
                             "normalised at once; normalise each row, dim=1",
                             "class_probabilities：全部 20 个元素加起来等于 1，说明整个批次被一起归一化了；"
                             "请对每一行归一化，dim=1"), mistake="debugging.softmax_over_everything")
        if torch.allclose(got.exp().sum(dim=1), torch.ones(5), atol=1e-5):
            raise Mistake(tr("class_probabilities returned log-probabilities (log_softmax): return probabilities, "
                             "F.softmax", "class_probabilities 返回的是对数概率（log_softmax）：请返回概率，F.softmax"), mistake="debugging.log_probabilities")
        rows = got.sum(dim=1)
        expect_true(torch.allclose(rows, torch.ones(5), atol=1e-5), tr(
            "class_probabilities: the rows sum to {sums}, not 1: these are not probabilities over the classes; "
            "use softmax over dim=1", "class_probabilities：各行之和是 {sums}，不是 1：这不是各类别上的概率；"
            "请在 dim=1 上做 softmax", sums=[round(v, 3) for v in rows.tolist()]))
        expect_close(got, torch.softmax(logits, dim=1), what="class_probabilities(logits)",
                     variants=grader.PROBABILITIES, inputs=(logits,))


@KATA.task("accuracy", Text("Bug hunt: torch.max used as a tensor", "找 bug：把 torch.max 的结果当成张量"),
           points=2, hints=HINTS["accuracy"])
class TestAccuracy:
    def test_matches_argmax_accuracy(self, kata):
        logits = torch.randn(20, 5)
        labels = torch.randint(0, 5, (20,))
        labels[:8] = logits[:8].argmax(dim=1)  # some right, some wrong
        truth = (logits.argmax(dim=1) == labels).float().mean().item()
        got = kata.run(world.accuracy_facts, logits, labels)
        calls, value = got["calls"], got.get("value")
        if any(name == "argmax" and dim == 0 for name, dim in calls) or \
                any(name in ("torch.max", "max") and dim == 0 for name, dim in calls):
            raise Mistake(tr("accuracy took the largest entry over dim=0, across the batch: the predicted class "
                             "of each row is `logits.argmax(dim=1)`",
                             "accuracy 在 dim=0（跨批次）上取最大值：每一行的预测类别是 `logits.argmax(dim=1)`"), mistake="debugging.argmax_wrong_dim")
        if got["error"] or isinstance(value, tuple):
            if any(name in ("torch.max", "max") for name, _ in calls):
                raise Mistake(tr(
                    "{error}: `torch.max(logits, 1)` returns a pair (values, indices), not a tensor of classes; take "
                    "`.indices` or use `logits.argmax(dim=1)`",
                    "{error}：`torch.max(logits, 1)` 返回的是一对 (values, indices)，不是类别张量；"
                    "请取 `.indices` 或用 `logits.argmax(dim=1)`", error=got["error"] or describe(value)), mistake="debugging.torch_max_pair")
            raise CheckFailed(tr("accuracy raised {error}", "accuracy 报错：{error}", error=got["error"]))
        if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                math.isclose(value, truth * len(labels), rel_tol=1e-6):
            raise Mistake(tr("accuracy returned {got:.6g}, the number of right answers: divide by the number of "
                             "rows, or use `.mean()`", "accuracy 返回了 {got:.6g}，是答对的个数：请除以行数，或用 "
                             "`.mean()`", got=value), mistake="debugging.count_not_fraction")
        if isinstance(value, int) and not isinstance(value, bool) and value == math.floor(truth):
            raise Mistake(tr("accuracy returned the int {got}: `//` rounds down; divide with `/` or use `.mean()`",
                             "accuracy 返回了整数 {got}：`//` 会向下取整；请用 `/` 或 `.mean()`", got=value), mistake="debugging.integer_division")
        by_values = (logits.max(dim=1).values == labels).float().mean().item()
        if any(n in ("torch.max", "max") for n, _ in calls) and isinstance(value, float) and \
                value == by_values and not math.isclose(value, truth, rel_tol=1e-6):
            raise Mistake(tr("accuracy compared the largest values with the labels: `torch.max(logits, 1)` gives "
                             "(values, indices) and the class is the index; take `[1]` / `.indices`, or use "
                             "`logits.argmax(dim=1)`", "accuracy 把最大值本身和标签比较：`torch.max(logits, 1)` 给出 "
                             "(values, indices)，类别是索引；请取 `[1]` / `.indices`，或用 `logits.argmax(dim=1)`"), mistake="debugging.max_values_not_indices")
        expect_true(isinstance(value, float), tr(
            "accuracy should return a Python float (use `.item()`), but returned {got}",
            "accuracy 应返回 Python float（用 `.item()`），实际返回了 {got}", got=describe(value)))
        expect_close(value, truth, what="accuracy(logits, labels)", **F32)
