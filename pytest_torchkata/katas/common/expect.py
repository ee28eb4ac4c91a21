"""Grader side of the training-step probes shared by several katas: the ``expect_*``
helpers read what ``katas.common.observe`` saw in the learner's process against
expectations computed here, and raise ``Mistake`` only for what was observed.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.training import STALE_GRAD
from pytest_torchkata.checks.values import describe, expect_close
from pytest_torchkata.i18n import Text, tr


def expect_float_loss(got: dict, what: str) -> float:
    """The step's loss must be a Python float (``loss.item()``), never the loss tensor."""
    __tracebackhide__ = True
    if got.get("error"):
        expect_graph_reached(got["events"], what, tr("the parameters", "参数"))
    value = got["loss"]
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return float(value)
    if isinstance(value, torch.Tensor):
        raise Mistake(tr("{what} returned the loss tensor ({kind}), not a Python float: a tensor keeps "
                         "its whole graph alive as long as it is kept; return `loss.item()`",
                         "{what} 返回了损失张量（{kind}）而不是 Python 浮点数：张量会让整个计算图一直"
                         "留在内存里；请返回 `loss.item()`", what=what, kind=describe(value)))
    raise CheckFailed(tr("{what} should return the loss as a Python float, but returned {kind}",
                         "{what} 应以 Python 浮点数返回损失，但返回了 {kind}", what=what, kind=describe(value)))


def _zero(g: Any) -> bool:
    return g is None or (isinstance(g, torch.Tensor) and not bool(g.any()))


# why no gradient reached the parameters, by the first backward event seen, most telling first
_NO_GRAD_CAUSES: list[tuple[str, Text]] = [
    ("backward_no_grad", Text(
        "{what} called backward() on a loss that does not require grad, so no gradient reached "
        "{names}: it was computed under torch.no_grad() or from a `.detach()`ed tensor; build it "
        "from model(x) with autograd on",
        "{what} 对一个不需要梯度的损失调用了 backward()，所以梯度没有到达 {names}：它是在 "
        "torch.no_grad() 中、或由 `.detach()` 过的张量算出来的；请在开启 autograd 时由 model(x) "
        "计算损失")),
    ("backward_on_leaf", Text(
        "{what} called backward() on a tensor with no history, so no gradient reached "
        "{names}: a loss rebuilt as a new tensor (e.g. `torch.tensor(loss.item(), "
        "requires_grad=True)`) is cut off from the graph; call backward() on the loss "
        "itself",
        "{what} 在一个没有计算历史的张量上调用了 backward()，所以梯度没有到达 {names}："
        "把损失重新包成新张量（例如 `torch.tensor(loss.item(), requires_grad=True)`）"
        "会切断计算图；请直接对损失本身调用 backward()")),
    ("backward", Text(
        "{what} called backward(), but no gradient reached {names}: the loss is not "
        "connected to them (a `.detach()`, `.data` or `.item()` between them and the loss)",
        "{what} 调用了 backward()，但梯度没有到达 {names}：损失与它们之间的计算图断开了"
        "（中间有 `.detach()`、`.data` 或 `.item()`）")),
]


def expect_graph_reached(events: list, what: str, names: str) -> None:
    """backward ran, on the loss's graph, and gradients reached the parameters."""
    __tracebackhide__ = True
    if "grad" in events:
        return
    for event, message in _NO_GRAD_CAUSES:
        if event in events:
            raise Mistake(message.format(what=what, names=names))
    raise Mistake(tr("{what} never called loss.backward(), so {names} got no gradient",
                     "{what} 没有调用 loss.backward()，所以 {names} 没有得到梯度", what=what, names=names))


