"""Alternative: torch.autograd.grad wherever a gradient is asked for; inference_mode; torch.mm."""

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_()
    (g,) = torch.autograd.grad((x ** 3 + 2 * x).sum(), x)
    return g


def second_derivative(x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_()
    y = torch.sum(x ** 3 * torch.sin(x))
    g = torch.autograd.grad(y, x, create_graph=True)[0]
    return torch.autograd.grad(g, x, grad_outputs=torch.ones_like(g))[0]


def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    loss = (w * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return w.grad


def clear_grad(w: torch.Tensor) -> None:
    if w.grad is not None:
        w.grad.zero_()


def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    out = torch.empty(xs.shape[0], xs.shape[1])
    for i in range(xs.shape[0]):
        ((w @ xs[i]) ** 2).backward()
        out[i] = w.grad
        w.grad = None
    return out


def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        out = x @ w
    return out.clone()


def grad_through_one_branch(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    y = w * x
    (g,) = torch.autograd.grad((y * y.detach()).sum(), w)
    return g


def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_()
    y = torch.exp(x) / torch.exp(x).sum()
    (g,) = torch.autograd.grad(y, x, grad_outputs=v)
    return g


class Sigmoid(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * s * (1 - s)


class LinearFunction(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, W)
        return torch.mm(x, W.t()) + b.unsqueeze(0)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        x, W = ctx.saved_tensors
        return torch.mm(grad_out, W), torch.mm(grad_out.t(), x), grad_out.sum(dim=0)
