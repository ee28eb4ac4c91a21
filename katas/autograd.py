"""Kata: autograd (自动微分 — automatic differentiation).

PyTorch builds the computational graph while your code runs (a *dynamic*
graph): every operation on a tensor that requires grad records how to
compute its gradient.  `backward()` then walks the graph back and adds the
gradients into the `.grad` of the leaf tensors.

This kata teaches:
  1. getting a derivative with `backward()` and `.grad`;
  2. a second derivative with `torch.autograd.grad(..., create_graph=True)`;
  3. that gradients *add up* in `.grad`, and how to clear them;
  4. zeroing the gradient between steps (and copying it before you do);
  5. stopping gradients with `torch.no_grad()` and `.detach()`;
  6. vector-Jacobian products: `backward(v)` on a non-scalar output;
  7. a custom `torch.autograd.Function` (sigmoid) with its own backward;
  8. a custom Function with several inputs (a linear layer).

Write the code where a task says TODO, then run:

    pytest --kata=autograd

The summary tells you which task to do next.  Gradients of the custom
Functions (tasks 7 and 8) are checked against finite differences in float64.
Rules for every task: use autograd (`backward`, `torch.autograd.grad`) where a
task says so, not a formula written by hand; never change the tensors you are
given in place.
"""

import torch


# -- Task 1 ------------------------------------------------------------------

def grad_of_cubic(x: torch.Tensor) -> torch.Tensor:
    """dy/dx for y = sum(x**3 + 2*x), computed by autograd.

    x: (N,) float tensor that does not require grad.  Make a leaf that
    requires grad from it, build y, call `y.backward()` and return the
    leaf's `.grad` (N,).  Do not write the derivative by hand.
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (A derivative with backward()): not written yet")


# -- Task 2 ------------------------------------------------------------------

def second_derivative(x: torch.Tensor) -> torch.Tensor:
    """d²y/dx² (element-wise) for y = sum(x**3 * sin(x)), computed by autograd.

    x: (N,) float tensor.  Take the first derivative with
    `torch.autograd.grad(y, x, create_graph=True)` (so that it is part of
    the graph itself), then differentiate its sum once more.  Returns (N,).
    Differentiate with autograd, not a formula by hand.
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (A second derivative): not written yet")


# -- Task 3 ------------------------------------------------------------------

def backward_twice(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Show that gradients accumulate.

    w: (D,) leaf that requires grad, x: (D,).  Twice: build
    loss = (w * x).sum() and call `loss.backward()` (a fresh loss each time).
    Return `w.grad`: both backward passes were added into it, so it is 2 * x.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Gradients add up): not written yet")


def clear_grad(w: torch.Tensor) -> None:
    """Reset w's gradient, as `optimizer.zero_grad()` does: afterwards
    `w.grad` is None (or all zeros) and the next backward starts afresh.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Gradients add up): not written yet")


# -- Task 4 ------------------------------------------------------------------

def grads_per_sample(w: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """The gradient of each sample's loss, one at a time.

    w: (D,) leaf that requires grad, xs: (N, D).  For each row x of xs:
    loss = (w @ x) ** 2, backward, keep a *copy* of w.grad, then zero
    w.grad before the next row.  Returns the N gradients stacked: (N, D).
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Zero the gradient between steps): not written yet")


# -- Task 5 ------------------------------------------------------------------

def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """x (N, D) @ w (D,) -> (N,), computed inside `with torch.no_grad():`.

    No graph is built, so the result does not require grad (this is how you
    evaluate a model).  Grad mode must be on again when the function returns.
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Stop gradients: no_grad and detach): not written yet")


def grad_through_one_branch(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """w: (D,) leaf that requires grad, x: (D,).  With y = w * x, build
    loss = (y * y.detach()).sum(): the value of (y**2).sum(), but the
    gradient flows through the first y only.  Call backward and return
    w.grad (D,), which is x * y (not 2 * x * y).
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (Stop gradients: no_grad and detach): not written yet")


# -- Task 6 ------------------------------------------------------------------

def softmax_vjp(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The vector-Jacobian product v^T J of y = softmax(x), by autograd.

    x, v: (N,).  y = exp(x) / exp(x).sum() is a vector, so `y.backward()`
    needs the vector `v` to weigh its elements: `y.backward(v)` (or
    `torch.autograd.grad(y, x, grad_outputs=v)`).  Returns (N,).
    Build y out of place: an in-place op on a tensor backward needs fails.
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Vector-Jacobian product): not written yet")


# -- Task 7 ------------------------------------------------------------------

class Sigmoid(torch.autograd.Function):
    """sigmoid(x) = 1 / (1 + exp(-x)) with a hand-written backward.

    Use it as `Sigmoid.apply(x)`; x: any shape, the output has the same shape.
    forward saves what backward needs with `ctx.save_for_backward`;
    backward gets dL/dout and returns dL/dx = dL/dout * s * (1 - s).
    forward must not change x in place; the gradient must stay finite for
    inputs like ±100.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (A custom autograd Function): not written yet")

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> torch.Tensor:
        # TODO(task 7): write this part
        raise NotImplementedError("Task 7 (A custom autograd Function): not written yet")


# -- Task 8 ------------------------------------------------------------------

class LinearFunction(torch.autograd.Function):
    """out = x @ W.T + b, as `LinearFunction.apply(x, W, b)`.

    x: (N, IN), W: (OUT, IN), b: (OUT,) -> out: (N, OUT).
    backward gets grad_out (N, OUT) and returns one gradient per input of
    forward, in order: grad_x (N, IN), grad_W (OUT, IN), grad_b (OUT,).
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        # TODO(task 8): write this part
        raise NotImplementedError("Task 8 (A custom Function with several inputs): not written yet")

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        # TODO(task 8): write this part
        raise NotImplementedError("Task 8 (A custom Function with several inputs): not written yet")
