"""The logistic_regression kata: the reference passes, the stub is untouched, and
each classic mistake, written into a copy of the reference, is caught by name."""

from kata_testing import mutate

KATA = "logistic_regression"
LOSS_LINE = "    loss = loss_fn(logits, y)\n"


def test_sigmoid_in_forward_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("        return self.linear(x).squeeze(1)  # (N, 1) -> (N,)\n",
                                  "        return torch.sigmoid(self.linear(x)).squeeze(1)\n")))
    assert g.status("model") == "failed"
    assert "all in (0, 1)" in g.message("model") and "drop the sigmoid" in g.message("model")


def test_naive_log_sigmoid_bce_is_caught(grade):
    naive = ("    p = torch.sigmoid(logits)\n"
             "    per_sample = -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))\n")
    g = grade(KATA, mutate(KATA, ("    per_sample = logits.clamp(min=0) - logits * targets + "
                                  "torch.log1p(torch.exp(-logits.abs()))\n", naive)))
    assert g.status("bce") == "failed"
    assert "log(0)" in g.message("bce") and "log1p" in g.message("bce")


def test_calling_torch_bce_is_refused(grade):
    g = grade(KATA, mutate(KATA, ("    per_sample = logits.clamp(min=0) - logits * targets + "
                                  "torch.log1p(torch.exp(-logits.abs()))\n    return per_sample.mean()\n",
                                  "    return nn.BCEWithLogitsLoss()(logits, targets)\n")))
    assert g.status("bce") == "failed"
    assert "binary_cross_entropy_with_logits" in g.message("bce")


def test_standardising_the_test_set_with_its_own_statistics_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    return (x_train - mean) / std, (x_test - mean) / std\n",
                                  "    return (x_train - mean) / std, "
                                  "(x_test - x_test.mean(0)) / x_test.std(0)\n")))
    assert g.status("standardize") == "failed"
    assert "test set's own mean and std" in g.message("standardize")


def test_standardising_over_the_whole_tensor_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    mean = x_train.mean(dim=0, keepdim=True)    # (1, D)\n"
                                  "    std = x_train.std(dim=0, keepdim=True)      # (1, D)\n",
                                  "    mean, std = x_train.mean(), x_train.std()\n")))
    assert g.status("standardize") == "failed"
    assert "not over the whole tensor" in g.message("standardize")


def test_long_labels_for_bce_are_caught_in_the_data(grade):
    g = grade(KATA, mutate(KATA, ("    y = torch.cat([torch.zeros(n0), torch.ones(n - n0)])     # (n,) float32\n",
                                  "    y = torch.cat([torch.zeros(n0), torch.ones(n - n0)]).long()\n")))
    assert g.status("blobs") == "failed"
    assert "int64" in g.message("blobs") and "float targets" in g.message("blobs")


def test_long_targets_given_to_bce_with_logits_get_a_dtype_hint(grade):
    g = grade(KATA, mutate(KATA, (LOSS_LINE, "    loss = loss_fn(logits, y.long())\n")))
    assert g.status("train") == "failed"
    assert "y.float()" in g.message("train")


def test_sigmoid_before_bce_with_logits_is_caught(grade):
    g = grade(KATA, mutate(KATA, (LOSS_LINE, "    loss = loss_fn(torch.sigmoid(logits), y)\n")))
    assert g.status("train") == "failed"
    assert "sigmoid before BCEWithLogitsLoss" in g.message("train")


def test_double_sigmoid_floors_the_loss_while_accuracy_looks_fine(grade):
    """Only the convergence check sees it when the step itself is not compared."""
    g = grade(KATA, mutate(KATA, (LOSS_LINE, "    loss = loss_fn(torch.sigmoid(logits), y)\n")),
              "-k", "three_hundred_steps")
    assert g.status("train") == "failed"
    task = g.task("train")
    assert "squashed twice" in g.message("train")
    assert task["data"], "the loss history should be kept in the report"


def test_forgetting_zero_grad_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    optimizer.zero_grad()\n", "")))
    assert g.status("train") == "failed"
    assert "stale gradient" in g.message("train") and "optimizer.zero_grad()" in g.message("train")


def test_float_class_targets_in_cross_entropy_get_a_dtype_hint(grade):
    g = grade(KATA, mutate(KATA, ("    picked = log_probs.gather(1, targets.unsqueeze(1))            # (N, 1)\n",
                                  "    picked = log_probs.gather(1, targets.float().unsqueeze(1))\n")))
    assert g.status("cross_entropy") == "failed"
    assert "int64" in g.message("cross_entropy")


def test_log_softmax_without_the_max_shift_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("    m = logits.amax(dim=1, keepdim=True)                          # (N, 1)\n",
                                  "    m = torch.zeros_like(logits[:, :1])\n")))
    assert g.status("cross_entropy") == "failed"
    assert "overflows" in g.message("cross_entropy") and "maximum" in g.message("cross_entropy")
