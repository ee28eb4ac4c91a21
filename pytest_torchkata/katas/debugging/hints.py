"""The debugging kata's hints, level by level, each in English and 简体中文: what the tool
sees first (hooks in run order, .grad after backward, anomaly mode's first NaN node), then the call to make."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "first_bad": [
        Text("Once one layer makes a NaN, every later layer inherits it: the culprit is the first module, in the "
             "order they run, whose output is bad, and a child finishes before its parent.",
             "一旦某一层产生了 NaN，之后的每一层都会继承它：罪魁祸首是按运行顺序第一个输出异常的模块，"
             "而子模块总是先于父模块完成。"),
        Text("Register `module.register_forward_hook` on every `model.named_modules()` entry, record names whose "
             "output is not `torch.isfinite(...).all()` in the order the hooks fire, and remove the handles in a "
             "`finally:`.",
             "给每个 `model.named_modules()` 条目注册 `module.register_forward_hook`，按钩子触发的顺序记录输出不满足 "
             "`torch.isfinite(...).all()` 的模块名，并在 `finally:` 中移除所有句柄。"),
    ],
    "grad_report": [
        Text("A parameter that no gradient reaches keeps `.grad` None, which is different from a zero gradient; "
             "and gradients add up in `.grad` until you clear them.",
             "没有梯度到达的参数，其 `.grad` 保持为 None，这与梯度为 0 不同；而且梯度会在 `.grad` 中累加，直到你清除它。"),
        Text("`model.zero_grad()` (it sets `.grad` to None), one `loss.backward()`, then for each "
             "`model.named_parameters()` entry `p.grad.norm().item()`, or None when `p.grad is None`.",
             "先 `model.zero_grad()`（它把 `.grad` 设为 None），做一次 `loss.backward()`，然后对 "
             "`model.named_parameters()` 的每一项取 `p.grad.norm().item()`，`p.grad is None` 时取 None。"),
    ],
    "find_nan": [
        Text("A NaN in backward shows up only in the gradients, far from its cause; anomaly mode checks every "
             "backward node and stops at the first that returns NaN, naming it.",
             "反向传播中的 NaN 只出现在梯度里，离它的起因很远；异常检测模式会检查每个反向节点，"
             "在第一个返回 NaN 的节点处停下并报出它的名字。"),
        Text("Run the backward inside `with torch.autograd.detect_anomaly():`, catch the RuntimeError, and take the "
             "name between the quotes in \"Function 'SqrtBackward0' returned nan values\".",
             "把反向传播放进 `with torch.autograd.detect_anomaly():`，捕获 RuntimeError，"
             "从 \"Function 'SqrtBackward0' returned nan values\" 中取出引号里的名字。"),
    ],
    "mean_loss": [
        Text("A loss tensor carries the autograd graph of its batch; adding tensors keeps every graph alive, while a "
             "Python number carries none.",
             "损失张量带着它那个批次的计算图；把张量加起来会让每个计算图都一直存活，而 Python 数字不带计算图。"),
        Text("Add `loss.item()` (a Python float) to the total for each batch, then divide by `len(batches)`.",
             "每个批次把 `loss.item()`（Python float）加到总和上，最后除以 `len(batches)`。"),
    ],
    "train_steps": [
        Text("`backward()` adds into `.grad`; it never replaces what is there.",
             "`backward()` 是把梯度加到 `.grad` 上，从不替换里面已有的值。"),
        Text("Call `optimizer.zero_grad()` at the start of every step: zero_grad, forward, loss, backward, step.",
             "在每一步开始时调用 `optimizer.zero_grad()`：zero_grad、前向、损失、backward、step。"),
    ],
    "probabilities": [
        Text("softmax normalises along one dimension: each sample's class scores should sum to 1 on their own, "
             "independent of the other samples in the batch.",
             "softmax 沿一个维度归一化：每个样本的各类别分数应各自加起来等于 1，与批次中其他样本无关。"),
        Text("For an (N, C) batch that is the class dimension: `F.softmax(logits, dim=1)`.",
             "对形状为 (N, C) 的批次，那就是类别维度：`F.softmax(logits, dim=1)`。"),
    ],
    "accuracy": [
        Text("With a `dim`, `torch.max` answers two questions at once: the largest value and where it is.",
             "指定 `dim` 时，`torch.max` 同时回答两个问题：最大值是多少、它在哪里。"),
        Text("`torch.max(x, dim)` gives (values, indices); for the predicted class use `logits.argmax(dim=1)`, then "
             "`(predicted == labels).float().mean().item()`.",
             "`torch.max(x, dim)` 返回 (values, indices)；预测类别请用 `logits.argmax(dim=1)`，然后 "
             "`(predicted == labels).float().mean().item()`。"),
    ],
}
