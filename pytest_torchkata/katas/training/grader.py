"""Grader side of the training kata: fresh starting states, data, and the diagnoses the checks
share.  Nothing here runs learner code: it reads the observations the ``training/world.py``
helpers returned and names a mistake only when they show it.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from pytest_torchkata.checks.errors import CheckFailed, LearnerError, Mistake
from pytest_torchkata.checks.values import describe, expect_float, expect_true
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.common.seeded import draw_seed
from pytest_torchkata.katas.training import world


def start(**kwargs) -> tuple[nn.Module, dict]:
    """A classifier with fresh weights and its state, to hand the learner the same starting point."""
    net = world.classifier(**kwargs)
    return net, {k: v.detach().clone() for k, v in net.state_dict().items()}


def close(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(u is not None and torch.allclose(u, v, rtol=1e-4, atol=1e-5) for u, v in zip(a, b))


def mistake_in_accuracy(value: float, logits: torch.Tensor, labels: torch.Tensor, raw=None, *,
                        what: str, want: float) -> Mistake | None:
    """The named mistake an accuracy of ``value`` (``want`` expected) shows, or None."""
    named, mistake = _accuracy_words(value, logits, labels, raw)
    if not named:
        return None
    return Mistake(tr("{what} is {got:.4g}, expected {want:.4g}; {named}", "{what} 是 {got:.4g}，应为 {want:.4g}；"
                      "{named}", what=what, got=value, want=want, named=named), mistake=mistake)


def _accuracy_words(value: float, logits: torch.Tensor, labels: torch.Tensor, raw=None) -> tuple[str, str]:
    """The classic mistake ``value`` shows, in words, and its id; ("", "") when none."""
    n, pred = len(labels), logits.argmax(dim=1)
    right = (pred == labels).float().mean().item()
    if logits.shape[0] == logits.shape[1]:
        wrong_dim = (logits.argmax(dim=0) == labels).float().mean().item()
        if math.isclose(value, wrong_dim) and not math.isclose(value, right):
            return tr("that is argmax over dim=0 (down the batch): take it over dim=1 (across the classes)",
                      "这是沿 dim=0（沿批次方向）取的 argmax：应沿 dim=1（沿类别方向）取"), "training.argmax_wrong_dim"
    column = (pred.unsqueeze(1) == labels).float().mean().item()
    if math.isclose(value, column) and not math.isclose(value, right):
        return tr("that compares a (N, 1) column with the (N,) labels, which broadcasts to an (N, N) table: keep "
                  "the predictions 1-D (no keepdim=True), or use pred.view_as(labels)",
                  "这是把 (N, 1) 的列与 (N,) 的 labels 比较，广播成了 (N, N) 的表：让预测保持一维（不要 keepdim=True），"
                  "或用 pred.view_as(labels)"), "training.keepdim_broadcast"
    if value > 1 and float(value).is_integer() and value <= n:
        return tr("that looks like the number of correct rows: divide by N ({n})",
                  "这看起来是预测正确的行数：请除以 N（{n}）", n=n), "training.count_not_fraction"
    if value == 0 and 0 < right < 1 and isinstance(raw, int) and not isinstance(raw, bool):
        return tr("that is integer division: `correct // n` rounds down to 0; divide with `/`",
                  "这是整数除法：`correct // n` 向下取整成了 0；请用 `/` 相除"), "training.integer_division"
    if 1 < value <= 100 and math.isclose(value, 100 * right):
        return tr("that is a percentage: return a fraction between 0 and 1", "这是百分数：请返回 0 到 1 之间的比例"), "training.percentage"
    return "", ""


def blobs(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Three well-separated Gaussian classes in 4-D."""
    y = torch.arange(n) % 3
    return 3.0 * torch.eye(3, 4)[y] + torch.randn(n, 4, generator=generator), y


def expect_history(history, epochs: int) -> dict:
    __tracebackhide__ = True
    if not isinstance(history, dict):
        raise CheckFailed(tr("fit should return a dict of lists, but returned {got}",
                             "fit 应返回由列表组成的 dict，实际返回了 {got}", got=describe(history)))
    for key in ("train_loss", "val_loss", "val_acc"):
        values = history.get(key)
        expect_true(isinstance(values, list), tr("fit's history has no list under {key!r} (keys: {keys})",
                                                 "fit 的 history 里没有 {key!r} 对应的列表（现有键：{keys}）",
                                                 key=key, keys=sorted(map(str, history))))
        expect_true(len(values) == epochs, tr("history[{key!r}] has {n} value(s) for {epochs} epochs; append one per "
                                              "epoch", "{epochs} 个 epoch 里 history[{key!r}] 有 {n} 个值；每个 epoch "
                                              "追加一个", key=key, n=len(values), epochs=epochs))
        for v in values:
            expect_float(v, what=tr("each entry of history[{key!r}]", "history[{key!r}] 的每一项", key=key))
    return history


