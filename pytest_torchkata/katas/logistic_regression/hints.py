"""The logistic_regression kata's hints, level by level, each in English and 简体中文: what
the model outputs and the loss expects first (logits, probabilities, labels), then the call to make."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "model": [
        Text("a logit is an unbounded score; the loss turns it into a probability itself, in a numerically "
             "safe way, so the model must not squash it", "logit 是没有上下界的分数；损失函数会以数值安全的方式"
             "自己把它变成概率，所以模型不能先把它压扁"),
        Text("one affine layer from in_features to 1 (e.g. nn.Linear(in_features, 1)); return its output as "
             "(N,) with .squeeze(1), without a sigmoid", "一个从 in_features 到 1 的仿射层（例如 "
             "nn.Linear(in_features, 1)）；用 .squeeze(1) 把输出变成 (N,)，不要 sigmoid"),
    ],
    "bce": [
        Text("σ(100) rounds to exactly 1 in float32, so log(1 - σ(z)) is log(0); the same loss can be written so "
             "that exp only sees numbers <= 0", "在 float32 中 σ(100) 恰好舍入为 1，于是 log(1 - σ(z)) 就是 log(0)；"
             "同一个损失可以改写成让 exp 只接触 <= 0 的数"),
        Text("max(z, 0) - z·y + log1p(exp(-|z|)), averaged: logits.clamp(min=0) - logits * targets + "
             "torch.log1p(torch.exp(-logits.abs()))", "max(z, 0) - z·y + log1p(exp(-|z|))，再取平均："
             "logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))"),
    ],
    "standardize": [
        Text("the test set stands for data not seen yet: anything computed from it leaks into the model, so "
             "only the training set's statistics may be used", "测试集代表还没见过的数据：用它算出的任何量都会泄露给"
             "模型，所以只能用训练集的统计量"),
        Text("mean = x_train.mean(dim=0, keepdim=True), std = x_train.std(dim=0, keepdim=True); return "
             "(x_train - mean) / std, (x_test - mean) / std", "mean = x_train.mean(dim=0, keepdim=True)，"
             "std = x_train.std(dim=0, keepdim=True)；返回 (x_train - mean) / std, (x_test - mean) / std"),
    ],
    "blobs": [
        Text("BCE losses compare probabilities with targets, so the labels must be float numbers 0. and 1.; "
             "integer class indices are what cross-entropy takes", "BCE 损失拿概率和目标比较，所以标签必须是浮点数 "
             "0. 和 1.；整数类别索引是交叉熵用的"),
        Text("y = torch.cat([torch.zeros(n0), torch.ones(n - n0)]); x = centres[y.long()] + "
             "torch.randn(n, 2, generator=g)", "y = torch.cat([torch.zeros(n0), torch.ones(n - n0)])；x = "
             "centres[y.long()] + torch.randn(n, 2, generator=g)"),
    ],
    "train": [
        Text("BCEWithLogitsLoss applies the sigmoid itself; a second sigmoid squashes the logits into (0, 1) and "
             "the loss can never get small, even when accuracy looks fine", "BCEWithLogitsLoss 自带 sigmoid；"
             "再加一个 sigmoid 会把 logits 压进 (0, 1)，损失再也降不下去，哪怕准确率看起来不错"),
        Text("optimizer.zero_grad(); logits = model(x); loss = nn.BCEWithLogitsLoss()(logits, y); loss.backward(); "
             "optimizer.step(); return loss.item()", "optimizer.zero_grad()；logits = model(x)；loss = "
             "nn.BCEWithLogitsLoss()(logits, y)；loss.backward()；optimizer.step()；返回 loss.item()"),
    ],
    "cross_entropy": [
        Text("softmax does not change when the same number is subtracted from a whole row, so each row can be "
             "shifted until its largest logit is 0 and exp can no longer overflow",
             "对一整行减去同一个数，softmax 不变；所以可以平移每一行，让它最大的 logit 变成 0，exp 就不会溢出了"),
        Text("m = logits.amax(dim=1, keepdim=True); shifted = logits - m; shifted - shifted.exp().sum(dim=1, "
             "keepdim=True).log(); then pick each row's target entry with gather (or F.nll_loss) and average",
             "m = logits.amax(dim=1, keepdim=True)；shifted = logits - m；shifted - shifted.exp().sum(dim=1, "
             "keepdim=True).log()；再用 gather（或 F.nll_loss）取出每行目标类别的值并取平均"),
    ],
}
