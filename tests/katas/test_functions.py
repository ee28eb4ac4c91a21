"""The functions kata: each classic mistake with a custom autograd Function, written
into a copy of the reference, is caught and named; correct alternatives get full marks."""


import pytest
from kata_testing import Case, cases, expect_caught

KATA = "functions"
CLASSES = {"scale": "TestScale", "exp": "TestExp", "matmul": "TestMatMul", "cube": "TestCube",
           "softplus": "TestSoftplus", "round_ste": "TestRoundSTE", "legendre": "TestLegendreP3",
           "fit": "TestFit"}

CUBE_GRAD = "return grad_output * 3 * x ** 2\n"
STABLE_SOFTPLUS = "return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))\n"
UPDATE = "            p -= lr * p.grad\n"
CLEAR = "            p.grad = None\n"
NEEDS = ("        if ctx.needs_input_grad[0]:\n"
         "            grad_a = grad_output @ b.T  # (N, M) @ (M, K) -> (N, K)\n"
         "        if ctx.needs_input_grad[1]:\n"
         "            grad_b = a.T @ grad_output  # (K, N) @ (N, M) -> (K, M)\n")


def case(id, task, replace, says, **kw):
    return Case(id, task, replace, says, args=("-k", CLASSES[task]), **kw)


MISTAKES = [
    case("backward_missing_none_for_the_float", "scale",
         (("return grad_output * ctx.factor, None\n", "return grad_output * ctx.factor\n"),),
         ("incorrect number of gradients (expected 2, got 1)", "None for non-tensors")),
    case("backward_ignoring_the_factor", "scale",
         (("return grad_output * ctx.factor, None\n", "return grad_output, None\n"),),
         ("multiply it by factor",)),
    case("wrong_constant_factor", "cube", ((CUBE_GRAD, "return grad_output * x ** 2\n"),),
         ("0.333x the true gradient",)),
    case("tensor_kept_on_ctx", "exp",
         (("        ctx.save_for_backward(result)\n", "        ctx.result = result\n"),
          ("        (result,) = ctx.saved_tensors\n", "        result = ctx.result\n")),
         ("`ctx.result`", "save_for_backward")),
    case("unneeded_gradients_computed", "matmul",
         ((NEEDS, "        grad_a = grad_output @ b.T\n        grad_b = a.T @ grad_output\n"),),
         ("needs_input_grad", "return None for `b`")),
    case("naive_softplus_forward_overflows", "softplus",
         ((STABLE_SOFTPLUS, "return torch.log(1 + torch.exp(x))\n"),), ("inf at x = 100", "overflows")),
    case("naive_softplus_gradient_overflows", "softplus",
         (("return grad_output * torch.sigmoid(x)\n",
           "return grad_output * torch.exp(x) / (1 + torch.exp(x))\n"),),
         ("nan at x = 100", "use torch.sigmoid(x)")),
    case("softplus_from_torch", "softplus",
         ((STABLE_SOFTPLUS, "return torch.nn.functional.softplus(x)\n"),),
         ("`torch.nn.functional.softplus`, which this task rules out",)),
    case("softplus_changes_its_input_in_place", "softplus",
         ((STABLE_SOFTPLUS, "return x.clamp_(min=0) + torch.log1p(torch.exp(-x.abs()))\n"),),
         ("changed its input `x` in place",)),
    case("matmul_gradients_in_the_wrong_order", "matmul",
         (("        return grad_a, grad_b\n", "        return grad_b, grad_a\n"),),
         ("in the order of `forward`'s inputs",), mistake="functions.matmul_grads_swapped"),
    case("detached_backward", "cube", ((CUBE_GRAD, "return grad_output * 3 * x.detach() ** 2\n"),),
         ("second derivative", "detach")),
    case("numpy_backward", "cube",
         ((CUBE_GRAD, "return grad_output * torch.from_numpy(3 * x.detach().numpy() ** 2)\n"),),
         ("second derivative", "differentiable way")),
    case("true_gradient_of_round", "round_ste",
         (("        return grad_output\n", "        return torch.zeros_like(grad_output)\n"),),
         ("round's true derivative",)),
    case("ones_instead_of_grad_output", "round_ste",
         (("        return grad_output\n", "        return torch.ones_like(grad_output)\n"),),
         ("all ones whatever grad_output is",)),
    case("fit_without_clearing_gradients", "fit", ((CLEAR, ""),), ("first gradient was still in `.grad`",)),
    case("fit_with_the_mean_instead_of_the_sum", "fit",
         (("loss = (y_pred - y).pow(2).sum()\n", "loss = (y_pred - y).pow(2).mean()\n"),),
         ("MEAN of the squared errors", "`.sum()`")),
    case("fit_without_the_custom_function", "fit",
         (("y_pred = a + b * LegendreP3.apply(c + d * x)  # (N,)\n",
           "z = c + d * x\n    y_pred = a + b * 0.5 * (5 * z ** 3 - 3 * z)\n"),),
         ("never called LegendreP3.apply",)),
    case("fit_returns_the_loss_tensor", "fit", (("    return loss.item()\n", "    return loss\n"),),
         ("returned the loss tensor", "loss.item()")),
    case("fit_rebinds_p_so_the_leaf_is_lost", "fit", ((UPDATE, "            p = p - lr * p.grad\n"),),
         ("hold their starting values", "`p -= lr * p.grad`")),
    case("fit_replaces_the_parameters_in_the_list", "fit",
         (("        for p in params:\n" + UPDATE + CLEAR,
           "        for i, p in enumerate(params):\n            params[i] = p - lr * p.grad\n"),),
         ("put new tensors in place of the parameters",)),
    case("fit_moves_uphill", "fit", ((UPDATE, "            p += lr * p.grad\n"),), ("uphill",)),
    case("fit_update_outside_no_grad", "fit",
         (("    with torch.no_grad():\n        for p in params:\n",
           "    if True:\n        for p in params:\n"),),
         ("leaf Variable", "torch.no_grad()")),
    case("fit_clears_the_gradient_before_the_update", "fit",
         (("    loss.backward()\n", "    loss.backward()\n    for p in params:\n        p.grad.zero_()\n"),),
         ("cleared before the update used it",)),
    case("fit_sets_grad_to_none_before_the_update", "fit", ((UPDATE + CLEAR, CLEAR + UPDATE),),
         ("this `.grad` is None", "cleared before the update")),
    case("fit_loss_rewrapped_as_a_new_tensor", "fit",
         (("    loss.backward()\n", "    loss = torch.tensor(loss.item(), requires_grad=True)\n"
                                     "    loss.backward()\n"),),
         ("no history",)),
    # found in review: torch's own message plus a hint that names the mistake
    case("zero_instead_of_none_for_the_float", "scale",
         (("return grad_output * ctx.factor, None\n", "return grad_output * ctx.factor, 0\n"),),
         ("different than None at position 2", "`None` as its gradient, not 0")),
    case("float_saved_for_backward", "scale",
         (("        ctx.factor = factor  # a plain number may live on ctx\n", "        ctx.save_for_backward(factor)\n"),
          ("return grad_output * ctx.factor, None\n", "return grad_output * ctx.saved_tensors[0], None\n")),
         ("can only save variables", "takes tensors only")),
    case("backward_returns_a_list", "exp", (("        return grad_output * result\n", "        return [1.0]\n"),),
         ("expected Variable or None", "not a list")),
    case("matmul_backward_returns_a_string", "matmul", (("        return grad_a, grad_b\n", "        return 'grad'\n"),),
         ("returned a str",)),
    case("fit_zeroes_grad_before_the_first_backward", "fit",
         (("    loss.backward()\n", "    for p in params:\n        p.grad.zero_()\n    loss.backward()\n"),),
         ("has no attribute 'zero_'", "before the first backward")),
    case("fit_calls_forward_directly", "fit",
         (("y_pred = a + b * LegendreP3.apply(c + d * x)  # (N,)\n",
           "y_pred = a + b * LegendreP3.forward(None, c + d * x)  # (N,)\n"),), ("save_for_backward", "`.apply`")),
    case("fit_instantiates_the_function", "fit",
         (("y_pred = a + b * LegendreP3.apply(c + d * x)  # (N,)\n",
           "y_pred = a + b * LegendreP3()(c + d * x)  # (N,)\n"),), ("non-static forward", "MyFunction.apply(x)")),
    # issue 16: the input classes the contracts name (exact halves for a rounding, the far tails of
    # "accurate for any x", a 0-d input, square matrices) and the tasks' wrong versions (checks.variants)
    case("scale_adds_the_factor", "scale", (("        return x * factor\n", "        return x + factor\n"),),
         ("factor was added",), mistake="functions.scale_adds"),
    case("scale_backward_divides", "scale", (("return grad_output * ctx.factor, None", "return grad_output / ctx.factor, None"),),
         ("divided grad_output by factor",), mistake="functions.scale_grad_divides"),
    case("exp_backward_from_the_input", "exp", (("ctx.save_for_backward(result)", "ctx.save_for_backward(x)"),),
         ("multiplied by the input x",), mistake="functions.exp_grad_times_input"),
    case("matmul_grads_without_transposes", "matmul", (("grad_a = grad_output @ b.T", "grad_a = grad_output @ b"),
                                                       ("grad_b = a.T @ grad_output", "grad_b = a @ grad_output")),
         ("the transposes are missing",), mistake="functions.matmul_grads_not_transposed"),
    case("softplus_threshold_at_100", "softplus", ((STABLE_SOFTPLUS,
         "return torch.where(x > 100, x, torch.log1p(torch.exp(x)))\n"),), ("overflows", "-|x|")),
    case("softplus_without_the_max", "softplus", ((STABLE_SOFTPLUS, "return torch.log1p(torch.exp(-x.abs()))\n"),),
         ("the max(x, 0) term is missing",), mistake="functions.softplus_max_missing"),
    case("softplus_gradient_of_minus_x", "softplus",
         (("return grad_output * torch.sigmoid(x)", "return grad_output * torch.sigmoid(-x)"),),
         ("the gradient is sigmoid(-x)",), mistake="functions.softplus_grad_sign"),
    case("round_half_up", "round_ste", (("        return torch.round(x)\n", "        return torch.floor(x + 0.5)\n"),),
         ("halves were rounded up", "even"), mistake="functions.round_half_up"),
    case("round_half_away_from_zero", "round_ste", (("        return torch.round(x)\n",
                                                      "        return torch.sign(x) * torch.floor(x.abs() + 0.5)\n"),),
         ("away from zero",), mistake="functions.round_half_away"),
    case("round_by_int_conversion", "round_ste", (("        return torch.round(x)\n", "        return x.int().float()\n"),),
         ("cuts off the fraction",), mistake="functions.trunc_not_round"),
    case("p3_bracket_dropped", "legendre", (("        return 0.5 * (5 * x ** 3 - 3 * x)\n",
                                             "        return 0.5 * 5 * x ** 3 - 3 * x\n"),),
         ("the bracket was dropped",), mistake="functions.p3_bracket_dropped"),
    case("p3_derivative_bracket_dropped", "legendre", (("        return grad_output * 1.5 * (5 * x ** 2 - 1)\n",
                                                        "        return grad_output * (1.5 * 5 * x ** 2 - 1)\n"),),
         ("the bracket was dropped",), mistake="functions.p3_grad_bracket_dropped"),
]


@pytest.mark.parametrize("mistake", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, mistake):
    expect_caught(grade, KATA, mistake)


def test_computing_unneeded_gradients_keeps_the_points_for_right_gradients(grade):
    g = expect_caught(grade, KATA, MISTAKES[4])
    assert g.task("matmul")["score"] > 0


def test_detached_backward_keeps_the_points_for_the_first_derivative(grade):
    g = expect_caught(grade, KATA, next(c for c in MISTAKES if c.id == "detached_backward"))
    assert g.task("cube")["score"] > 0
