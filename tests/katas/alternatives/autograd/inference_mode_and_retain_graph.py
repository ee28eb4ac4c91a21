"""Alternative: a vector y backpropagated with gradient=ones, retain_graph for the second backward,
grads detached-and-cloned then set to None, torch.inference_mode for predict, autograd.grad with
grad_outputs for the VJP."""

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    leaf = x.clone().requires_grad_()
    y = leaf ** 3 + 2 * leaf  # a vector: backward needs the weight of each element
    y.backward(gradient=torch.ones_like(y))
    return leaf.grad


def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    loss = (w * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return w.grad


def clear_grad(w: torch.Tensor) -> None:
    if w.grad is not None:
        w.grad.zero_()


def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    rows = []
    for i in range(xs.shape[0]):
        (w.dot(xs[i]) ** 2).backward()
        rows.append(w.grad.detach().clone())
        w.grad = None
    return torch.stack(rows)


def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        return torch.mv(x, w)


def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    y = torch.exp(x) / torch.exp(x).sum()
    (g,) = torch.autograd.grad(y, x, grad_outputs=v)
    return g
