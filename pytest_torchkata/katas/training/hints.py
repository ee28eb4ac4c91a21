"""The training kata's hints, level by level, each in English and 简体中文: the idea behind the
loop first (why gradients pile up, why eval() is not no_grad()), then the call to make, then code."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "step": [
        Text("backward() adds the new gradients to whatever .grad already holds, and it only computes them: "
             "the parameters change when the optimizer applies them in step().",
             "backward() 会把新梯度加到 .grad 里已有的值上，而且它只负责计算梯度：参数要等优化器在 step() 里"
             "应用梯度时才会改变。"),
        Text("Clear the old gradients first (optimizer.zero_grad()), then forward, loss, loss.backward(), "
             "optimizer.step(); return the loss as a Python float.",
             "先清掉旧梯度（optimizer.zero_grad()），然后前向、计算损失、loss.backward()、optimizer.step()；"
             "把损失作为 Python float 返回。"),
        Text("`optimizer.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); optimizer.step(); "
             "return loss.item()`",
             "`optimizer.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); optimizer.step(); "
             "return loss.item()`"),
    ],
    "epoch": [
        Text("An epoch is the training step repeated for every batch; a loss tensor drags its whole graph "
             "along, a Python float does not.",
             "一个 epoch 就是对每个批次重复一次训练步；损失张量会拖着整个计算图，Python float 不会。"),
        Text("model.train() first; for each (x, y) in the loader take one step and add loss.item(); divide "
             "the total by len(loader).",
             "先 model.train()；对 loader 里的每个 (x, y) 做一步训练并累加 loss.item()；最后除以 len(loader)。"),
        Text("`total += train_step(model, (x, y), loss_fn, optimizer)` ... `return total / len(loader)`",
             "`total += train_step(model, (x, y), loss_fn, optimizer)` ... `return total / len(loader)`"),
    ],
    "accuracy": [
        Text("Logits are (N, C): each row holds one sample's scores over the classes, so a prediction is the "
             "position of the largest entry in its row.",
             "logits 的形状是 (N, C)：每一行是一个样本在各类别上的得分，所以预测就是这一行最大值所在的位置。"),
        Text("Compare logits.argmax(dim=1) with labels; the comparison is a bool tensor: make it float before "
             "averaging and return .item().",
             "把 logits.argmax(dim=1) 与 labels 比较；比较结果是 bool 张量：求平均前转成 float，并返回 .item()。"),
        Text("`(logits.argmax(dim=1) == labels).float().mean().item()`",
             "`(logits.argmax(dim=1) == labels).float().mean().item()`"),
    ],
    "evaluate": [
        Text("eval() switches layers such as dropout to their inference behaviour, but it does not stop "
             "autograd: torch.no_grad() does. Accuracy counts samples, and the last batch may be smaller.",
             "eval() 让 dropout 等层切换到推理行为，但它不会关闭自动求导：torch.no_grad() 才会。准确率按样本计，"
             "而最后一个批次可能更小。"),
        Text("model.eval(); the loop inside `with torch.no_grad():`; add up the batch losses, the correct "
             "predictions and the samples; model.train() before returning.",
             "model.eval()；把循环放进 `with torch.no_grad():`；累加批次损失、预测正确的个数和样本数；"
             "返回前调用 model.train()。"),
        Text("`correct += (logits.argmax(dim=1) == y).sum().item(); seen += len(y)` ... "
             "`return total_loss / len(loader), correct / seen`",
             "`correct += (logits.argmax(dim=1) == y).sum().item(); seen += len(y)` ... "
             "`return total_loss / len(loader), correct / seen`"),
    ],
    "loader": [
        Text("shuffle=True draws the order from a random generator: by default torch's global one, which any "
             "other code may move between two loaders.",
             "shuffle=True 用随机数生成器决定顺序：默认是 torch 的全局生成器，两个 loader 之间任何代码都可能改变它。"),
        Text("Give the DataLoader its own torch.Generator, seeded with seed, and shuffle=True.",
             "给 DataLoader 一个它自己的、用 seed 设定种子的 torch.Generator，并设置 shuffle=True。"),
        Text("`DataLoader(dataset, batch_size=batch_size, shuffle=True, "
             "generator=torch.Generator().manual_seed(seed))`",
             "`DataLoader(dataset, batch_size=batch_size, shuffle=True, "
             "generator=torch.Generator().manual_seed(seed))`"),
    ],
    "fit": [
        Text("An optimizer keeps state from step to step (SGD's momentum); making a new one throws that state "
             "away. CrossEntropyLoss wants the raw logits.",
             "优化器在各步之间保存状态（SGD 的动量）；新建一个优化器就把这些状态丢掉了。CrossEntropyLoss 需要原始 logits。"),
        Text("Make the SGD optimizer (lr, momentum=0.9) and the loss once, before the loop; per epoch call "
             "train_epoch, then evaluate on val_loader, and append the three numbers.",
             "在循环之前只创建一次 SGD 优化器（lr，momentum=0.9）和损失函数；每个 epoch 调用 train_epoch，"
             "再在 val_loader 上 evaluate，然后追加这三个数。"),
        Text("`history[\"train_loss\"].append(train_epoch(model, train_loader, loss_fn, optimizer))`",
             "`history[\"train_loss\"].append(train_epoch(model, train_loader, loss_fn, optimizer))`"),
    ],
}
