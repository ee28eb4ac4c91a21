"""The debugging kata: the reference passes, the stub is not started, each
classic mistake (and each bug of the bug hunt, left unfixed) is caught with a
message that names it, and a leftover breakpoint neither hangs nor goes unnoticed."""

import time

import pytest
from kata_testing import mutate

KATA = "debugging"


def graded_task(grade, task, *replacements):
    g = grade(KATA, mutate(KATA, *replacements))
    return g.status(task), g.message(task)


# -- task 1: first module with NaN/Inf ----------------------------------------------

def test_taking_the_last_bad_module_is_caught(grade):
    status, message = graded_task(grade, "first_bad", (
        "return bad[0] if bad else None", "return bad[-1] if bad else None"))
    assert status == "failed"
    assert "first hook that fires" in message


def test_checking_only_nan_misses_inf(grade):
    status, message = graded_task(grade, "first_bad", (
        "not torch.isfinite(output).all()", "torch.isnan(output).any()"))
    assert status == "failed"
    assert "Inf" in message and "torch.isfinite" in message


def test_hooks_left_registered_are_caught(grade):
    status, message = graded_task(grade, "first_bad", (
        "        for handle in handles:\n            handle.remove()\n", "        pass\n"))
    assert status == "failed"
    assert "hooks are still registered" in message and "remove()" in message


# -- task 2: gradient report --------------------------------------------------------

def test_reporting_zero_for_a_missing_gradient_is_caught(grade):
    status, message = graded_task(grade, "grad_report", (
        "if p.grad is not None else None)", "if p.grad is not None else 0.0)"))
    assert status == "failed"
    assert "detach" in message and "not 0.0" in message


def test_stale_gradients_are_caught(grade):
    status, message = graded_task(grade, "grad_report", ("    model.zero_grad(set_to_none=True)\n", ""))
    assert status == "failed"
    assert "zero_grad" in message


# -- task 3: anomaly detection --------------------------------------------------------

def test_hard_coded_node_name_is_caught(grade):
    status, message = graded_task(grade, "find_nan", ("return found.group(1)", 'return "SqrtBackward0"'))
    assert status == "failed"
    assert "LogBackward0" in message and "hard-code" in message


# -- tasks 4-7: the bug hunt, each bug left in (the version shown in its docstring) --------

def test_loss_accumulated_as_a_tensor_is_caught(grade):
    status, message = graded_task(grade, "mean_loss", ("total += loss.item()", "total += loss"))
    assert status == "failed"
    assert "autograd graph" in message and "loss.item()" in message


def test_missing_zero_grad_in_the_loop_is_caught(grade):
    status, message = graded_task(grade, "train_steps", ("        optimizer.zero_grad()\n", ""))
    assert status == "failed"
    assert "piling up" in message and "zero_grad" in message


def test_softmax_over_the_batch_is_caught(grade):
    status, message = graded_task(grade, "probabilities", (
        "return F.softmax(logits, dim=1)  # (N, C)", "return F.softmax(logits, dim=0)"))
    assert status == "failed"
    assert "dim=0" in message and "columns sum to 1" in message


def test_torch_max_used_as_a_tensor_is_caught(grade):
    status, message = graded_task(grade, "accuracy", (
        "predicted = logits.argmax(dim=1)  # (N,)", "predicted = torch.max(logits, 1)"))
    assert status == "failed"
    assert "(values, indices)" in message


# -- a leftover breakpoint -----------------------------------------------------------------

@pytest.mark.parametrize("call", ["breakpoint()", "import pdb; pdb.set_trace()"])
def test_leftover_breakpoint_is_graded_without_hanging_and_warned_about(grade, call):
    source = mutate(KATA, ("    model.zero_grad(set_to_none=True)\n",
                           f"    {call}\n    model.zero_grad(set_to_none=True)\n"))
    start = time.perf_counter()
    g = grade(KATA, source, "-k", "GradReport")
    assert time.perf_counter() - start < 60
    assert g.status("grad_report") == "passed", g.output
    assert "Warning: a breakpoint() at" in g.output
    assert "run pytest with -s" in g.output
