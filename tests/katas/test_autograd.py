"""The autograd kata: the reference passes, the stub is not started, and each
classic autograd mistake (as a mutated reference) is caught and named.

Grading is the slow part, so mistakes that sit in different tasks are graded
together: ``caught(grade, name)`` grades the reference with that mistake plus
the other mistakes of its round (each in another task, and the tasks do not
share code), once per round, and the test then looks at its own task only.
"""

from __future__ import annotations

from kata_testing import mutate

KATA = "autograd"

# name -> (task id, (old, new), ...): each one a classic mistake in the reference.
MISTAKES: dict[str, tuple] = {
    # task 1: a derivative with backward()
    "data_cuts_the_graph": ("cubic", ("y = (x ** 3 + 2 * x).sum()", "y = (x.data ** 3 + 2 * x).sum()")),
    "leaf_without_requires_grad": ("cubic", ("x = x.detach().requires_grad_(True)  # a fresh",
                                             "x = x.detach()  # a fresh")),
    "derivative_by_hand": ("cubic", ("    y.backward()\n    return x.grad\n", "    return 3 * x ** 2 + 2\n")),
    # task 2: a second derivative
    "no_create_graph": ("second", ("(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)",
                                   "(dy_dx,) = torch.autograd.grad(y, x)")),
    "first_derivative_returned": ("second", ("    return d2y_dx2\n", "    return dy_dx\n")),
    # task 3: gradients add up
    "backward_twice_on_one_graph": ("accumulate", (
        "    for _ in range(2):\n        loss = (w * x).sum()\n        loss.backward()\n",
        "    loss = (w * x).sum()\n    loss.backward()\n    loss.backward()\n")),
    "zeroing_between_passes": ("accumulate", ("        loss.backward()\n    return w.grad\n",
                                              "        w.grad = None\n        loss.backward()\n    return w.grad\n")),
    "clear_grad_does_nothing": ("accumulate", ("    w.grad = None\n    # END", "    pass\n    # END")),
    # task 4: zero the gradient between steps
    "no_zero_grad": ("zero", ("        w.grad.zero_()\n", "")),
    "no_clone": ("zero", ("grads.append(w.grad.clone())", "grads.append(w.grad)")),
    # task 5: no_grad and detach
    "no_detach": ("detach", ("    loss = (y * y.detach()).sum()\n", "    loss = (y * y).sum()\n")),
    "predict_without_no_grad": ("detach", ("    with torch.no_grad():\n        return x @ w\n",
                                           "    return x @ w\n")),
    # task 6: vector-Jacobian product
    "inplace_on_saved_tensor": ("vjp", ("    y = e / e.sum()\n    y.backward(v)",
                                        "    e /= e.sum()\n    y = e\n    y.backward(v)")),
    "backward_without_gradient": ("vjp", ("    y.backward(v)\n", "    y.backward()\n")),
    "v_ignored": ("vjp", ("    y.backward(v)\n", "    y.sum().backward()\n")),
    # task 7: custom sigmoid
    "sigmoid_sign_flipped": ("sigmoid", ("return grad_out * s * (1 - s)", "return -grad_out * s * (1 - s)")),
    "sigmoid_factor_two": ("sigmoid", ("return grad_out * s * (1 - s)", "return 2 * grad_out * s * (1 - s)")),
    "sigmoid_inplace_on_input": ("sigmoid", (
        "        s = 1 / (1 + torch.exp(-x))\n        ctx.save_for_backward(s)\n",
        "        s = x.sigmoid_()\n        ctx.save_for_backward(s)\n")),
    "sigmoid_unstable_backward": ("sigmoid", (
        "        ctx.save_for_backward(s)\n        return s\n", "        ctx.save_for_backward(x)\n        return s\n"), (
        "        return grad_out * s * (1 - s)\n",
        "        e = torch.exp(-s)  # s holds x here\n        return grad_out * e / (1 + e) ** 2\n")),
    # task 8: custom linear
    "wrong_number_of_gradients": ("linear", ("return grad_x, grad_W, grad_b", "return grad_x, grad_W")),
    "bias_mean_not_sum": ("linear", ("grad_b = grad_out.sum(0)", "grad_b = grad_out.mean(0)")),
    "weight_sign_flipped": ("linear", ("grad_W = grad_out.T @ x", "grad_W = -(grad_out.T @ x)")),
    "forward_forgets_bias": ("linear", ("        return x @ W.T + b\n", "        return x @ W.T\n")),
    "forward_without_transpose": ("linear", ("        return x @ W.T + b\n", "        return x @ W + b\n")),
}


def _rounds() -> list[list[str]]:
    rounds: list[list[str]] = []
    for name, (task, *_) in MISTAKES.items():
        for group in rounds:
            if all(MISTAKES[other][0] != task for other in group):
                group.append(name)
                break
        else:
            rounds.append([name])
    return rounds


ROUNDS = _rounds()
_GRADED: dict[int, object] = {}


def caught(grade, name: str):
    index = next(i for i, group in enumerate(ROUNDS) if name in group)
    if index not in _GRADED:
        replacements = [r for other in ROUNDS[index] for r in MISTAKES[other][1:]]
        _GRADED[index] = grade(KATA, mutate(KATA, *replacements))
    return _GRADED[index]


def failed_with(name: str, g, *words: str) -> None:
    task = MISTAKES[name][0]
    assert g.status(task) == "failed", (g.status(task), g.message(task))
    message = g.message(task)
    for word in words:
        assert word in message, message


# -- whole kata -----------------------------------------------------------------------

