"""The tensors kata's hints, level by level, each in English and 简体中文: the idea first
(views and copies, broadcasting from the right, overflow in exp), then the call to make."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "create": [
        Text("a tensor's dtype comes from its data unless you ask: Python ints give int64, a NumPy array keeps "
             "its own dtype", "张量的数据类型默认由数据决定：Python 整数得到 int64，NumPy 数组保持自己的数据类型"),
        Text("`torch.tensor(data, dtype=torch.float32)` for lists; `torch.from_numpy(arr)` keeps the array's dtype",
             "列表用 `torch.tensor(data, dtype=torch.float32)`；`torch.from_numpy(arr)` 保持数组的数据类型"),
    ],
    "reshape": [
        Text("`view`/`reshape` only regroup the elements in memory order; moving an axis means permuting, and a "
             "permuted tensor is no longer contiguous",
             "`view`/`reshape` 只按内存顺序重新分组元素；要移动维度得用 permute，而 permute 之后的张量不再连续"),
        Text("`x.permute(0, 2, 3, 1)` moves the channel axis last; `x.reshape(x.shape[0], -1)` (not `view`) "
             "flattens a non-contiguous tensor",
             "`x.permute(0, 2, 3, 1)` 把通道维移到最后；展平不连续的张量用 `x.reshape(x.shape[0], -1)`（不要用 `view`）"),
    ],
    "distances": [
        Text("broadcasting pairs every row of a with every row of b when each gets its own axis: sizes line up "
             "from the right, and a size-1 axis stretches",
             "给 a 和 b 各自一个维度，广播就会把 a 的每一行和 b 的每一行配对：形状从右往左对齐，大小为 1 的维度会被扩展"),
        Text("`a[:, None, :] - b[None, :, :]` has shape (N, M, D); square it and sum over the last dim",
             "`a[:, None, :] - b[None, :, :]` 的形状是 (N, M, D)；平方后对最后一维求和"),
    ],
    "masked_mean": [
        Text("a boolean mask turned into 0.0/1.0 lets sums count and select at once, with no loop; a row with "
             "nothing selected still needs a count that is not 0",
             "把布尔掩码变成 0.0/1.0，就能不用循环同时做选择和计数；没有选中任何元素的行，计数也不能是 0"),
        Text("sum `x * mask` along dim=1 and divide by `mask.sum(dim=1).clamp(min=1)`",
             "沿 dim=1 对 `x * mask` 求和，再除以 `mask.sum(dim=1).clamp(min=1)`"),
    ],
    "one_hot": [
        Text("a one-hot row is a row of zeros with a 1 at the label's column; going back means asking where each "
             "row is largest", "one-hot 的一行全是 0，只在标签那一列是 1；还原就是找每一行最大值的位置"),
        Text("`out[torch.arange(N), labels] = 1` on a float32 zeros tensor (or `F.one_hot(labels, num_classes)"
             ".float()`); back with `argmax(dim=1)`",
             "在 float32 的全零张量上 `out[torch.arange(N), labels] = 1`（或 `F.one_hot(labels, num_classes).float()`）；"
             "用 `argmax(dim=1)` 还原"),
    ],
    "softmax": [
        Text("softmax does not change when the same number is subtracted from every entry along `dim`, and "
             "exp(1000) overflows float32", "沿 `dim` 给每个元素减去同一个数，softmax 不变；而 exp(1000) 会让 float32 溢出"),
        Text("subtract `x.amax(dim=dim, keepdim=True)` before `exp`, then divide by the sum along `dim` "
             "(`keepdim=True` again); build new tensors, do not change x",
             "在 `exp` 之前减去 `x.amax(dim=dim, keepdim=True)`，再除以沿 `dim` 的和（同样 `keepdim=True`）；"
             "创建新张量，不要修改 x"),
    ],
    "log_softmax": [
        Text("log of a softmax that underflowed to 0 is -inf; the log can be taken before the division, where "
             "nothing underflows", "对下溢成 0 的 softmax 取 log 得 -inf；可以在除法之前就取 log，那里不会下溢"),
        Text("with `s = x - x.amax(dim=dim, keepdim=True)`: log_softmax = `s - s.exp().sum(dim=dim, keepdim=True)"
             ".log()` (or `x - x.logsumexp(dim, keepdim=True)`)",
             "令 `s = x - x.amax(dim=dim, keepdim=True)`：log_softmax = `s - s.exp().sum(dim=dim, keepdim=True).log()`"
             "（或 `x - x.logsumexp(dim, keepdim=True)`）"),
    ],
    "numpy_bridge": [
        Text("NumPy knows nothing of graphs or GPUs, so a tensor must leave both first; `from_numpy` wraps the "
             "array's own memory, `torch.tensor` copies it", "NumPy 不懂计算图也不懂 GPU，张量要先脱离两者；"
             "`from_numpy` 直接使用数组的内存，`torch.tensor` 会复制"),
        Text("`t.detach().cpu().numpy()` to leave torch; `torch.from_numpy(arr)` shares memory, "
             "`torch.tensor(arr)` copies", "离开 torch 用 `t.detach().cpu().numpy()`；`torch.from_numpy(arr)` "
             "共享内存，`torch.tensor(arr)` 复制"),
    ],
}
