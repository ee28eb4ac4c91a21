"""The functions kata: the reference gets full marks, the stub none, and each
classic mistake with a custom autograd Function is caught and named."""

from kata_testing import mutate

KATA = "functions"
CLASSES = {"scale": "TestScale", "exp": "TestExp", "matmul": "TestMatMul", "cube": "TestCube",
           "softplus": "TestSoftplus", "round_ste": "TestRoundSTE", "fit": "TestFit"}

CUBE_GRAD = "return grad_output * 3 * x ** 2\n"
STABLE_SOFTPLUS = "return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))\n"


def failed(grade, task: str, *replacements: tuple[str, str]):
    """Grade the reference with ``replacements`` made, running only ``task``'s
    checks; the task must fail.  Returns its message (without the hint) and the grade."""
    g = grade(KATA, mutate(KATA, *replacements), "-k", CLASSES[task])
    assert g.status(task) == "failed", g.output
    return g.task(task)["message"], g


def test_backward_missing_none_for_the_float_input_is_caught(grade):
    message, g = failed(grade, "scale", ("return grad_output * ctx.factor, None\n",
                                         "return grad_output * ctx.factor\n"))
    assert "incorrect number of gradients (expected 2, got 1)" in message
    assert "None for non-tensors" in g.task("scale")["hint"]


def test_backward_ignoring_the_factor_is_caught(grade):
    message, _ = failed(grade, "scale", ("return grad_output * ctx.factor, None\n",
                                         "return grad_output, None\n"))
    assert "multiply it by factor" in message


def test_backward_with_a_wrong_constant_factor_is_caught(grade):
    message, _ = failed(grade, "cube", (CUBE_GRAD, "return grad_output * x ** 2\n"))
    assert "0.333x the true gradient" in message


def test_tensor_kept_on_ctx_instead_of_save_for_backward_is_caught(grade):
    message, _ = failed(grade, "exp",
                        ("        ctx.save_for_backward(result)\n", "        ctx.result = result\n"),
                        ("        (result,) = ctx.saved_tensors\n", "        result = ctx.result\n"))
    assert "`ctx.result`" in message and "save_for_backward" in message


def test_computing_unneeded_gradients_is_caught(grade):
    message, g = failed(grade, "matmul", (
        "        if ctx.needs_input_grad[0]:\n"
        "            grad_a = grad_output @ b.T  # (N, M) @ (M, K) -> (N, K)\n"
        "        if ctx.needs_input_grad[1]:\n"
        "            grad_b = a.T @ grad_output  # (K, N) @ (N, M) -> (K, M)\n",
        "        grad_a = grad_output @ b.T\n"
        "        grad_b = a.T @ grad_output\n"))
    assert "needs_input_grad" in message and "return None for `b`" in message
    assert g.task("matmul")["score"] > 0  # the gradients themselves are right


def test_naive_softplus_forward_overflow_is_caught(grade):
    message, _ = failed(grade, "softplus", (STABLE_SOFTPLUS, "return torch.log(1 + torch.exp(x))\n"))
    assert "inf at x = 100" in message and "overflows" in message


def test_naive_softplus_gradient_overflow_is_caught(grade):
    message, _ = failed(grade, "softplus", ("return grad_output * torch.sigmoid(x)\n",
                                            "return grad_output * torch.exp(x) / (1 + torch.exp(x))\n"))
    assert "nan at x = 100" in message and "use torch.sigmoid(x)" in message


def test_softplus_from_torch_is_refused(grade):
    message, _ = failed(grade, "softplus", (STABLE_SOFTPLUS, "return torch.nn.functional.softplus(x)\n"))
    assert "`torch.nn.functional.softplus`, which this task rules out" in message


def test_detached_backward_fails_gradgradcheck(grade):
    message, g = failed(grade, "cube", (CUBE_GRAD, "return grad_output * 3 * x.detach() ** 2\n"))
    assert "second derivative" in message and "detach" in message
    assert g.task("cube")["score"] > 0  # forward and first derivative are still right


def test_numpy_backward_fails_gradgradcheck(grade):
    numpy_grad = "return grad_output * torch.from_numpy(3 * x.detach().numpy() ** 2)\n"
    message, _ = failed(grade, "cube", (CUBE_GRAD, numpy_grad))
    assert "second derivative" in message and "differentiable way" in message


def test_true_gradient_of_round_instead_of_straight_through_is_caught(grade):
    message, _ = failed(grade, "round_ste", ("        return grad_output\n",
                                             "        return torch.zeros_like(grad_output)\n"))
    assert "round's true derivative" in message


def test_fit_without_clearing_gradients_is_caught(grade):
    message, _ = failed(grade, "fit", ("            p.grad = None\n", ""))
    assert "still in `.grad`" in message


def test_fit_with_the_mean_instead_of_the_sum_is_caught(grade):
    message, _ = failed(grade, "fit", ("loss = (y_pred - y).pow(2).sum()\n",
                                       "loss = (y_pred - y).pow(2).mean()\n"))
    assert "sum of squared errors" in message


def test_fit_without_the_custom_function_is_caught(grade):
    message, _ = failed(grade, "fit", ("y_pred = a + b * LegendreP3.apply(c + d * x)  # (N,)\n",
                                       "z = c + d * x\n    y_pred = a + b * 0.5 * (5 * z ** 3 - 3 * z)\n"))
    assert "never called LegendreP3.apply" in message
