"""debugging, with one global forward hook that stops the forward at the first
bad output, linalg norms, set_detect_anomaly as a context manager, a sum of
losses under no_grad, zero_grad at the end of each step, logsumexp, and
`_, predicted = torch.max(logits, 1)` as in the PyTorch tutorials."""

from torch.nn.modules.module import register_module_forward_hook


class _Found(Exception):
    pass


def first_bad_module(model, x):
    names = {m: name for name, m in model.named_modules() if name}

    def hook(module, inputs, output):
        if module in names and isinstance(output, torch.Tensor) and not output.isfinite().all():
            raise _Found(names[module])

    handle = register_module_forward_hook(hook)
    try:
        with torch.no_grad():
            model(x)
    except _Found as found:
        return found.args[0]
    finally:
        handle.remove()
    return None


def grad_report(model, loss_fn, x, y):
    for p in model.parameters():
        p.grad = None
    loss_fn(model(x), y).backward()
    report = {}
    for name, p in model.named_parameters():
        report[name] = None if p.grad is None else torch.linalg.vector_norm(p.grad).item()
    return report


def find_nan_backward(fn, x):
    with torch.autograd.set_detect_anomaly(True):
        try:
            fn(x).sum().backward()
        except RuntimeError as e:
            if "returned nan" not in str(e):
                raise
            return str(e).split("'")[1]
    return None


def mean_loss(model, batches):
    with torch.no_grad():
        total = sum(F.mse_loss(model(x), y) for x, y in batches)
    return (total / len(batches)).item()


def train_steps(model, optimizer, batches):
    losses = []
    for x, y in batches:
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()  # cleared after the step, ready for the next batch
        losses.append(float(loss))
    return losses


def class_probabilities(logits):
    return torch.exp(logits - logits.logsumexp(dim=1, keepdim=True))


def accuracy(logits, labels):
    _, predicted = torch.max(logits, 1)
    return (predicted == labels).sum().item() / labels.size(0)
