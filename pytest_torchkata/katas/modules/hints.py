"""Hint levels for the modules kata, in English and 简体中文.

One list per task: first a nudge that names the idea (why PyTorch behaves so), then the
concrete API or step, last the code.  ``torchkata hint`` shows one more level each time.
"""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "parameter": [
        Text("A module only learns the tensors it knows about: a plain tensor attribute is invisible to "
             "parameters(), state_dict() and every optimizer.",
             "模块只会学习它\u201c认识\u201d的张量：普通张量属性对 parameters()、state_dict() 和优化器都是不可见的。"),
        Text("Wrap the tensor in nn.Parameter when you assign it in __init__.",
             "在 __init__ 里赋值时，用 nn.Parameter 把张量包起来。"),
        Text("`self.weight = nn.Parameter(torch.ones(features))`",
             "`self.weight = nn.Parameter(torch.ones(features))`")
    ],
    "mlp": [
        Text("A module finds its sub-modules through its attributes; a plain Python list hides them, so "
             "their parameters are never trained.",
             "模块通过属性找到子模块；普通 Python 列表会把它们藏起来，它们的参数就永远不会被训练。"),
        Text("Build the layers in a loop inside nn.ModuleList (or nn.Sequential); ReLU after every layer "
             "except the last.", "在 nn.ModuleList（或 nn.Sequential）里用循环建层；除最后一层外每层后面接 ReLU。"),
        Text("`self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))`",
             "`self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))`")
    ],
    "count": [
        Text("An optimizer trains every number of every parameter that requires grad; buffers and frozen "
             "parameters are not trained.", "优化器训练的是所有 requires_grad 为 True 的参数中的每一个数；缓冲区和冻结的参数不参与训练。"),
        Text("Go over model.parameters(), keep those with p.requires_grad, add up p.numel().",
             "遍历 model.parameters()，保留 p.requires_grad 为 True 的，把 p.numel() 加起来。"),
        Text("`sum(p.numel() for p in model.parameters() if p.requires_grad)`",
             "`sum(p.numel() for p in model.parameters() if p.requires_grad)`")
    ],
    "freeze": [
        Text("Freezing is a flag on each parameter, requires_grad: autograd computes no gradient for a frozen "
             "parameter, so the optimizer leaves it alone.",
             "冻结就是参数上的 requires_grad 标志：autograd 不会为冻结的参数计算梯度，优化器也就不会改它。"),
        Text("Call requires_grad_(False) on every parameter (or the module), then requires_grad_(True) on "
             "model[-1].", "对所有参数（或整个模块）调用 requires_grad_(False)，再对 model[-1] 调用 requires_grad_(True)。"),
        Text("`model.requires_grad_(False)` then `model[-1].requires_grad_(True)`",
             "`model.requires_grad_(False)`，然后 `model[-1].requires_grad_(True)`")
    ],
    "residual": [
        Text("A module assigned to an attribute becomes a registered sub-module; calling it as module(x) runs "
             "its hooks and keeps the graph, so gradients flow through both branches.",
             "赋值给属性的模块会成为已注册的子模块；用 module(x) 调用会运行它的钩子并保留计算图，梯度就能流过两条分支。"),
        Text("Keep the module with `self.module = module` after super().__init__(); in forward add the input "
             "to the module's output, out of place.",
             "在 super().__init__() 之后用 `self.module = module` 保存它；forward 里把输入与模块输出相加，不要原地操作。"),
        Text("`return x + self.module(x)`", "`return x + self.module(x)`")
    ],
    "buffer": [
        Text("Statistics that are saved and moved with the model but not learned are buffers, not parameters; "
             "updating them is not part of the graph.", "随模型一起保存、移动但不参与学习的统计量是缓冲区，不是参数；"
             "更新它们不属于计算图。"),
        Text("`self.register_buffer('mean', torch.zeros(features))`; in training mode update it inside "
             "`with torch.no_grad():`, in eval mode only use it.", "`self.register_buffer('mean', torch.zeros(features))`；"
             "训练模式下在 `with torch.no_grad():` 里更新它，评估模式下只使用它。"),
        Text("`if self.training:` / `with torch.no_grad(): self.mean.mul_(1 - m).add_(m * x.mean(dim=0))`",
             "`if self.training:` / `with torch.no_grad(): self.mean.mul_(1 - m).add_(m * x.mean(dim=0))`")
    ],
    "train_eval": [
        Text("model.eval() only sets a flag, self.training, on every sub-module; a layer behaves differently "
             "only if it reads that flag.", "model.eval() 只是把每个子模块的 self.training 标志设为 False；"
             "层只有读取这个标志才会改变行为。"),
        Text("Pass `training=self.training` to F.dropout (its default is True), or create an nn.Dropout(p) "
             "layer once in __init__: it follows the mode by itself.", "给 F.dropout 传 `training=self.training`"
             "（它默认是 True），或在 __init__ 里创建一次 nn.Dropout(p)：它会自己跟随模式。"),
        Text("`h = F.dropout(F.relu(self.fc1(x)), self.p, training=self.training)`",
             "`h = F.dropout(F.relu(self.fc1(x)), self.p, training=self.training)`")
    ],
    "checkpoint": [
        Text("A checkpoint is the state_dict: a dict of the parameters and buffers by name, not the model object; "
             "loading copies it into a model of the same architecture.", "检查点就是 state_dict：按名字存放参数和缓冲区的"
             "字典，而不是模型对象；加载就是把它复制进同样结构的模型。"),
        Text("torch.save(model.state_dict(), buffer), then buffer.getvalue(); to load, torch.load(io.BytesIO(data), "
             "weights_only=True) and model.load_state_dict(...).", "torch.save(model.state_dict(), buffer)，再 "
             "buffer.getvalue()；加载时 torch.load(io.BytesIO(data), weights_only=True)，再 model.load_state_dict(...)。"),
        Text("`model.load_state_dict(torch.load(io.BytesIO(data), weights_only=True)); return model`",
             "`model.load_state_dict(torch.load(io.BytesIO(data), weights_only=True)); return model`")
    ],
    "to_device": [
        Text("A module's .to() changes the module itself, but a tensor's .to() returns a new tensor and leaves "
             "the old one as it was.", "模块的 .to() 会修改模块本身，而张量的 .to() 返回一个新张量，原来的张量保持不变。"),
        Text("Call model.to(device=device, dtype=dtype), and reassign the input: x = x.to(device=device, dtype=dtype).",
             "调用 model.to(device=device, dtype=dtype)，并重新赋值输入：x = x.to(device=device, dtype=dtype)。"),
        Text("`model.to(device=device, dtype=dtype); x = x.to(device=device, dtype=dtype); return model(x)`",
             "`model.to(device=device, dtype=dtype); x = x.to(device=device, dtype=dtype); return model(x)`")
    ],
}
