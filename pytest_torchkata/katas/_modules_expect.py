"""Grader side of the modules kata: the starting states it hands out, reference outputs and the
diagnoses several checks share.  Nothing here runs learner code: it reads the observations the
``_modules_world`` helpers returned and names a mistake only when they show it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import describe, expect_true
from pytest_torchkata.i18n import tr
from pytest_torchkata.katas import _modules_world as world


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


def expect_count(value, freeze_first: bool, what: str) -> None:
    __tracebackhide__ = True
    model = world.small_net()
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
                             "state_dict_bytes 应返回 bytes，实际返回了 {got}；请 return `buffer.getvalue()`",
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
