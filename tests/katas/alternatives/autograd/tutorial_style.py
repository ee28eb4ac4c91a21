"""Alternative: the tutorial style (requires_grad=True tensors, backward(create_graph=True), .zero_() on grads)."""

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    x = torch.tensor(x.detach().numpy(), requires_grad=True)
    out = x ** 3 + 2 * x
    out.sum().backward()
    return x.grad


def second_derivative(x: torch.Tensor) -> torch.Tensor:
    x = x.detach().clone()
    x.requires_grad = True
    y = (x ** 3 * torch.sin(x)).sum()
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    return x.grad


def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    loss1 = (w * x).sum()
    loss1.backward()
    loss2 = (w * x).sum()
    loss2.backward()
    return w.grad


def clear_grad(w: torch.Tensor) -> None:
    if w.grad is not None:
        w.grad.detach_()
        w.grad.zero_()


def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    rows = []
    for i in range(len(xs)):
        loss = torch.dot(w, xs[i]) ** 2
        loss.backward()
        rows.append(w.grad.detach().clone())
        w.grad.data.zero_()
    return torch.stack(rows, dim=0)


def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        y = torch.matmul(x, w)
    return y


def grad_through_one_branch(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    y = w * x
    loss = torch.sum(y * y.detach())
    loss.backward()
    return w.grad


def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    y = torch.softmax(x, dim=0)
    (y * v).sum().backward()
    return x.grad


class Sigmoid(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        out = torch.sigmoid(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> torch.Tensor:
        out, = ctx.saved_tensors
        return grad_out * out * (1.0 - out)


class LinearFunction(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        ctx.x, ctx.W = x, W
        return x.matmul(W.transpose(0, 1)) + b

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        x, W = ctx.x, ctx.W
        grad_x = grad_out.matmul(W)
        grad_W = grad_out.transpose(0, 1).matmul(x)
        grad_b = grad_out.sum(0)
        return grad_x, grad_W, grad_b
