"""The linear_regression kata: each classic mistake, written into a copy of the
reference, is caught and named; correct alternatives get full marks."""


import pytest
from kata_testing import Case, cases, expect_caught

KATA = "linear_regression"

SHAPE_CHECK = ("    if pred.shape != target.shape:\n"
               "        raise ValueError(f\"mse: pred has shape {tuple(pred.shape)} but target has "
               "{tuple(target.shape)}\")\n")
MSE_RETURN = "    return ((pred - target) ** 2).mean()\n"
PRED = "    pred = model(x)                   # (N, 1), same shape as y\n"
UPDATE = "        w -= lr * w.grad\n        b -= lr * b.grad\n"
ZERO = "    w.grad.zero_()\n    b.grad.zero_()\n"
GD_LOSS = "    loss = mse(w * x + b, y)          # (N, 1) vs (N, 1) -> scalar\n"
TS_BACKWARD = "    loss.backward()\n    optimizer.step()\n"
DESIGN = "    A = torch.cat([x, torch.ones_like(x)], dim=1)      # (N, 2)\n"
THETA = "    return theta[0, 0].item(), theta[1, 0].item()\n"

MISTAKES = [
    Case("mse_broadcasts_n1_against_n", "mse", ((SHAPE_CHECK, ""),), ("(N, N)", "ValueError")),
    Case("training_on_n1_against_n", "train_step", ((PRED, "    pred = model(x).squeeze(1)\n"),),
         ("(N, N)", "(N,)")),
    Case("raw_gradients_not_zeroed", "gd_step", ((ZERO, ""),), ("stale gradient", "zero")),
    Case("optimizer_zero_grad_forgotten", "train_step", (("    optimizer.zero_grad()\n", ""),),
         ("stale gradient", "optimizer.zero_grad()")),
    Case("update_outside_no_grad", "gd_step",
         (("    with torch.no_grad():\n" + UPDATE, "    w -= lr * w.grad\n    b -= lr * b.grad\n"),),
         ("leaf Variable", "torch.no_grad()")),
    Case("rebinding_w_loses_the_leaf", "gd_step",
         ((UPDATE, "        w = w - lr * w.grad\n        b = b - lr * b.grad\n"),),
         ("w = w - lr * w.grad", "leaf")),
    Case("rebinding_w_with_grads_reset_first", "gd_step",
         ((GD_LOSS, "    w.grad = b.grad = None\n    loss = mse(w * x + b, y)\n"),
          (UPDATE, "        w = w - lr * w.grad\n        b = b - lr * b.grad\n"), (ZERO, "")),
         ("unchanged", "w -= lr * w.grad")),
    Case("model_forward_instead_of_call", "train_step", ((PRED, "    pred = model.forward(x)\n"),),
         ("skips hooks",)),
    Case("closed_form_without_the_bias_column", "closed_form",
         ((DESIGN + "    theta = torch.linalg.lstsq(A, y).solution          # (2, 1)\n" + THETA,
           "    return torch.linalg.lstsq(x, y).solution.item(), 0.0\n"),),
         ("gave b = 0", "column of ones")),
    Case("data_from_randn_instead_of_uniform", "make_data",
         (("    x = torch.rand(n, 1, generator=g) * 4 - 2          # (n, 1) in [-2, 2]\n",
           "    x = torch.randn(n, 1, generator=g)\n"),), ("ranges over",)),
    Case("data_seeded_globally", "make_data",
         (("    g = torch.Generator().manual_seed(seed)\n", "    torch.manual_seed(seed)\n    g = None\n"),),
         ("global random state", "generator=g")),
    Case("mse_squares_the_mean", "mse", ((MSE_RETURN, "    return (pred - target).mean() ** 2\n"),),
         ("the mean was squared", "((pred - target) ** 2).mean()"), others_pass=False,
         mistake="linear_regression.square_of_mean"),
    Case("mse_of_absolute_differences", "mse", ((MSE_RETURN, "    return (pred - target).abs().mean()\n"),),
         ("mean absolute error",), others_pass=False, mistake="linear_regression.absolute_not_squared"),
    Case("mse_with_a_square_root", "mse", ((MSE_RETURN, "    return torch.sqrt(((pred - target) ** 2).mean())\n"),),
         ("(RMSE)", "drop the square root"), others_pass=False, mistake="linear_regression.root_of_mean_square"),
    Case("mse_sums_instead_of_averaging", "mse", ((MSE_RETURN, "    return ((pred - target) ** 2).sum()\n"),),
         ("SUM over the batch",), others_pass=False, mistake="linear_regression.sum_not_mean"),
    Case("mse_rewrapped_as_a_new_tensor", "mse",
         ((MSE_RETURN, "    return torch.tensor(((pred - target) ** 2).mean().item())\n"),),
         ("not connected to pred's graph",), others_pass=False),
    Case("gd_step_returns_the_loss_tensor", "gd_step",
         (("    b.grad.zero_()\n    return loss.item()\n", "    b.grad.zero_()\n    return loss\n"),),
         ("returned the loss tensor", "loss.item()")),
    Case("gd_step_moves_uphill", "gd_step",
         ((UPDATE, "        w += lr * w.grad\n        b += lr * b.grad\n"),), ("uphill",)),
    Case("gd_step_clears_the_gradient_before_the_update", "gd_step",
         ((ZERO, ""), ("    loss.backward()\n    with torch.no_grad():\n",
                       "    loss.backward()\n    w.grad.zero_()\n    b.grad.zero_()\n    with torch.no_grad():\n")),
         ("cleared before the update used it",)),
    Case("gd_step_sets_grad_to_none_before_the_update", "gd_step",
         ((ZERO, ""), ("    loss.backward()\n    with torch.no_grad():\n",
                       "    loss.backward()\n    w.grad = None\n    with torch.no_grad():\n")),
         ("this `.grad` is None",)),
    Case("zero_grad_between_backward_and_step", "train_step",
         (("    optimizer.zero_grad()\n", ""),
          (TS_BACKWARD, "    loss.backward()\n    optimizer.zero_grad()\n    optimizer.step()\n")),
         ("between backward() and step()",)),
    Case("optimizer_step_forgotten", "train_step", ((TS_BACKWARD, "    loss.backward()\n"),),
         ("never called step()",)),
    Case("loss_rewrapped_as_a_new_tensor", "train_step",
         ((TS_BACKWARD, "    loss = torch.tensor(loss.item(), requires_grad=True)\n" + TS_BACKWARD),),
         ("no history",)),
    Case("prediction_detached", "train_step", ((PRED, "    pred = model(x).detach()\n"),),
         ("does not require grad", ".detach()")),
    Case("train_step_returns_the_loss_tensor", "train_step",
         (("    optimizer.step()\n    return loss.item()\n", "    optimizer.step()\n    return loss\n"),),
         ("returned the loss tensor",)),
    Case("train_step_makes_its_own_optimizer", "train_step",
         (("    loss_fn = nn.MSELoss()\n",
           "    loss_fn = nn.MSELoss()\n    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"),),
         ("on the optimizer it was given",)),
    Case("optimizer_over_another_model", "model",
         (("    return torch.optim.SGD(model.parameters(), lr=lr)\n",
           "    return torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=lr)\n"),),
         ("none of the model's parameters",)),
    Case("optimizer_with_momentum", "model",
         (("    return torch.optim.SGD(model.parameters(), lr=lr)\n",
           "    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)\n"),), ("momentum",)),
    Case("closed_form_returns_tensors", "closed_form", ((THETA, "    return theta[0, 0], theta[1, 0]\n"),),
         ("Python floats", ".item()")),
    Case("mse_reshapes_instead_of_refusing", "mse",
         ((SHAPE_CHECK + MSE_RETURN, "    return ((pred.reshape(-1) - target.reshape(-1)) ** 2).mean()\n"),),
         ("lined the two up by reshaping", "ValueError")),
    Case("optimizer_step_before_backward", "train_step",
         ((TS_BACKWARD, "    optimizer.step()\n    loss.backward()\n"),), ("step() before loss.backward()",)),
    Case("make_data_without_return", "make_data", (("    return x, y\n", ""),),
         ("should return the pair (x, y), but returned None",)),
    Case("closed_form_returns_b_then_w", "closed_form",
         ((DESIGN, "    A = torch.cat([torch.ones_like(x), x], dim=1)\n"),), ("(b, w)",)),
    # issue 16: the input classes the contracts name (every mismatched pair, an odd batch and a batch of
    # one) and the tasks' wrong versions (checks.variants), named by the output they give
    Case("mse_squares_only_the_target", "mse", ((MSE_RETURN, "    return (pred - target ** 2).mean()\n"),),
         ("`**` binds tighter than `-`",), others_pass=False, mistake="linear_regression.target_squared_only"),
    Case("mse_with_a_half", "mse", ((MSE_RETURN, "    return 0.5 * ((pred - target) ** 2).mean()\n"),),
         ("half the MSE",), others_pass=False, mistake="linear_regression.half_mse"),
    Case("mse_divides_by_n_minus_1", "mse",
         ((MSE_RETURN, "    return ((pred - target) ** 2).sum() / (pred.numel() - 1)\n"),),
         ("divided by N - 1",), others_pass=False, mistake="linear_regression.divided_by_n_minus_1"),
    Case("mse_checks_only_the_number_of_dims", "mse",
         ((SHAPE_CHECK, "    if pred.dim() != target.dim():\n        raise ValueError('shapes differ')\n"),),
         ("mse(pred (4, 1), target (1, 4)) returned", "(N, N) table"),
         mistake="linear_regression.mismatch_broadcast"),
    Case("mse_refuses_only_n1_against_n", "mse",
         ((SHAPE_CHECK, "    if pred.dim() == 2 and target.dim() == 1:\n        raise ValueError('shapes differ')\n"),),
         ("mse(pred (5,), target (5, 1)) returned", "(N, N) table"), mistake="linear_regression.mismatch_broadcast"),
    Case("gd_step_returns_the_loss_after_the_update", "gd_step",
         (("    b.grad.zero_()\n    return loss.item()\n", "    b.grad.zero_()\n    return mse(w * x + b, y).item()\n"),),
         ("loss AFTER the update",), mistake="linear_regression.loss_after_update"),
    Case("gd_step_without_the_learning_rate", "gd_step",
         ((UPDATE, "        w -= w.grad\n        b -= b.grad\n"),),
         ("the learning rate was left out",), mistake="linear_regression.lr_forgotten"),
    Case("train_step_sums_the_loss", "train_step",
         (("    loss_fn = nn.MSELoss()\n", "    loss_fn = nn.MSELoss(reduction='sum')\n"),),
         ("SUM of the squared errors",), mistake="linear_regression.step_loss_summed"),
]


@pytest.mark.parametrize("mistake", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, mistake):
    expect_caught(grade, KATA, mistake)
