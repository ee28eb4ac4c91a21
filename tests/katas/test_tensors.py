"""The tensors kata: the reference passes, the stub is not started, and each
classic mistake, written as a mutated learner version, is caught and named."""

from kata_testing import mutate

TASKS = {"create", "reshape", "distances", "masked_mean", "one_hot", "softmax", "log_softmax", "numpy_bridge"}

SOFTMAX_BODY = ("    shifted = x - x.amax(dim=dim, keepdim=True)\n"
                "    e = shifted.exp()\n"
                "    return e / e.sum(dim=dim, keepdim=True)\n")
LOG_SOFTMAX_BODY = ("    shifted = x - x.amax(dim=dim, keepdim=True)\n"
                    "    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()\n")
DISTANCES_BODY = ("    diff = a[:, None, :] - b[None, :, :]  # (N, M, D)\n"
                  "    return (diff ** 2).sum(dim=-1)\n")
MASKED_MEAN_COUNT = "    count = m.sum(dim=1).clamp(min=1)\n"
SHARE_BODY = "    # BEGIN SOLUTION numpy_bridge\n    return torch.from_numpy(arr)\n"


def only_failed(g, task):
    """``task`` failed and every other task still passed: the mutation is caught where it belongs."""
    statuses = g.statuses()
    assert statuses[task] == "failed", (statuses, g.output)
    assert {t for t, s in statuses.items() if s != "passed"} == {task}, statuses


# -- task 1: creation and dtypes

def test_an_int_list_left_as_int64_is_caught(grade):
    g = grade("tensors", mutate("tensors", ("torch.tensor(data, dtype=torch.float32)", "torch.tensor(data)")))
    only_failed(g, "create")
    assert "int64, expected float32" in g.message("create")


def test_torch_Tensor_on_an_array_changing_the_dtype_is_caught(grade):
    g = grade("tensors", mutate("tensors", ("    return torch.from_numpy(arr)\n    # END SOLUTION\n\n\n# -- Task 2",
                                            "    return torch.Tensor(arr)\n    # END SOLUTION\n\n\n# -- Task 2")))
    only_failed(g, "create")
    assert "expected float64" in g.message("create") and "torch.from_numpy" in g.message("create")


# -- task 2: permute and flatten

def test_view_on_a_non_contiguous_tensor_is_caught(grade):
    g = grade("tensors", mutate("tensors", ("x.reshape(x.shape[0], -1)", "x.view(x.shape[0], -1)")))
    only_failed(g, "reshape")
    message = g.message("reshape")
    assert "view size is not compatible" in message and "reshape" in message
    assert "flatten_pixels" in message  # the learner's line is named


def test_reshape_instead_of_permute_is_caught(grade):
    reshaped = "x.reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1])"
    g = grade("tensors", mutate("tensors", ("x.permute(0, 2, 3, 1)", reshaped)))
    only_failed(g, "reshape")
    assert "scrambled values" in g.message("reshape") and "permute" in g.message("reshape")


# -- task 3: distances by broadcasting

def test_torch_cdist_is_caught_as_forbidden(grade):
    g = grade("tensors", mutate("tensors", (DISTANCES_BODY, "    return torch.cdist(a, b) ** 2\n")))
    only_failed(g, "distances")
    assert "torch.cdist" in g.message("distances") and "rules out" in g.message("distances")


def test_a_python_loop_for_distances_is_caught(grade):
    loop = ("    out = torch.zeros(a.shape[0], b.shape[0], dtype=a.dtype)\n"
            "    for i in range(a.shape[0]):\n"
            "        out[i] = ((a[i] - b) ** 2).sum(dim=1)\n"
            "    return out\n")
    g = grade("tensors", mutate("tensors", (DISTANCES_BODY, loop)))
    only_failed(g, "distances")
    assert "Python loop" in g.message("distances")


def test_distances_with_the_expansion_trick_and_a_clamp_pass(grade):
    expansion = ("    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T\n"
                 "    return sq.clamp(min=0)\n")
    g = grade("tensors", mutate("tensors", (DISTANCES_BODY, expansion)))
    assert g.status("distances") == "passed", g.message("distances")


# -- task 4: masked mean

def test_masked_mean_nan_on_an_all_false_mask_is_caught(grade):
    g = grade("tensors", mutate("tensors", (MASKED_MEAN_COUNT, "    count = m.sum(dim=1)\n")))
    only_failed(g, "masked_mean")
    assert "NaN" in g.message("masked_mean") and "clamp" in g.message("masked_mean")


def test_a_masked_mean_that_ignores_the_mask_is_caught(grade):
    g = grade("tensors", mutate("tensors", ("    total = (x * m).sum(dim=1)\n", "    total = x.sum(dim=1)\n")))
    only_failed(g, "masked_mean")
    assert "value(s) are off" in g.message("masked_mean")


def test_a_python_loop_for_the_masked_mean_is_caught(grade):
    body = ("    m = mask.to(x.dtype)\n"
            "    total = (x * m).sum(dim=1)\n"
            "    count = m.sum(dim=1).clamp(min=1)\n"
            "    return total / count\n")
    loop = ("    return torch.stack([x[i][mask[i]].sum() / max(int(mask[i].sum()), 1)\n"
            "                        for i in range(x.shape[0])])\n")
    g = grade("tensors", mutate("tensors", (body, loop)))
    only_failed(g, "masked_mean")
    assert "Python loop" in g.message("masked_mean")


