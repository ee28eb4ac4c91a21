"""Grader side of the modules kata: the starting states it hands out, reference outputs and the
diagnoses several checks share.  Nothing here runs learner code: it reads the observations the
``modules/world.py`` helpers returned and names a mistake only when they show it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from pytest_torchkata.checks.errors import CheckFailed, LearnerError, Mistake
from pytest_torchkata.checks.values import describe, expect_true
from pytest_torchkata.checks.variants import Variant, Variants, matches
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.modules import world


def state(net: nn.Module, warm: int = 0, features: int = 0) -> dict:
    """A starting state the grader chose (BatchNorm statistics moved away from their defaults)."""
    with torch.no_grad():
        for _ in range(warm):
            net(torch.randn(16, features) * 2 + 1)
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def expect_registered_weight(info: dict) -> None:
    __tracebackhide__ = True
    if "weight" in info["params"]:
        return
    if "weight" in info["plain"]:
        raise Mistake(tr("Scale.weight is a plain tensor, so the module does not register it: it is missing "
                         "from parameters() and state_dict(), and an optimizer never sees it; wrap it in "
                         "nn.Parameter(...)",
                         "Scale.weight 是普通张量，模块不会注册它：parameters() 和 state_dict() 里都没有它，"
                         "优化器也看不到它；请用 nn.Parameter(...) 包起来"))
    raise CheckFailed(tr("Scale has no parameter named `weight` (parameters: {names})",
                         "Scale 没有名为 `weight` 的参数（现有参数：{names}）",
                         names=", ".join(info["params"]) or tr("none", "无")))


def mlp_reference(layers: list, x: torch.Tensor) -> torch.Tensor:
    for i, (weight, bias) in enumerate(layers):
        x = F.linear(x, weight, bias)
        if i < len(layers) - 1:
            x = F.relu(x)
    return x


def count_sizes() -> tuple:
    """In, hidden and out widths of the model to count, near (4, 8, 3): seeded, like every input."""
    return tuple(int(v) for v in torch.tensor([4, 8, 3]) + torch.randint(0, 4, (3,)))


def expect_count(value, freeze_first: bool, sizes: tuple, what: str) -> None:
    __tracebackhide__ = True
    model = world.small_net(sizes)
    if freeze_first:
        model[0].requires_grad_(False)
    params = list(model.parameters())
    trainable = sum(p.numel() for p in params if p.requires_grad)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CheckFailed(tr("{what} should be a Python int, but is {got}", "{what} 应该是 Python int，实际是 {got}",
                             what=what, got=describe(value)))
    if value == trainable:
        return
    if value == sum(p.numel() for p in params):
        raise Mistake(tr("{what} is {got}, expected {want}; the frozen parameters were counted too: skip those "
                         "with requires_grad False", "{what} 是 {got}，应为 {want}；冻结的参数也被算进去了："
                         "跳过 requires_grad 为 False 的参数", what=what, got=value, want=trainable))
    if value in (len([p for p in params if p.requires_grad]), len(params)):
        raise Mistake(tr("{what} is {got}, expected {want}; that is the number of parameter tensors: add up "
                         "p.numel() instead", "{what} 是 {got}，应为 {want}；这是参数张量的个数：请把 p.numel() 加起来",
                         what=what, got=value, want=trainable))
    if value == sum(t.numel() for t in model.state_dict().values()):
        raise Mistake(tr("{what} is {got}, expected {want}; buffers (BatchNorm's running statistics) were counted "
                         "too: use model.parameters()", "{what} 是 {got}，应为 {want}；缓冲区（BatchNorm 的滑动统计量）"
                         "也被算进去了：请用 model.parameters()", what=what, got=value, want=trainable))
    raise CheckFailed(tr("{what} is {got}, expected {want}", "{what} 是 {got}，应为 {want}",
                         what=what, got=value, want=trainable))


def expect_saved_bytes(info: dict) -> None:
    __tracebackhide__ = True
    if info["size"] is None:
        raise CheckFailed(tr("state_dict_bytes should return bytes, but returned {got}; return `buffer.getvalue()`",
                             "state_dict_bytes 应返回 bytes，实际返回了 {got}；请返回 `buffer.getvalue()`",
                             got=describe(info["value"])))
    if info["size"] == 0:
        raise Mistake(tr("state_dict_bytes returned 0 bytes: after torch.save the buffer's position is at its end, "
                         "so read() finds nothing; use `buffer.getvalue()` (or seek(0) first)",
                         "state_dict_bytes 返回了 0 字节：torch.save 之后缓冲区的位置在末尾，read() 读不到东西；"
                         "请用 `buffer.getvalue()`（或先 seek(0)）"))


def expect_moved(info: dict) -> None:
    __tracebackhide__ = True
    expect_true(not info["left"], tr("after run_on, the model still holds {names}: move the model itself with "
                                     "model.to(...)", "run_on 之后，模型里仍有 {names}：请用 model.to(...) 移动模型本身",
                                     names=", ".join(info["left"][:3])))


def expect_saved_keys(saved: list[str], source: nn.Module) -> None:
    """The keys torch.load found in the learner's bytes must be exactly ``source.state_dict()``'s."""
    __tracebackhide__ = True
    expected = sorted(source.state_dict())
    missing = [k for k in expected if k not in saved]
    extra = [k for k in saved if k not in expected]
    if missing and not extra and set(missing) <= {n for n, _ in source.named_buffers()}:
        raise Mistake(tr("the saved dict lacks the buffers {names}: only the parameters were saved; save "
                         "`model.state_dict()`, which holds the parameters and the buffers (BatchNorm's "
                         "running statistics)", "保存的字典缺少缓冲区 {names}：只保存了参数；请保存 "
                         "`model.state_dict()`，它包含参数和缓冲区（BatchNorm 的滑动统计量）", names=", ".join(missing)))
    expect_true(not missing and not extra, tr("the saved dict's keys are {got}, expected {want}: save "
                                              "`model.state_dict()`", "保存的字典的键是 {got}，应为 {want}：请保存 "
                                              "`model.state_dict()`", got=saved, want=expected))


def numel(shapes: list[list[int]]) -> int:
    """How many numbers parameters of these shapes hold."""
    return sum(math.prod(shape) for shape in shapes)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    # The shared ``matches`` at torch's float32 tolerance (rtol 1.3e-6), tighter than its
    # rtol 1e-4 on purpose: a module's mistake here (a ReLU too many or too few, momentum
    # swapped) can sit close to the right output, and must not be named for a right one.
    return matches(a, b, rtol=1.3e-6, atol=1e-5)


def expect_no_mlp_mistake(out: torch.Tensor, layers: list, x: torch.Tensor, sizes: list[int]) -> None:
    """Names an MLP with a ReLU after its last layer, or with no ReLU between its layers."""
    __tracebackhide__ = True
    ref = mlp_reference(layers, x)
    if bool((out >= 0).all()) and not bool((ref >= 0).all()) and torch.allclose(out, F.relu(ref), atol=1e-5):
        raise Mistake(tr("MLP({sizes})(x) has no negative values: there is a ReLU after the last layer; the "
                         "output (logits) must be able to go below zero",
                         "MLP({sizes})(x) 没有负值：最后一层后面多了 ReLU；输出（logits）必须可以小于 0", sizes=sizes))
    if len(layers) < 2:
        return
    chain = x
    for weight, bias in layers:
        chain = F.linear(chain, weight, bias)
    if _close(out, chain) and not _close(out, ref):
        raise Mistake(tr("MLP({sizes})(x) is the plain chain of Linear layers with no ReLU between them: without "
                         "an activation the layers collapse into one linear map; apply F.relu after every layer "
                         "but the last", "MLP({sizes})(x) 只是 Linear 层的直接串联，中间没有 ReLU：没有激活函数，"
                         "多层会退化成一个线性映射；请在除最后一层外的每一层后面加 F.relu", sizes=sizes))


def expect_no_residual_mistake(out, x: torch.Tensor, inner_out: torch.Tensor) -> None:
    """Names a Residual that returns module(x) alone (no skip connection)."""
    __tracebackhide__ = True
    if isinstance(out, torch.Tensor) and _close(out, inner_out) and not _close(out, x + inner_out):
        raise Mistake(tr("Residual(Linear(6, 6))(x) equals module(x): the skip connection is missing; return "
                         "`x + self.module(x)`", "Residual(Linear(6, 6))(x) 等于 module(x)：缺少跳跃连接；请返回 "
                         "`x + self.module(x)`"))


def expect_no_running_mean_mistake(got_mean, got_out, x: torch.Tensor, before: torch.Tensor, momentum: float) -> None:
    """Names the classic running-mean slips: momentum on the wrong side, the batch's own mean in the output."""
    __tracebackhide__ = True
    want = (1 - momentum) * before + momentum * x.mean(0)
    swapped = momentum * before + (1 - momentum) * x.mean(0)
    if isinstance(got_mean, torch.Tensor) and _close(got_mean, swapped) and not _close(got_mean, want):
        raise Mistake(tr("the mean moved by (1 - momentum) towards the batch mean instead of by momentum: the new "
                         "batch gets weight `momentum` = {m}, the old mean `1 - momentum`",
                         "mean 向批次均值移动了 (1 - momentum) 而不是 momentum：新批次的权重应为 `momentum` = {m}，"
                         "旧的 mean 的权重为 `1 - momentum`", m=momentum), mistake="modules.momentum_swapped")
    if isinstance(got_out, torch.Tensor) and _close(got_out, x - x.mean(0)) and not _close(got_out, x - want) \
            and isinstance(got_mean, torch.Tensor) and _close(got_mean, want):  # the mean is right, the output not
        raise Mistake(tr("the training output subtracts the batch's own mean: return `x - self.mean`, the running "
                         "mean after the update", "训练模式的输出减去的是当前批次自己的均值：请返回 "
                         "`x - self.mean`，即更新之后的滑动平均"), mistake="modules.centred_on_the_batch_mean")


