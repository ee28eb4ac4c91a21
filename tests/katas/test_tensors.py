"""The tensors kata: each classic mistake, written as a mutated reference, is
caught in its own task and named; correct alternatives written in other styles
get full marks."""


import pytest
from kata_testing import Case, cases, expect_caught, mutate


SOFTMAX_BODY = ("    shifted = x - x.amax(dim=dim, keepdim=True)\n"
                "    e = shifted.exp()\n"
                "    return e / e.sum(dim=dim, keepdim=True)\n")
LOG_SOFTMAX_BODY = ("    shifted = x - x.amax(dim=dim, keepdim=True)\n"
                    "    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()\n")
DISTANCES_BODY = ("    diff = a[:, None, :] - b[None, :, :]  # (N, M, D)\n"
                  "    return (diff ** 2).sum(dim=-1)\n")
MASKED_MEAN_BODY = ("    m = mask.to(x.dtype)\n"
                    "    total = (x * m).sum(dim=1)\n"
                    "    count = m.sum(dim=1).clamp(min=1)\n"
                    "    return total / count\n")
MASKED_MEAN_COUNT = "    count = m.sum(dim=1).clamp(min=1)\n"
ONE_HOT_BODY = ("    out = torch.zeros(labels.shape[0], num_classes, device=labels.device)\n"
                "    out[torch.arange(labels.shape[0]), labels] = 1.0\n"
                "    return out\n")
SHARE_BODY = "    # BEGIN SOLUTION numpy_bridge\n    return torch.from_numpy(arr)\n"
FROM_NUMPY = "    return torch.from_numpy(arr)\n    # END SOLUTION\n\n\n# -- Task 2"


def body(old: str, new: str) -> tuple:
    return ((old, new),)


