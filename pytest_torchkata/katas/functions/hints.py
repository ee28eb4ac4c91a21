"""The functions kata's hints, level by level, each in English and 简体中文: the idea behind
each function first, then the formula or call to write."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "scale": [
        Text("autograd calls backward with d loss / d output and expects one answer per forward input, "
             "in order, even for inputs that are not tensors",
             "autograd 调用 backward 时传入 d loss / d output，并要求按顺序为 forward 的每个输入各返回一个值，"
             "不是张量的输入也不例外"),
        Text("the derivative of x * factor is factor: return grad_output * ctx.factor for x, and None for "
             "the float factor", "x * factor 对 x 的导数是 factor：为 x 返回 grad_output * ctx.factor，"
             "为浮点数 factor 返回 None"),
        Text("`return grad_output * ctx.factor, None`", "`return grad_output * ctx.factor, None`"),
    ],
    "exp": [
        Text("backward runs later, after forward returned: whatever it needs must be kept, and autograd "
             "tracks kept tensors only through ctx.save_for_backward",
             "backward 在 forward 返回之后才运行：它需要的东西必须保存下来，而 autograd 只通过 "
             "ctx.save_for_backward 跟踪保存的张量"),
        Text("exp is its own derivative: ctx.save_for_backward(result) in forward, then "
             "(result,) = ctx.saved_tensors in backward",
             "exp 的导数就是它自己：在 forward 中 ctx.save_for_backward(result)，在 backward 中 "
             "(result,) = ctx.saved_tensors"),
        Text("`return grad_output * result`", "`return grad_output * result`"),
    ],
    "matmul": [
        Text("autograd tells backward which inputs want a gradient: computing one nobody asked for is "
             "wasted work", "autograd 会告诉 backward 哪些输入需要梯度：计算没人要的梯度是白费功夫"),
        Text("check ctx.needs_input_grad[0] and [1]; d a = grad_output @ b.T, d b = a.T @ grad_output; "
             "return None for the one not needed",
             "检查 ctx.needs_input_grad[0] 和 [1]；d a = grad_output @ b.T，d b = a.T @ grad_output；"
             "不需要的那个返回 None"),
    ],
    "cube": [
        Text("a second derivative differentiates backward itself: every step of it must be a torch "
             "operation that autograd records", "二阶导数是对 backward 本身求导：它的每一步都必须是 autograd "
             "能记录的 torch 运算"),
        Text("build backward from torch operations on the saved tensors (no .detach(), .item(), NumPy or "
             "@once_differentiable)", "用保存的张量上的 torch 运算写 backward（不要 .detach()、.item()、NumPy "
             "或 @once_differentiable）"),
        Text("`return grad_output * 3 * x ** 2`", "`return grad_output * 3 * x ** 2`"),
    ],
    "softplus": [
        Text("exp(100) is inf in float32; the same number can be written so that exp only ever sees "
             "numbers <= 0", "在 float32 中 exp(100) 是 inf；同一个数可以改写成让 exp 只接触 <= 0 的数"),
        Text("log(1 + e^x) = max(x, 0) + log1p(e^-|x|); the derivative is torch.sigmoid(x), which is stable",
             "log(1 + e^x) = max(x, 0) + log1p(e^-|x|)；导数是 torch.sigmoid(x)，它本身是稳定的"),
        Text("`x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))`",
             "`x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))`"),
    ],
    "round_ste": [
        Text("round's true derivative is 0 almost everywhere, which stops learning; a straight-through "
             "estimator pretends the forward was the identity",
             "round 的真实导数几乎处处为 0，会让学习停下来；直通估计器假装前向是恒等映射"),
        Text("forward: torch.round(x); backward: return grad_output unchanged",
             "forward：torch.round(x)；backward：原样返回 grad_output"),
    ],
    "legendre": [
        Text("a Function needs its input again in backward, because P3' depends on x",
             "因为 P3' 依赖 x，这个 Function 在 backward 里还要用到输入"),
        Text("forward: save x, return 0.5 * (5 x^3 - 3 x); backward: grad_output * 1.5 * (5 x^2 - 1)",
             "forward：保存 x，返回 0.5 * (5 x^3 - 3 x)；backward：grad_output * 1.5 * (5 x^2 - 1)"),
    ],
    "fit": [
        Text("autograd adds each backward's gradient into .grad, and a parameter must stay the same leaf "
             "tensor the caller holds, so update it in place without recording the update",
             "autograd 会把每次 backward 的梯度累加进 .grad，而参数必须一直是调用者手里的同一个叶子张量，"
             "所以要原地更新，并且不让 autograd 记录这次更新"),
        Text("loss = (a + b * LegendreP3.apply(c + d * x) - y).pow(2).sum(); loss.backward(); then under "
             "torch.no_grad(): p -= lr * p.grad and p.grad = None; return loss.item()",
             "loss = (a + b * LegendreP3.apply(c + d * x) - y).pow(2).sum()；loss.backward()；然后在 "
             "torch.no_grad() 中：p -= lr * p.grad，并 p.grad = None；返回 loss.item()"),
    ],
}