def mistake_in_epoch_loss(value: float, losses: list[float], samples: int, said: Text) -> Mistake | None:
    """The named mistake a mean epoch loss of ``value`` shows, or None; ``said`` words it
    around ``{got}`` (the value) and ``{named}`` (what the mistake is)."""
    named, mistake = _epoch_words(value, losses, samples)
    return Mistake(said.format(got=value, named=named), mistake=mistake) if named else None


def _epoch_words(value: float, losses: list[float], samples: int) -> tuple[str, str]:
    """What a wrong mean epoch loss shows, in words, and the mistake's id; ("", "") when none."""
    total, mean = sum(losses), sum(losses) / len(losses)
    if math.isclose(value, mean, rel_tol=1e-4):
        return "", ""
    if math.isclose(value, total, rel_tol=1e-4):
        return tr("the sum of the {n} batch losses; divide by the number of batches",
                  "这是 {n} 个批次损失之和；请除以批次数", n=len(losses)), "training.sum_not_mean"
    if len(losses) > 1 and math.isclose(value, total / (len(losses) - 1), rel_tol=1e-4):
        return tr("the sum of the {n} batch losses divided by {last}, the last index of enumerate (an off-by-one: "
                  "`for i, ... in enumerate(loader)` ends at i = len - 1); divide by the number of batches, "
                  "len(loader) (or i + 1)",
                  "这是 {n} 个批次损失之和除以 {last}，即 enumerate 的最后一个下标（差一错误："
                  "`for i, ... in enumerate(loader)` 结束时 i = len - 1）；请除以批次数 len(loader)（或 i + 1）",
                  n=len(losses), last=len(losses) - 1), "training.divided_by_last_index"
    if math.isclose(value, losses[-1], rel_tol=1e-4):
        return tr("the last batch's loss; return the mean over all batches",
                  "这是最后一个批次的损失；请返回所有批次的平均值"), "training.last_batch_loss"
    if math.isclose(value, total / samples, rel_tol=1e-4):
        return tr("the sum of the batch losses divided by the {n} samples; each batch loss is already a mean over "
                  "its batch, so divide by the number of batches, len(loader)",
                  "这是批次损失之和除以 {n} 个样本；每个批次的损失本身已是该批次的平均，所以应除以批次数 len(loader)",
                  n=samples), "training.divided_by_samples"
    return "", ""


def accumulating_reference(state: dict, x: torch.Tensor, y: torch.Tensor, batch: int, lr: float) -> list:
    """The parameters after an epoch of SGD steps that never clear ``.grad`` (the missing-zero_grad loop)."""
    net = world.loaded(world.classifier(), state)
    params = list(net.parameters())
    for xb, yb in zip(x.split(batch), y.split(batch)):
        nn.functional.cross_entropy(net(xb), yb).backward()  # adds to the gradients already there
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-lr)
    return [p.detach() for p in params]


def expect_grads_cleared_each_batch(after: list, accumulated: list, right: list) -> None:
    """Names an epoch whose parameters moved exactly as if the gradients were never cleared."""
    __tracebackhide__ = True
    if isinstance(after, list) and len(after) == len(right) and close(after, accumulated) and not close(after, right):
        raise Mistake(tr("the parameters after the epoch are those of steps whose gradients were never cleared: each "
                         "batch's gradients were added to all the earlier ones; call optimizer.zero_grad() before "
                         "every batch's backward()", "这个 epoch 之后的参数，正是从不清零梯度时得到的结果：每个批次的"
                         "梯度都被加到了之前所有批次的梯度上；请在每个批次的 backward() 之前调用 optimizer.zero_grad()"), mistake="training.grads_never_cleared")


def expect_not_swapped(loss: float, acc: float, ref: dict) -> None:
    """Names ``evaluate`` returning (accuracy, loss) instead of (loss, accuracy)."""
    __tracebackhide__ = True
    means = (ref["sample_loss"], sum(ref["losses"]) / len(ref["losses"]))
    if math.isclose(loss, ref["acc"], abs_tol=1e-6) and any(math.isclose(acc, m, rel_tol=1e-4) for m in means):
        raise Mistake(tr("evaluate returned (accuracy, loss): the order is (mean loss, accuracy)",
                         "evaluate 返回的是 (准确率, 损失)：顺序应为 (平均损失, 准确率)"), mistake="training.loss_accuracy_swapped")


def expect_single_backward(grads: list, fresh: list) -> None:
    """Names gradients that are exactly twice the right ones (backward ran twice on one loss)."""
    __tracebackhide__ = True
    if len(grads) == len(fresh) and close(grads, [2 * f for f in fresh]):
        raise Mistake(tr("every gradient is twice the right one: backward() ran twice on the same loss (gradients "
                         "add up); call loss.backward() once per step", "每个梯度都正好是正确值的两倍：对同一个损失"
                         "调用了两次 backward()（梯度会累加）；每一步只调用一次 loss.backward()"), mistake="training.backward_twice")


