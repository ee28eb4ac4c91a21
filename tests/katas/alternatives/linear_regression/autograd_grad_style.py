"""linear_regression with torch.autograd.grad instead of backward (the .grad fields are never
written, so there is nothing to zero), a one-element tensor lr, and NumPy's least squares
returning a list of NumPy floats."""

import numpy as np


def gd_step(w, b, x, y, lr):
    loss = mse(w * x + b, y)
    gw, gb = torch.autograd.grad(loss, (w, b))
    with torch.no_grad():
        w -= lr * gw
        b -= lr * gb
    return loss.item()


def make_optimizer(model, lr):
    return torch.optim.SGD(model.parameters(), lr=torch.tensor(lr))


def closed_form(x, y):
    X = np.hstack([x.numpy(), np.ones((len(x), 1))])
    theta, *_ = np.linalg.lstsq(X, y.numpy(), rcond=None)
    return [theta[0, 0], theta[1, 0]]