# -- task 5: one-hot

def test_F_one_hot_is_caught_as_forbidden(grade):
    body = ("    out = torch.zeros(labels.shape[0], num_classes, device=labels.device)\n"
            "    out[torch.arange(labels.shape[0]), labels] = 1.0\n"
            "    return out\n")
    library = "    return torch.nn.functional.one_hot(labels, num_classes).float()\n"
    g = grade("tensors", mutate("tensors", (body, library)))
    only_failed(g, "one_hot")
    assert "torch.nn.functional.one_hot" in g.message("one_hot")


def test_torch_max_returning_a_tuple_is_caught(grade):
    g = grade("tensors", mutate("tensors", ("return onehot.argmax(dim=1)", "return onehot.max(dim=1)")))
    only_failed(g, "one_hot")
    assert "(values, indices)" in g.message("one_hot")


def test_num_classes_taken_from_the_labels_is_caught(grade):
    g = grade("tensors", mutate("tensors", ("torch.zeros(labels.shape[0], num_classes, device",
                                            "torch.zeros(labels.shape[0], int(labels.max()) + 1, device")))
    only_failed(g, "one_hot")
    assert "expected (2, 5)" in g.message("one_hot")


# -- task 6 and 7: softmax and log-softmax

def test_a_naive_softmax_that_overflows_at_1000_is_caught(grade):
    naive = "    e = x.exp()\n    return e / e.sum(dim=dim, keepdim=True)\n"
    g = grade("tensors", mutate("tensors", (SOFTMAX_BODY, naive)))
    only_failed(g, "softmax")
    assert "overflows" in g.message("softmax")


def test_softmax_over_the_wrong_dim_is_caught(grade):
    wrong = SOFTMAX_BODY.replace("dim=dim", "dim=-1")
    g = grade("tensors", mutate("tensors", (SOFTMAX_BODY, wrong)))
    only_failed(g, "softmax")
    assert "wrong dim" in g.message("softmax")


def test_torch_softmax_is_caught_as_forbidden(grade):
    g = grade("tensors", mutate("tensors", (SOFTMAX_BODY, "    return x.softmax(dim)\n")))
    only_failed(g, "softmax")
    assert "torch.Tensor.softmax" in g.message("softmax")


def test_torch_max_used_as_a_tensor_in_softmax_is_caught(grade):
    g = grade("tensors", mutate("tensors", (SOFTMAX_BODY, SOFTMAX_BODY.replace(".amax(", ".max("))))
    only_failed(g, "softmax")
    assert "torch.return_types.max" in g.message("softmax") and ".values" in g.message("softmax")


def test_log_of_a_naive_softmax_is_caught(grade):
    naive = "    e = x.exp()\n    return (e / e.sum(dim=dim, keepdim=True)).log()\n"
    g = grade("tensors", mutate("tensors", (LOG_SOFTMAX_BODY, naive)))
    only_failed(g, "log_softmax")
    assert "-inf" in g.message("log_softmax")


def test_log_softmax_over_the_wrong_dim_is_caught(grade):
    g = grade("tensors", mutate("tensors", (LOG_SOFTMAX_BODY, LOG_SOFTMAX_BODY.replace("dim=dim", "dim=1"))))
    only_failed(g, "log_softmax")
    assert "wrong dim" in g.message("log_softmax")


def test_torch_log_softmax_is_caught_as_forbidden(grade):
    g = grade("tensors", mutate("tensors", (LOG_SOFTMAX_BODY, "    return torch.nn.functional.log_softmax(x, dim)\n")))
    only_failed(g, "log_softmax")
    assert "torch.nn.functional.log_softmax" in g.message("log_softmax")


def test_log_softmax_with_logsumexp_passes(grade):
    g = grade("tensors", mutate("tensors", (LOG_SOFTMAX_BODY, "    return x - x.logsumexp(dim=dim, keepdim=True)\n")))
    assert g.status("log_softmax") == "passed", g.message("log_softmax")


# -- task 8: the NumPy bridge

def test_numpy_on_a_tensor_requiring_grad_is_caught(grade):
    g = grade("tensors", mutate("tensors", ("return t.detach().cpu().numpy()", "return t.numpy()")))
    only_failed(g, "numpy_bridge")
    message = g.message("numpy_bridge")
    assert "Can't call numpy() on Tensor that requires grad" in message
    assert ".detach().cpu().numpy()" in message


def test_torch_tensor_copy_instead_of_from_numpy_is_caught(grade):
    g = grade("tensors", mutate("tensors", (SHARE_BODY, SHARE_BODY.replace("from_numpy", "tensor"))))
    only_failed(g, "numpy_bridge")
    assert "returned a copy" in g.message("numpy_bridge") and "torch.from_numpy" in g.message("numpy_bridge")


def test_a_float32_conversion_of_the_shared_array_is_caught(grade):
    g = grade("tensors", mutate("tensors", (SHARE_BODY, SHARE_BODY.replace("(arr)", "(arr).float()"))))
    only_failed(g, "numpy_bridge")
    assert "expected float64" in g.message("numpy_bridge")