def expect_validated_in_eval(seen: list) -> None:
    """Names validation forwards (run without gradients) made with the model still in training mode."""
    __tracebackhide__ = True
    if any(training and not grad for training, grad in seen):
        raise Mistake(tr("fit ran the model without gradients (validation) while it was in training mode, so "
                         "dropout was still dropping units in val_loss and val_acc: call model.eval() before "
                         "validating (and model.train() after)", "fit 在不计算梯度（验证）时模型仍处于训练模式，"
                         "val_loss 和 val_acc 里 dropout 仍在丢弃神经元：验证前请调用 model.eval()（之后再调用 "
                         "model.train()）"), mistake="training.validated_in_training_mode")


def check_accuracy(kata, logits: torch.Tensor, labels: torch.Tensor) -> None:
    """The learner's accuracy on ``logits`` (handed over as a transposed view when they are one)
    against the right fraction; a known slip is named."""
    __tracebackhide__ = True
    view = not logits.is_contiguous()  # handed over as a view, made on the learner's side
    what = f"accuracy(logits {tuple(logits.shape)}{' (a transposed view)' if view else ''}, " \
           f"labels {tuple(labels.shape)})"
    try:
        result = (kata.run(world.accuracy_of_a_view, logits.T.contiguous(), labels) if view
                  else kata.call("accuracy", logits, labels))
    except LearnerError as error:
        if view and "view" in error.message:
            raise Mistake(tr("{what} raised on logits that are a transposed (non-contiguous) view: {error}; "
                             ".view() needs contiguous memory, use .reshape() (or no reshaping at all: "
                             "argmax(dim=1) works on any view)",
                             "{what} 在转置得到的（非连续）logits 视图上出错：{error}；.view() 需要连续内存，"
                             "请用 .reshape()（或者干脆不变形：argmax(dim=1) 对任何视图都可用）",
                             what=what, error=error.message), mistake="training.view_on_non_contiguous") from None
        raise
    if isinstance(result, bool):
        raise Mistake(tr("{what} returned a bool ({got}): comparing the (values, indices) pair from torch.max with "
                         "a tensor gives a plain bool; compare the indices",
                         "{what} 返回了 bool（{got}）：把 torch.max 返回的 (values, indices) 二元组和张量比较，"
                         "得到的是普通 bool；请比较 indices", what=what, got=result))
    value = expect_float(result, what=what)
    want = (logits.argmax(dim=1) == labels).float().mean().item()
    if math.isclose(value, want, rel_tol=1e-6, abs_tol=1e-6):
        return
    found = mistake_in_accuracy(value, logits, labels, result, what=what, want=want)
    if found is not None:
        raise found
    text = tr("{what} is {got:.4g}, expected {want:.4g}", "{what} 是 {got:.4g}，应为 {want:.4g}",
              what=what, got=value, want=want)
    if value == 0:
        text += tr("; if you used torch.max(logits, 1), it returns (values, indices): compare the indices (or use "
                   "logits.argmax(dim=1))", "；如果用了 torch.max(logits, 1)，它返回 (values, indices)：请比较 indices"
                   "（或用 logits.argmax(dim=1)）")
    raise CheckFailed(text)


def expect_every_item_served(kata) -> None:
    """make_loader over 21 to 24 items in batches of 5 serves every item once, shuffled; a dropped
    last batch and the original order are named."""
    __tracebackhide__ = True
    n = 20 + int(torch.randint(1, 5, ()))  # 21 to 24 items in batches of 5: a smaller last batch
    batches = kata.run(world.loader_orders, n, 5, draw_seed())["first"]
    sizes = [len(b) for b in batches]
    want = [5] * (n // 5) + [n % 5]
    flat = [i for b in batches for i in b]
    if sizes == want[:-1] and len(set(flat)) == len(flat):
        raise Mistake(tr("make_loader(dataset of {n}, batch_size=5) served {k} items: the last, smaller batch of "
                         "{last} was dropped (drop_last=True?); an epoch serves every item",
                         "make_loader({n} 个样本的数据集, batch_size=5) 只给出了 {k} 个样本：最后那个较小的 {last} 个"
                         "样本的批次被丢掉了（drop_last=True？）；一个 epoch 要给出每一个样本",
                         n=n, k=len(flat), last=n % 5), mistake="training.drop_last")
    expect_true(sizes == want, tr("make_loader(dataset of {n}, batch_size=5) gave batches of sizes {got}, "
                                  "expected {want}", "make_loader({n} 个样本的数据集, batch_size=5) 给出的"
                                  "批次大小是 {got}，应为 {want}", n=n, got=sizes, want=want))
    expect_true(sorted(flat) == list(range(n)), tr("the loader should serve every item exactly once per epoch",
                                                   "每个 epoch 里 loader 应该把每个样本恰好给出一次"))
    if flat == list(range(n)):
        raise Mistake(tr("the loader serves the items in their original order: pass shuffle=True",
                         "loader 按原始顺序给出样本：请传 shuffle=True"), mistake="training.not_shuffled")