def expect_optimizer_used(got: dict, what: str) -> None:
    """The given optimizer's step ran, after backward, and saw a gradient."""
    __tracebackhide__ = True
    events = got["events"]
    if "forward" not in events:
        raise Mistake(tr("{what} never called the model as `model(x)`; `model.forward(x)` skips hooks "
                         "(the model's own and every tool's): call the model itself",
                         "{what} 没有以 `model(x)` 的方式调用模型；`model.forward(x)` 会跳过钩子"
                         "（模型自己的和各种工具的）：请直接调用模型", what=what))
    expect_graph_reached(events, what, tr("the model's parameters", "模型的参数"))
    if "step" not in events:
        raise Mistake(tr("{what} never called step() on the optimizer it was given: backward() only "
                         "computes gradients, optimizer.step() applies them",
                         "{what} 没有调用传入的优化器的 step()：backward() 只计算梯度，"
                         "optimizer.step() 才更新参数", what=what))
    # a step(closure) runs the backward inside the step: its gradients arrive before "stepped"
    if "stepped" in events and events.index("stepped") < events.index("grad"):
        raise Mistake(tr("{what} called optimizer.step() before loss.backward(): the step applied the gradients "
                         "that were there before (none on the first step, the last step's after that); the order "
                         "is zero_grad, forward, loss, backward, step",
                         "{what} 在 loss.backward() 之前调用了 optimizer.step()：这一步用的是之前留下的梯度"
                         "（第一步没有梯度，之后是上一步的）；正确顺序是 zero_grad、前向、损失、backward、step",
                         what=what))
    last_grad = max(i for i, e in enumerate(events) if e == "grad")
    first_step = events.index("step")
    cleared = "zero_grad" in events[last_grad:first_step]
    if cleared and all(_zero(g) for g in (got["grads_at_step"] or {}).values()):
        raise Mistake(tr("{what} called zero_grad() between backward() and step(): the step saw no "
                         "gradient, so the weights did not move; the order is zero_grad, forward, loss, "
                         "backward, step",
                         "{what} 在 backward() 和 step() 之间调用了 zero_grad()：step() 看不到梯度，"
                         "所以权重没有变化；正确顺序是 zero_grad、前向、损失、backward、step", what=what))


def graded_step(kata: Any, helper: Callable, x: torch.Tensor, y: torch.Tensor, lr: float,
                what: str = "train_step") -> tuple[dict, float]:
    """Check side: one observed optimizer step (``helper`` wraps ``observe_optimizer_step``),
    read for the classic ordering mistakes; the observation and the loss it returned."""
    __tracebackhide__ = True
    got = kata.run(helper, x, y, lr, False)
    expect_optimizer_used(got, what)
    return got, expect_float_loss(got, what)


def expect_grads_not_stale(grads: dict, fresh: dict, what: str, fix: str, untouched_ok: bool = False) -> None:
    """With STALE_GRAD planted in every ``.grad`` before the step: afterwards each
    gradient is None or zero (cleared after the step) or the fresh one (cleared before
    backward); the fresh one plus STALE_GRAD means it was never cleared. With
    ``untouched_ok``, a ``.grad`` still holding exactly the planted value passes too (a step
    that takes its gradients from ``torch.autograd.grad`` never adds into ``.grad``)."""
    __tracebackhide__ = True
    piled, other = [], []
    for name, g in grads.items():
        want = fresh[name]
        if _zero(g) or (g.shape == want.shape and torch.allclose(g, want, rtol=1e-4, atol=1e-5)):
            continue
        if untouched_ok and bool((g == STALE_GRAD).all()):
            continue
        (piled if g.shape == want.shape and torch.allclose(g, want + STALE_GRAD, rtol=1e-4, atol=1e-3)
         else other).append(f"{name}.grad")
    if piled:
        raise Mistake(tr("after {what}, {names} still held the stale gradient the grader put there "
                         "({stale:g}) plus the new one: gradients add up across backward calls until "
                         "they are cleared; {fix}",
                         "{what} 之后，{names} 里仍是评分器预先放入的旧梯度（{stale:g}）加上新梯度："
                         "每次 backward 都会把梯度累加进去，直到清零为止；{fix}",
                         what=what, names=" and ".join(piled), stale=STALE_GRAD, fix=fix))
    if other:
        raise CheckFailed(tr("after {what}, {names} is neither cleared nor this step's gradient",
                             "{what} 之后，{names} 既没有清零，也不是这一步的梯度",
                             what=what, names=" and ".join(other)))