def expect_no_dropout_mistake(trains: list, evals: list, p: float) -> None:
    """Names dropout applied to the network's output (after fc2) instead of to the hidden units."""
    __tracebackhide__ = True
    out, ref = trains[0], evals[0]
    if not (isinstance(out, torch.Tensor) and isinstance(ref, torch.Tensor)) or out.shape != ref.shape:
        return
    zero = out == 0
    if bool((zero & (ref != 0)).any()) and _close(torch.where(zero, 0.0, ref / (1 - p)), out):
        raise Mistake(tr("in training mode whole outputs are zeroed and the rest scaled by 1/(1-p): dropout is "
                         "applied after fc2; it belongs between the ReLU and fc2 (on the hidden units)",
                         "训练模式下一些输出整个变成 0，其余乘以 1/(1-p)：dropout 放在了 fc2 之后；它应该在 ReLU 和 "
                         "fc2 之间（作用在隐藏单元上）"))


def expect_p_used(info: dict) -> None:
    """With ``p=0`` a training forward must equal the eval forward (nothing may be dropped)."""
    __tracebackhide__ = True
    first, plain = info["trains"][0], info["evals"][0]
    if isinstance(first, torch.Tensor) and isinstance(plain, torch.Tensor) and not torch.equal(first, plain):
        raise Mistake(tr("DropoutMLP(5, 32, 3, p=0.0) still drops units in training mode: the dropout rate is "
                         "fixed instead of taken from `p`; use `self.p` (or nn.Dropout(p))",
                         "DropoutMLP(5, 32, 3, p=0.0) 在训练模式下仍然丢弃单元：dropout 概率被写死了，没有用 `p`；"
                         "请用 `self.p`（或 nn.Dropout(p)）"))


