"""torch's own error messages mapped to the mistake they usually mean.

Used when learner code raises: the message is matched (case-insensitively) and
the first hint that fits is shown beside the learner's line, in the current
language.
"""

from __future__ import annotations

from pytest_torchkata.checks.errorkinds import explain_error
from pytest_torchkata.i18n import Text

# A learner file Python cannot parse: the errors' type names, and what to do.
SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
SYNTAX_HINT = Text(
    "Python could not read the file: look at the line it names and the one above it for a missing "
    "bracket, colon or quote, or a mixed-up indentation; every task is graded again once the file parses",
    "Python 读不懂这个文件：看看报错的那一行和它上面一行，是不是少了括号、冒号或引号，或者缩进乱了；"
    "文件能被解析之后，所有任务都会重新评分")

# A kata file that is not where the grader looks.
MISSING_FILE_HINT = Text(
    "every task of this kata is graded from this one file: it must sit in the kata folder under exactly "
    "this name",
    "这个练习的每个任务都从这一个文件评分：它必须用这个名字放在练习文件夹里")

# torchvision built for another torch: its compiled operators are missing, so importing it fails
# with "operator torchvision::nms does not exist" (matched by TORCHVISION_MISMATCH_NEEDLE).
TORCHVISION_MISMATCH_NEEDLE = "operator torchvision::"
TORCHVISION_MISMATCH = Text(
    "the installed torchvision does not match the installed torch (each torchvision release is built for "
    "one torch release): install the matching pair with `pip install --upgrade torch torchvision`, or the "
    "CPU-only pair with `pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu`",
    "安装的 torchvision 与 torch 不匹配（每个 torchvision 版本只对应一个 torch 版本）：用 "
    "`pip install --upgrade torch torchvision` 安装相互匹配的一对，或者用 "
    "`pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu` 安装只用 CPU 的一对")