def expect_manual_update(got: dict, start: list, grads: list, lr: float, names: list,
                         what: str, var: str = "p") -> None:
    """A by-hand gradient-descent step: ``p -= lr * p.grad`` on the caller's own tensors."""
    __tracebackhide__ = True
    both = ", ".join(names)
    if not all(got["same"]):
        raise Mistake(tr("{what} put new tensors in place of the parameters it was given: update the "
                         "caller's tensors in place (`p -= lr * p.grad` under torch.no_grad())",
                         "{what} 用新张量替换了传入的参数：请原地更新调用者的张量"
                         "（在 torch.no_grad() 中写 `p -= lr * p.grad`）", what=what))
    if not all(got["requires_grad"]):
        raise Mistake(tr("after {what}, a parameter no longer requires grad: keep requires_grad=True and "
                         "change only the values, in place under torch.no_grad()",
                         "{what} 之后，有参数不再 requires_grad：保持 requires_grad=True，只在 "
                         "torch.no_grad() 中原地修改数值", what=what))
    if not all(got["leaf"]):
        raise Mistake(tr("after {what}, a parameter is no longer a leaf tensor: update it in place under "
                         "torch.no_grad()", "{what} 之后，有参数不再是叶子节点：请在 torch.no_grad() 中原地更新",
                         what=what))
    values = got["values"]
    if all(torch.equal(v, s) for v, s in zip(values, start)):
        if "grad" not in got["events"]:
            expect_graph_reached(got["events"], what, both)
        if all(_zero(g) for g in got["grads"]):
            raise Mistake(tr("after {what}, {names} hold their starting values and their .grad was "
                             "cleared: the gradient was cleared before the update used it; clear it after "
                             "the update", "{what} 之后，{names} 仍是初始值，且 .grad 已被清空：梯度在被更新"
                             "使用之前就清掉了；请在更新之后再清零", what=what, names=both))
        raise Mistake(tr("after {what}, {names} hold their starting values (unchanged) although their "
                         ".grad holds this step's gradient: the update never reached the caller's tensors; "
                         "`{p} = {p} - lr * {p}.grad` makes a new tensor and only rebinds the name {p}, so "
                         "update in place: `{p} -= lr * {p}.grad` under torch.no_grad()",
                         "{what} 之后，{names} 仍是初始值（没有变化），而它们的 .grad 里已有这一步的梯度："
                         "更新没有作用到调用者的张量上；`{p} = {p} - lr * {p}.grad` 会创建新张量，只是重新"
                         "绑定了名字 {p}，请原地更新：在 torch.no_grad() 中写 `{p} -= lr * {p}.grad`",
                         what=what, names=both, p=var))
    uphill = [s + lr * g for s, g in zip(start, grads)]
    if all(torch.allclose(v.double(), u.double(), rtol=1e-4, atol=1e-7) for v, u in zip(values, uphill)):
        raise Mistake(tr("after {what}, {names} moved WITH the gradient (uphill): gradient descent "
                         "subtracts it: `{p} -= lr * {p}.grad`",
                         "{what} 之后，{names} 顺着梯度方向移动了（上坡）：梯度下降要减去梯度："
                         "`{p} -= lr * {p}.grad`", what=what, names=both, p=var))
    for name, v, s, g in zip(names, values, start, grads):
        expect_close(v, (s - lr * g).to(v.dtype), rtol=1e-4, atol=1e-6,
                     what=tr("`{name}` after one step of {what} (lr {lr:g})",
                             "{what} 一步之后的 `{name}`（lr {lr:g}）", name=name, what=what, lr=lr))


def expect_own_generator(got: dict, what: str) -> None:
    """Check side: a function told to use its own ``torch.Generator`` left torch's global one alone."""
    __tracebackhide__ = True
    if not torch.equal(got["before"], got["after"]):
        raise Mistake(tr("{what} changed torch's global random state: `torch.manual_seed(seed)`, or a random "
                         "call without `generator=g`, uses (and moves) the generator every other piece of "
                         "code shares; make `g = torch.Generator().manual_seed(seed)` and pass `generator=g` "
                         "to every random call",
                         "{what} 改变了 torch 的全局随机状态：`torch.manual_seed(seed)` 或不带 `generator=g` "
                         "的随机调用，会使用（并推进）所有代码共享的那个生成器；请创建 "
                         "`g = torch.Generator().manual_seed(seed)`，并在每个随机调用中传入 `generator=g`",
                         what=what))


def expect_mean_not_sum(out: Any, want: torch.Tensor, n: int, what: str) -> None:
    """Check side: a loss that should average over a batch of ``n`` did not sum instead."""
    __tracebackhide__ = True
    if isinstance(out, torch.Tensor) and out.shape == () and torch.allclose(out, want * n, rtol=1e-4):
        raise Mistake(tr("{what} returned the SUM over the batch ({got:.4g}), expected the mean ({want:.4g}): "
                         "`.mean()`, so the loss does not grow with the batch size",
                         "{what} 返回的是整个批次的和（{got:.4g}），应为平均值（{want:.4g}）：用 `.mean()`，"
                         "这样损失不会随批次大小变化", what=what, got=float(out), want=float(want)))


