"""functions, written the way PyTorch's "Learning PyTorch with Examples" does it:
the input saved and exp recomputed, each parameter updated by name, gradients
cleared at the start of the step."""

class Scale(Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x.mul(factor)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.mul(ctx.factor), None


class Exp(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return torch.exp(input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * torch.exp(input)


class Cube(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input * input * input

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return 3 * input.pow(2) * grad_output


class Softplus(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        # both branches are computed; where() keeps the finite one
        positive = input + torch.log1p(torch.exp(-input))
        negative = torch.log1p(torch.exp(input))
        return torch.where(input > 0, positive, negative)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * torch.sigmoid(input)


def train_step(params, x, y, lr):
    a, b, c, d = params
    for p in params:
        p.grad = None
    P3 = LegendreP3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad
        c -= lr * c.grad
        d -= lr * d.grad
    return loss.item()


def fit_sine(steps=2000, lr=5e-6):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    params = [torch.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3)]
    for _ in range(steps):
        train_step(params, x, y, lr)
    return [p.item() for p in params]
