"""The autograd kata: each classic autograd mistake, written as a mutated
reference, is caught in its own task and named; correct alternatives written
in other styles get full marks."""

from __future__ import annotations


import pytest
from kata_testing import Case, cases, expect_caught, mutate

KATA = "autograd"

LEAF = "    x = x.detach().requires_grad_(True)\n    y = (x ** 3 + 2 * x).sum()\n"
FIRST = "(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)"
TWICE = "    for _ in range(2):\n        loss = (w * x).sum()\n        loss.backward()\n"
PER_SAMPLE = "        grads.append(w.grad.clone())\n        w.grad.zero_()\n"
SIGMOID_FORWARD = "        s = 1 / (1 + torch.exp(-x))\n        ctx.save_for_backward(s)\n"


def body(*pairs: tuple) -> tuple:
    return tuple(pairs)


MISTAKES = [
    # task 1: a derivative with backward()
    Case("data_cuts_the_graph", "cubic", body(("y = (x ** 3 + 2 * x).sum()", "y = (x.data ** 3 + 2 * x).sum()")),
         ("`x ** 3` was cut from the graph", ".data")),
    Case("leaf_without_requires_grad", "cubic", body((LEAF, LEAF.replace(".requires_grad_(True)", ""))),
         ("does not require grad", "requires_grad_(True)", "no graph")),
    Case("derivative_by_hand", "cubic", body(("    y.backward()\n    return x.grad\n", "    return 3 * x ** 2 + 2\n")),
         ("did not call backward()",)),
    Case("detach_before_backward", "cubic", body(("    y.backward()\n    return x.grad\n",
                                                  "    y = y.detach().requires_grad_(True)\n    y.backward()\n"
                                                  "    return x.grad\n")), ("although backward() ran", "cut")),
    Case("number_rewrapped_as_a_tensor", "cubic", body(("    y.backward()\n    return x.grad\n",
                                                        "    y = torch.tensor(y.item(), requires_grad=True)\n"
                                                        "    y.backward()\n    return x.grad\n")),
         ("although backward() ran", "torch.tensor(...)")),
    # task 2: a second derivative
    Case("no_create_graph", "second", body((FIRST, "(dy_dx,) = torch.autograd.grad(y, x)")),
         ("does not require grad", "without `create_graph=True`")),
    Case("autograd_grad_not_unpacked", "second", body((FIRST, "dy_dx = torch.autograd.grad(y, x, create_graph=True)")),
         ("a tuple was used where a tensor was expected", "(g,) = torch.autograd.grad(y, x)")),
    Case("first_derivative_returned", "second", body(("    return d2y_dx2\n", "    return dy_dx\n")),
         ("is the first derivative",)),
    Case("grad_not_cleared_between", "second", body((
        "    (dy_dx,) = torch.autograd.grad(y, x, create_graph=True)\n"
        "    (d2y_dx2,) = torch.autograd.grad(dy_dx.sum(), x)\n    return d2y_dx2\n",
        "    y.backward(create_graph=True)\n    x.grad.sum().backward()\n    return x.grad\n")),
         ("first plus the second derivative", "x.grad = None")),
    Case("formula_by_hand", "second", body((
        "    (dy_dx,) = torch.autograd.grad(y, x, create_graph=True)\n"
        "    (d2y_dx2,) = torch.autograd.grad(dy_dx.sum(), x)\n",
        "    x = x.detach()\n"
        "    d2y_dx2 = 6 * x * torch.sin(x) + 6 * x ** 2 * torch.cos(x) - x ** 3 * torch.sin(x)\n")),
         ("did not call autograd",)),
    # task 3: gradients add up
    Case("backward_twice_on_one_graph", "accumulate",
         body((TWICE, "    loss = (w * x).sum()\n    loss.backward()\n    loss.backward()\n")),
         ("backward through the graph a second time", "fresh loss", "retain_graph=True"),
         mistake="autograd.backward_twice_without_retain_graph"),
    Case("zeroing_between_passes", "accumulate",
         body(("        loss.backward()\n    return w.grad\n", "        w.grad = None\n        loss.backward()\n    return w.grad\n")),
         ("ONE backward pass",)),
    Case("clear_grad_does_nothing", "accumulate", body(("    w.grad = None\n    # END", "    pass\n    # END")),
         ("None or all zeros", "99")),
    # task 4: zero the gradient between steps
    Case("no_zero_grad", "zero", body(("        w.grad.zero_()\n", "")), ("was not zeroed", "accumulate"),
         mistake="autograd.grad_not_zeroed"),
    Case("no_clone", "zero", body(("grads.append(w.grad.clone())", "grads.append(w.grad)")), ("w.grad.clone()",),
         mistake="autograd.grad_not_copied"),
    Case("zeroed_before_the_copy", "zero",
         body((PER_SAMPLE, "        w.grad.zero_()\n        grads.append(w.grad.clone())\n")),
         ("zeroed before it was copied",), mistake="autograd.zeroed_before_copy"),
    Case("power_before_product", "zero", body(("        loss = (w @ x) ** 2\n", "        loss = w @ x ** 2\n")),
         ("`**` binds tighter than `@`", "loss = (w @ x) ** 2"), mistake="autograd.power_before_product"),
    Case("loss_not_squared", "zero", body(("        loss = (w @ x) ** 2\n", "        loss = w @ x\n")),
         ("the square of the loss is missing",), mistake="autograd.square_forgotten"),
    # task 5: no_grad and detach
    Case("no_detach", "detach", body(("    loss = (y * y.detach()).sum()\n", "    loss = (y * y).sum()\n")),
         ("2 * x * y", "y.detach()")),
    Case("both_branches_detached", "detach",
         body(("    loss = (y * y.detach()).sum()\n", "    loss = (y.detach() * y.detach()).sum()\n")),
         ("does not require grad", "no graph")),
    Case("no_grad_around_the_loss", "detach", body(("    loss = (y * y.detach()).sum()\n",
                                                    "    with torch.no_grad():\n        loss = (y * y.detach()).sum()\n")),
         ("does not require grad", "torch.no_grad()")),
    Case("predict_without_no_grad", "detach", body(("    with torch.no_grad():\n        return x @ w\n", "    return x @ w\n")),
         ("requires grad", "torch.no_grad()")),
    Case("grad_mode_left_off", "detach", body(("    with torch.no_grad():\n        return x @ w\n",
                                               "    torch.set_grad_enabled(False)\n    return x @ w\n")),
         ("grad mode is still off",)),
    # task 6: vector-Jacobian product
    Case("inplace_on_saved_tensor", "vjp", body(("    y = e / e.sum()\n    y.backward(v)", "    e /= e.sum()\n    y = e\n    y.backward(v)")),
         ("modified by an inplace operation", "in-place")),
    Case("backward_without_gradient", "vjp", body(("    y.backward(v)\n", "    y.backward()\n")),
         ("only for scalar outputs", "gradient=", "y.backward(v)")),
    Case("v_ignored", "vjp", body(("    y.backward(v)\n", "    y.sum().backward()\n")), ("was v ignored",)),
    # task 7: custom sigmoid
    Case("sigmoid_sign_flipped", "sigmoid", body(("return grad_out * s * (1 - s)", "return -grad_out * s * (1 - s)")),
         ("Sigmoid", "sign flipped")),
    Case("sigmoid_factor_two", "sigmoid", body(("return grad_out * s * (1 - s)", "return 2 * grad_out * s * (1 - s)")),
         ("factor of 2",)),
    Case("sigmoid_ignores_grad_out", "sigmoid", body(("return grad_out * s * (1 - s)", "return s * (1 - s)")),
         ("backward ignored grad_out",)),
    Case("sigmoid_inplace_on_input", "sigmoid",
         body((SIGMOID_FORWARD, "        s = x.sigmoid_()\n        ctx.save_for_backward(s)\n")), ("changed x in place",)),
    Case("sigmoid_unstable_backward", "sigmoid", body(
        ("        ctx.save_for_backward(s)\n        return s\n", "        ctx.save_for_backward(x)\n        return s\n"),
        ("        return grad_out * s * (1 - s)\n",
         "        e = torch.exp(-s)  # s holds x here\n        return grad_out * e / (1 + e) ** 2\n")),
         ("NaN/Inf at x = -", "exp(-x) overflows", "s * (1 - s)")),
    # task 8: custom linear
    Case("wrong_number_of_gradients", "linear", body(("return grad_x, grad_W, grad_b", "return grad_x, grad_W")),
         ("incorrect number of gradients", "one gradient per `forward` input")),
    Case("bias_mean_not_sum", "linear", body(("grad_b = grad_out.sum(0)", "grad_b = grad_out.mean(0)")),
         ("`b`", "mean instead of sum")),
    Case("weight_sign_flipped", "linear", body(("grad_W = grad_out.T @ x", "grad_W = -(grad_out.T @ x)")),
         ("`W`", "sign flipped")),
    Case("forward_forgets_bias", "linear", body(("        return x @ W.T + b\n", "        return x @ W.T\n")),
         ("the bias b is missing in forward",)),
    Case("forward_without_transpose", "linear", body(("        return x @ W.T + b\n", "        return x @ W + b\n")),
         ("shapes cannot be multiplied", "x @ W.T")),
    # found in review
    Case("mean_instead_of_sum", "cubic", body(("y = (x ** 3 + 2 * x).sum()", "y = (x ** 3 + 2 * x).mean()")),
         ("/ N", "`.mean()`")),
    Case("leaf_lost_by_a_cast", "cubic", body(("    x = x.detach().requires_grad_(True)\n    y = (x ** 3 + 2 * x).sum()",
                                               "    x = x.detach().requires_grad_(True).double()\n"
                                               "    y = (x ** 3 + 2 * x).sum()")), ("non-leaf", "`.double()`")),
    Case("gradient_on_another_device", "cubic", body(("    y.backward()\n    return x.grad\n",
                                                      "    y.backward()\n    return x.grad.to('meta')\n")),
         ("is on device meta, expected cpu",)),
    Case("clear_grad_zeroes_the_weights", "accumulate",
         body(("    w.grad = None\n    # END", "    with torch.no_grad():\n        w.zero_()\n    # END")),
         ("changed w itself", "w.grad = None")),
    Case("detach_is_not_a_copy", "zero", body(("grads.append(w.grad.clone())", "grads.append(w.grad.detach())")),
         ("`.detach()`", "do not copy", "w.grad.clone()")),
    # issue 16: the input classes the contracts name (float64, a single element, a batch of one, a 0-d and
    # a 3-d input) and the tasks' wrong versions (checks.variants), named by the output they give
    Case("cube_of_the_sum", "cubic", body(("y = (x ** 3 + 2 * x).sum()", "y = x.sum() ** 3 + 2 * x.sum()")),
         ("the sum was taken before the power",), mistake="autograd.power_of_the_sum"),
    Case("y_not_a_scalar", "cubic", body(("y = (x ** 3 + 2 * x).sum()", "y = x ** 3 + 2 * x.sum()")),
         ("y is not a single number", "(x ** 3 + 2 * x).sum()")),
    Case("cubic_grad_squeezed", "cubic", body(("    y.backward()\n    return x.grad\n",
                                               "    y.backward()\n    return x.grad.squeeze()\n")),
         ("has shape (), expected (1,)",)),
    Case("last_sample_skipped", "zero", body(("    for x in xs:\n", "    for x in xs[:-1]:\n")),
         ("the last sample is missing",), mistake="autograd.last_sample_skipped"),
    Case("per_sample_squeezed", "zero", body(("    return torch.stack(grads)\n", "    return torch.stack(grads).squeeze()\n")),
         ("has shape (5,), expected (1, 5)",)),
    Case("predict_squeezed", "detach", body(("        return x @ w\n", "        return (x @ w).squeeze()\n")),
         ("has shape (), expected (1,)",)),
    Case("sigmoid_of_minus_x", "sigmoid", body(("        s = 1 / (1 + torch.exp(-x))\n", "        s = 1 / (1 + torch.exp(x))\n")),
         ("it is sigmoid(-x)",), mistake="autograd.sigmoid_sign"),
    Case("sigmoid_backward_from_the_input", "sigmoid", body((SIGMOID_FORWARD, SIGMOID_FORWARD.replace(
        "save_for_backward(s)", "save_for_backward(x)"))), ("used the input x",), mistake="autograd.sigmoid_grad_from_input"),
    Case("sigmoid_backward_missing_s", "sigmoid",
         body(("return grad_out * s * (1 - s)", "return grad_out * (1 - s)")),
         ("a factor s is missing",), mistake="autograd.sigmoid_grad_missing_s"),
]


@pytest.mark.parametrize("case", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, case):
    expect_caught(grade, KATA, case)


def test_a_derivative_by_hand_keeps_the_points_for_its_values(grade):
    g = grade(KATA, mutate(KATA, ("    y.backward()\n    return x.grad\n", "    return 3 * x ** 2 + 2\n")))
    # two of the task's three checks compare values (all of them pass), one asks for autograd (fails): 2 of 2 points * 2/3
    assert g.task("cubic")["score"] == pytest.approx(2 * 2 / 3, abs=0.01)