def expect_connected(connected: bool, what: str, wrt: str) -> None:
    """Check side: a loss the learner wrote is still part of the graph of its input."""
    __tracebackhide__ = True
    if not connected:
        raise Mistake(tr("{what} is not connected to {wrt}'s graph (it does not require grad): keep it a torch "
                         "computation (no .item(), .detach() or torch.tensor(...))",
                         "{what} 没有连到 {wrt} 的计算图上（它不需要梯度）：请全程使用 torch 运算"
                         "（不要 .item()、.detach() 或 torch.tensor(...)）", what=what, wrt=wrt))


def expect_inputs_kept(got: dict, sent: list, what: str, names: list) -> None:
    """Check side: no input changed while the learner's function ran (compared with a copy)."""
    __tracebackhide__ = True
    for name, before, after in zip(names, sent, got["inputs"]):
        if isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor) and \
                before.shape == after.shape and not torch.equal(before, after):
            raise Mistake(tr("{what} changed its input `{name}` in place (the caller's tensor is no longer "
                             "what was passed in): use out-of-place operations (`x = x - m`, not `x -= m`)",
                             "{what} 原地修改了输入 `{name}`（调用者的张量已不是传入时的样子）：请使用非原地"
                             "操作（写 `x = x - m`，而不是 `x -= m`）", what=what, name=name))



# -- the model's mode in each phase (events: "train" / "eval" for each model.train(mode) call, and
# ("forward", training, grad_enabled) for each forward, as a kata's world records them) -----------

def switches_before_wrong_forward(modes: list, training: bool, grad: bool | None = None) -> list | None:
    """The mode switches made before the first forward whose mode is ``training`` (and, unless
    None, whose grad mode is ``grad``), or None when no forward was in that mode."""
    for i, event in enumerate(modes):
        if isinstance(event, (tuple, list)) and event[1] == training and (grad is None or event[2] == grad):
            return [e for e in modes[:i] if isinstance(e, str)]
    return None


def expect_evaluated_in_eval_mode(modes: list, kata: str, what: str = "evaluate") -> None:
    """Every forward of an evaluation ran in eval mode; a training-mode one is named by the switches
    seen before it: an eval() undone by a train() (inside the loop?), or no eval() at all."""
    __tracebackhide__ = True
    before = switches_before_wrong_forward(modes, training=True)
    if before is None:
        return
    if "eval" in before and before[-1] == "train":
        raise Mistake(tr("{what} called model.eval(), but then model.train() ran before the model did (inside "
                         "the loop?), so the model ran in training mode and dropout was dropping units: call "
                         "model.train() at most once, after the loop",
                         "{what} 调用了 model.eval()，但随后在运行模型之前又调用了 model.train()（在循环里？），"
                         "所以模型在训练模式下运行，dropout 仍在丢弃神经元：model.train() 最多在循环结束后调用一次",
                         what=what), mistake=f"{kata}.train_inside_evaluation")
    raise Mistake(tr("the model was in training mode during {what} and model.eval() was never called before it "
                     "ran, so dropout was dropping units: call model.eval() first",
                     "{what} 期间模型处于训练模式，而且运行前从未调用 model.eval()，dropout 仍在丢弃神经元："
                     "请先调用 model.eval()", what=what), mistake=f"{kata}.evaluate_in_training_mode")


def expect_trained_in_training_mode(modes: list, kata: str, what: str = "fit", given: str = "") -> None:
    """Every training forward (autograd on) ran in training mode; named by the switches before it.
    ``given``: how the model came in, when it came in eval mode (said when no train() ran at all)."""
    __tracebackhide__ = True
    before = switches_before_wrong_forward(modes, training=False, grad=True)
    if before is None:
        return
    if "eval" in before:
        why = tr("after a model.eval() (a validation?), no model.train() ran before these steps",
                 "在 model.eval()（验证？）之后，这些训练步之前没有运行 model.train()")
    else:
        why = tr("model.train() never ran{given}", "从未运行 model.train(){given}",
                 given=tr(" and the model came in eval mode ({given})", "，而模型传入时处于 eval 模式（{given}）",
                          given=given) if given else "")
    raise Mistake(tr("{what} trained with the model in eval mode: {why}, so dropout and batch norm behaved as in "
                     "evaluation while learning; call model.train() at the start of every epoch",
                     "{what} 在模型处于 eval 模式时进行了训练：{why}，所以学习时 dropout 和 batch norm 的行为和"
                     "评估时一样；请在每个 epoch 开始时调用 model.train()", what=what, why=why),
                  mistake=f"{kata}.fit_in_eval_mode")
