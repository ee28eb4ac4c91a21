"""debugging, with contextlib.ExitStack for the hook handles, norms by hand,
a regex over the anomaly message, statistics.fmean, nn.MSELoss objects,
Tensor.softmax(-1) and a chained eq(...).float().mean()."""

import contextlib
import re
import statistics


def first_bad_module(model, x):
    seen = []
    with contextlib.ExitStack() as stack:
        for name, module in model.named_modules():
            if not name:
                continue
            def hook(mod, args, out, name=name):
                if torch.is_tensor(out) and (out.isnan().any() or out.isinf().any()):
                    seen.append(name)
            stack.callback(module.register_forward_hook(hook).remove)
        with torch.no_grad():
            model(x)
    return seen[0] if seen else None


def grad_report(model, loss_fn, x, y):
    model.zero_grad(set_to_none=True)
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    return {n: (p.grad.pow(2).sum().sqrt().item() if p.grad is not None else None)
            for n, p in model.named_parameters()}


_NODE = re.compile(r"'([A-Za-z0-9_]+Backward\d*)'")


def find_nan_backward(fn, x):
    try:
        with torch.autograd.detect_anomaly():
            y = fn(x)
            y.sum().backward()
    except RuntimeError as error:
        match = _NODE.search(str(error))
        if match:
            return match.group(1)
        raise
    return None


def mean_loss(model, batches):
    criterion = nn.MSELoss()
    return statistics.fmean(criterion(model(x), y).item() for x, y in batches)


def train_steps(model, optimizer, batches):
    criterion = nn.MSELoss()
    losses = []
    for inputs, targets in batches:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach().item())
    return losses


def class_probabilities(logits):
    return logits.softmax(-1)


def accuracy(logits, labels):
    return logits.argmax(-1).eq(labels).float().mean().item()