def test_each_round_mutates_each_task_at_most_once():
    assert len(ROUNDS) == 5
    for group in ROUNDS:
        tasks = [MISTAKES[name][0] for name in group]
        assert len(tasks) == len(set(tasks))


# -- task 1: backward ------------------------------------------------------------------

def test_data_that_cuts_the_graph_is_caught(grade):
    name = "data_cuts_the_graph"
    failed_with(name, caught(grade, name), "`x ** 3` was cut from the graph", ".data")


def test_leaf_without_requires_grad_is_caught(grade):
    name = "leaf_without_requires_grad"
    failed_with(name, caught(grade, name), "does not require grad", "requires_grad_(True)")


def test_derivative_written_by_hand_is_caught(grade):
    name = "derivative_by_hand"
    g = caught(grade, name)
    failed_with(name, g, "did not call backward()")
    assert g.task("cubic")["score"] == 1.0  # the values themselves are right


# -- task 2: second derivative ---------------------------------------------------------

def test_forgetting_create_graph_is_caught(grade):
    name = "no_create_graph"
    failed_with(name, caught(grade, name), "does not require grad", "create_graph=True")


def test_first_derivative_instead_of_second_is_caught(grade):
    name = "first_derivative_returned"
    failed_with(name, caught(grade, name), "is the first derivative")


# -- task 3: accumulation ----------------------------------------------------------------

def test_backward_twice_on_one_graph_is_caught(grade):
    name = "backward_twice_on_one_graph"
    failed_with(name, caught(grade, name), "backward through the graph a second time", "recompute the forward")


def test_zeroing_between_the_two_passes_is_caught(grade):
    name = "zeroing_between_passes"
    failed_with(name, caught(grade, name), "ONE backward pass")


def test_clear_grad_that_does_nothing_is_caught(grade):
    name = "clear_grad_does_nothing"
    failed_with(name, caught(grade, name), "None or all zeros", "99")


# -- task 4: zeroing -------------------------------------------------------------------

def test_forgetting_to_zero_the_gradient_is_caught(grade):
    name = "no_zero_grad"
    failed_with(name, caught(grade, name), "was not zeroed", "accumulate")


def test_storing_grad_without_clone_is_caught(grade):
    name = "no_clone"
    failed_with(name, caught(grade, name), "w.grad.clone()")


# -- task 5: detach and no_grad ------------------------------------------------------------

def test_missing_detach_is_caught(grade):
    name = "no_detach"
    failed_with(name, caught(grade, name), "2 * x * y", "y.detach()")


def test_predict_without_no_grad_is_caught(grade):
    name = "predict_without_no_grad"
    failed_with(name, caught(grade, name), "requires grad", "torch.no_grad()")


def test_grad_mode_left_off_is_caught(grade):
    # Graded on its own: it also shows that the tasks after it are not affected.
    g = grade(KATA, mutate(KATA, ("    with torch.no_grad():\n        return x @ w\n",
                                  "    torch.set_grad_enabled(False)\n    return x @ w\n")))
    assert g.status("detach") == "failed"
    assert "grad mode is still off" in g.message("detach"), g.message("detach")
    for task in ("vjp", "sigmoid", "linear"):
        assert g.status(task) == "passed", g.message(task)


# -- task 6: vector-Jacobian product -------------------------------------------------------

def test_inplace_op_on_a_saved_tensor_is_caught(grade):
    name = "inplace_on_saved_tensor"
    failed_with(name, caught(grade, name), "modified by an inplace operation", "in-place")


def test_backward_on_a_vector_without_gradient_is_caught(grade):
    name = "backward_without_gradient"
    failed_with(name, caught(grade, name), "only for scalar outputs", "gradient=")


def test_ignoring_v_is_caught(grade):
    name = "v_ignored"
    failed_with(name, caught(grade, name), "was v ignored")


# -- task 7: custom sigmoid ------------------------------------------------------------------

def test_sigmoid_backward_with_flipped_sign_is_caught(grade):
    name = "sigmoid_sign_flipped"
    failed_with(name, caught(grade, name), "Sigmoid", "sign flipped")


def test_sigmoid_backward_off_by_two_is_caught(grade):
    name = "sigmoid_factor_two"
    failed_with(name, caught(grade, name), "factor of 2")


def test_sigmoid_inplace_on_the_input_is_caught(grade):
    name = "sigmoid_inplace_on_input"
    failed_with(name, caught(grade, name), "changed x in place")


# -- task 8: custom linear --------------------------------------------------------------------

def test_wrong_number_of_gradients_is_caught(grade):
    name = "wrong_number_of_gradients"
    failed_with(name, caught(grade, name), "incorrect number of gradients", "one gradient per `forward` input")


def test_bias_gradient_mean_instead_of_sum_is_caught(grade):
    name = "bias_mean_not_sum"
    failed_with(name, caught(grade, name), "`b`", "mean instead of sum")


def test_weight_gradient_with_flipped_sign_is_caught(grade):
    name = "weight_sign_flipped"
    failed_with(name, caught(grade, name), "`W`", "sign flipped")


def test_sigmoid_backward_that_overflows_is_caught(grade):
    name = "sigmoid_unstable_backward"
    failed_with(name, caught(grade, name), "NaN/Inf at x = -100", "s * (1 - s)")


def test_linear_forward_without_bias_is_caught(grade):
    name = "forward_forgets_bias"
    g = caught(grade, name)
    failed_with(name, g, "the bias b is missing in forward")


def test_linear_forward_without_transpose_gets_a_shape_hint(grade):
    name = "forward_without_transpose"
    failed_with(name, caught(grade, name), "shapes cannot be multiplied", "x @ W.T")
