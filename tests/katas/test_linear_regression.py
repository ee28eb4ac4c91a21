"""The linear_regression kata: the reference passes, the stub is untouched, and
each classic mistake, written into a copy of the reference, is caught by name."""

from kata_testing import mutate

KATA = "linear_regression"


def test_mse_that_broadcasts_n1_against_n_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    if pred.shape != target.shape:\n"
                                  "        raise ValueError(f\"mse: pred has shape {tuple(pred.shape)} "
                                  "but target has {tuple(target.shape)}\")\n", "")))
    assert g.status("mse") == "failed"
    assert "(N, N)" in g.message("mse") and "ValueError" in g.message("mse")


def test_training_on_n1_against_n_shapes_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    pred = model(x)                   # (N, 1), same shape as y\n",
                                  "    pred = model(x).squeeze(1)\n")))
    assert g.status("train_step") == "failed"
    assert "(N, N)" in g.message("train_step") and "(N,)" in g.message("train_step")


def test_forgetting_to_zero_raw_gradients_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    w.grad.zero_()\n    b.grad.zero_()\n", "")))
    assert g.status("gd_step") == "failed"
    assert "stale gradient" in g.message("gd_step") and "zero" in g.message("gd_step")


def test_forgetting_optimizer_zero_grad_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    optimizer.zero_grad()\n", "")))
    assert g.status("train_step") == "failed"
    assert "stale gradient" in g.message("train_step") and "optimizer.zero_grad()" in g.message("train_step")


def test_update_outside_no_grad_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    with torch.no_grad():\n        w -= lr * w.grad\n        b -= lr * b.grad\n",
                                  "    w -= lr * w.grad\n    b -= lr * b.grad\n")))
    assert g.status("gd_step") == "failed"
    assert "leaf Variable" in g.message("gd_step") and "torch.no_grad()" in g.message("gd_step")


def test_rebinding_w_so_it_is_no_longer_a_leaf_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("        w -= lr * w.grad\n        b -= lr * b.grad\n",
                                  "        w = w - lr * w.grad\n        b = b - lr * b.grad\n")))
    assert g.status("gd_step") == "failed"
    assert "w = w - lr * w.grad" in g.message("gd_step") and "leaf" in g.message("gd_step")


def test_rebinding_w_with_grads_reset_first_is_caught(grade):
    """Without the telltale error: the caller's w simply never moves."""
    g = grade(KATA, mutate(
        KATA,
        ("    loss = mse(w * x + b, y)          # (N, 1) vs (N, 1) -> scalar\n",
         "    w.grad = b.grad = None\n    loss = mse(w * x + b, y)\n"),
        ("        w -= lr * w.grad\n        b -= lr * b.grad\n",
         "        w = w - lr * w.grad\n        b = b - lr * b.grad\n"),
        ("    w.grad.zero_()\n    b.grad.zero_()\n", "")))
    assert g.status("gd_step") == "failed"
    assert "unchanged" in g.message("gd_step") and "w -= lr * w.grad" in g.message("gd_step")


def test_model_forward_instead_of_call_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    pred = model(x)                   # (N, 1), same shape as y\n",
                                  "    pred = model.forward(x)\n")))
    assert g.status("train_step") == "failed"
    assert "skips hooks" in g.message("train_step")


def test_closed_form_without_the_bias_column_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    A = torch.cat([x, torch.ones_like(x)], dim=1)      # (N, 2)\n"
                                  "    theta = torch.linalg.lstsq(A, y).solution          # (2, 1)\n"
                                  "    return theta[0, 0].item(), theta[1, 0].item()\n",
                                  "    return torch.linalg.lstsq(x, y).solution.item(), 0.0\n")))
    assert g.status("closed_form") == "failed"
    assert "gave b = 0" in g.message("closed_form") and "column of ones" in g.message("closed_form")


def test_data_from_torch_randn_instead_of_uniform_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    x = torch.rand(n, 1, generator=g) * 4 - 2          # (n, 1) in [-2, 2]\n",
                                  "    x = torch.randn(n, 1, generator=g)\n")))
    assert g.status("make_data") == "failed"
    assert "ranges over" in g.message("make_data")
