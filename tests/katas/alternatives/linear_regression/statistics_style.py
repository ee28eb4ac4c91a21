"""linear_regression with torch.normal noise, copy_ updates, zero_grad after the step,
and the closed form from covariance and variance."""

def make_data(n=100, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = 4 * torch.rand((n, 1), generator=g) - 2
    noise = torch.normal(0.0, 0.1, size=(n, 1), generator=g)
    return x, 2 * x + 1 + noise


def mse(pred, target):
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError("mse needs pred and target of the same shape")
    diff = pred - target
    return (diff * diff).mean()


def gd_step(w, b, x, y, lr):
    loss = mse(torch.addcmul(b, w, x), y)
    loss.backward()
    with torch.no_grad():
        w.copy_(w - lr * w.grad)
        b.copy_(b - lr * b.grad)
        w.grad.zero_()
        b.grad.zero_()
    return loss.item()


def make_model():
    return nn.Linear(in_features=1, out_features=1, bias=True)


def make_optimizer(model, lr):
    return torch.optim.SGD(model.parameters(), lr=lr)


def train_step(model, optimizer, x, y):
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()


def closed_form(x, y):
    x64, y64 = x.double().flatten(), y.double().flatten()
    dx, dy = x64 - x64.mean(), y64 - y64.mean()
    w = (dx * dy).sum() / (dx * dx).sum()
    b = y64.mean() - w * x64.mean()
    return w.item(), b.item()
