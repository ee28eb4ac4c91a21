"""Alternative: Variable-era and optimizer-style code; setup_context Functions; needs_input_grad."""
import copy
from torch.autograd import Variable

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    x = Variable(x.clone(), requires_grad=True)
    y = x ** 3 + 2 * x
    y.backward(torch.ones_like(y))
    return x.grad

def second_derivative(x: torch.Tensor) -> torch.Tensor:
    x = x.clone().detach().requires_grad_(True)
    y = (x.pow(3) * x.sin()).sum()
    dy = torch.autograd.grad(y, x, create_graph=True)[0]
    return torch.autograd.grad(dy, x, grad_outputs=torch.ones_like(dy))[0]

def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    torch.autograd.backward((w * x).sum())
    torch.autograd.backward((w * x).sum())
    return w.grad.clone()

def clear_grad(w: torch.Tensor) -> None:
    torch.optim.SGD([w], lr=0.1).zero_grad()

def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    rows = []
    for x in xs:
        (w.dot(x) ** 2).backward()
        rows.append(copy.deepcopy(w.grad))
        w.grad.zero_()
    return torch.stack(rows)

@torch.no_grad()
def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return torch.mv(x, w)

def grad_through_one_branch(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    y = w * x
    with torch.no_grad():
        frozen = y.clone()
    (y * frozen).sum().backward()
    return w.grad

def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_()
    y = torch.nn.functional.softmax(x, dim=-1)
    y.backward(gradient=v)
    return x.grad

class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return torch.sigmoid(x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx, grad_out):
        (s,) = ctx.saved_tensors
        return grad_out * s * (1 - s)

class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, W, b):
        ctx.save_for_backward(x, W, b)
        return torch.addmm(b, x, W.t())

    @staticmethod
    def backward(ctx, grad_out):
        x, W, b = ctx.saved_tensors
        grad_x = grad_W = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = grad_out.mm(W)
        if ctx.needs_input_grad[1]:
            grad_W = grad_out.t().mm(x)
        if ctx.needs_input_grad[2]:
            grad_b = grad_out.sum(0)
        return grad_x, grad_W, grad_b
