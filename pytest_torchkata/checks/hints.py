"""torch's own error messages mapped to the mistake they usually mean.

Used when learner code raises: the message is matched (case-insensitively) and
the first hint that fits is shown beside the learner's line.
"""

from __future__ import annotations

TORCH_MESSAGE_HINTS: list[tuple[str, str]] = [
    ("modified by an inplace operation",
     "an in-place operation (like `x += 1` or `x.relu_()`) changed a tensor autograd still needs; "
     "use the out-of-place version or `.clone()` first"),
    ("a leaf variable that requires grad is being used in an in-place operation",
     "update parameters inside `with torch.no_grad():`"),
    ("does not require grad and does not have a grad_fn",
     "the loss is cut off from the graph (built under `no_grad`, or from `.detach()`/`.item()`/`.data`); "
     "keep every step in torch"),
    ("grad can be implicitly created only for scalar outputs",
     "`backward()` needs a single number: reduce with `.sum()`/`.mean()` or pass `gradient=`"),
    ("trying to backward through the graph a second time",
     "recompute the forward pass for every backward, or pass `retain_graph=True` if you really mean it"),
    ("only tensors of floating point and complex dtype can require gradients",
     "make the tensor float (`dtype=torch.float32`) before asking for gradients"),
    ("can't call numpy() on tensor that requires grad",
     "use `.detach().cpu().numpy()`"),
    ("view size is not compatible with input tensor's size and stride",
     "`view` needs a contiguous tensor: use `reshape` or `flatten`"),
    ("mat1 and mat2 shapes cannot be multiplied",
     "the inner sizes of a matrix product differ: print both shapes (for x (N, IN) and W (OUT, IN) use "
     "`x @ W.T`; after flattening, a layer's `in_features` must match, e.g. 320 in the article's CNN)"),
    ("expected scalar type long", "class targets for cross-entropy must be integers: `labels.long()`"),
    ("expected target dtype to be long", "class targets for cross-entropy must be integers: `labels.long()`"),
    ("found dtype long but expected float", "targets for BCE/MSE losses must be float: `target.float()`"),
    ("out of bounds", "a label is outside 0..C-1: check the number of classes"),
    ("all elements of input should be between 0 and 1",
     "`BCELoss` wants probabilities; for logits use `BCEWithLogitsLoss`"),
    ("optimizer got an empty parameter list",
     "keep layers in `nn.ModuleList`/`nn.Sequential`, and pass `model.parameters()` fresh"),
    ("expected all tensors to be on the same device",
     "move every input to the model's device (`x = x.to(device)`)"),
    ("is not on the expected device",
     "a tensor was made on a fixed device: create it with `device=x.device`, or move it"),
    ("torch not compiled with cuda enabled",
     "do not hard-code `.cuda()`: pick the device with `torch.cuda.is_available()`"),
    ("found no nvidia driver",
     "do not hard-code `.cuda()`: pick the device with `torch.cuda.is_available()`"),
    ("returned an incorrect number of gradients",
     "`backward` returns one gradient per `forward` input (None for non-tensors)"),
    ("jacobian mismatch", "the backward formula is wrong: check it in float64"),
    ("returned nan values", "a backward step produced NaN: look at the node it names"),
    ("size of tensor a", "two shapes do not line up: print the shapes of both operands"),
    ("must match the size of tensor b", "two shapes do not line up: print the shapes of both operands"),
    ("object is not callable", "something you call is not a function: check the name"),
    ("torch.return_types", "`torch.max(x, dim)` returns a pair (values, indices): take `.values`, "
                           "or use `x.amax(dim)`"),
    ("can't convert cuda", "copy it to the CPU first: `.detach().cpu().numpy()`"),
    ("found <class 'pil.image.image'>",
     "the data set gives PIL images: pass `transform=transforms.ToTensor()` to turn them into tensors"),
    ("result type float can't be cast to the desired output type long",
     "targets for BCE losses must be float (`y.float()`); int64 labels are for cross-entropy"),
    ("expected dtype int32/int64 for index",
     "class targets are indices: keep them int64 (`targets.long()`), not float"),
    ("tensors used as indices must be long",
     "class targets are indices: keep them int64 (`targets.long()`), not float"),
    ("'nonetype' object has no attribute 'zero_'",
     "this `.grad` is None: `w = w - lr * w.grad` makes a new tensor that is not a leaf; "
     "update in place inside `with torch.no_grad():` (`w -= lr * w.grad`)"),
    ("before module.__init__() call", "call `super().__init__()` first in `__init__`"),
    ("error(s) in loading state_dict",
     "the saved keys do not match the model: save and load `model.state_dict()`, which holds both "
     "parameters and buffers"),
    ("weights only load failed",
     "save `model.state_dict()`, not the model object: `torch.load(..., weights_only=True)` reads tensors only"),
    ("must have the same dtype",
     "the input and the weights have different dtypes: move both, the model with `model.to(...)` "
     "and the input with `x = x.to(...)` (a tensor's `.to()` returns a new tensor; it does not change x)"),
    ("could not infer output dtype",
     "turn the comparison into numbers before averaging: `(pred == y).float().mean()`"),
    ("'bool' object has no attribute",
     "a comparison gave a plain Python bool: `torch.max(x, dim)` returns (values, indices), so compare "
     "the indices (or use `x.argmax(dim)`)"),
    ("returned an invalid gradient at index",
     "`backward` returns the gradients in the order of `forward`'s inputs, each with its input's shape "
     "(an (N, K) input gets an (N, K) gradient)"),
    ("unsupported operand type(s) for *: 'float' and 'nonetype'",
     "this `.grad` is None: backward fills `.grad` only on leaf tensors the loss depends on; was it "
     "cleared before the update, is the parameter no longer a leaf, or did backward() not reach it?"),
    ("not implemented for 'long'",
     "an integer tensor went where floats were expected: with a loss, the order is `loss_fn(output, target)`; "
     "class labels (int64) are the target, the model's output comes first"),
    ("expected more than 1 value per channel when training",
     "BatchNorm in training mode needs more than one sample per batch: use `drop_last=True`, or `model.eval()` "
     "for single samples"),
    # added by the devices and debugging katas
    ("object has no attribute 'to'",
     "only tensors and modules have `.to()`: return numbers, strings and None as they are"),
    ("sizes of tensors must match except in dimension",
     "`torch.cat` joins along one dimension and every other size must agree: to add a column to an (N, D) "
     "tensor, cat an (N, 1) tensor along dim=1"),
    ("tensors must have same number of dimensions",
     "`torch.cat` needs tensors with the same number of dimensions: make the column (N, 1), not (N,) "
     "(`unsqueeze(1)`)"),
]


def hint_for(message: str) -> str:
    text = message.lower()
    for needle, hint in TORCH_MESSAGE_HINTS:
        if needle in text:
            return hint
    return ""
