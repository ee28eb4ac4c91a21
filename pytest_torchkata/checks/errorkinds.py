"""Raw learner errors recognised by their kind, not by one exact text.

The same slip reaches Python and torch through different doors: ``torch.max(x, 0)``
used as an element-wise max fails as ``unsupported operand type(s) for -:
'torch.return_types.max' and 'Tensor'`` in one kata and as ``can only concatenate
tuple (not "Tensor") to tuple`` in another.  Each ``ErrorKind`` names the exception
types it can come as and the patterns of its messages, and explains the kind once,
so every kata says the same about it.  ``explain_error(type_name, message)`` gives
the explanation (in the current language) or "".  Imports neither torch nor pytest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pytest_torchkata.i18n import Text

_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class ErrorKind:
    """``id``: the kind's name; ``types``: exception type names it comes as (an unknown
    type, "", matches any); ``patterns``: regular expressions over the message (case
    ignored), the first that matches lends its named groups to ``text``."""

    id: str
    types: tuple[str, ...]
    patterns: tuple[str, ...]
    text: Text

    def explain(self, type_name: str, message: str) -> str:
        if type_name and self.types and type_name not in self.types:
            return ""
        for pattern in self.patterns:
            found = re.search(pattern, message, _FLAGS)
            if found:
                return self.text.format(**found.groupdict())
        return ""


_VALUE_TYPES = ("TypeError", "AttributeError")
_NOT_TENSOR = ("has no attribute", "is not (?:iterable|subscriptable)")

KINDS: tuple[ErrorKind, ...] = (
    # a tuple where a tensor was expected: torch.max/min(x, dim)'s (values, indices) pair (often meant as an
    # element-wise max with a number), torch.autograd.grad's result not unpacked, `return a, b`
    ErrorKind("tuple_as_tensor", _VALUE_TYPES,
              (r"torch\.return_types\.\w+", r"'tuple' object " + f"(?:{'|'.join(_NOT_TENSOR)})",
               r"can only concatenate tuple", r"operand type\(s\) for [^:]+: (?:'tuple' and|'[^']+' and 'tuple')",
               r"must be Tensor, not tuple", r"got tuple\b"),
              Text("a tuple was used where a tensor was expected: `torch.max(x, dim)` / `torch.min` reduce along dim "
                   "and return (values, indices) (element by element against a number, use `x.clamp(min=0)` or "
                   "`torch.maximum(x, y)`; along a dim, take `.values`), and `torch.autograd.grad(...)` returns a "
                   "tuple with one gradient per input (unpack it: `(g,) = torch.autograd.grad(y, x)`)",
                   "在需要张量的地方用了元组：`torch.max(x, dim)` / `torch.min` 沿 dim 归约，返回 (values, indices)"
                   "（要和一个数逐元素比较，用 `x.clamp(min=0)` 或 `torch.maximum(x, y)`；沿某一维取最值，取 `.values`）；"
                   "`torch.autograd.grad(...)` 返回元组，每个输入对应一个梯度（要把它拆开：`(g,) = torch.autograd.grad(y, x)`）")),
    # a method or function used as a value: `x.mean` for `x.mean()`, `model.parameters` for `model.parameters()`
    ErrorKind("method_not_called", _VALUE_TYPES,
              (r"'(?P<kind>builtin_function_or_method|method|function|method-wrapper)' object "
               + f"(?:{'|'.join(_NOT_TENSOR)})",
               r"operand type\(s\) for [^:]+: (?:'[^']+' and )?'(?P<kind>builtin_function_or_method|method)'",
               r"must be Tensor, not (?P<kind>builtin_function_or_method|method)\b",
               r"got (?P<kind>builtin_function_or_method|method)\b"),
              Text("a method was used without being called: `x.mean` is the method itself and `x.mean()` its "
                   "result; likewise `model.parameters()`, `loss.item()`, `model.eval()`, `optimizer.zero_grad()` "
                   "need their brackets",
                   "方法没有被调用就被使用了：`x.mean` 是方法本身，`x.mean()` 才是结果；同样，`model.parameters()`、"
                   "`loss.item()`、`model.eval()`、`optimizer.zero_grad()` 都要带括号")),
    ErrorKind("class_not_called", ("TypeError", "AttributeError"),
              (r"'type' object does not support the context manager protocol", r"^__enter__$"),
              Text("a class was used where its instance was meant: `with torch.no_grad():` needs the brackets "
                   "(`torch.no_grad` is the class, `torch.no_grad()` the context)",
                   "在需要实例的地方用了类：`with torch.no_grad():` 要带括号（`torch.no_grad` 是类，"
                   "`torch.no_grad()` 才是上下文）")),
    # class targets (cross_entropy, nll_loss) are int64 indices of shape (N,)
    ErrorKind("class_targets", ("RuntimeError", "ValueError", "IndexError"),
              (r"expected target dtype to be long(?: or byte)?, but got (?P<got>\w+)",
               r"expected scalar type long but found (?P<got>\w+)",
               r"nll_loss\w* ?(?:\w+ )?not implemented for '(?P<got>\w+)'",
               r"expected dtype int32/int64 for index", r"tensors used as indices must be long",
               r"0d or 1d target tensor expected, multi-target not supported"),
              Text("class targets for cross-entropy / nll_loss are class indices: an int64 tensor of shape (N,), "
                   "`y.long()` (and `y.squeeze(1)` for an (N, 1) column); float targets of the logits' shape "
                   "would be read as probabilities",
                   "交叉熵 / nll_loss 的类别标签是类别索引：形状为 (N,) 的 int64 张量，用 `y.long()`"
                   "（(N, 1) 的列再用 `y.squeeze(1)`）；与 logits 同形状的浮点标签会被当成概率")),
    # BCE/MSE targets are floats of the prediction's shape
    ErrorKind("float_targets", ("RuntimeError",),
              (r"result type float can't be cast to the desired output type (?P<got>long|int)",
               r"found dtype (?P<got>long|int) but expected float"),
              Text("targets for BCE / MSE losses are floats of the prediction's shape: `y.float()`; int64 labels "
                   "are for cross-entropy", "BCE / MSE 损失的目标值是与预测同形状的浮点数：`y.float()`；"
                   "int64 标签是给交叉熵用的")),
    # shapes in a backward
    ErrorKind("backward_needs_a_scalar", ("RuntimeError",), (r"grad can be implicitly created only for scalar outputs",),
              Text("backward with no `gradient=` needs a single number: reduce with `.sum()` / `.mean()` first, "
                   "or pass `gradient=` of the output's shape; a tuple given to `torch.autograd.grad` as "
                   "its outputs counts as several outputs (unpack the tuple first)",
                   "不带 `gradient=` 的反向传播需要一个标量：先把输出归约（`.sum()` / `.mean()`），或者传入与输出同形状的 "
                   "`gradient=`；把元组作为 `torch.autograd.grad` 的输出会被当作多个输出（先把元组拆开）")),
    ErrorKind("gradient_shape", ("RuntimeError",),
              (r"mismatch in shape: grad_output\[\d+\] has a shape of torch\.size\((?P<got>\[[^\]]*\])\) and "
               r"output\[\d+\] has a shape of torch\.size\((?P<want>\[[^\]]*\])\)",),
              Text("the gradient given to backward (`gradient=` / `grad_outputs=`) has shape {got}, the output {want}: "
                   "give one of the output's shape (`torch.ones_like(out)`), or none for a one-number loss",
                   "传给反向传播的梯度（`gradient=` / `grad_outputs=`）形状是 {got}，而输出是 {want}：传入与输出同形状的"
                   "梯度（`torch.ones_like(out)`），单个数的损失则不用传")),
    ErrorKind("backward_returns_a_wrong_shape", ("RuntimeError",),
              (r"returned an invalid gradient at index (?P<index>\d+) - got (?P<got>\[[^\]]*\]) but expected shape "
               r"compatible with (?P<want>\[[^\]]*\])",),
              Text("backward's gradient number {index} has shape {got}, but that input of forward has shape {want}: "
                   "each gradient takes its input's shape, in the order of `forward`'s inputs",
                   "backward 返回的第 {index} 个梯度形状是 {got}，但 forward 对应的输入形状是 {want}：每个梯度的形状"
                   "与它的输入相同，顺序与 forward 的输入一致")),
)


def kind_text(kind_id: str) -> str:
    """A kind's explanation by its id (for a check that sees the slip in a returned value, not an error)."""
    return next(str(kind.text) for kind in KINDS if kind.id == kind_id)


def error_kind(type_name: str, message: str) -> ErrorKind | None:
    """The kind of a learner's error (``type_name`` as ``type(exc).__name__``; "" when unknown)."""
    for kind in KINDS:
        if kind.explain(type_name, message):
            return kind
    return None


def explain_error(type_name: str, message: str) -> str:
    """What an error of this kind usually means, in the current language; "" for none known."""
    for kind in KINDS:
        text = kind.explain(type_name, message)
        if text:
            return text
    return ""
