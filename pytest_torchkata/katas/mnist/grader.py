"""Grader side of the mnist checks: the expected values and the classic slips.

The layers and shapes of the article's network (and the words naming them), the
one-piece forward slips (ReLU on the output, a missing ReLU, average pooling,
dropout left on in eval mode), what
a correct ``train_step`` returns and leaves in ``.grad`` on the grader's small
model (and what softmax-before-cross-entropy or ``F.nll_loss`` on raw logits would
give instead, with the words for those slips, and the zero_grad/backward/step order read
from ``common/observe.py``), the evaluation case with its known accuracy and its slips, and the words for a training run
that fell short (the mode in each phase is read by ``common/expect.py``).  Everything here runs in the grading
process, on observations from ``mnist/world.py``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from pytest_torchkata.checks.errors import CheckFailed, KataOutcome, LearnerError, Mistake
from pytest_torchkata.checks.training import loss_curve
from pytest_torchkata.checks.values import describe, expect_close
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.mnist.world import forward_probe, small_model, step_probe
from pytest_torchkata.katas.common.expect import expect_graph_reached, expect_optimizer_used


# name -> (type, weight shape, parameter count)
LAYERS = {
    "conv1": ("Conv2d", (10, 1, 5, 5), 260),
    "conv2": ("Conv2d", (20, 10, 5, 5), 5_020),
    "fc1": ("Linear", (50, 320), 16_050),
    "fc2": ("Linear", (10, 50), 510),
}
TOTAL_PARAMETERS = 21_840


def layer_text(kind: str, weight: tuple) -> str:
    """A layer as the messages name it: ``Linear(320 -> 50)``, ``Conv2d(1 -> 10, kernel 5x5)``."""
    if kind == "Linear" and len(weight) == 2:
        return f"Linear({weight[1]} -> {weight[0]})"
    if kind == "Conv2d" and len(weight) == 4:
        return tr("Conv2d({i} -> {o}, kernel {h}x{w})", "Conv2d({i} -> {o}，卷积核 {h}x{w})",
                  i=weight[1], o=weight[0], h=weight[2], w=weight[3])
    return tr("{kind} with weight {weight}", "权重为 {weight} 的 {kind}", kind=kind, weight=weight)


EXPECTED_SHAPES = (("conv1", (10, 24, 24)), ("conv2", (20, 8, 8)), ("fc1 input", (320,)),
                   ("fc1", (50,)), ("fc2", (10,)))
SHAPE_NOTES = {
    "conv1": Text("a 5x5 kernel shrinks 28 to 24", "5x5 的卷积核把 28 缩小到 24"),
    "conv2": Text("after a 2x2 max-pool (24 -> 12) a 5x5 kernel gives 8",
                  "经过 2x2 最大池化（24 -> 12）之后，5x5 的卷积核得到 8"),
    "fc1 input": Text("after the second 2x2 max-pool (8 -> 4), flatten each sample: 20 * 4 * 4 = 320",
                      "第二次 2x2 最大池化（8 -> 4）之后，把每个样本展平：20 * 4 * 4 = 320"),
}


def same_each_time(got: dict) -> None:
    """In eval mode, the same images must give the same output: random outputs mean dropout is still on."""
    __tracebackhide__ = True
    out, again = got["out"], got.get("again")
    if isinstance(out, torch.Tensor) and isinstance(again, torch.Tensor) and out.shape == again.shape \
            and not torch.allclose(out, again, rtol=1e-4, atol=1e-5):
        raise Mistake(tr("in eval mode, Net gives different outputs for the same images on two calls: dropout is "
                         "still on; F.dropout(x, p) drops even in eval mode unless given training=self.training "
                         "(or use an nn.Dropout layer, which model.eval() turns off)",
                         "在 eval 模式下，同样的图片调用两次 Net 得到不同的输出：dropout 仍然开着；F.dropout(x, p) "
                         "除非传入 training=self.training，否则在 eval 模式下也会丢弃（或者用 nn.Dropout 层，"
                         "model.eval() 会关掉它）"), mistake="mnist.dropout_in_eval")


def _variant(w: dict, x: torch.Tensor, pools=(F.max_pool2d, F.max_pool2d), relus=(True, True, True),
             out_relu: bool = False) -> torch.Tensor:
    """The article's network with one piece changed, to name what a learner's forward computes instead."""
    def act(t, on):
        return F.relu(t) if on else t
    x = pools[0](act(F.conv2d(x, w["conv1.weight"], w["conv1.bias"]), relus[0]), 2)
    x = pools[1](act(F.conv2d(x, w["conv2.weight"], w["conv2.bias"]), relus[1]), 2)
    x = act(F.linear(torch.flatten(x, 1), w["fc1.weight"], w["fc1.bias"]), relus[2])
    return act(F.linear(x, w["fc2.weight"], w["fc2.bias"]), out_relu)


FORWARD_SLIPS = (
    ("mnist.relu_on_logits", {"out_relu": True}, Text("forward applies ReLU to the fc2 output: logits must be free to go negative, so the "
                              "last layer's output goes to the loss as it is", "forward 对 fc2 的输出做了 ReLU："
                              "logits 必须能取负值，所以最后一层的输出要原样交给损失函数")),
    ("mnist.no_relu_after_conv1", {"relus": (False, True, True)}, Text("there is no ReLU after conv1", "conv1 之后没有 ReLU")),
    ("mnist.no_relu_after_conv2", {"relus": (True, False, True)}, Text("there is no ReLU after conv2", "conv2 之后没有 ReLU")),
    ("mnist.no_relu_after_fc1", {"relus": (True, True, False)}, Text("there is no ReLU after fc1", "fc1 之后没有 ReLU")),
    ("mnist.average_pooling", {"pools": (F.avg_pool2d, F.max_pool2d)}, Text("the first pooling is an average, not a 2x2 max-pool",
                                                   "第一次池化是平均池化，不是 2x2 最大池化")),
    ("mnist.average_pooling_second", {"pools": (F.max_pool2d, F.avg_pool2d)}, Text("the second pooling is an average, not a 2x2 max-pool",
                                                   "第二次池化是平均池化，不是 2x2 最大池化")),
    ("mnist.average_pooling_both", {"pools": (F.avg_pool2d, F.avg_pool2d)}, Text("both poolings are averages, not 2x2 max-pools",
                                                   "两次池化都是平均池化，不是 2x2 最大池化")),
)


def mistake_in_forward(weights: dict, x: torch.Tensor, out: torch.Tensor) -> Mistake | None:
    """What the learner's forward computes instead of the article's network, when it is one known slip."""
    for mistake, change, words in FORWARD_SLIPS:
        want = _variant(weights, x, **change)
        for form in (want, torch.log_softmax(want, dim=1)):
            if torch.allclose(out, form, rtol=1e-4, atol=1e-5):
                return Mistake(tr("Net()(x) is not the article's network with the same weights: {why}",
                                  "Net()(x) 不是相同权重下的文章网络：{why}", why=words), mistake=mistake)
    return None


def returns_log_probs(kata) -> bool:
    """Whether the learner's Net returns log-probabilities (pytorch/examples style:
    log_softmax in forward, F.nll_loss in the step); then train_step is checked on a
    model that does the same, so F.nll_loss and F.cross_entropy both give the right loss."""
    try:
        out = kata.run(forward_probe, torch.rand(4, 1, 28, 28))["out"]
    except KataOutcome:
        return False
    if not (isinstance(out, torch.Tensor) and out.shape == (4, 10) and bool(torch.isfinite(out).all())):
        return False
    return bool((out <= 0).all() and (torch.logsumexp(out.double(), dim=1).abs() < 1e-3).all())


def losses(model, state: dict, x: torch.Tensor, y: torch.Tensor) -> dict[str, tuple[float, dict]]:
    """The right loss and its gradients, and those of the classic slips, computed here."""
    out: dict[str, tuple[float, dict]] = {}
    for name, loss_of in (("right", lambda z: F.cross_entropy(z, y)),
                          ("nll_of_logits", lambda z: F.nll_loss(z, y)),
                          ("softmax_first", lambda z: F.cross_entropy(F.softmax(z, dim=1), y)),
                          ("sum", lambda z: F.cross_entropy(z, y, reduction="sum"))):
        with torch.no_grad():
            for n, p in model.named_parameters():
                p.copy_(state[n])
        model.zero_grad()
        loss = loss_of(model(x))
        loss.backward()
        out[name] = (loss.item(), {n: p.grad.clone() for n, p in model.named_parameters()})
    return out


def step(kata, stale: bool, lr: float, batch: int | None = None) -> tuple[dict, dict, dict, bool]:
    """train_step once on the grader's small model and a batch of ``batch`` images (the seed
    chooses 5 to 9 when None: odd and even sizes): the observation, the starting weights, the
    right and the mistaken losses and gradients, and whether the model returns log-probabilities."""
    log_probs = returns_log_probs(kata)
    model = small_model(log_probs)
    state = {n: p.detach().clone() for n, p in model.named_parameters()}
    batch = int(torch.randint(5, 10, ())) if batch is None else batch
    x, y = torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
    got = kata.run(step_probe, state, x, y, stale, lr, log_probs)
    return got, state, losses(model, state, x, y), log_probs


def step_ran(got: dict, order: bool = False) -> None:
    """A train_step that raised once its backward reached nothing is named by the graph cut;
    with ``order`` (the parameters did not move), the zero_grad/backward/step order is read."""
    __tracebackhide__ = True
    seen = got["seen"]
    if seen.get("error"):
        expect_graph_reached(seen["events"], "train_step", tr("the model's parameters", "模型的参数"))
    if order:
        expect_optimizer_used(seen, "train_step")


def close_to(a: Any, b: float) -> bool:
    return isinstance(a, float) and math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def same_grads(grads: dict, want: dict) -> bool:
    return all(isinstance(grads.get(n), torch.Tensor) and grads[n].shape == w.shape
               and bool(torch.allclose(grads[n], w, rtol=1e-4, atol=1e-6)) for n, w in want.items())


def softmax_first() -> str:
    return tr("train_step applies softmax before F.cross_entropy: cross_entropy applies log-softmax "
              "itself, so the loss is squashed near ln 10 and learning stalls; pass the raw logits",
              "train_step 在 F.cross_entropy 之前先做了 softmax：cross_entropy 自己会做 log-softmax，"
              "所以损失被压在 ln 10 附近，学习停滞；请直接传入原始 logits")


def nll_of_logits() -> str:
    return tr("nll_loss expects log-probabilities; use F.cross_entropy on logits (or return log_softmax "
              "from forward)",
              "nll_loss 期望的输入是对数概率；请对 logits 使用 F.cross_entropy（或者让 forward 返回 log_softmax）")


def summed() -> str:
    return tr("the loss is the SUM over the batch, not the mean: F.cross_entropy averages by default "
              "(reduction='mean'), so the step size does not grow with the batch size",
              "损失是整个批次的和而不是平均值：F.cross_entropy 默认取平均（reduction='mean'），"
              "这样步长不会随批大小变化")


def mistake_in_loss(value: float, losses: dict, log_probs: bool) -> Mistake | None:
    """The classic slip the loss ``train_step`` returned shows, if any."""
    if close_to(value, losses["sum"][0]) and not close_to(value, losses["right"][0]):
        return Mistake(tr("train_step returned {got:.4g}, expected {want:.4g}: {why}", "train_step 返回了 {got:.4g}，"
                  "应为 {want:.4g}：{why}", got=value, want=losses["right"][0], why=summed()), mistake="mnist.summed_loss")
    if close_to(value, losses["softmax_first"][0]) and not close_to(value, losses["right"][0]):
        return Mistake(tr("train_step returned {got:.4g}, expected {want:.4g}: {why}",
                  "train_step 返回了 {got:.4g}，应为 {want:.4g}：{why}",
                  got=value, want=losses["right"][0], why=softmax_first()), mistake="mnist.softmax_before_cross_entropy")
    if not log_probs and close_to(value, losses["nll_of_logits"][0]):
        return Mistake(tr("train_step returned {got:.4g}, which is F.nll_loss of the raw logits: {why}",
                  "train_step 返回了 {got:.4g}，这是对原始 logits 做 F.nll_loss 的结果：{why}",
                  got=value, why=nll_of_logits()), mistake="mnist.nll_of_logits")
    return None


def mistake_in_grads(grads: dict, losses: dict, log_probs: bool) -> Mistake | None:
    """The classic slip the gradients ``train_step`` left show, if any."""
    if same_grads(grads, losses["right"][1]):
        return None
    if same_grads(grads, losses["sum"][1]):
        return Mistake(tr("the gradients after train_step are those of the summed loss: {why}",
                  "train_step 之后的梯度是求和损失的梯度：{why}", why=summed()), mistake="mnist.summed_loss")
    if same_grads(grads, losses["softmax_first"][1]):
        return Mistake(tr("the gradients after train_step are those of softmax then cross-entropy: {why}",
                  "train_step 之后的梯度是先 softmax 再交叉熵的梯度：{why}", why=softmax_first()), mistake="mnist.softmax_before_cross_entropy")
    if not log_probs and same_grads(grads, losses["nll_of_logits"][1]):
        return Mistake(tr("the gradients after train_step are those of F.nll_loss of the raw logits: {why}",
                  "train_step 之后的梯度是对原始 logits 做 F.nll_loss 的梯度：{why}", why=nll_of_logits()), mistake="mnist.nll_of_logits")
    return None


def expect_batch_of_one(kata) -> None:
    """train_step on a batch of one image gives the right loss; a failure there (after a larger batch
    worked) is named as the batch dimension lost when B = 1."""
    __tracebackhide__ = True
    def failed(error: str) -> Mistake:
        return Mistake(tr("train_step works on a batch of several images but raised on a batch of one (B = 1): "
                          "{error}; the contract's batch is (B, 1, 28, 28) for any B: does something drop the "
                          "batch dimension when it is 1 (a .squeeze() with no dim)?",
                          "train_step 在多张图片的批次上能运行，但在只有一张图片的批次（B = 1）上出错：{error}；"
                          "约定的批次是任意 B 的 "
                          "(B, 1, 28, 28)：是不是有什么在 B 为 1 时把批次维度去掉了（不带 dim 的 .squeeze()）？",
                          error=error), mistake="mnist.batch_of_one")
    larger, _, _, _ = step(kata, False, 0.1)  # what fails on a larger batch is not about a batch of one
    step_ran(larger)
    try:
        got, _, losses, log_probs = step(kata, False, 0.1, batch=1)
    except LearnerError as error:
        raise failed(error.message) from None
    if got["seen"].get("error"):  # raised in a backward that reached no parameter
        raise failed(got["seen"]["error"])
    step_ran(got)
    value = got["value"]
    slip = isinstance(value, float) and mistake_in_loss(value, losses, log_probs)
    if slip:
        raise slip
    expect_close(value, losses["right"][0], what=tr("the loss train_step returned for a batch of one image",
                                                    "只有一张图片的批次上 train_step 返回的损失"),
                 rtol=1e-4, atol=1e-6)


EVAL_BATCH = 16  # 48 + (1 to 3) samples: batches of 16, 16, 16 and a short last one (a batch of one included)


def evaluation_case() -> tuple[dict, torch.Tensor, torch.Tensor, int]:
    """A linear model (with dropout) and 49 to 51 samples (the seed chooses: a last batch of 1,
    2 or 3), ``right`` of them labelled with the model's own eval-mode prediction: the short
    last batch all right, so the mean of per-batch accuracies differs from the true accuracy."""
    weight, bias = 0.05 * torch.randn(10, 784), 0.05 * torch.randn(10)
    n = 3 * EVAL_BATCH + int(torch.randint(1, 4, ()))
    x = torch.rand(n, 1, 28, 28)
    predicted = F.linear(x.flatten(1), weight, bias).argmax(dim=1)
    right = torch.zeros(n, dtype=torch.bool)
    for start in (0, 16, 32):
        right[start + torch.randperm(16)[: int(torch.randint(4, 13, ()))]] = True
    right[3 * EVAL_BATCH:] = True
    y = torch.where(right, predicted, (predicted + 1) % 10)
    return {"1.weight": weight, "1.bias": bias}, x, y, int(right.sum())


def broadcast_count(state: dict, x: torch.Tensor, y: torch.Tensor) -> int:
    """What ``(pred == y).sum()`` counts with ``pred`` of shape (B, 1) against ``y`` of shape (B,):
    every prediction against every label of its batch."""
    pred = F.linear(x.flatten(1), state["1.weight"], state["1.bias"]).argmax(dim=1, keepdim=True)
    return sum(int((pred[i:i + EVAL_BATCH] == y[i:i + EVAL_BATCH]).sum()) for i in range(0, len(y), EVAL_BATCH))


def batch_accuracies(state: dict, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    pred = F.linear(x.flatten(1), state["1.weight"], state["1.bias"]).argmax(dim=1)
    return [float((pred[i:i + EVAL_BATCH] == y[i:i + EVAL_BATCH]).float().mean())
            for i in range(0, len(y), EVAL_BATCH)]


def mistake_in_evaluation(value: float, right: int, state: dict, x: torch.Tensor, y: torch.Tensor) -> Mistake | None:
    """The classic slip an ``evaluate`` result on the evaluation case shows, if any."""
    n = len(y)
    if math.isclose(value, right / n, abs_tol=1e-6):
        return None  # the right answer, whatever slip it might also equal
    accs = batch_accuracies(state, x, y)
    batches = len(accs)
    if math.isclose(value, right / batches, abs_tol=1e-6):
        return Mistake(tr("evaluate returned {right}/{batches}: it divided by the number of batches (len(loader)); "
                        "divide by the number of samples (len(loader.dataset), here {n})",
                        "evaluate 返回了 {right}/{batches}：它除以的是批次数（len(loader)）；请除以样本数"
                        "（len(loader.dataset)，这里是 {n}）", right=right, batches=batches, n=n),
                     mistake="mnist.divided_by_batches")
    if math.isclose(value, sum(accs) / (batches - 1), abs_tol=1e-6) or \
            math.isclose(value, right / ((batches - 1) * EVAL_BATCH), abs_tol=1e-6):
        return Mistake(tr("evaluate returned {got:.4g}: it divided by the last index of enumerate(loader) "
                        "({last}), one less than the {batches} batches (an off-by-one: `for i, ... in "
                        "enumerate(...)` ends at len - 1); count the samples and divide by that count",
                        "evaluate 返回了 {got:.4g}：它除以的是 enumerate(loader) 的最后一个下标（{last}），"
                        "比批次数 {batches} 少一（差一错误：`for i, ... in enumerate(...)` 结束时 i 是 len - 1）；"
                        "请数样本个数并除以它", got=value, last=batches - 1, batches=batches),
                     mistake="mnist.divided_by_last_index")
    crossed = broadcast_count(state, x, y)
    if crossed != right and any(math.isclose(value, crossed / d, abs_tol=1e-6) for d in (n, 1)):
        return Mistake(tr("evaluate returned {got:.4g}: predictions of shape (B, 1) (argmax with keepdim=True) "
                        "compared with labels of shape (B,) broadcast to a (B, B) table, so every prediction was "
                        "checked against every label; compare shapes (B,) with (B,): argmax(dim=1), or "
                        "pred.eq(y.view_as(pred))",
                        "evaluate 返回了 {got:.4g}：形状为 (B, 1) 的预测（argmax 带 keepdim=True）与形状为 (B,) 的"
                        "标签比较时被广播成 (B, B) 的表，每个预测都和每个标签比了一次；请比较 (B,) 与 (B,)："
                        "argmax(dim=1)，或者 pred.eq(y.view_as(pred))", got=value), mistake="mnist.keepdim_broadcast")
    if math.isclose(value, right / (batches * EVAL_BATCH), abs_tol=1e-6):
        return Mistake(tr("evaluate returned {right}/{full}: it divided by batches * batch size, but the last batch "
                        "holds only {last} sample(s); count the samples (y.shape[0])",
                        "evaluate 返回了 {right}/{full}：它除以的是批次数 * 批大小，但最后一个批次只有 {last} 个"
                        "样本；请数样本个数（y.shape[0]）", right=right, full=batches * EVAL_BATCH,
                        last=n - 3 * EVAL_BATCH), mistake="mnist.divided_by_full_batches")
    if math.isclose(value, sum(accs) / batches, abs_tol=1e-6):
        return Mistake(tr("evaluate returned {got:.4g}, the mean of per-batch accuracies: the last batch holds only "
                        "{last} sample(s), so it weighs as much as 16; add up the correct samples over the loader "
                        "and divide by the number of samples ({right}/{n} = {want:g})",
                        "evaluate 返回了 {got:.4g}，这是各批次准确率的平均值：最后一个批次只有 {last} 个样本，却和"
                        " 16 个样本的批次权重一样；请在整个加载器上累加预测正确的样本数，再除以样本总数"
                        "（{right}/{n} = {want:g}）", got=value, last=n - 3 * EVAL_BATCH, right=right, n=n,
                        want=right / n), mistake="mnist.mean_of_batch_accuracies")
    if value == right:
        return Mistake(tr("evaluate returned the count of correct samples ({right}): divide by the number of samples "
                        "({n})", "evaluate 返回的是预测正确的样本数（{right}）：请除以样本总数（{n}）", right=right, n=n),
                     mistake="mnist.count_not_fraction")
    return None


def bucket_means(history: list[float], points: int = 40) -> list[float]:
    """Per-batch losses are noisy; the mean of each of ``points`` stretches shows the trend."""
    size = max(1, math.ceil(len(history) / points))
    return [sum(history[i:i + size]) / len(history[i:i + size]) for i in range(0, len(history), size)]


def optimizer_text(got: dict) -> str:
    settings = ", ".join(f"{k}={v:g}" for k, v in got["settings"].items())
    return tr("{optimizer}({settings}), batch size {batch}", "{optimizer}({settings})，批大小 {batch}",
              optimizer=got["optimizer"], settings=settings, batch=got["batch_size"])


def shortfall(got: dict, history: list[float], accuracy: float, seconds: float, target: float) -> str:
    """The words for a training run that stayed below the accuracy target."""
    trend = bucket_means(history)
    return tr("held-out accuracy {accuracy:.1%} after {steps} steps ({seconds:.1f} s) with {optimizer}, needs "
              "{target:.0%}: mean loss went {first:.3g} -> {last:.3g} {curve}",
              "用 {optimizer} 训练 {steps} 步（{seconds:.1f} 秒）后测试集准确率为 {accuracy:.1%}，需要 {target:.0%}："
              "平均损失从 {first:.3g} 变为 {last:.3g} {curve}",
              accuracy=accuracy, steps=len(history), seconds=seconds, optimizer=optimizer_text(got),
              target=target, first=trend[0], last=trend[-1], curve=loss_curve(trend))


def fit_hint(got: dict, history: list[float]) -> str:
    if any(not math.isfinite(v) for v in history):
        return tr("the loss became NaN/Inf: lower the learning rate", "损失变成了 NaN/Inf：请降低学习率")
    settings = got["settings"]
    if got["optimizer"] == "SGD" and settings.get("momentum", 0) == 0 and settings.get("lr", 1) <= 0.01:
        return tr("plain SGD at lr 0.01 learns slowly: try momentum=0.9 or lr=0.05 (or Adam with lr=1e-3), "
                  "or train for more epochs",
                  "lr 0.01 的普通 SGD 学得很慢：试试 momentum=0.9 或 lr=0.05（或 lr=1e-3 的 Adam），"
                  "或者多训练几个 epoch")
    if history and history[-1] > 0.9 * history[0]:
        return tr("the loss hardly fell: raise the learning rate, add momentum, or train longer",
                  "损失几乎没有下降：提高学习率、加上动量，或者训练更久")
    return tr("train longer (more epochs), or tune the learning rate; momentum=0.9 helps SGD a lot",
              "训练更久（更多 epoch），或者调整学习率；momentum=0.9 对 SGD 帮助很大")


def weights_moved(got: dict, weights: dict) -> None:
    """fit must train the Net it was given: its weights differ from those it started with."""
    __tracebackhide__ = True
    start = got.get("start") or {}
    if all(isinstance(start.get(n), torch.Tensor) and start[n].shape == w.shape and torch.equal(start[n], w)
           for n, w in weights.items()):
        raise Mistake(tr("after fit, the Net it was given still has its starting weights: fit must train that "
                         "model (no new Net() inside fit), with an optimizer made from its parameters "
                         "(make_optimizer(model))",
                         "fit 之后，传给它的 Net 仍是初始权重：fit 必须训练这个模型（不要在 fit 里新建 Net()），"
                         "并用由它的参数创建的优化器（make_optimizer(model)）"))


def history(value: Any) -> list[float]:
    __tracebackhide__ = True
    if not (isinstance(value, list) and value and all(isinstance(v, (float, int)) and not isinstance(v, bool)
                                                      for v in value)):
        raise CheckFailed(tr("fit should return the list of step losses (floats), but returned {got}",
                             "fit 应当返回每一步损失组成的列表（float），但返回了 {got}", got=describe(value)))
    return [float(v) for v in value]