def expect_not_load_result(info: dict) -> None:
    """Names returning ``model.load_state_dict(...)``'s result (the missing/unexpected keys) instead of the model."""
    __tracebackhide__ = True
    if info.get("returned_keys"):
        raise Mistake(tr("load_state_dict_bytes returned what model.load_state_dict(...) returns (the missing and "
                         "unexpected keys), not the model: call it, then `return model`",
                         "load_state_dict_bytes 返回的是 model.load_state_dict(...) 的返回值（缺失和多余的键），"
                         "不是模型：先调用它，再 `return model`"))


# the running mean after one training batch, from (the mean before, the batch): its classic slips
RUNNING_MEAN = Variants(
    Variant("modules.momentum_swapped", lambda before, x: 0.1 * before + 0.9 * x.mean(0),
            Text("the mean moved by (1 - momentum) towards the batch mean instead of by momentum",
                 "mean 向批次均值移动了 (1 - momentum)，而不是 momentum"),
            hint=Text("mean = (1 - momentum) * mean + momentum * x.mean(dim=0): the new batch gets weight momentum",
                      "mean = (1 - momentum) * mean + momentum * x.mean(dim=0)：新批次的权重是 momentum")),
    Variant("modules.running_mean_of_all_elements", lambda before, x: 0.9 * before + 0.1 * x.mean(),
            Text("the update used x.mean(), one number over the whole batch and every feature, instead of "
                 "x.mean(dim=0), one mean per feature",
                 "更新用的是 x.mean()（整个批次所有特征的一个数），而不是 x.mean(dim=0)（每个特征一个均值）"),
            hint=Text("average over the batch only: x.mean(dim=0) has shape (features,)",
                      "只在批次维度上求平均：x.mean(dim=0) 的形状是 (features,)")),
    Variant("modules.mean_not_averaged_over_batches", lambda before, x: x.mean(0),
            Text("the mean was replaced by this batch's mean: nothing of the earlier batches is kept",
                 "mean 被直接换成了这个批次的均值：之前批次的信息一点也没留下"),
            hint=Text("blend it: mean = (1 - momentum) * mean + momentum * x.mean(dim=0)",
                      "要混合：mean = (1 - momentum) * mean + momentum * x.mean(dim=0)")),
    Variant("modules.old_mean_not_decayed", lambda before, x: before + 0.1 * x.mean(0),
            Text("the update added momentum * x.mean(0) to the old mean without scaling it by (1 - momentum)",
                 "更新把 momentum * x.mean(0) 加到了旧 mean 上，却没有把旧 mean 乘以 (1 - momentum)")),
)


