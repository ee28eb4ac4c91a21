"""The linear_regression kata's hints, level by level, each in English and 简体中文: what
the data, the loss and the update must keep true first (shapes, the graph, .grad adding up), then the calls."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "make_data": [
        Text("data made from a known line lets you check what training recovers; your own seeded generator "
             "makes it the same every time without touching anyone else's randomness",
             "用已知直线生成数据，才能检验训练学到了什么；用你自己的带种子生成器，每次都得到相同数据，"
             "又不影响别处的随机性"),
        Text("g = torch.Generator().manual_seed(seed); torch.rand(n, 1, generator=g) gives [0, 1): scale by 4 "
             "and shift by -2; noise: 0.1 * torch.randn(n, 1, generator=g)",
             "g = torch.Generator().manual_seed(seed)；torch.rand(n, 1, generator=g) 给出 [0, 1)：乘 4 再减 2；"
             "噪声：0.1 * torch.randn(n, 1, generator=g)"),
    ],
    "mse": [
        Text("broadcasting lines up shapes from the right and stretches size-1 dimensions, so (N, 1) - (N,) "
             "silently becomes an (N, N) table; only an explicit shape check stops it",
             "广播从右边对齐形状并拉伸大小为 1 的维度，所以 (N, 1) - (N,) 会悄悄变成 (N, N) 的表格；"
             "只有显式检查形状才能拦住它"),
        Text("if pred.shape != target.shape: raise ValueError(...); then ((pred - target) ** 2).mean()",
             "if pred.shape != target.shape: raise ValueError(...)；然后 ((pred - target) ** 2).mean()"),
    ],
    "gd_step": [
        Text("autograd records every operation on w and b, and adds each backward's gradient into .grad; "
             "the update itself must not be recorded, and must change the caller's own tensors",
             "autograd 会记录对 w 和 b 的每个运算，并把每次 backward 的梯度累加进 .grad；更新本身不能被记录，"
             "而且必须改变调用者手里的那两个张量"),
        Text("loss.backward(); then `with torch.no_grad(): w -= lr * w.grad; b -= lr * b.grad`; then "
             "w.grad.zero_() and b.grad.zero_(); return loss.item()",
             "loss.backward()；然后 `with torch.no_grad(): w -= lr * w.grad; b -= lr * b.grad`；再 "
             "w.grad.zero_() 和 b.grad.zero_()；返回 loss.item()"),
    ],
    "model": [
        Text("a layer owns its parameters (registered, so .parameters() finds them); the optimizer only updates "
             "the parameters it was handed", "层拥有自己的参数（已注册，.parameters() 能找到）；优化器只更新交给它的参数"),
        Text("nn.Linear(1, 1); torch.optim.SGD(model.parameters(), lr=lr)",
             "nn.Linear(1, 1)；torch.optim.SGD(model.parameters(), lr=lr)"),
    ],
    "train_step": [
        Text("backward adds gradients into .grad and step() applies whatever is there, so the order matters: "
             "clear, compute, apply", "backward 把梯度累加进 .grad，step() 用的是 .grad 里现有的东西，所以顺序很重要："
             "先清零，再计算，最后更新"),
        Text("optimizer.zero_grad(); pred = model(x); loss = nn.MSELoss()(pred, y) with both (N, 1); "
             "loss.backward(); optimizer.step(); return loss.item()",
             "optimizer.zero_grad()；pred = model(x)；loss = nn.MSELoss()(pred, y)，两者都是 (N, 1)；"
             "loss.backward()；optimizer.step()；返回 loss.item()"),
    ],
    "closed_form": [
        Text("a bias is the weight of a feature that is always 1, so least squares can solve for w and b together",
             "偏置就是一个恒为 1 的特征的权重，所以最小二乘可以一起解出 w 和 b"),
        Text("A = torch.cat([x, torch.ones_like(x)], dim=1); theta = torch.linalg.lstsq(A, y).solution; "
             "return theta[0, 0].item(), theta[1, 0].item()",
             "A = torch.cat([x, torch.ones_like(x)], dim=1)；theta = torch.linalg.lstsq(A, y).solution；"
             "返回 theta[0, 0].item(), theta[1, 0].item()"),
    ],
}
