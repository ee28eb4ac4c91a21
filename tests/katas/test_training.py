"""The training kata: the reference passes, the stub is not started, and each
classic training-loop mistake is caught with a message that names it."""

from kata_testing import mutate

CHECKS = {"step": "TestTrainStep", "epoch": "TestTrainEpoch", "accuracy": "TestAccuracy",
          "evaluate": "TestEvaluate", "loader": "TestMakeLoader", "fit": "TestFit"}
STEP = ("    optimizer.zero_grad()\n    loss = loss_fn(model(x), y)\n    loss.backward()\n"
        "    optimizer.step()\n    return loss.item()\n")


def graded_task(grade, task, *replacements):
    """Grade one task (only its checks run) of a mutated reference: (status, "message | hint")."""
    g = grade("training", mutate("training", *replacements), "-k", CHECKS[task])
    return g.status(task), g.message(task)


def test_fit_records_its_loss_history(grade):
    g = grade("training", None, "-k", "TestFit", solution=True)
    history = g.task("fit")["data"]["loss_history"]
    assert len(history) == 6 and history[-1] < history[0]


# -- task 1 ------------------------------------------------------------------------

def test_forgetting_zero_grad_is_caught(grade):
    status, message = graded_task(grade, "step", (STEP, STEP.replace("    optimizer.zero_grad()\n", "")))
    assert status == "failed"
    assert "zero_grad" in message and "were added to the new ones" in message


def test_zero_grad_between_backward_and_step_is_caught(grade):
    status, message = graded_task(grade, "step", (
        STEP, "    loss = loss_fn(model(x), y)\n    loss.backward()\n    optimizer.zero_grad()\n"
              "    optimizer.step()\n    return loss.item()\n"))
    assert status == "failed"
    assert "zero_grad() ran after backward()" in message


def test_zero_grad_after_the_step_is_caught(grade):
    status, message = graded_task(grade, "step", (
        STEP, "    loss = loss_fn(model(x), y)\n    loss.backward()\n    optimizer.step()\n"
              "    optimizer.zero_grad()\n    return loss.item()\n"))
    assert status == "failed"
    assert "zero_grad() ran after backward()" in message


def test_forgetting_the_optimizer_step_is_caught(grade):
    status, message = graded_task(grade, "step", (STEP, STEP.replace("    optimizer.step()\n", "")))
    assert status == "failed"
    assert "optimizer.step()" in message and "did not change" in message


def test_returning_the_loss_tensor_is_caught(grade):
    status, message = graded_task(grade, "step", (STEP, STEP.replace("return loss.item()", "return loss")))
    assert status == "failed"
    assert "Python float" in message and "loss.item()" in message


def test_calling_model_forward_is_caught(grade):
    status, message = graded_task(grade, "step", (STEP, STEP.replace("model(x)", "model.forward(x)")))
    assert status == "failed"
    assert "model.forward(x)" in message and "hook" in message


# -- task 2 ------------------------------------------------------------------------

def test_adding_up_loss_tensors_is_caught(grade):
    status, message = graded_task(grade, "epoch", (
        "total += loss.item()  # a float", "total += loss  # a float"))
    assert status == "failed"
    assert "requires grad" in message and "loss.item()" in message


def test_returning_the_sum_is_caught(grade):
    status, message = graded_task(grade, "epoch", ("return total / len(loader)", "return total"))
    assert status == "failed"
    assert "sum of the 4 batch losses" in message


def test_forgetting_model_train_is_caught(grade):
    status, message = graded_task(grade, "epoch", ("    model.train()\n    total = 0.0\n", "    total = 0.0\n"))
    assert status == "failed"
    assert "model.train()" in message


# -- task 3 ------------------------------------------------------------------------

ACC = "return (predictions == labels).float().mean().item()"


def test_torch_max_tuple_used_as_tensor_is_caught(grade):
    status, message = graded_task(grade, "accuracy", (
        "predictions = logits.argmax(dim=1)", "predictions = torch.max(logits, 1)"))
    assert status == "failed"
    assert "torch.max" in message and "indices" in message