def device_text(device) -> str:
    """A device as the check spelled it: 'cuda:0', torch.device('cuda')."""
    return f"torch.device({str(device)!r})" if isinstance(device, torch.device) else repr(device)


def expect_any_device_spelling(error: LearnerError, device) -> None:
    """A run_on that raised on a torch.device (or an indexed 'cuda:0') it treated as a plain word."""
    __tracebackhide__ = True
    if isinstance(device, torch.device) and "'torch.device'" in error.message:  # what torch says of such a use
        raise Mistake(tr("run_on(model, x, {device}, ...) raised {error}: `device` may be a torch.device as well as "
                         "a string; pass it on to .to(...) as it is (torch.device(device) accepts both)",
                         "run_on(model, x, {device}, ...) 出错：{error}；`device` 既可能是字符串，也可能是 "
                         "torch.device；请原样传给 .to(...)（torch.device(device) 两种都接受）",
                         device=device_text(device), error=error.message), mistake="modules.device_as_a_string_only")


def expect_only_the_last_layer_trainable(info: dict) -> None:
    """After freeze_all_but_last, only model[-1] (names "4.*") requires grad; the classic slips named."""
    __tracebackhide__ = True
    flags = info["flags"]
    if all(flags.values()):
        if info["attribute_only"]:
            raise Mistake(tr("no parameter was frozen: every one still has requires_grad True; "
                             "`layer.requires_grad = False` only adds a plain attribute to the module: call "
                             "`layer.requires_grad_(False)` or set it on each parameter",
                             "没有冻结任何参数：它们的 requires_grad 仍然都是 True；`layer.requires_grad = False` "
                             "只是给模块加了一个普通属性：请调用 `layer.requires_grad_(False)`，或对每个参数设置"), mistake="modules.requires_grad_attribute")
        raise CheckFailed(tr("no parameter was frozen: every one still has requires_grad True",
                             "没有冻结任何参数：它们的 requires_grad 仍然都是 True"))
    last = [n for n in flags if n.startswith("4.")]
    frozen_last = [n for n in last if not flags[n]]
    if frozen_last:
        raise Mistake(tr("the last layer was frozen too ({names}: requires_grad False); it is the one part that "
                         "should keep learning", "最后一层也被冻结了（{names}：requires_grad 为 False）；"
                         "它恰恰是应该继续学习的部分", names=", ".join(frozen_last)), mistake="modules.last_layer_frozen")
    still = [n for n in flags if n not in last and flags[n]]
    expect_true(not still, tr("{names} should be frozen (requires_grad False) but is not",
                              "{names} 应该被冻结（requires_grad 为 False），但没有", names=", ".join(still)))