MISTAKES = [
    # task 1: creation and dtypes
    Case("int_list_left_int64", "create", body("torch.tensor(data, dtype=torch.float32)", "torch.tensor(data)"),
         ("int64, expected float32", "dtype=torch.float32")),
    Case("torch_Tensor_on_an_array", "create", body(FROM_NUMPY, FROM_NUMPY.replace("from_numpy", "Tensor")),
         ("expected float64", "torch.from_numpy")),
    # task 2: permute and flatten
    Case("view_on_a_permuted_tensor", "reshape", body("x.reshape(x.shape[0], -1)", "x.view(x.shape[0], -1)"),
         ("view size is not compatible", "reshape", "flatten_pixels", "needs a contiguous tensor")),
    Case("reshape_instead_of_permute", "reshape",
         body("x.permute(0, 2, 3, 1)", "x.reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1])"),
         ("scrambled values", "permute")),
    Case("transpose_instead_of_permute", "reshape", body("x.permute(0, 2, 3, 1)", "x.transpose(1, 3)"),
         ("`transpose(1, 3)`", "H and W")),
    Case("flatten_drops_the_batch", "reshape", body("x.reshape(x.shape[0], -1)", "x.flatten()"),
         ("flatten the batch dimension", "flatten(1)")),
    # task 3: distances by broadcasting
    Case("torch_cdist", "distances", body(DISTANCES_BODY, "    return torch.cdist(a, b) ** 2\n"),
         ("torch.cdist", "rules out")),
    Case("python_loop_for_distances", "distances", body(DISTANCES_BODY, (
        "    out = torch.zeros(a.shape[0], b.shape[0], dtype=a.dtype)\n"
        "    for i in range(a.shape[0]):\n"
        "        out[i] = ((a[i] - b) ** 2).sum(dim=1)\n"
        "    return out\n")), ("Python loop",)),
    Case("rows_not_paired", "distances", body("a[:, None, :] - b[None, :, :]", "a - b"),
         ("must match the size", "a[:, None, :] - b[None, :, :]", "(N, M, D)"), mistake="tensors.rows_not_paired"),
    Case("rows_and_columns_swapped", "distances", body("a[:, None, :] - b[None, :, :]", "b[:, None, :] - a[None, :, :]"),
         ("rows and columns are swapped",)),
    Case("distances_not_squared", "distances", body("(diff ** 2).sum(dim=-1)", "(diff ** 2).sum(dim=-1).sqrt()"),
         ("not their squares",)),
    Case("expansion_without_clamp", "distances", body(DISTANCES_BODY, (
        "    return (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T\n")),
         ("negative values", "clamp(min=0)")),
    Case("distances_change_an_input", "distances", body(DISTANCES_BODY, (
        "    a.unsqueeze_(1)\n    return ((a - b[None, :, :]) ** 2).sum(dim=-1)\n")),
         ("changed its input `a` in place",)),
    # task 4: masked mean
    Case("nan_on_an_all_false_mask", "masked_mean", body(MASKED_MEAN_COUNT, "    count = m.sum(dim=1)\n"),
         ("NaN", "clamp")),
    Case("mask_ignored", "masked_mean", body("    total = (x * m).sum(dim=1)\n", "    total = x.sum(dim=1)\n"),
         ("mask was ignored",)),
    Case("python_loop_for_the_masked_mean", "masked_mean", body(MASKED_MEAN_BODY, (
        "    return torch.stack([x[i][mask[i]].sum() / max(int(mask[i].sum()), 1)\n"
        "                        for i in range(x.shape[0])])\n")), ("Python loop",)),
    Case("floor_division", "masked_mean", body("    return total / count\n", "    return total // count\n"),
         ("`//` is floor division",)),
    Case("count_of_the_whole_mask", "masked_mean", body(MASKED_MEAN_COUNT, "    count = m.sum().clamp(min=1)\n"),
         ("count of the whole mask", "mask.sum(dim=1)")),
    Case("divided_by_the_row_length", "masked_mean", body(MASKED_MEAN_COUNT, "    count = x.shape[1]\n"),
         ("row length",)),
    Case("one_mean_for_the_batch", "masked_mean", body(MASKED_MEAN_BODY, "    return x[mask].mean()\n"),
         ("single number", "x[mask]")),
    Case("masked_mean_changes_x", "masked_mean", body(MASKED_MEAN_BODY, (
        "    x[~mask] = 0\n    m = mask.to(x.dtype)\n    total = x.sum(dim=1)\n"
        "    count = m.sum(dim=1).clamp(min=1)\n    return total / count\n")), ("changed its input `x` in place",)),
    Case("squeeze_drops_a_batch_of_one", "masked_mean", body(MASKED_MEAN_BODY, (
        "    m = mask.to(x.dtype)\n    total = (x * m).sum(dim=1, keepdim=True)\n"
        "    count = m.sum(dim=1, keepdim=True).clamp(min=1)\n    return (total / count).squeeze()\n")),
         ("batch dimension of size 1", "`.squeeze()`")),
    # task 5: one-hot
    Case("F_one_hot_left_int64", "one_hot",
         body(ONE_HOT_BODY, "    return torch.nn.functional.one_hot(labels, num_classes)\n"),
         ("int64, expected float32", "`F.one_hot`", ".float()")),
    Case("F_one_hot_without_num_classes", "one_hot",
         body(ONE_HOT_BODY, "    return F.one_hot(labels).float()\n"), ("the width is `num_classes`", "num_classes")),
    Case("torch_max_tuple", "one_hot", body("return onehot.argmax(dim=1)", "return onehot.max(dim=1)"),
         ("(values, indices)",)),
    Case("num_classes_from_the_labels", "one_hot", body("torch.zeros(labels.shape[0], num_classes, device",
                                                         "torch.zeros(labels.shape[0], int(labels.max()) + 1, device"),
         ("the width is `num_classes`",)),
    Case("argmax_down_the_batch", "one_hot", body("return onehot.argmax(dim=1)", "return onehot.argmax(0)"),
         ("down the batch", "argmax(dim=1)")),
    Case("argmax_without_dim", "one_hot", body("return onehot.argmax(dim=1)", "return onehot.argmax()"),
         ("without `dim`",)),
    Case("max_values_not_indices", "one_hot", body("return onehot.argmax(dim=1)", "return onehot.max(dim=1).values"),
         ("expected int64", "`.indices`")),
    # task 6: softmax
    Case("naive_softmax_overflows", "softmax", body(SOFTMAX_BODY, "    e = x.exp()\n    return e / e.sum(dim=dim, keepdim=True)\n"),
         ("overflows",)),
    Case("softmax_over_the_wrong_dim", "softmax", body(SOFTMAX_BODY, SOFTMAX_BODY.replace("dim=dim", "dim=-1")),
         ("wrong dim",)),
    Case("torch_softmax", "softmax", body(SOFTMAX_BODY, "    return x.softmax(dim)\n"), ("torch.Tensor.softmax",)),
    Case("torch_max_used_as_a_tensor", "softmax", body(SOFTMAX_BODY, SOFTMAX_BODY.replace(".amax(", ".max(")),
         ("torch.return_types.max", ".values")),
    Case("softmax_changes_x_in_place", "softmax", body(SOFTMAX_BODY, (
        "    x -= x.amax(dim=dim, keepdim=True)\n    e = x.exp()\n    return e / e.sum(dim=dim, keepdim=True)\n")),
         ("changed its input `x` in place",)),
    Case("softmax_global_max", "softmax", body(SOFTMAX_BODY, SOFTMAX_BODY.replace("x.amax(dim=dim, keepdim=True)", "x.max()")),
         ("max of the whole tensor", "row 1")),
    Case("softmax_without_keepdim", "softmax", body(SOFTMAX_BODY, SOFTMAX_BODY.replace(", keepdim=True", "")),
         ("keepdim=True",)),
    # task 7: log-softmax
    Case("log_of_a_naive_softmax", "log_softmax", body(LOG_SOFTMAX_BODY, (
        "    e = x.exp()\n    return (e / e.sum(dim=dim, keepdim=True)).log()\n")), ("NaN/Inf", "exp(1000) overflows")),
    Case("log_of_a_stable_softmax", "log_softmax", body(LOG_SOFTMAX_BODY, (
        "    e = (x - x.amax(dim=dim, keepdim=True)).exp()\n    return (e / e.sum(dim=dim, keepdim=True)).log()\n")),
         ("-inf in row 2", "log before dividing")),
    Case("log_softmax_over_the_wrong_dim", "log_softmax",
         body(LOG_SOFTMAX_BODY, LOG_SOFTMAX_BODY.replace("dim=dim", "dim=1")), ("wrong dim",)),
    Case("torch_log_softmax", "log_softmax",
         body(LOG_SOFTMAX_BODY, "    return torch.nn.functional.log_softmax(x, dim)\n"),
         ("torch.nn.functional.log_softmax",)),
    Case("log_softmax_changes_x_in_place", "log_softmax", body(LOG_SOFTMAX_BODY, (
        "    x -= x.amax(dim=dim, keepdim=True)\n    return x - x.exp().sum(dim=dim, keepdim=True).log()\n")),
         ("changed its input `x` in place",)),
    Case("log_softmax_global_max", "log_softmax",
         body(LOG_SOFTMAX_BODY, LOG_SOFTMAX_BODY.replace("x.amax(dim=dim, keepdim=True)", "x.max()")),
         ("max of the whole tensor",)),
    Case("log_softmax_without_keepdim", "log_softmax",
         body(LOG_SOFTMAX_BODY, LOG_SOFTMAX_BODY.replace(", keepdim=True", "")), ("keepdim=True",)),
    # task 8: the NumPy bridge
    Case("numpy_on_a_tensor_requiring_grad", "numpy_bridge",
         body("return t.detach().cpu().numpy()", "return t.numpy()"),
         ("Can't call numpy() on Tensor that requires grad", ".detach().cpu().numpy()", "part of a graph")),
    Case("torch_tensor_copies", "numpy_bridge", body(SHARE_BODY, SHARE_BODY.replace("from_numpy", "tensor")),
         ("returned a copy", "torch.from_numpy")),
    Case("float32_conversion_copies", "numpy_bridge", body(SHARE_BODY, SHARE_BODY.replace("(arr)", "(arr).float()")),
         ("expected float64",)),
    # found in review: each named by its own signature
    Case("permute_the_other_way", "reshape", body("x.permute(0, 2, 3, 1)", "x.permute(0, 3, 1, 2)"),
         ("`permute(0, 3, 1, 2)`", "channels-first")),
    Case("distances_averaged", "distances", body("(diff ** 2).sum(dim=-1)", "(diff ** 2).mean(dim=-1)"),
         ("averaged the squared differences",)),
    Case("l1_distances", "distances", body("(diff ** 2).sum(dim=-1)", "diff.abs().sum(dim=-1)"),
         ("L1 distance",)),
    Case("mask_inverted", "masked_mean", body("    total = (x * m).sum(dim=1)\n", "    total = (x * (1 - m)).sum(dim=1)\n"),
         ("mask is inverted",)),
    Case("one_hot_fills_whole_rows", "one_hot", body("    out[torch.arange(labels.shape[0]), labels] = 1.0\n",
                                                      "    out[labels] = 1.0\n"), ("`out[labels] = 1`", "torch.arange(N)")),
    Case("one_hot_fills_columns", "one_hot", body("    out[torch.arange(labels.shape[0]), labels] = 1.0\n",
                                                   "    out[:, labels] = 1.0\n"), ("`out[:, labels] = 1`",)),
    Case("softmax_sum_without_dim", "softmax", body("    return e / e.sum(dim=dim, keepdim=True)\n",
                                                    "    return e / e.sum()\n"), ("sum of the whole tensor",)),
    Case("log_softmax_sum_without_dim", "log_softmax", body(
        "    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()\n",
        "    return shifted - shifted.exp().sum().log()\n"), ("sum of the whole tensor",)),
    Case("result_on_another_device", "softmax", body("    return e / e.sum(dim=dim, keepdim=True)\n",
                                                     "    return (e / e.sum(dim=dim, keepdim=True)).to('meta')\n"),
         ("is on device meta, expected cpu", "hard-coded")),
    Case("log_of_softmax_plus_eps", "log_softmax", body(LOG_SOFTMAX_BODY, "    return torch.log(softmax(x, dim) + 1e-10)\n"),
         ("epsilon", "log(eps)")),
    # issue 16: the input classes each contract names (a batch of one, float64, non-contiguous, odd sizes)
    # and the task's wrong versions (checks.variants) named by the output they give
    Case("list_squeezed", "create", body("torch.tensor(data, dtype=torch.float32)",
                                         "torch.tensor(data, dtype=torch.float32).squeeze()"),
         ("a size-1 dimension is extra or missing",)),
    Case("channels_last_squeezed_for_a_batch_of_one", "reshape",
         body("x.permute(0, 2, 3, 1)", "x.permute(0, 2, 3, 1).squeeze()"),
         ("batch dimension of size 1 is gone",), mistake="tensors.batch_dim_squeezed"),
    Case("flatten_in_channels_first_order", "reshape",
         body("x.reshape(x.shape[0], -1)", "x.permute(0, 3, 1, 2).reshape(x.shape[0], -1)"),
         ("channels-first order",), mistake="tensors.flatten_channels_first"),
    Case("flatten_width_first", "reshape",
         body("x.reshape(x.shape[0], -1)", "x.transpose(1, 2).reshape(x.shape[0], -1)"),
         ("H and W were swapped",), mistake="tensors.flatten_width_first"),
    Case("distances_cross_term_plus", "distances", body(DISTANCES_BODY, (
        "    return ((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] + 2 * a @ b.T).clamp(min=0)\n")),
         ("cross term has the wrong sign",), mistake="tensors.distances_cross_term_sign"),
    Case("distances_cross_term_without_2", "distances", body(DISTANCES_BODY, (
        "    return ((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - a @ b.T).clamp(min=0)\n")),
         ("lost its factor 2",), mistake="tensors.distances_cross_term_factor"),
    Case("distances_sqrt_named_by_id", "distances", body("(diff ** 2).sum(dim=-1)", "(diff ** 2).sum(dim=-1).sqrt()"),
         ("not their squares",), mistake="tensors.distances_not_squared"),
    Case("masked_mean_casts_to_float32", "masked_mean",
         body(MASKED_MEAN_BODY, "    x = x.float()\n" + MASKED_MEAN_BODY), ("dtype float32, expected float64",)),
    Case("masked_mean_down_the_columns", "masked_mean", body(MASKED_MEAN_BODY, (
        "    m = mask.to(x.dtype)\n    total = (x * m).sum(dim=0)\n"
        "    count = m.sum(dim=0).clamp(min=1)\n    return total / count\n")),
         ("averaged down the columns",), mistake="tensors.masked_mean_wrong_dim"),
    Case("masked_mean_floor_named_by_id", "masked_mean", body("    return total / count\n", "    return total // count\n"),
         ("`//` is floor division",), mistake="tensors.floor_division"),
    Case("one_hot_labels_minus_one", "one_hot", body("    out[torch.arange(labels.shape[0]), labels] = 1.0\n",
                                                      "    out[torch.arange(labels.shape[0]), labels - 1] = 1.0\n"),
         ("one column to the left",), mistake="tensors.one_hot_off_by_one"),
    Case("one_hot_transposed", "one_hot", body(ONE_HOT_BODY, (
        "    out = torch.zeros(num_classes, labels.shape[0], device=labels.device)\n"
        "    out[labels, torch.arange(labels.shape[0])] = 1.0\n    return out\n")),
         ("it is transposed, (num_classes, N)",), mistake="tensors.one_hot_transposed"),
    Case("one_hot_squeezes_a_batch_of_one", "one_hot",
         body(ONE_HOT_BODY, "    return F.one_hot(labels.squeeze(), num_classes).float()\n"),
         ("batch dimension of size 1 is gone",), mistake="tensors.batch_dim_squeezed"),
    Case("argmin_instead_of_argmax", "one_hot", body("return onehot.argmax(dim=1)", "return onehot.argmin(dim=1)"),
         ("`argmin`",), mistake="tensors.argmin_not_argmax"),
    Case("softmax_casts_to_float32", "softmax", body(SOFTMAX_BODY, "    x = x.float()\n" + SOFTMAX_BODY),
         ("dtype float32, expected float64",)),
    Case("softmax_shift_in_the_numerator_only", "softmax", body(SOFTMAX_BODY, (
        "    e = (x - x.amax(dim=dim, keepdim=True)).exp()\n    return e / x.exp().sum(dim=dim, keepdim=True)\n")),
         ("subtracted in the numerator only",), mistake="tensors.softmax_shift_in_numerator_only"),
    Case("log_softmax_max_not_added_back", "log_softmax", body(LOG_SOFTMAX_BODY, (
        "    shifted = x - x.amax(dim=dim, keepdim=True)\n"
        "    return x - shifted.exp().sum(dim=dim, keepdim=True).log()\n")),
         ("max was not added back",), mistake="tensors.logsumexp_max_not_added_back"),
    Case("log_softmax_adds_the_log", "log_softmax", body(LOG_SOFTMAX_BODY, LOG_SOFTMAX_BODY.replace(
        "return shifted - ", "return shifted + ")), ("added, not subtracted",), mistake="tensors.log_softmax_sign"),
    Case("to_numpy_casts_to_float32", "numpy_bridge",
         body("return t.detach().cpu().numpy()", "return t.detach().cpu().float().numpy()"),
         ("returned float32, expected a NumPy array of float64", ".float()")),
]


@pytest.mark.parametrize("case", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, case):
    expect_caught(grade, "tensors", case)


@pytest.mark.parametrize("task, old, new, blamed", [
    ("create", "torch.tensor(data, dtype=torch.float32)", "torch.tensor(data, dtype=torch.float64)", "makes int64"),
    ("one_hot", "torch.zeros(labels.shape[0], num_classes, device=labels.device)",
     "torch.zeros(labels.shape[0], num_classes, dtype=torch.float64)", "`F.one_hot`"),
], ids=["float64_list", "float64_one_hot"])
def test_a_wrong_float_dtype_is_not_blamed_on_int64(grade, task, old, new, blamed):
    g = grade("tensors", mutate("tensors", (old, new)))
    assert g.status(task) == "failed"
    message = g.message(task)
    assert "has dtype float64, expected float32" in message and blamed not in message, message
