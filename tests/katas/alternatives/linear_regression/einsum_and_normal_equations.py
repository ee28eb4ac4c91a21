"""linear_regression with uniform_ and a scaled randn for the data, an einsum dot product for the
MSE, add_(alpha=-lr) and grads set to None, SGD over a param-group dict, zero_grad(set_to_none=False),
and the normal equations solved with torch.linalg.solve."""

def make_data(n=100, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.empty(n, 1).uniform_(-2, 2, generator=g)
    y = 2 * x + 1 + torch.randn(n, 1, generator=g) * 0.1
    return x, y


def mse(pred, target):
    if pred.shape != target.shape:
        raise ValueError("mse: shapes differ")
    d = (pred - target).reshape(-1)
    return torch.einsum("i,i->", d, d) / d.numel()


def gd_step(w, b, x, y, lr):
    loss = mse(w * x + b, y)
    loss.backward()
    with torch.no_grad():
        for p in (w, b):
            p.add_(p.grad, alpha=-lr)
            p.grad = None
    return loss.item()


def make_optimizer(model, lr):
    return torch.optim.SGD([{"params": model.parameters()}], lr=lr, momentum=0.0)


def train_step(model, optimizer, x, y):
    optimizer.zero_grad(set_to_none=False)
    loss = nn.MSELoss(reduction="mean")(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss)


def closed_form(x, y):
    A = torch.cat([x, torch.ones_like(x)], dim=1).double()
    theta = torch.linalg.solve(A.T @ A, A.T @ y.double())
    w, b = theta.reshape(-1).tolist()
    return w, b
