"""The devices kata: the reference passes (CUDA cases skipped with their reason
on a machine without a GPU), the stub is not started, and each classic device
mistake is caught on the CPU with a message that names it."""

import pytest
import torch
from kata_testing import mutate

from pytest_torchkata.plugin import NO_CUDA

KATA = "devices"


def graded_task(grade, task, *replacements):
    g = grade(KATA, mutate(KATA, *replacements))
    return g.status(task), g.message(task)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the report of a machine without a GPU")
def test_cuda_cases_are_reported_as_skipped_with_the_reason(grade):
    g = grade(KATA, solution=True)
    checks = [c for task in g.kata()["tasks"] for c in task["checks"]]
    skipped = [c for c in checks if c["status"] == "skipped"]
    assert [c["name"] for c in skipped] == ["test_agrees_with_the_cpu_reference[cuda]",
                                            "test_times_real_work[cuda]"]
    assert all(c["message"] == NO_CUDA for c in skipped)
    assert "CUDA cases are skipped" in g.output


def test_hard_coded_cuda_device_is_caught(grade):
    status, message = graded_task(grade, "pick_device", (
        'return "cuda" if torch.cuda.is_available() else "cpu"', 'return "cuda"'))
    assert status == "failed"
    assert "without a GPU" in message and "torch.cuda.is_available()" in message


@pytest.mark.skipif(torch.cuda.is_available(), reason=".cuda() works on a machine with a GPU")
def test_hard_coded_dot_cuda_is_caught(grade):
    status, message = graded_task(grade, "to_device", ("return obj.to(device)", "return obj.cuda()"))
    assert status == "failed"
    assert "torch.cuda.is_available()" in message


def test_ignoring_what_to_returns_is_caught(grade):
    status, message = graded_task(grade, "to_device", (
        "return obj.to(device)", "obj.to(device)\n        return obj"))
    assert status == "failed"
    assert "is on cpu, expected meta" in message and "keep what it returns" in message


def test_turning_tuples_into_lists_is_caught(grade):
    status, message = graded_task(grade, "to_device", (
        "return type(obj)(to_device(value, device) for value in obj)",
        "return [to_device(value, device) for value in obj]"))
    assert status == "failed"
    assert "should be a tuple" in message


def test_ones_made_on_the_cpu_are_caught(grade):
    status, message = graded_task(grade, "add_ones", (
        "torch.ones(x.shape[0], 1, device=x.device, dtype=x.dtype)", "torch.ones(x.shape[0], 1, dtype=x.dtype)"))
    assert status == "failed"
    assert "not on the expected device meta" in message and "device=x.device" in message


def test_leaf_lost_by_to_is_caught(grade):
    status, message = graded_task(grade, "new_weight", (
        "return torch.randn(shape, device=device, dtype=dtype, requires_grad=True)",
        "return torch.randn(shape, requires_grad=True).to(device, dtype)"))
    assert status == "failed"
    assert "not a leaf" in message and ".to()" in message


def test_input_left_on_the_cpu_is_caught(grade):
    status, message = graded_task(grade, "predict", ("return model(x.to(device))", "return model(x)"))
    assert status == "failed"
    assert "same device" in message and "x.to(device)" in message


def test_predicting_in_training_mode_is_caught(grade):
    status, message = graded_task(grade, "predict", ("    model.eval()\n", ""))
    assert status == "failed"
    assert "dropout" in message and "model.eval()" in message


def test_missing_synchronize_is_caught(grade):
    status, message = graded_task(grade, "time_it", (
        "    if on_gpu:\n        torch.cuda.synchronize()\n    return", "    return"))
    assert status == "failed"
    assert "without torch.cuda.synchronize() after the last call" in message


@pytest.mark.skipif(torch.cuda.is_available(), reason="synchronize() works on a machine with a GPU")
def test_synchronize_on_the_cpu_is_caught(grade):
    status, message = graded_task(grade, "time_it", ("on_gpu = torch.device(device).type == \"cuda\"",
                                                     "on_gpu = True"))
    assert status == "failed"
    assert "synchronise only when the device is cuda" in message


def test_total_instead_of_mean_is_caught(grade):
    status, message = graded_task(grade, "time_it", ("return (time.perf_counter() - start) / repeats",
                                                     "return time.perf_counter() - start"))
    assert status == "failed"
    assert "divide by repeats" in message
