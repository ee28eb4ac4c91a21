"""linear_regression in the tutorial style: uniform_ with a generator, torch.mean(torch.square),
sub_ under no_grad, nn.Sequential, model.zero_grad(), the normal equations."""

from torch import nn, optim


def make_data(n=100, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.empty(n, 1).uniform_(-2, 2, generator=g)
    y = 2 * x + 1 + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


def mse(pred, target):
    if pred.shape != target.shape:
        raise ValueError("shapes differ")
    return torch.mean(torch.square(pred - target))


def gd_step(w, b, x, y, lr):
    loss = mse(x * w + b, y)
    loss.backward()
    with torch.no_grad():
        w.sub_(lr * w.grad)
        b.sub_(lr * b.grad)
    w.grad = None
    b.grad = None
    return loss.item()


def make_model():
    return nn.Sequential(nn.Linear(1, 1))


def make_optimizer(model, lr):
    return optim.SGD(params=model.parameters(), lr=lr, momentum=0.0)


def train_step(model, optimizer, x, y):
    criterion = nn.MSELoss()
    model.zero_grad()
    output = model(x)
    loss = criterion(output, y)
    loss.backward()
    optimizer.step()
    return loss.item()


def closed_form(x, y):
    A = torch.hstack([x, torch.ones(x.shape[0], 1)])
    theta = torch.linalg.solve(A.T @ A, A.T @ y)
    w, b = theta.flatten().tolist()
    return w, b
