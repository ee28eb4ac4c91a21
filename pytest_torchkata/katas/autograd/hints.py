"""The autograd kata's hints, level by level, each in English and 简体中文: what autograd
records and keeps first (the graph, .grad adding up, grad mode), then the call or the code to write."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "cubic": [
        Text("autograd records the operations on tensors that require grad; `backward()` on a scalar walks that "
             "record back and adds the derivative into each leaf's `.grad`",
             "autograd 会记录对需要梯度的张量所做的运算；对标量调用 `backward()` 会沿记录反向传播，"
             "把导数累加进每个叶子节点的 `.grad`"),
        Text("make a leaf with `x = x.detach().requires_grad_(True)`, build y as a scalar, call `y.backward()`, "
             "return `x.grad`", "用 `x = x.detach().requires_grad_(True)` 创建叶子节点，把 y 算成标量，调用 "
             "`y.backward()`，返回 `x.grad`"),
    ],
    "second": [
        Text("a derivative is itself a tensor computed from x, but autograd records how it was computed only "
             "when asked to; then it can be differentiated again",
             "导数本身也是由 x 算出的张量，但只有在要求时 autograd 才会记录它的计算过程；这样它才能再被求导"),
        Text("`(g,) = torch.autograd.grad(y, x, create_graph=True)`, then `torch.autograd.grad(g.sum(), x)`",
             "`(g,) = torch.autograd.grad(y, x, create_graph=True)`，然后 `torch.autograd.grad(g.sum(), x)`"),
    ],
    "accumulate": [
        Text("`.grad` is not replaced by backward but added to, which is what lets several losses share one "
             "step; starting afresh is your job", "backward 不会替换 `.grad`，而是往里累加，这样多个 loss 才能共用"
             "一步更新；要重新开始得由你自己清空"),
        Text("each backward() adds into .grad; to start afresh set `w.grad = None` (or `w.grad.zero_()`)",
             "每次 backward() 都累加进 .grad；要重新开始就设 `w.grad = None`（或 `w.grad.zero_()`）"),
    ],
    "zero": [
        Text("`w.grad` is one tensor that backward keeps adding into and `zero_()` clears in place: whatever you "
             "kept of it changes with it unless you copied it",
             "`w.grad` 是同一个张量：backward 不断往里累加，`zero_()` 原地把它清零；你保存的引用会跟着变，除非复制了一份"),
        Text("after each backward: `grads.append(w.grad.clone())`, then `w.grad.zero_()`",
             "每次 backward 之后：`grads.append(w.grad.clone())`，然后 `w.grad.zero_()`"),
    ],
    "detach": [
        Text("autograd records only while grad mode is on and only through tensors that are still in the graph; "
             "both can be switched off where no gradient should flow",
             "只有在梯度模式开启、且张量仍在计算图中时 autograd 才会记录；在不该有梯度的地方，两者都可以关掉"),
        Text("`with torch.no_grad():` builds no graph; `y.detach()` is y's value cut off from the graph",
             "`with torch.no_grad():` 不构建计算图；`y.detach()` 是 y 的值，但已从计算图上切下"),
    ],
    "vjp": [
        Text("backward starts from one number; for a vector output you say how much each element counts, and "
             "autograd returns v^T J without building J",
             "backward 从一个数开始；对向量输出，要告诉它每个元素的权重，autograd 会直接给出 v^T J 而不构造 J"),
        Text("y is a vector: `y.backward(v)` or `torch.autograd.grad(y, x, grad_outputs=v)`; build y out of place",
             "y 是向量：`y.backward(v)` 或 `torch.autograd.grad(y, x, grad_outputs=v)`；计算 y 时不要用原地操作"),
    ],
    "sigmoid": [
        Text("a Function's backward sees none of forward's variables, only what forward stored on ctx; the "
             "derivative of sigmoid can be written with its own output",
             "Function 的 backward 看不到 forward 的变量，只能看到 forward 存进 ctx 的东西；sigmoid 的导数可以用它自己的输出表示"),
        Text("save the output s with `ctx.save_for_backward(s)`; in backward read it back from `ctx.saved_tensors`: "
             "dsigmoid/dx = s * (1 - s), times grad_out", "用 `ctx.save_for_backward(s)` 保存输出 s；在 backward 中从 "
             "`ctx.saved_tensors` 取回：dsigmoid/dx = s * (1 - s)，再乘以 grad_out"),
    ],
    "linear": [
        Text("backward answers one question per input of forward: how the loss changes with it, in that input's "
             "shape; an input used by every row collects the gradient of every row",
             "backward 要为 forward 的每个输入各回答一个问题：loss 随它如何变化，形状与该输入相同；"
             "被每一行都用到的输入，要收集每一行的梯度"),
        Text("return three gradients in forward's order, each shaped like its input: x (N, IN), W (OUT, IN), "
             "b (OUT,); b was added to every row, so its gradient sums grad_out over rows",
             "按 forward 的顺序返回三个梯度，形状各与其输入相同：x (N, IN)、W (OUT, IN)、b (OUT,)；"
             "b 加到了每一行上，所以它的梯度是 grad_out 按行求和"),
    ],
}
