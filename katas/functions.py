"""Kata: functions (自定义 autograd Function).

Autograd knows the derivative of every torch operation.  When you want a
different one (a faster formula, a numerically safer one, or a gradient that is
deliberately not the true derivative), you write a ``torch.autograd.Function``:

    class MyOp(Function):
        @staticmethod
        def forward(ctx, x):                 # plain tensors in, tensor out
            ctx.save_for_backward(x)         # keep what backward needs
            return ...

        @staticmethod
        def backward(ctx, grad_output):      # d loss / d output
            (x,) = ctx.saved_tensors
            return grad_output * ...         # d loss / d x: one per forward input

    y = MyOp.apply(x)                        # never MyOp()(x) or MyOp.forward(...)

This kata teaches: one gradient per ``forward`` input (``None`` for the ones
that are not tensors), ``ctx.save_for_backward``, ``ctx.needs_input_grad``, a
backward that can itself be differentiated, a numerically stable forward, a
straight-through gradient, and fitting ``a + b * P3(c + d * x)`` to ``sin(x)``
with your own Legendre-polynomial Function (as in PyTorch's "Learning PyTorch
with Examples").

Rules for every task: ``forward`` never changes its inputs in place (the caller
still holds them); outputs keep the input's shape and dtype.

Check your work with:  pytest --kata=functions
"""

import math

import torch
from torch.autograd import Function


class Scale(Function):
    """y = x * factor, where ``factor`` is a plain Python float.

    Use: ``Scale.apply(x, 2.5)``.  x: any shape -> y: same shape.
    ``backward`` must return one value per ``forward`` input: a gradient for
    ``x`` and ``None`` for ``factor`` (it is not a tensor).
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, factor: float) -> torch.Tensor:
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (One gradient per input): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor, None]:
        # TODO(task 1): write this part
        raise NotImplementedError("Task 1 (One gradient per input): not written yet")


class Exp(Function):
    """y = exp(x).  x: any shape -> y: same shape.

    The derivative of exp is exp itself, so save the *output* with
    ``ctx.save_for_backward`` and reuse it in ``backward`` (tensors go through
    ``save_for_backward``, never onto ``ctx`` as attributes).
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (Saving tensors for backward): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 2): write this part
        raise NotImplementedError("Task 2 (Saving tensors for backward): not written yet")


class MatMul(Function):
    """out = a @ b.  a: (N, K), b: (K, M) -> out: (N, M).

    Gradients: d a = grad_output @ b.T  (N, K);  d b = a.T @ grad_output  (K, M).
    Compute each one only when ``ctx.needs_input_grad`` asks for it, and return
    ``None`` in its place otherwise.
    """

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        # TODO(task 3): write this part
        raise NotImplementedError("Task 3 (Only the gradients asked for): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        # TODO(task 3): write this part
        raise NotImplementedError("Task 3 (Only the gradients asked for): not written yet")


class Cube(Function):
    """y = x ** 3.  x: any shape -> y: same shape.

    Write ``backward`` with torch operations on tensors only (no ``.detach()``,
    ``.item()`` or NumPy): then autograd can differentiate your backward too,
    which second derivatives (``torch.autograd.gradgradcheck``) need.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 4): write this part
        raise NotImplementedError("Task 4 (A backward autograd can differentiate): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 4): write this part
        raise NotImplementedError("Task 4 (A backward autograd can differentiate): not written yet")


class Softplus(Function):
    """y = log(1 + exp(x)), finite and accurate for any x (try x = 100 in float32).

    x: any shape -> y: same shape.  The derivative is sigmoid(x).  The direct
    formula overflows: exp(100) is inf in float32.  Rewrite it so exp only ever
    sees numbers <= 0.  Off limits, because they are the answer: ``F.softplus``
    (``torch.nn.functional.softplus``), ``torch.logaddexp`` and ``torch.Tensor.logaddexp``.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (Numerically stable softplus): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 5): write this part
        raise NotImplementedError("Task 5 (Numerically stable softplus): not written yet")


class RoundSTE(Function):
    """Straight-through rounding: forward is ``torch.round(x)``, backward
    pretends it was the identity (the gradient passes through unchanged).

    The true derivative of round is 0 almost everywhere, which would stop all
    learning; quantised networks use this estimator instead.
    x: any shape -> y: same shape.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 6): write this part
        raise NotImplementedError("Task 6 (Straight-through rounding): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 6): write this part
        raise NotImplementedError("Task 6 (Straight-through rounding): not written yet")


class LegendreP3(Function):
    """The Legendre polynomial P3(x) = 0.5 * (5 x^3 - 3 x); P3'(x) = 1.5 * (5 x^2 - 1).

    x: any shape -> y: same shape.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (Legendre polynomial P3): not written yet")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (Legendre polynomial P3): not written yet")


def train_step(params: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    """One step of gradient descent on  y_pred = a + b * P3(c + d * x).

    params: [a, b, c, d], four 0-d tensors with ``requires_grad=True``;
    x, y: (N,).  Use ``LegendreP3.apply`` for P3.  The loss is the *sum* of
    squared errors.  Update each parameter in place with ``p -= lr * p.grad``
    under ``torch.no_grad()`` (the caller's tensors must move and stay leaves
    that require grad: ``p = p - lr * p.grad`` would only make a new tensor),
    and clear its gradient before the next step.
    Returns the loss computed before the update as a Python float (``loss.item()``).
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (Fit sin(x) with your Function): not written yet")


def fit_sine(steps: int = 2000, lr: float = 5e-6) -> list[float]:
    """Fit a + b * P3(c + d * x) to sin(x) on [-pi, pi] (2000 points), starting
    from a=0, b=-1, c=0, d=0.3 as the article does.  Returns the parameters.
    """
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    params = [torch.tensor(v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3)]
    for step in range(steps):
        loss = train_step(params, x, y, lr)
        if step % 100 == 99:
            print(step, loss)
    return [p.item() for p in params]


if __name__ == "__main__":
    a, b, c, d = fit_sine()
    print(f"y = {a:.3g} + {b:.3g} * P3({c:.3g} + {d:.3g} x)")
