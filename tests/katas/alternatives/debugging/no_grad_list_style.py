"""alt: no_grad mean_loss keeping a list of losses, autograd.grad report, set_detect_anomaly with finally."""
import re


def first_bad_module(model, x):
    names = {m: n for n, m in model.named_modules() if n}
    found = []
    handles = []
    try:
        for m in names:
            handles.append(m.register_forward_hook(
                lambda mod, inp, out: found.append(names[mod]) if not found and (out.isnan().any() or out.isinf().any()) else None))
        model(x)
    finally:
        for h in handles:
            h.remove()
    return found[0] if found else None


def grad_report(model, loss_fn, x, y):
    named = list(model.named_parameters())
    loss = loss_fn(model(x), y)
    grads = torch.autograd.grad(loss, [p for _, p in named], allow_unused=True)
    return {n: (None if g is None else torch.linalg.vector_norm(g).item()) for (n, _), g in zip(named, grads)}


def find_nan_backward(fn, x):
    torch.autograd.set_detect_anomaly(True)
    try:
        fn(x).sum().backward()
    except RuntimeError as e:
        return str(e).split("'")[1]
    finally:
        torch.autograd.set_detect_anomaly(False)
    return None


def mean_loss(model, batches):
    with torch.no_grad():
        losses = [F.mse_loss(model(x), y) for x, y in batches]
        return torch.stack(losses).mean().item()


def train_steps(model, optimizer, batches):
    out = []
    for x, y in batches:
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        out.append(float(loss))
    return out


def class_probabilities(logits):
    e = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)


def accuracy(logits, labels):
    return float((logits.max(dim=-1).indices == labels).float().mean())
