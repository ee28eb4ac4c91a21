"""The devices kata's hints, level by level, each in English and 简体中文: where tensors
live and how they move first, then the call to make."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "pick_device": [
        Text("The same file must run on a laptop without a GPU and on a GPU server: ask torch at run time "
             "instead of writing the device down.",
             "同一个文件既要在没有 GPU 的笔记本上跑，也要在 GPU 服务器上跑：运行时问 torch，而不是把设备写死。"),
        Text("`torch.cuda.is_available()` (with the parentheses) says whether a GPU is usable.",
             "`torch.cuda.is_available()`（别忘了括号）告诉你 GPU 是否可用。"),
        Text('`return "cuda" if torch.cuda.is_available() else "cpu"`',
             '`return "cuda" if torch.cuda.is_available() else "cpu"`'),
    ],
    "to_device": [
        Text("`.to()` on a tensor returns a moved copy and leaves the original where it was, and a container "
             "(dict, list, tuple) has no `.to()` at all: you rebuild it, moving what is inside.",
             "张量的 `.to()` 返回一个移动后的副本，原张量不动；容器（dict、list、tuple）根本没有 `.to()`："
             "要重建容器，把里面的东西逐个移过去。"),
        Text("Handle three cases: tensor or `nn.Module` -> `obj.to(device)`; dict/list/tuple -> the same kind of "
             "container with `to_device(value, device)` for each value (recursion reaches nested ones); "
             "anything else -> as it is.",
             "分三种情况：张量或 `nn.Module` -> `obj.to(device)`；dict/list/tuple -> 同类容器，每个值调用 "
             "`to_device(value, device)`（递归处理嵌套）；其他 -> 原样返回。"),
        Text("`{k: to_device(v, device) for k, v in obj.items()}` and "
             "`type(obj)(to_device(v, device) for v in obj)`",
             "`{k: to_device(v, device) for k, v in obj.items()}` 以及 "
             "`type(obj)(to_device(v, device) for v in obj)`"),
    ],
    "add_ones": [
        Text("A new tensor is made on the CPU in the default dtype unless you say otherwise, and every tensor "
             "in one operation must be on the same device.",
             "新建的张量默认在 CPU 上、使用默认数据类型，除非你另外指定；而一次运算里的所有张量必须在同一个设备上。"),
        Text("Make the ones with `device=x.device, dtype=x.dtype` (or `x.new_ones(...)`), then `torch.cat` "
             "along dim 1.",
             "用 `device=x.device, dtype=x.dtype` 创建全 1 列（或用 `x.new_ones(...)`），再沿 dim 1 做 `torch.cat`。"),
        Text("`torch.cat([x, torch.ones(x.shape[0], 1, device=x.device, dtype=x.dtype)], dim=1)`",
             "`torch.cat([x, torch.ones(x.shape[0], 1, device=x.device, dtype=x.dtype)], dim=1)`"),
    ],
    "new_weight": [
        Text("Only a leaf tensor (one you created, not the result of an operation) gets `.grad` from backward(); "
             "`.to()` after `requires_grad=True` is an operation.",
             "只有叶子节点（你直接创建的张量，而不是运算的结果）在反向传播后才有 `.grad`；"
             "在 `requires_grad=True` 之后调用 `.to()` 就是一次运算。"),
        Text("Create it where it belongs: pass `device=`, `dtype=` and `requires_grad=True` to `torch.randn`.",
             "直接在目标位置创建：给 `torch.randn` 传 `device=`、`dtype=` 和 `requires_grad=True`。"),
        Text("`torch.randn(shape, device=device, dtype=dtype, requires_grad=True)`",
             "`torch.randn(shape, device=device, dtype=dtype, requires_grad=True)`"),
    ],
    "predict": [
        Text("A model's weights and its input must be on the same device, and inference needs neither dropout "
             "nor an autograd graph.",
             "模型的权重和输入必须在同一个设备上；推理时既不需要 dropout，也不需要构建计算图。"),
        Text("`model.to(device)` moves the model in place, but `x.to(device)` returns a new tensor: use what it "
             "returns; then `model.eval()` and `torch.no_grad()`.",
             "`model.to(device)` 原地移动模型，而 `x.to(device)` 返回新张量：要使用它的返回值；"
             "然后 `model.eval()` 并使用 `torch.no_grad()`。"),
        Text("`model.to(device); model.eval()` then `with torch.no_grad(): return model(x.to(device))`",
             "`model.to(device); model.eval()`，然后 `with torch.no_grad(): return model(x.to(device))`"),
    ],
    "time_it": [
        Text("GPU calls only queue work and return at once, so the clock must wait for the GPU to finish, before "
             "starting and before stopping.",
             "GPU 调用只是把计算放进队列就立刻返回，所以开始和停止计时之前都要等 GPU 算完。"),
        Text("On cuda, call `torch.cuda.synchronize()` before the first and before the last `time.perf_counter()`; "
             "on the CPU skip it; return the total divided by `repeats`.",
             "在 cuda 上，第一次和最后一次 `time.perf_counter()` 之前都调用 `torch.cuda.synchronize()`；"
             "在 CPU 上跳过；返回总时间除以 `repeats`。"),
    ],
}