# The messages of one torch error each; the kinds of error that come with many texts (a tuple where a
# tensor was expected, target dtypes, a method not called, shapes in a backward) are in checks.errorkinds.
TORCH_MESSAGE_HINTS: list[tuple[str, Text]] = [
    (TORCHVISION_MISMATCH_NEEDLE, TORCHVISION_MISMATCH),
    ("modified by an inplace operation",
     Text("an in-place operation (like `x += 1` or `x.relu_()`) changed a tensor autograd still needs; "
     "use the out-of-place version or `.clone()` first",
     "原地操作（比如 `x += 1` 或 `x.relu_()`）改动了一个自动求导还要用的张量；改用非原地的写法，或者先 `.clone()`")),
    ("a leaf variable that requires grad is being used in an in-place operation",
     Text("update parameters inside `with torch.no_grad():`",
     "在 `with torch.no_grad():` 里更新参数")),
    ("does not require grad and does not have a grad_fn",
     Text("the loss is cut off from the graph (built under `no_grad`, or from `.detach()`/`.item()`/`.data`); "
     "keep every step in torch",
     "损失已经和计算图断开了（在 `no_grad` 下算出来的，或者经过了 `.detach()`/`.item()`/`.data`）；每一步都要用 torch 运算")),
    ("trying to backward through the graph a second time",
     Text("recompute the forward pass for every backward, or pass `retain_graph=True` if you really mean it",
     "每次反向传播前都要重新做一次前向计算；确实需要时才传 `retain_graph=True`")),
    ("only tensors of floating point and complex dtype can require gradients",
     Text("make the tensor float (`dtype=torch.float32`) before asking for gradients",
     "先把张量变成浮点类型（`dtype=torch.float32`），再要求梯度")),
    ("can't call numpy() on tensor that requires grad",
     Text("use `.detach().cpu().numpy()`",
     "用 `.detach().cpu().numpy()`")),
    ("view size is not compatible with input tensor's size and stride",
     Text("`view` needs a contiguous tensor: use `reshape` or `flatten`",
     "`view` 需要内存连续的张量：改用 `reshape` 或 `flatten`")),
    ("mat1 and mat2 shapes cannot be multiplied",
     Text("the inner sizes of a matrix product differ: print both shapes (for x (N, IN) and W (OUT, IN) use "
     "`x @ W.T`; after flattening, a layer's `in_features` must match, e.g. 320 in the article's CNN)",
     "矩阵乘法的内侧维度不一致：把两个形状都打印出来（x 为 (N, IN)、W 为 (OUT, IN) 时用 `x @ W.T`；展平之后，层的 `in_features` 必须对得上，比如文中的 CNN 是 320）")),
    ("out of bounds", Text("a label is outside 0..C-1: check the number of classes",
     "有标签超出了 0..C-1 的范围：检查类别数")),
    ("all elements of input should be between 0 and 1",
     Text("`BCELoss` wants probabilities; for logits use `BCEWithLogitsLoss`",
     "`BCELoss` 要的是概率；输入是 logits 时用 `BCEWithLogitsLoss`")),
    ("optimizer got an empty parameter list",
     Text("keep layers in `nn.ModuleList`/`nn.Sequential`, and pass `model.parameters()` fresh",
     "把层放进 `nn.ModuleList`/`nn.Sequential`，并且每次都重新传入 `model.parameters()`")),
    ("expected all tensors to be on the same device",
     Text("move every input to the model's device (`x = x.to(device)`)",
     "把每个输入都移到模型所在的设备上（`x = x.to(device)`）")),
    ("is not on the expected device",
     Text("a tensor was made on a fixed device: create it with `device=x.device`, or move it",
     "有张量建在了固定的设备上：用 `device=x.device` 创建它，或者把它移过去")),
    ("torch not compiled with cuda enabled",
     Text("do not hard-code `.cuda()`: pick the device with `torch.cuda.is_available()`",
     "不要写死 `.cuda()`：用 `torch.cuda.is_available()` 来选设备")),
    ("found no nvidia driver",
     Text("do not hard-code `.cuda()`: pick the device with `torch.cuda.is_available()`",
     "不要写死 `.cuda()`：用 `torch.cuda.is_available()` 来选设备")),
    ("returned an incorrect number of gradients",
     Text("`backward` returns one gradient per `forward` input (None for non-tensors)",
     "`backward` 要为 `forward` 的每个输入各返回一个梯度（非张量的输入返回 None）")),
    ("jacobian mismatch", Text("the backward formula is wrong: check it in float64",
     "反向传播的公式写错了：用 float64 检查一下")),
    ("returned nan values", Text("a backward step produced NaN: look at the node it names",
     "某一步反向传播产生了 NaN：看看它指出的那个节点")),
    ("size of tensor a", Text("two shapes do not line up: print the shapes of both operands",
     "两个形状对不上：把两个操作数的形状都打印出来")),
    ("must match the size of tensor b", Text("two shapes do not line up: print the shapes of both operands",
     "两个形状对不上：把两个操作数的形状都打印出来")),
    ("object is not callable", Text("something you call is not a function: check the name",
     "你调用的东西不是函数：检查一下名字")),
    ("can't convert cuda", Text("copy it to the CPU first: `.detach().cpu().numpy()`",
     "先把它拷到 CPU 上：`.detach().cpu().numpy()`")),
    ("found <class 'pil.image.image'>",
     Text("the data set gives PIL images: pass `transform=transforms.ToTensor()` to turn them into tensors",
     "数据集给出的是 PIL 图像：传入 `transform=transforms.ToTensor()` 把它们变成张量")),
    ("'nonetype' object has no attribute 'zero_'",
     Text("this `.grad` is None: before the first backward there is no gradient to zero (zero it after the "
     "update, or set `p.grad = None`), and `w = w - lr * w.grad` makes a new tensor that is not a leaf; "
     "update in place inside `with torch.no_grad():` (`w -= lr * w.grad`)",
     "这个 `.grad` 是 None：第一次 backward 之前还没有梯度可以清零（在更新之后清零，或设 `p.grad = None`）；"
     "另外 `w = w - lr * w.grad` 生成了一个新张量，它不再是叶子节点；应在 `with torch.no_grad():` 里原地更新（`w -= lr * w.grad`）")),
    ("before module.__init__() call", Text("call `super().__init__()` first in `__init__`",
     "在 `__init__` 里先调用 `super().__init__()`")),
    ("error(s) in loading state_dict",
     Text("the saved keys do not match the model: save and load `model.state_dict()`, which holds both "
     "parameters and buffers",
     "保存的键和模型对不上：保存和加载 `model.state_dict()`，它同时包含参数和缓冲区")),
    ("weights only load failed",
     Text("save `model.state_dict()`, not the model object: `torch.load(..., weights_only=True)` reads tensors only",
     "保存 `model.state_dict()`，而不是模型对象：`torch.load(..., weights_only=True)` 只读取张量")),
    ("must have the same dtype",
     Text("the input and the weights have different dtypes: move both, the model with `model.to(...)` "
     "and the input with `x = x.to(...)` (a tensor's `.to()` returns a new tensor; it does not change x)",
     "输入和权重的 dtype 不同：两者都要转换，模型用 `model.to(...)`，输入用 `x = x.to(...)`（张量的 `.to()` 返回一个新张量，不会改变 x 本身）")),
    ("could not infer output dtype",
     Text("turn the comparison into numbers before averaging: `(pred == y).float().mean()`",
     "求平均之前先把比较结果变成数：`(pred == y).float().mean()`")),
    ("'bool' object has no attribute",
     Text("a comparison gave a plain Python bool: `torch.max(x, dim)` returns (values, indices), so compare "
     "the indices (or use `x.argmax(dim)`)",
     "比较得到的是 Python 的 bool：`torch.max(x, dim)` 返回 (values, indices)，所以要比较 indices（或者用 `x.argmax(dim)`）")),
    ("returned an invalid gradient at index",  # its shape form is a kind of its own (errorkinds)
     Text("`backward` returns the gradients in the order of `forward`'s inputs, each with its input's shape, "
          "dtype and device", "`backward` 按 `forward` 输入的顺序返回梯度，每个梯度的形状、dtype 和设备与对应输入相同")),
    ("unsupported operand type(s) for *: 'float' and 'nonetype'",
     Text("this `.grad` is None: backward fills `.grad` only on leaf tensors the loss depends on; was it "
          "cleared before the update, is the parameter no longer a leaf, or did backward() not reach it?",
          "这个 `.grad` 是 None：反向传播只会填充损失所依赖的叶子张量的 `.grad`；是在更新前被清掉了，"
          "参数已经不是叶子节点了，还是 backward() 没有传到它？")),
    ("not implemented for 'long'",
     Text("an integer tensor went where floats were expected: with a loss, the order is `loss_fn(output, target)`; "
          "class labels (int64) are the target, the model's output comes first",
          "需要浮点数的地方传入了整数张量：损失函数的参数顺序是 `loss_fn(output, target)`；"
          "类别标签（int64）是 target，模型的输出放在前面")),
    ("expected more than 1 value per channel when training",
     Text("BatchNorm in training mode needs more than one sample per batch: use `drop_last=True`, or `model.eval()` "
          "for single samples",
          "训练模式下的 BatchNorm 每个批次需要多于一个样本：使用 `drop_last=True`，单个样本时用 `model.eval()`")),
    ("object has no attribute 'to'",
     Text("only tensors and modules have `.to()`: return numbers, strings and None as they are",
          "只有张量和模块才有 `.to()`：数字、字符串和 None 原样返回即可")),
    ("sizes of tensors must match except in dimension",
     Text("`torch.cat` joins along one dimension and every other size must agree: to add a column to an (N, D) "
          "tensor, cat an (N, 1) tensor along dim=1",
          "`torch.cat` 沿一个维度拼接，其余维度的大小必须一致：要给 (N, D) 的张量加一列，"
          "就沿 dim=1 拼接一个 (N, 1) 的张量")),
    ("returned a gradient different than none at position",
     Text("an input of forward that is not a tensor (a Python number such as `factor`) gets `None` as its "
          "gradient, not 0", "forward 中不是张量的输入（比如 `factor` 这样的 Python 数）的梯度要返回 `None`，不是 0")),
    ("save_for_backward can only save variables",
     Text("`ctx.save_for_backward` takes tensors only; keep a plain number as an attribute (`ctx.factor = factor`)",
          "`ctx.save_for_backward` 只接受张量；普通的数作为属性保存（`ctx.factor = factor`）")),
    ("'nonetype' object has no attribute 'save_for_backward'",
     Text("use a Function through `.apply` (`MyFunction.apply(x)`): calling `forward` yourself gives it no ctx "
          "and autograd never sees your backward", "通过 `.apply` 使用 Function（`MyFunction.apply(x)`）：自己调用 "
          "`forward` 没有 ctx，autograd 也看不到你的 backward")),
    ("expected variable or none (got",
     Text("backward returns one tensor (or None) per input of forward, as a tuple when there are several; "
          "not a list, a number or a NumPy array", "backward 为 forward 的每个输入返回一个张量（或 None），"
          "有多个时用元组；不要返回列表、数字或 NumPy 数组")),
    ("legacy autograd function with non-static forward method",
     Text("a Function is not instantiated: call `MyFunction.apply(x)`, not `MyFunction()(x)`, with forward and "
          "backward marked `@staticmethod`", "Function 不需要实例化：调用 `MyFunction.apply(x)`，而不是 "
          "`MyFunction()(x)`，并把 forward 和 backward 标记为 `@staticmethod`")),
    ("tensors must have same number of dimensions",
     Text("`torch.cat` needs tensors with the same number of dimensions: make the column (N, 1), not (N,) "
          "(`unsqueeze(1)`)",
          "`torch.cat` 需要维数相同的张量：把这一列做成 (N, 1)，而不是 (N,)（`unsqueeze(1)`）")),
]


def hint_for(message: str, type_name: str = "") -> str:
    """What a learner's error usually means: its kind first (``checks.errorkinds``: by the
    exception's type and the message's pattern, the same in every kata), else the first
    torch message above that fits."""
    kind = explain_error(type_name, message)
    if kind:
        return kind
    text = message.lower()
    for needle, hint in TORCH_MESSAGE_HINTS:
        if needle in text:
            return str(hint)
    return ""
