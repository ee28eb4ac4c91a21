"""Grader-side verdicts for the debugging kata, kept apart so the kata module stays short.

They run in the grader's process: the models and inputs the checks hand to the learner,
the expected values, and the reading of the observations ``debugging/world.py`` brings
back (returned values, hooks left, the order of calls).  No learner code runs here.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import describe, expect_true
from pytest_torchkata.checks.variants import Variant, Variants
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.debugging import world
from pytest_torchkata.katas.common.seeded import draw_seed


def nan_case(case: str) -> tuple[nn.Module, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(draw_seed())
        model = world.NaNNet({"inf": "exp"}.get(case, case))
        x = torch.randn(8, 4) * (1e4 if case == "inf" else 1.0)  # exp overflows to Inf
    return model, x


def bad_in_run_order(model: nn.Module, x: torch.Tensor, nan_only: bool = False,
                     inputs: bool = False) -> tuple[list, list]:
    """(modules whose output (or, with ``inputs``, first input) is not finite, all modules) in the order
    their forward hooks fire."""
    fired: list[tuple[str, bool]] = []
    handles = [m.register_forward_hook(lambda mod, i, out, name=name: fired.append(
        (name, bool((i[0] if inputs else out).isnan().any() if nan_only else
                    (~(i[0] if inputs else out).isfinite()).any()))))
        for name, m in model.named_modules() if name]
    with torch.no_grad():
        model(x)
    for handle in handles:
        handle.remove()
    return [name for name, bad in fired if bad], [name for name, _ in fired]


def expect_first_bad_module(got: dict, model: nn.Module, x: torch.Tensor, case: str) -> None:
    __tracebackhide__ = True
    name = got["name"]
    bad, order = bad_in_run_order(model, x)
    expect_true(got["ran"] > 0, tr("first_bad_module never ran the model: call `model(x)` once",
                                   "first_bad_module 从未运行模型：请调用一次 `model(x)`"))
    if got.get("returned_module") is not None:
        raise Mistake(tr("first_bad_module returned the module object {got!r} itself: return its name from "
                         "model.named_modules(), a str such as 'block.act'", "first_bad_module 返回的是模块对象 "
                         "{got!r} 本身：请返回它在 model.named_modules() 中的名字，一个 str，例如 'block.act'",
                         got=got["returned_module"]))
    expect_true(name is None or isinstance(name, str), tr(
        "first_bad_module should return a module name (a str) or None, but returned {got}",
        "first_bad_module 应返回模块名（str）或 None，实际返回了 {got}", got=describe(name)))
    truth = bad[0] if bad else None
    if name == truth:
        return
    if case == "inf" and name == next(iter(bad_in_run_order(model, x, nan_only=True)[0]), None):
        raise Mistake(tr(
            "with an overflowing exp the first bad output is Inf in {want!r}, but first_bad_module returned "
            "{got!r}, what a NaN-only test finds: check with `torch.isfinite`, which catches both NaN and Inf",
            "exp 溢出时第一个异常输出是 {want!r} 中的 Inf，而 first_bad_module 返回了 {got!r}，"
            "这正是只检查 NaN 时的结果：请用 `torch.isfinite`，它同时能发现 NaN 和 Inf", want=truth, got=name))
    if truth is None:
        raise CheckFailed(tr("every output is finite here, so first_bad_module should return None, but "
                             "returned {got!r}", "这里每个输出都是有限的，first_bad_module 应返回 None，"
                             "实际返回了 {got!r}", got=name))
    if name is None:
        raise CheckFailed(tr("first_bad_module returned None, but the output of {want!r} holds NaN/Inf",
                             "first_bad_module 返回了 None，但 {want!r} 的输出含有 NaN/Inf", want=truth))
    bad_input = bad_in_run_order(model, x, inputs=True)[0]
    by_input = bool(bad_input) and name == bad_input[0] and name not in bad[:1]
    declared_first = name == next((n for n, _ in model.named_modules() if n in bad), None)
    why = _wrong_module(name, truth, bad, order)
    if why is None:
        raise CheckFailed(tr("first_bad_module returned {got!r}, expected {want!r} (named as in "
                             "model.named_modules())", "first_bad_module 返回了 {got!r}，应为 {want!r}"
                             "（名字取自 model.named_modules()）", got=name, want=truth))
    declared = tr(", not the first name in declaration order", "，而不是声明顺序中的第一个名字") \
        if why == "later" and declared_first else ""
    if declared and by_input:  # the same answer either way: name both
        declared += tr(", and test its `output`, not its inputs", "，并检查它的 `output` 而不是输入")
    raise Mistake(_WRONG_MODULE[why].format(got=name, want=truth, declared=declared))


# what a wrong module name shows, when first_bad_module answered a module other than the first bad one
_WRONG_MODULE = {
    "last": Text(
        "first_bad_module returned {got!r}, the last module whose output is bad; later modules inherit the "
        "NaN from {want!r}: take the first hook that fires, not the last",
        "first_bad_module 返回了 {got!r}，这是最后一个输出异常的模块；后面的模块都继承了 {want!r} 的 NaN："
        "请取第一个触发的钩子，而不是最后一个"),
    "parent": Text(
        "first_bad_module returned {got!r}, which contains {want!r}, where the bad value is made: hook every "
        "entry of model.named_modules() (not only children()); a child finishes before its parent",
        "first_bad_module 返回了 {got!r}，它包含了真正产生异常值的 {want!r}：请给 model.named_modules() 的"
        "每个条目注册钩子（不只是 children()）；子模块先于父模块完成"),
    "later": Text(
        "first_bad_module returned {got!r}, which runs after {want!r}, whose output is already bad; later "
        "modules inherit the NaN, so take the first hook that fires{declared}",
        "first_bad_module 返回了 {got!r}，它在 {want!r} 之后运行，而 {want!r} 的输出已经异常；后面的模块"
        "都会继承 NaN，所以请取第一个触发的钩子{declared}"),
    "finite": Text(
        "first_bad_module returned {got!r}, whose output is finite: the test is the wrong way round; return "
        "the first module whose output is not all finite",
        "first_bad_module 返回了 {got!r}，它的输出是有限的：判断条件写反了；请返回第一个输出不全是有限值的模块"),
}


def _wrong_module(name: str, truth: str, bad: list, order: list) -> str | None:
    """Which mistake (a key of ``_WRONG_MODULE``) the answer ``name`` shows; None when none is known."""
    if len(bad) > 1 and name == bad[-1]:
        return "last"
    if truth.startswith(name + "."):
        return "parent"
    if name in bad:
        return "later"
    return "finite" if name in order else None


def expect_mean_loss(got: dict, truth: float, n: int) -> float:
    __tracebackhide__ = True
    value = got["value"]
    if isinstance(value, torch.Tensor):
        raise Mistake(tr(
            "mean_loss returned {got}{extra}: `total += loss` keeps a tensor; add `loss.item()` so a plain float "
            "comes back", "mean_loss 返回了 {got}{extra}：`total += loss` 得到的是张量；请加 `loss.item()`，"
            "这样返回的是普通 float", got=describe(value),
            extra=tr(" that still holds the autograd graph of every batch", "，它仍然持有每个批次的计算图")
            if got["graph"] else ""))
    expect_true(isinstance(value, float), tr("mean_loss should return a Python float, but returned {got}",
                                             "mean_loss 应返回 Python float，实际返回了 {got}",
                                             got=describe(value)))
    if got["combined"]:
        raise Mistake(tr(
            "mean_loss added the loss tensors together ({ops}) and turned the sum into a number only at the end: "
            "until then it holds the autograd graph of every batch; add `loss.item()` per batch",
            "mean_loss 先把损失张量加在一起（{ops}），到最后才转成数字：在那之前它持有每个批次的计算图；"
            "请每个批次加 `loss.item()`", ops=", ".join(sorted(set(got["combined"])))))
    if got["alive_old"]:
        raise Mistake(tr(
            "mean_loss keeps the loss tensors of earlier batches alive (in a list?) while it goes on: each holds "
            "its batch's autograd graph; keep `loss.item()` instead",
            "mean_loss 在继续计算时保留着之前批次的损失张量（放在列表里？）：每个都持有它那个批次的计算图；"
            "请改为保存 `loss.item()`"))
    if n > 1 and math.isclose(value, truth * n, rel_tol=1e-5):  # one batch: its sum is its mean
        raise Mistake(tr("mean_loss returned {got:.6g}, the sum over {n} batches: divide by len(batches)",
                         "mean_loss 返回了 {got:.6g}，是 {n} 个批次的总和：请除以 len(batches)",
                         got=value, n=n), mistake="debugging.sum_not_mean")
    if value == math.floor(truth) and value != truth:
        raise Mistake(tr("mean_loss returned {got:.6g}: `//` rounds down; divide with `/`",
                         "mean_loss 返回了 {got:.6g}：`//` 会向下取整；请用 `/` 做除法", got=value),
                      mistake="debugging.integer_division")
    return value


def expect_no_training_order_mistake(events: list) -> None:
    """Name the step-order mistake the logged calls show, when the parameters came out wrong."""
    __tracebackhide__ = True
    if "step" not in events:
        raise Mistake(tr("train_steps never called optimizer.step(): backward() only computes gradients; "
                         "step() applies them", "train_steps 从未调用 optimizer.step()：backward() 只计算梯度，"
                         "step() 才会更新参数"))
    if "zero_grad" not in events:
        raise Mistake(tr(
            "train_steps never clears the gradients, so they are piling up across steps and each step follows "
            "their sum: call optimizer.zero_grad() before each backward",
            "train_steps 从不清除梯度，梯度在各步之间不断累加，每一步都沿着它们的总和走："
            "请在每次 backward 之前调用 optimizer.zero_grad()"))
    order = [e for e in events if e in ("zero_grad", "backward", "step")]
    if "backward" not in order:
        raise Mistake(tr("train_steps never called loss.backward(), so there were no gradients to step with",
                         "train_steps 从未调用 loss.backward()，所以 step 时没有梯度可用"))
    if any(a == "backward" and b == "zero_grad" and c == "step" for a, b, c in zip(order, order[1:],
                                                                                 order[2:])):
        raise Mistake(tr(
            "train_steps calls zero_grad() between backward() and step(), which erases the gradients before "
            "step() uses them: the order is zero_grad, forward, loss, backward, step",
            "train_steps 在 backward() 和 step() 之间调用了 zero_grad()，在 step() 使用梯度之前就把它擦掉了："
            "正确顺序是 zero_grad、前向、损失、backward、step"))
    if 0 < order.count("zero_grad") < order.count("backward"):
        raise Mistake(tr(
            "train_steps cleared the gradients {z} time(s) for {b} backward passes, so later steps follow the sum "
            "of several batches' gradients: call optimizer.zero_grad() inside the loop, once per batch",
            "train_steps 对 {b} 次反向传播只清除了 {z} 次梯度，后面的步沿着多个批次梯度的总和走："
            "请在循环里、每个批次调用一次 optimizer.zero_grad()", z=order.count("zero_grad"), b=order.count("backward")))
    if order.index("step") < order.index("backward"):
        raise Mistake(tr("train_steps calls step() before backward(), so each step uses the previous batch's "
                         "gradients: backward first, then step",
                         "train_steps 在 backward() 之前调用 step()，每一步用的都是上一个批次的梯度："
                         "先 backward，再 step"))


# the mean loss over the batches, from (the per-batch losses, the batch size): its classic slips
MEAN_LOSS = Variants(
    Variant("debugging.divided_by_last_index", lambda losses, size: losses.sum() / (len(losses) - 1),
            Text("the sum of the batch losses was divided by the last index of enumerate, len(batches) - 1 (an "
                 "off-by-one: `for i, ... in enumerate(batches)` ends at i = len - 1)",
                 "批次损失之和除以了 enumerate 的最后一个下标 len(batches) - 1（差一错误："
                 "`for i, ... in enumerate(batches)` 结束时 i = len - 1）"),
            hint=Text("divide by the number of batches, len(batches) (or i + 1)",
                      "请除以批次数 len(batches)（或 i + 1）")),
    Variant("debugging.last_batch_loss", lambda losses, size: losses[-1],
            Text("only the last batch's loss came back (the total was overwritten, `total = loss.item()`?)",
                 "只返回了最后一个批次的损失（总和被覆盖了，`total = loss.item()`？）"),
            hint=Text("add each batch's loss to the total: `total += loss.item()`",
                      "把每个批次的损失加到总和上：`total += loss.item()`")),
    Variant("debugging.divided_by_batch_size", lambda losses, size: losses.sum() / size,
            Text("the sum of the batch losses was divided by the batch size, not by the number of batches "
                 "(each batch loss is already a mean over its batch)",
                 "批次损失之和除以的是批大小，而不是批次数（每个批次的损失本身已是该批次的平均）")),
    Variant("debugging.first_batch_loss", lambda losses, size: losses[0],
            Text("only the first batch's loss came back (a `return` inside the loop?)",
                 "只返回了第一个批次的损失（循环里有 `return`？）")),
)

# probabilities from logits (N, C): the classic slips of a softmax
PROBABILITIES = Variants(
    Variant("debugging.softmax_wrong_dim", lambda logits: torch.softmax(logits, dim=0),
            Text("softmax ran over dim=0 (the batch), so columns sum to 1 and each sample depends on the others",
                 "softmax 在 dim=0（批次维度）上进行，每列加起来是 1，每个样本都依赖其他样本"),
            hint=Text("softmax over the classes: F.softmax(logits, dim=1)", "在类别维度上做 softmax：F.softmax(logits, dim=1)")),
    Variant("debugging.softmax_over_everything", lambda logits: torch.softmax(logits.flatten(), 0).view_as(logits),
            Text("the whole batch was normalised at once (all entries together sum to 1)",
                 "整个批次被一起归一化了（全部元素加起来等于 1）")),
    Variant("debugging.log_probabilities", lambda logits: torch.log_softmax(logits, dim=1),
            Text("log-probabilities (log_softmax) came back instead of probabilities",
                 "返回的是对数概率（log_softmax），而不是概率")),
    Variant("debugging.sigmoid_not_softmax", lambda logits: torch.sigmoid(logits),
            Text("each logit went through a sigmoid on its own, so the rows do not sum to 1",
                 "每个 logit 各自做了 sigmoid，所以每行加起来不是 1"),
            hint=Text("classes that exclude each other share a softmax over dim=1",
                      "互斥的类别要在 dim=1 上一起做 softmax")),
    Variant("debugging.normalised_without_exp", lambda logits: logits / logits.sum(dim=1, keepdim=True),
            Text("the logits were divided by their row sum without exp first (negative 'probabilities')",
                 "没有先取 exp 就把 logits 除以了行和（会出现负的“概率”）")),
)
