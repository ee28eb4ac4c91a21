"""The logistic_regression kata: each classic mistake, written into a copy of the
reference, is caught and named; correct alternatives get full marks."""


import pytest
from kata_testing import Case, cases, expect_caught, mutate

KATA = "logistic_regression"

FORWARD = "        return self.linear(x).squeeze(1)  # (N, 1) -> (N,)\n"
BCE = ("    per_sample = logits.clamp(min=0) - logits * targets + "
       "torch.log1p(torch.exp(-logits.abs()))\n")
BCE_RETURN = "    return per_sample.mean()\n"
SCALE = "    return (x_train - mean) / std, (x_test - mean) / std\n"
LABELS = "    y = torch.cat([torch.zeros(n0), torch.ones(n - n0)])     # (n,) float32\n"
LOSS_LINE = "    loss = loss_fn(logits, y)\n"
STEP = "    loss.backward()\n    optimizer.step()\n"
ROW_MAX = "    m = logits.amax(dim=1, keepdim=True)                          # (N, 1)\n"
SHIFT = "    shifted = logits - m                                          # (N, C), max 0 per row\n"
NORMALISE = "    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()\n"
PICK = "    picked = log_probs.gather(1, targets.unsqueeze(1))            # (N, 1)\n"

MISTAKES = [
    Case("sigmoid_in_forward", "model",
         ((FORWARD, "        return torch.sigmoid(self.linear(x)).squeeze(1)\n"),),
         ("all in (0, 1)", "drop the sigmoid")),
    Case("relu_on_the_output", "model", ((FORWARD, "        return torch.relu(self.linear(x)).squeeze(1)\n"),),
         ("never negative", "ReLU")),
    Case("squeeze_drops_the_batch_dimension", "model",
         ((FORWARD, "        return self.linear(x).squeeze()\n"),), ("`.squeeze()` with no dim",)),
    Case("plain_tensors_instead_of_parameters", "model",
         (("        self.linear = nn.Linear(in_features, 1)\n",
           "        self.w = torch.zeros(in_features, requires_grad=True)\n"
           "        self.b = torch.zeros((), requires_grad=True)\n"),
          (FORWARD, "        return x @ self.w + self.b\n")), ("has no parameters", "nn.Parameter")),
    Case("naive_log_sigmoid_bce", "bce",
         ((BCE, "    p = torch.sigmoid(logits)\n"
                "    per_sample = -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))\n"),),
         ("log(0)", "log1p")),
    Case("torch_bce_refused", "bce",
         ((BCE + BCE_RETURN, "    return nn.BCEWithLogitsLoss()(logits, targets)\n"),),
         ("binary_cross_entropy_with_logits",)),
    Case("bce_sums_instead_of_averaging", "bce", ((BCE_RETURN, "    return per_sample.sum()\n"),),
         ("SUM over the batch",)),
    Case("bce_rewrapped_as_a_new_tensor", "bce",
         ((BCE_RETURN, "    return torch.tensor(per_sample.mean().item())\n"),), ("not connected",)),
    Case("bce_from_clamped_probabilities", "bce",
         ((BCE, "    p = torch.sigmoid(logits).clamp(1e-7, 1 - 1e-7)\n"
                "    per_sample = -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))\n"),),
         ("gradient there is 0", "clamping")),
    Case("torch_special_log_softmax_refused", "cross_entropy",
         ((ROW_MAX + SHIFT + NORMALISE, "    return torch.special.log_softmax(logits, dim=1)\n"),),
         ("`log_softmax` called `torch.special.log_softmax`",)),
    Case("cross_entropy_without_the_minus_sign", "cross_entropy",
         (("    return -picked.mean()\n", "    return picked.mean()\n"),), ("NEGATIVE of the cross-entropy",)),
    Case("standardised_over_each_row", "standardize",
         (("    mean = x_train.mean(dim=0, keepdim=True)    # (1, D)\n"
           "    std = x_train.std(dim=0, keepdim=True)      # (1, D)\n",
           "    mean = x_train.mean(dim=1, keepdim=True)\n    std = x_train.std(dim=1, keepdim=True)\n"),
          (SCALE, "    return (x_train - mean) / std, (x_test - x_test.mean(1, keepdim=True)) / "
                  "x_test.std(1, keepdim=True)\n")), ("over dim=1",)),
    Case("standardize_centres_without_scaling", "standardize",
         ((SCALE, "    return x_train - mean, x_test - mean\n"),), ("not divided by their std",)),
    Case("standardize_divides_by_the_variance", "standardize",
         ((SCALE, "    return (x_train - mean) / std ** 2, (x_test - mean) / std ** 2\n"),),
         ("divided by their variance",)),
    Case("test_set_standardised_with_its_own_statistics", "standardize",
         ((SCALE, "    return (x_train - mean) / std, (x_test - x_test.mean(0)) / x_test.std(0)\n"),),
         ("test set's own mean and std",)),
    Case("standardised_over_the_whole_tensor", "standardize",
         (("    mean = x_train.mean(dim=0, keepdim=True)    # (1, D)\n"
           "    std = x_train.std(dim=0, keepdim=True)      # (1, D)\n",
           "    mean, std = x_train.mean(), x_train.std()\n"),), ("not over the whole tensor",)),
    Case("standardize_changes_its_input_in_place", "standardize",
         ((SCALE, "    x_train -= mean\n    x_test -= mean\n    return x_train / std, x_test / std\n"),),
         ("changed its input `x_train` in place",)),
    Case("long_labels_for_bce", "blobs",
         ((LABELS, "    y = torch.cat([torch.zeros(n0), torch.ones(n - n0)]).long()\n"),),
         ("int64", "float targets")),
    Case("blobs_as_numpy_arrays", "blobs", (("    return x, y\n", "    return x.numpy(), y.numpy()\n"),),
         ("should return a tensor, but returned a NumPy array",)),
    Case("blobs_labels_as_a_column", "blobs", (("    return x, y\n", "    return x, y.unsqueeze(1)\n"),),
         ("y has shape (40, 1), expected (40,)",)),
    Case("blobs_seeded_globally", "blobs",
         (("    g = torch.Generator().manual_seed(seed)\n", "    torch.manual_seed(seed)\n    g = None\n"),),
         ("global random state",)),
    Case("long_targets_given_to_bce_with_logits", "train", ((LOSS_LINE, "    loss = loss_fn(logits, y.long())\n"),),
         ("y.float()",)),
    Case("sigmoid_before_bce_with_logits", "train",
         ((LOSS_LINE, "    loss = loss_fn(torch.sigmoid(logits), y)\n"),), ("sigmoid before BCEWithLogitsLoss",)),
    Case("loss_arguments_swapped", "train", ((LOSS_LINE, "    loss = loss_fn(y, logits)\n"),),
         ("arguments are swapped",)),
    Case("zero_grad_forgotten", "train", (("    optimizer.zero_grad()\n", ""),),
         ("stale gradient", "optimizer.zero_grad()")),
    Case("zero_grad_between_backward_and_step", "train",
         (("    optimizer.zero_grad()\n", ""), (STEP, "    loss.backward()\n    optimizer.zero_grad()\n"
                                                   "    optimizer.step()\n")),
         ("between backward() and step()",)),
    Case("optimizer_step_forgotten", "train", ((STEP, "    loss.backward()\n"),), ("never called step()",)),
    Case("model_forward_instead_of_call", "train",
         (("    logits = model(x)                 # (N,)\n", "    logits = model.forward(x)\n"),),
         ("skips hooks",)),
    Case("loss_rewrapped_as_a_new_tensor", "train",
         ((STEP, "    loss = torch.tensor(loss.item(), requires_grad=True)\n" + STEP),), ("no history",)),
    Case("train_step_returns_the_loss_tensor", "train",
         (("    optimizer.step()\n    return loss.item()\n", "    optimizer.step()\n    return loss\n"),),
         ("returned the loss tensor",)),
    Case("float_class_targets_in_cross_entropy", "cross_entropy",
         ((PICK, "    picked = log_probs.gather(1, targets.float().unsqueeze(1))\n"),), ("int64",)),
    Case("log_softmax_without_the_max_shift", "cross_entropy",
         ((ROW_MAX, "    m = torch.zeros_like(logits[:, :1])\n"),), ("overflows", "maximum")),
    Case("log_of_a_softmax", "cross_entropy",
         ((NORMALISE, "    e = shifted.exp()\n    return torch.log(e / e.sum(dim=1, keepdim=True))\n"),),
         ("log_softmax at logits ±1000", "log OF a softmax", "underflows")),
    Case("log_softmax_with_the_global_max", "cross_entropy", ((ROW_MAX, "    m = logits.max()\n"),),
         ("each ROW's maximum",)),
    Case("log_softmax_over_the_batch_dimension", "cross_entropy",
         ((ROW_MAX, "    m = logits.amax(dim=0, keepdim=True)\n"),
          (NORMALISE, "    return shifted - shifted.exp().sum(dim=0, keepdim=True).log()\n")), ("use dim=1",)),
    Case("log_softmax_changes_the_logits_in_place", "cross_entropy",
         ((SHIFT, "    logits -= m\n    shifted = logits\n"),), ("changed its input `logits` in place",)),
    Case("cross_entropy_over_an_n_by_n_table", "cross_entropy",
         ((PICK, "    picked = log_probs[:, targets]\n"),), ("(N, N) table",)),
    Case("cross_entropy_sums_instead_of_averaging", "cross_entropy",
         (("    return -picked.mean()\n", "    return -picked.sum()\n"),), ("SUM over the batch",)),
    # issue 16: the input classes the contracts name (an odd n, a batch of one, the far tails, one feature
    # with a single test row) and the tasks' wrong versions (checks.variants), named by the output they give
    Case("blobs_odd_n_rounds_class_0_up", "blobs", (("    n0 = n // 2\n", "    n0 = (n + 1) // 2\n"),),
         ("class 0 got the extra row",), mistake="logistic_regression.half_rounded_up"),
    Case("blobs_n_over_2_of_each", "blobs",
         ((LABELS, "    y = torch.cat([torch.zeros(n0), torch.ones(n0)])\n"),
          ("    x = centers[y.long()] + torch.randn(n, 2, generator=g)   # (n, 2)\n",
           "    x = centers[y.long()] + torch.randn(len(y), 2, generator=g)\n")),
         ("one row short",), mistake="logistic_regression.half_twice"),
    Case("bce_log_without_the_1", "bce", ((BCE, BCE.replace("torch.log1p(", "torch.log(")),),
         ("missing its 1",), mistake="logistic_regression.log_not_log1p"),
    Case("bce_log_term_subtracted", "bce", ((BCE, "    per_sample = logits.clamp(min=0) - (logits * targets + "
                                                  "torch.log1p(torch.exp(-logits.abs())))\n"),),
         ("the log term was subtracted",), mistake="logistic_regression.bce_bracket_slip"),
    Case("bce_negated", "bce", ((BCE_RETURN, "    return -per_sample.mean()\n"),),
         ("negative of the BCE",), mistake="logistic_regression.bce_sign"),
    Case("bce_targets_flipped", "bce", ((BCE, BCE.replace("logits * targets", "logits * (1 - targets)")),),
         ("targets are flipped",), mistake="logistic_regression.bce_targets_flipped"),
    Case("standardize_without_brackets", "standardize",
         ((SCALE, "    return x_train - mean / std, x_test - mean / std\n"),),
         ("`/` binds tighter than `-`",), mistake="logistic_regression.standardize_precedence"),
    Case("cross_entropy_targets_minus_one", "cross_entropy",
         ((PICK, "    picked = log_probs[torch.arange(len(targets)), targets - 1]\n"),),
         ("one class to the left",), mistake="logistic_regression.targets_off_by_one"),
    Case("cross_entropy_of_probabilities", "cross_entropy",
         (("    log_probs = log_softmax(logits)", "    log_probs = log_softmax(logits).exp()"),),
         ("minus the probabilities",), mistake="logistic_regression.ce_without_log"),
    Case("log_softmax_max_not_added_back", "cross_entropy",
         ((NORMALISE, "    return logits - shifted.exp().sum(dim=1, keepdim=True).log()\n"),),
         ("the max was not added back",), mistake="logistic_regression.logsumexp_max_not_added_back"),
]


@pytest.mark.parametrize("mistake", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, mistake):
    expect_caught(grade, KATA, mistake)


def test_double_sigmoid_floors_the_loss_while_accuracy_looks_fine(grade):
    """Only the convergence check sees it when the step itself is not compared."""
    g = grade(KATA, mutate(KATA, (LOSS_LINE, "    loss = loss_fn(torch.sigmoid(logits), y)\n")),
              "-k", "three_hundred_steps")
    assert g.status("train") == "failed"
    assert "squashed twice" in g.message("train")
    assert g.task("train")["data"], "the loss history should be kept in the report"
