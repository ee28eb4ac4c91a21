"""linear_regression with a hand-made module (two nn.Parameters), gradients zeroed
at the start of the step, F.mse_loss in the training step, a pseudo-inverse."""

import torch.nn.functional as F


def make_data(n=100, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=g).mul(4).sub(2)
    y = x.mul(2).add(1) + torch.randn(n, 1, generator=g).mul(0.1)
    return x, y


def mse(pred, target):
    if pred.shape != target.shape:
        raise ValueError(f"pred {tuple(pred.shape)} vs target {tuple(target.shape)}")
    return (pred - target).pow(2).sum() / pred.numel()


def gd_step(w, b, x, y, lr):
    for p in (w, b):
        if p.grad is not None:
            p.grad.zero_()
    loss = mse(w * x + b, y)
    loss.backward()
    with torch.no_grad():
        for p in (w, b):
            p -= lr * p.grad
    return float(loss.item())


class Line(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(1, 1) * 0.1)
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x @ self.w + self.b


def make_model():
    return Line()


def make_optimizer(model, lr):
    return torch.optim.SGD(list(model.parameters()), lr)


def train_step(model, optimizer, x, y):
    optimizer.zero_grad(set_to_none=True)
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def closed_form(x, y):
    A = torch.cat((x, torch.ones_like(x)), 1)
    theta = torch.linalg.pinv(A) @ y
    return float(theta[0]), float(theta[1])
