"""debugging, as a tutorial writes it: hooks that log every output, scanned
afterwards; a report built in a loop; torch.autograd.grad inside
detect_anomaly; running sums with loss.item(); model.zero_grad(); a softmax
written out; and torch.max(logits, 1)[1]."""

def first_bad_module(model, x):
    log = []
    handles = []
    for name, module in model.named_modules():
        if name == "":
            continue
        handles.append(module.register_forward_hook(
            lambda m, i, o, name=name: log.append((name, bool(torch.isfinite(o).all())))))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    for name, finite in log:
        if not finite:
            return name
    return None


def grad_report(model, loss_fn, x, y):
    model.zero_grad()
    prediction = model(x)
    loss = loss_fn(prediction, y)
    loss.backward()
    report = {}
    for name, param in model.named_parameters():
        if param.grad is None:
            report[name] = None
        else:
            report[name] = param.grad.norm(2).item()
    return report


def find_nan_backward(fn, x):
    with torch.autograd.detect_anomaly():
        try:
            torch.autograd.grad(fn(x).sum(), x)
        except RuntimeError as err:
            message = str(err)
            if "returned nan values" in message:
                start = message.index("'") + 1
                return message[start:message.index("'", start)]
            raise
    return None


def mean_loss(model, batches):
    running_loss = 0.0
    count = 0
    for inputs, labels in batches:
        outputs = model(inputs)
        loss = F.mse_loss(outputs, labels)
        running_loss += loss.item()
        count += 1
    return running_loss / count


def train_steps(model, optimizer, batches):
    history = []
    for x, y in batches:
        model.zero_grad()
        output = model(x)
        loss = F.mse_loss(output, y)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return history


def class_probabilities(logits):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    e = torch.exp(shifted)
    return e / e.sum(dim=1, keepdim=True)


def accuracy(logits, labels):
    predicted = torch.max(logits, 1)[1]
    correct = (predicted == labels).float()
    return correct.mean().item()
