"""The training kata: each classic training-loop mistake is caught with a message that names
it, and correct solutions written in other styles get full marks."""


import pytest
from kata_testing import Case, cases, expect_caught

CHECKS = {"step": "TestTrainStep", "epoch": "TestTrainEpoch", "accuracy": "TestAccuracy",
          "evaluate": "TestEvaluate", "loader": "TestMakeLoader", "fit": "TestFit"}

STEP = ("    optimizer.zero_grad()\n    loss = loss_fn(model(x), y)\n    loss.backward()\n"
        "    optimizer.step()\n    return loss.item()\n")
ACC = "return (predictions == labels).float().mean().item()"
PRED = "predictions = logits.argmax(dim=1)"
LOADER = ("    generator = torch.Generator().manual_seed(seed)\n"
          "    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)\n")
OPTIMIZER = "    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)\n"
EPOCH_TRAIN = ("    model.train()\n    total = 0.0\n", "    total = 0.0\n")
EVAL_TRAIN = ("    model.train()\n    return total_loss", "    return total_loss")


def case(id, task, replace, says, *args, named=""):
    """A one-task case: only that task's checks run (``-k``), so other tasks are not graded."""
    return Case(id, task, replace, says, args=("-k", args[0] if args else CHECKS[task]), others_pass=False,
                mistake=named)


