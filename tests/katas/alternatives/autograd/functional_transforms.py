"""Alternative: torch.func for the second derivative, torch.autograd.functional.vjp, F.linear and einsum."""

import torch.nn.functional as F
from torch.func import grad, vmap


def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    leaf = torch.tensor(x.tolist(), requires_grad=True)
    y = leaf.pow(3).add(leaf.mul(2)).sum()
    y.backward()
    return leaf.grad


def second_derivative(x: torch.Tensor) -> torch.Tensor:
    def f(t):
        return t ** 3 * torch.sin(t)
    return vmap(grad(grad(f)))(x)


def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    for step in range(2):
        (w * x).sum().backward()
    return w.grad


def clear_grad(w: torch.Tensor) -> None:
    w.grad = torch.zeros_like(w)


def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    grads = []
    for x in xs:
        w.grad = None
        ((w @ x) ** 2).backward()
        grads.append(w.grad)
    return torch.stack(grads)


def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return (x @ w).detach()


def grad_through_one_branch(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    y = w * x
    frozen = y.detach()
    (y * frozen).sum().backward()
    return w.grad.clone()


def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    _, g = torch.autograd.functional.vjp(lambda t: t.exp() / t.exp().sum(), x, v)
    return g


class Sigmoid(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        s = torch.where(x >= 0, 1 / (1 + torch.exp(-x.abs())), torch.exp(-x.abs()) / (1 + torch.exp(-x.abs())))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> torch.Tensor:
        s, = ctx.saved_tensors
        return grad_out * (s - s * s)


class LinearFunction(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, W, b)
        return F.linear(x, W, b)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        x, W, b = ctx.saved_tensors
        grad_x = torch.einsum("no,oi->ni", grad_out, W)
        grad_W = torch.einsum("no,ni->oi", grad_out, x)
        return grad_x, grad_W, grad_out.sum(0)
