"""Alternative: torch.pow and torch.dot, torch.func.vjp for the softmax VJP, a Sigmoid forward in
log-space (exp of -softplus(-x))."""

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    leaf = x.detach().requires_grad_(True)
    y = torch.sum(torch.pow(leaf, 3) + leaf * 2)
    y.backward()
    return leaf.grad


def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    grads = []
    for x in xs:
        loss = torch.dot(w, x) ** 2
        loss.backward()
        grads.append(w.grad.clone())
        w.grad.zero_()
    return torch.stack(grads, dim=0)


def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    def softmax(t):
        e = t.exp()
        return e / e.sum()
    _, pullback = torch.func.vjp(softmax, x)
    (g,) = pullback(v)
    return g


class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = torch.exp(-torch.nn.functional.softplus(-x))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_out):
        (s,) = ctx.saved_tensors
        return grad_out * s * (1.0 - s)