MISTAKES = [
    case("forgetting_zero_grad", "step", [(STEP, STEP.replace("    optimizer.zero_grad()\n", ""))],
         ("zero_grad", "were added to the new ones")),
    case("zero_grad_between_backward_and_step", "step", [(STEP, (
        "    loss = loss_fn(model(x), y)\n    loss.backward()\n    optimizer.zero_grad()\n"
        "    optimizer.step()\n    return loss.item()\n"))], ("zero_grad() ran after backward()", "before step()")),
    case("zero_grad_after_the_step", "step", [(STEP, (
        "    loss = loss_fn(model(x), y)\n    loss.backward()\n    optimizer.step()\n"
        "    optimizer.zero_grad()\n    return loss.item()\n"))], ("zero_grad() ran after backward()", "after step()")),
    case("forgetting_the_optimizer_step", "step", [(STEP, STEP.replace("    optimizer.step()\n", ""))],
         ("optimizer.step()", "did not change", "never called")),
    case("loss_rewrapped_as_a_new_tensor", "step", [(STEP, STEP.replace(
        "loss = loss_fn(model(x), y)", "loss = torch.tensor(loss_fn(model(x), y).item(), requires_grad=True)"))],
         ("no gradient reached the parameters", "loss.item()")),
    # torch raises NotImplementedError here: a learner error, never "not started"
    case("swapped_loss_arguments", "step", [(STEP, STEP.replace("loss_fn(model(x), y)", "loss_fn(y, model(x))"))],
         ("loss_fn(output, target)",)),
    case("returning_the_loss_tensor", "step", [(STEP, STEP.replace("return loss.item()", "return loss"))],
         ("Python float", "loss.item()")),
    case("calling_model_forward", "step", [(STEP, STEP.replace("model(x)", "model.forward(x)"))],
         ("model.forward(x)", "hook")),
    case("backward_twice", "step", [(STEP, STEP.replace("    loss.backward()\n",
                                                        "    loss.backward(retain_graph=True)\n    loss.backward()\n"))],
         ("twice the right one", "once per step")),
    case("epoch_without_zero_grad", "epoch", [("        optimizer.zero_grad()\n        loss = loss_fn(model(x), y)\n",
                                               "        loss = loss_fn(model(x), y)\n")],
         ("never cleared", "zero_grad()")),
    case("zero_grad_once_before_the_epoch", "epoch", [("    for x, y in loader:\n        optimizer.zero_grad()\n",
                                                       "    optimizer.zero_grad()\n    for x, y in loader:\n")],
         ("never cleared", "before every batch")),
    case("adding_up_loss_tensors", "epoch", [("total += loss.item()  # a float", "total += loss  # a float")],
         ("requires grad", "loss.item()")),
    case("loss_tensors_added_with_item_at_the_end", "epoch", [
        ("total += loss.item()  # a float", "total = total + loss  # a float"),
        ("return total / len(loader)", "return total.item() / len(loader)")],
         ("were added up while they still held their graphs", "loss.item()")),
    case("returning_the_sum", "epoch", [("return total / len(loader)", "return total")],
         ("sum of the 4 batch losses",)),
    case("forgetting_model_train", "epoch", [EPOCH_TRAIN], ("model.train()",)),
    case("dividing_by_the_samples", "epoch", [("return total / len(loader)", "return total / len(loader.dataset)")],
         ("divided by the 64 samples", "len(loader)")),
    case("torch_max_tuple_used_as_tensor", "accuracy", [(PRED, "predictions = torch.max(logits, 1)")],
         ("torch.max", "indices")),
    case("torch_max_values_instead_of_indices", "accuracy", [(PRED, "predictions = torch.max(logits, 1)[0]")],
         ("(values, indices)",)),
    # the check naming the mistake outranks the raw size mismatch the other checks saw
    case("argmax_over_the_batch", "accuracy", [(PRED, "predictions = logits.argmax(dim=0)")], ("dim=0",)),
    case("argmax_over_dim_0_on_square_logits", "accuracy", [(PRED, "predictions = logits.argmax(dim=0)")],
         ("dim=0", "across the classes"), "test_argmax_runs_across_classes"),
    case("column_of_predictions", "accuracy", [(PRED, "predictions = logits.argmax(dim=1, keepdim=True)")],
         ("(N, 1) column", "(N, N)")),
    case("counting_instead_of_averaging", "accuracy", [(ACC, "return (predictions == labels).sum().item()")],
         ("number of correct rows",)),
    case("mean_of_booleans", "accuracy", [(ACC, "return (predictions == labels).mean().item()")],
         (".float().mean()",)),
    case("integer_division", "accuracy", [(ACC, "return (predictions == labels).sum().item() // len(labels)")],
         ("integer division", "/")),
    case("returning_a_tensor", "accuracy", [(ACC, "return (predictions == labels).float().mean()")], (".item()",)),
    case("forgetting_eval", "evaluate", [("    model.eval()\n    total_loss, correct, seen",
                                          "    total_loss, correct, seen")], ("model.eval()", "dropout")),
    case("forgetting_no_grad", "evaluate", [("    with torch.no_grad():\n", "    if True:\n")],
         ("torch.no_grad()",)),
    case("staying_in_eval_mode", "evaluate", [EVAL_TRAIN], ("still in eval mode", "model.train()")),
    case("mean_of_per_batch_accuracies", "evaluate", [
        ("correct += (logits.argmax(dim=1) == y).sum().item()",
         "correct += (logits.argmax(dim=1) == y).float().mean().item()"),
        ("return total_loss / len(loader), correct / seen", "return total_loss / len(loader), correct / len(loader)")],
         ("mean of the per-batch accuracies", "only 2 samples")),
    case("loss_and_accuracy_swapped", "evaluate", [("return total_loss / len(loader), correct / seen",
                                                    "return correct / seen, total_loss / len(loader)")],
         ("returned (accuracy, loss)",)),
    case("accuracy_divided_by_batches", "evaluate", [("correct / seen", "correct / len(loader)")],
         ("divided by the 4 batches", "50 samples")),
    case("seeding_the_global_generator", "loader", [(LOADER, (
        "    torch.manual_seed(seed)\n    return DataLoader(dataset, batch_size=batch_size, shuffle=True)\n"))],
         ("torch.Generator().manual_seed(seed)",)),
    case("not_shuffling", "loader", [("shuffle=True, generator=generator", "generator=generator")],
         ("shuffle=True",)),
    case("softmax_before_cross_entropy_stalls_fit", "fit", [("    loss_fn = nn.CrossEntropyLoss()\n", (
        "    loss_fn = lambda logits, y: nn.functional.cross_entropy(logits.softmax(dim=1), y)\n"))],
         ("did not reach", "softmax")),
    case("validating_on_the_training_data", "fit", [("evaluate(model, val_loader, loss_fn)",
                                                     "evaluate(model, train_loader, loss_fn)")], ("val_loss",)),
    case("validating_in_training_mode", "fit", [("        val_loss, val_acc = evaluate(model, val_loader, loss_fn)\n", (
        "        with torch.no_grad():\n            outs = [(model(xb), yb) for xb, yb in val_loader]\n"
        "        val_loss = sum(loss_fn(o, t).item() for o, t in outs) / len(outs)\n"
        "        val_acc = sum((o.argmax(1) == t).sum().item() for o, t in outs) / sum(len(t) for _, t in outs)\n"))],
         ("in training mode", "model.eval()")),
    case("one_history_entry_in_all", "fit", [("        history[\"val_acc\"].append(val_acc)\n",
                                              "    history[\"val_acc\"].append(val_acc)\n")], ("one per epoch",)),
    case("a_new_optimizer_every_epoch", "fit", [
        (OPTIMIZER, ""), ("    for _ in range(epochs):\n", "    for _ in range(epochs):\n    " + OPTIMIZER)],
         ("2 optimizers for 2 epochs", "once, before the epoch loop")),
    case("learning_rate_hard_coded", "fit", [(OPTIMIZER, OPTIMIZER.replace("lr=lr", "lr=0.01"))], ("lr 0.01", "lr=lr")),
    case("sgd_without_momentum", "fit", [(OPTIMIZER, OPTIMIZER.replace(", momentum=0.9", ""))],
         ("momentum 0", "momentum=0.9")),
    case("training_in_eval_mode_after_validation", "fit", [EPOCH_TRAIN, EVAL_TRAIN],
         ("trained with the model in eval mode", "after a model.eval() (a validation?)", "model.train()"),
         named="training.fit_in_eval_mode"),
    # issue 16: the off-by-one of enumerate, the mode per phase, the input classes a contract names
    case("epoch_mean_divided_by_the_last_enumerate_index", "epoch", [
        ("    total = 0.0\n    for x, y in loader:\n", "    total = 0.0\n    for i, (x, y) in enumerate(loader):\n"),
        ("return total / len(loader)", "return total / i")],
         ("last index of enumerate", "len(loader)"), named="training.divided_by_last_index"),
    case("evaluate_mean_loss_divided_by_the_last_enumerate_index", "evaluate", [
        ("        for x, y in loader:\n            logits", "        for i, (x, y) in enumerate(loader):\n            logits"),
        ("return total_loss / len(loader), correct / seen", "return total_loss / i, correct / seen")],
         ("last index of enumerate",), named="training.divided_by_last_index"),
    case("model_train_inside_the_evaluation_loop", "evaluate", [
        ("            logits = model(x)  # (N, C)\n", "            model.train()\n            logits = model(x)\n")],
         ("model.train() ran before the model did",), named="training.train_inside_evaluation"),
    case("forgetting_eval_is_named_as_such", "evaluate", [("    model.eval()\n    total_loss, correct, seen",
                                                           "    total_loss, correct, seen")],
         ("model.eval() was never called",), named="training.evaluate_in_training_mode"),
    case("squeezed_output_fails_on_a_batch_of_one", "step", [(STEP, STEP.replace(
        "loss_fn(model(x), y)", "loss_fn(model(x).squeeze(), y)"))], ("batch of one", ".squeeze()"),
         named="training.batch_of_one"),
    case("view_on_transposed_logits", "accuracy", [(PRED, "predictions = logits.view(-1).reshape(len(labels), -1).argmax(dim=1)")],
         ("non-contiguous", ".reshape()"), named="training.view_on_non_contiguous"),
    case("loader_drops_the_last_batch", "loader", [("shuffle=True, generator=generator",
                                                    "shuffle=True, drop_last=True, generator=generator")],
         ("drop_last=True",), named="training.drop_last"),
    case("epoch_sum_named_with_its_id", "epoch", [("return total / len(loader)", "return total")],
         ("sum of the 4 batch losses",), named="training.sum_not_mean"),
    case("accuracy_argmax_over_dim_0_has_its_id", "accuracy", [(PRED, "predictions = logits.argmax(dim=0)")],
         ("dim=0", "across the classes"), "test_argmax_runs_across_classes", named="training.argmax_wrong_dim"),
]


@pytest.mark.parametrize("mistake", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, mistake):
    expect_caught(grade, "training", mistake)


def test_fit_records_its_loss_history(grade):
    g = grade("training", None, "-k", "TestFit", solution=True)
    history = g.task("fit")["data"]["loss_history"]
    assert len(history) == 6 and history[-1] < history[0]