def test_torch_max_values_instead_of_indices_is_caught(grade):
    status, message = graded_task(grade, "accuracy", (
        "predictions = logits.argmax(dim=1)", "predictions = torch.max(logits, 1)[0]"))
    assert status == "failed"
    assert "(values, indices)" in message


def test_argmax_over_the_batch_is_caught_and_named_before_the_raw_error(grade):
    status, message = graded_task(grade, "accuracy", (
        "predictions = logits.argmax(dim=1)", "predictions = logits.argmax(dim=0)"))
    assert status == "failed"
    # the check naming the mistake outranks the raw size mismatch another check saw
    assert "dim=0" in message


def test_argmax_over_dim_0_on_square_logits_is_named(grade):
    g = grade("training", mutate("training", ("predictions = logits.argmax(dim=1)",
                                              "predictions = logits.argmax(dim=0)")),
              "-k", "test_argmax_runs_across_classes")
    assert g.status("accuracy") == "failed"
    assert "dim=0" in g.message("accuracy")


def test_counting_instead_of_averaging_is_caught(grade):
    status, message = graded_task(grade, "accuracy", (ACC, "return (predictions == labels).sum().item()"))
    assert status == "failed"
    assert "number of correct rows" in message


def test_mean_of_booleans_is_caught(grade):
    status, message = graded_task(grade, "accuracy", (ACC, "return (predictions == labels).mean().item()"))
    assert status == "failed"
    assert ".float().mean()" in message


def test_returning_a_tensor_is_caught(grade):
    status, message = graded_task(grade, "accuracy", (ACC, "return (predictions == labels).float().mean()"))
    assert status == "failed"
    assert ".item()" in message


# -- task 4 ------------------------------------------------------------------------

def test_forgetting_eval_is_caught(grade):
    status, message = graded_task(grade, "evaluate", (
        "    model.eval()\n    total_loss, correct, seen", "    total_loss, correct, seen"))
    assert status == "failed"
    assert "model.eval()" in message


def test_forgetting_no_grad_is_caught(grade):
    status, message = graded_task(grade, "evaluate", ("    with torch.no_grad():\n", "    if True:\n"))
    assert status == "failed"
    assert "torch.no_grad()" in message


def test_staying_in_eval_mode_is_caught(grade):
    status, message = graded_task(grade, "evaluate", (
        "    model.train()\n    return total_loss", "    return total_loss"))
    assert status == "failed"
    assert "still in eval mode" in message and "model.train()" in message


# -- task 5 ------------------------------------------------------------------------

LOADER = ("    generator = torch.Generator().manual_seed(seed)\n"
          "    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)\n")


def test_seeding_the_global_generator_is_caught(grade):
    status, message = graded_task(grade, "loader", (
        LOADER, "    torch.manual_seed(seed)\n"
                "    return DataLoader(dataset, batch_size=batch_size, shuffle=True)\n"))
    assert status == "failed"
    assert "torch.Generator().manual_seed(seed)" in message


def test_not_shuffling_is_caught(grade):
    status, message = graded_task(grade, "loader", ("shuffle=True, generator=generator", "generator=generator"))
    assert status == "failed"
    assert "shuffle=True" in message


# -- task 6 ------------------------------------------------------------------------

def test_softmax_before_cross_entropy_stalls_fit(grade):
    status, message = graded_task(grade, "fit", (
        "    loss_fn = nn.CrossEntropyLoss()\n",
        "    loss_fn = lambda logits, y: nn.functional.cross_entropy(logits.softmax(dim=1), y)\n"))
    assert status == "failed"
    assert "did not reach" in message and "softmax" in message


def test_validating_on_the_training_data_is_caught(grade):
    status, message = graded_task(grade, "fit", (
        "evaluate(model, val_loader, loss_fn)", "evaluate(model, train_loader, loss_fn)"))
    assert status == "failed"
    assert "val_loss" in message


def test_one_history_entry_in_all_is_caught(grade):
    status, message = graded_task(grade, "fit", (
        "        history[\"val_acc\"].append(val_acc)\n", "    history[\"val_acc\"].append(val_acc)\n"))
    assert status == "failed"
    assert "one per epoch" in message
