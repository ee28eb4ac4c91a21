"""debugging kata by hand: a numerically stable softmax (max subtracted, exp, row sums), gradient
norms with torch.linalg.vector_norm, and training steps through optimizer.step(closure)."""


def grad_report(model, loss_fn, x, y):
    for p in model.parameters():
        p.grad = None
    loss_fn(model(x), y).backward()
    return {name: None if p.grad is None else float(torch.linalg.vector_norm(p.grad))
            for name, p in model.named_parameters()}


def train_steps(model, optimizer, batches):
    out = []
    for x, y in batches:
        def closure():
            optimizer.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(x), y)
            loss.backward()
            return loss
        out.append(optimizer.step(closure).item())
    return out


def class_probabilities(logits):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=1, keepdim=True)
