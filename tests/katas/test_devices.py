"""The devices kata: the reference passes (CUDA cases skipped with their reason
on a machine without a GPU), the stub is not started, each classic device
mistake is caught on the CPU with a message that names it, and correct
alternatives written in other styles get full marks."""


import pytest
import torch
from kata_testing import Case, cases, expect_caught

from pytest_torchkata.plugin import NO_CUDA

KATA = "devices"
NO_GPU = pytest.mark.skipif(torch.cuda.is_available(), reason="the mistake only shows on a machine without a GPU")

PICK = 'return "cuda" if torch.cuda.is_available() else "cpu"'
TENSOR_OR_MODULE = "if isinstance(obj, (torch.Tensor, nn.Module)):\n        return obj.to(device)"
DICT = "return {key: to_device(value, device) for key, value in obj.items()}"
SEQ = "return type(obj)(to_device(value, device) for value in obj)"
ONES = "torch.ones(x.shape[0], 1, device=x.device, dtype=x.dtype)"
WEIGHT = "return torch.randn(shape, device=device, dtype=dtype, requires_grad=True)"
PREDICT = "    with torch.no_grad():\n        return model(x.to(device))"
SYNC_AFTER = "    if on_gpu:\n        torch.cuda.synchronize()\n    return"
ON_GPU = 'on_gpu = torch.device(device).type == "cuda"'
SYNC_BEFORE = "    if on_gpu:\n        torch.cuda.synchronize()\n    start"

MISTAKES = [
    # pick_device
    Case("hard-coded cuda", "pick_device", ((PICK, 'return "cuda"'),),
         ("without a GPU", "torch.cuda.is_available()")),
    Case("is_available without parentheses", "pick_device",
         ((PICK, 'return "cuda" if torch.cuda.is_available else "cpu"'),), ("without calling it",)),
    Case("always the cpu", "pick_device", ((PICK, 'return "cpu"'),), ("the GPU is never used",)),
    # to_device
    Case("hard-coded .cuda()", "to_device", (("return obj.to(device)", "return obj.cuda()"),),
         ("called CUDA directly", "torch.cuda.is_available()")),
    Case("what .to returns ignored", "to_device", (("return obj.to(device)", "obj.to(device)\n        return obj"),),
         ("is on cpu, expected meta", "keep what it returns")),
    Case("no recursion into nested containers", "to_device", (
        (DICT, "return {key: value.to(device) if isinstance(value, torch.Tensor) else value "
               "for key, value in obj.items()}"),), ("does not recurse into nested containers",)),
    Case("tuples not handled at all", "to_device", ((SEQ, "return [to_device(value, device) for value in obj]"),
                                                     ("isinstance(obj, (list, tuple))", "isinstance(obj, list)")),
         ("handles no tuple at all",)),
    Case("tuples turned into lists", "to_device", ((SEQ, "return [to_device(value, device) for value in obj]"),),
         ("should be a tuple",)),
    Case("caller's dict changed in place", "to_device", (
        (DICT, "for key in obj:\n            obj[key] = to_device(obj[key], device)\n        return obj"),),
         ("changed the caller's containers in place",)),
    Case("a model returned unmoved", "to_device", (
        (TENSOR_OR_MODULE, "if isinstance(obj, torch.Tensor):\n        return obj.to(device)"),),
         ("still on the CPU", "model.to(device)")),
    Case("parameters moved, buffers left behind", "to_device", (
        (TENSOR_OR_MODULE, "if isinstance(obj, nn.Module):\n"
                           "        for module in obj.modules():\n"
                           "            for name, p in list(module._parameters.items()):\n"
                           "                module._parameters[name] = nn.Parameter(p.to(device))\n"
                           "        return obj\n"
                           "    if isinstance(obj, torch.Tensor):\n        return obj.to(device)"),),
         ("1.running_mean (buffer)", "misses the buffers")),
    Case("dtype changed while moving", "to_device", (
        ("return obj.to(device)", "return obj.to(device, torch.float32)"),), ("changed dtype to float32",)),
    Case(".to() on a number", "to_device", (("    return obj\n    # END", "    return obj.to(device)\n    # END"),),
         ("only tensors and modules have `.to()`",)),
    # add_ones
    Case("ones made on the cpu", "add_ones", ((ONES, "torch.ones(x.shape[0], 1, dtype=x.dtype)"),),
         ("not on the expected device meta", "device=x.device")),
    Case("ones in the default dtype", "add_ones", ((ONES, "torch.ones(x.shape[0], 1, device=x.device)"),),
         ("expected float16", "dtype=x.dtype")),
    Case("ones prepended", "add_ones", (("torch.cat([x, ones], dim=1)", "torch.cat([ones, x], dim=1)"),),
         ("first column",)),
    Case("cat along dim 0", "add_ones", (("torch.cat([x, ones], dim=1)", "torch.cat([x, ones], dim=0)"),),
         ("along dim=1",)),
    Case("a column of shape (N,)", "add_ones", (
        (ONES, "torch.ones(x.shape[0], device=x.device, dtype=x.dtype)"),), ("(N, 1), not (N,)",)),
    # new_weight
    Case("leaf lost by .to()", "new_weight", ((WEIGHT, "return torch.randn(shape, requires_grad=True).to(device, dtype)"),),
         ("not a leaf", ".to()")),
    Case("requires_grad missing", "new_weight", ((WEIGHT, "return torch.randn(shape, device=device, dtype=dtype)"),),
         ("does not require grad",)),
    Case("uniform instead of normal", "new_weight", ((WEIGHT, WEIGHT.replace("randn", "rand")),), ("torch.rand",)),
    Case("dtype ignored", "new_weight", ((WEIGHT, WEIGHT.replace("dtype=dtype, ", "")),), ("dtype=dtype",)),
    Case("device ignored", "new_weight", ((WEIGHT, WEIGHT.replace("device=device, ", "")),), ("device=device",)),
    # predict
    Case("input left on the cpu", "predict", (("return model(x.to(device))", "return model(x)"),),
         ("same device", "x.to(device)")),
    Case("x.to() not reassigned", "predict", (
        ("return model(x.to(device))", "x.to(device)\n        return model(x)"),),
         ("same device", "returns a new tensor", "use what it returns")),
    Case("model not moved", "predict", (("    model = model.to(device)\n", ""),),
         ("weights are still on cpu", "model.to(device)")),
    Case("predicting in training mode", "predict", (("    model.eval()\n", ""),), ("dropout", "model.eval()"),
         mistake="devices.predict_in_training_mode"),
    Case("train() after eval() in predict", "predict", (("    model.eval()\n", "    model.eval()\n    model.train()\n"),),
         ("model.train() after it", "leave model.train() out"), mistake="devices.train_after_eval"),
    Case("a graph built while predicting", "predict", ((PREDICT, "    return model(x.to(device))"),),
         ("torch.no_grad()",)),
    Case("model.forward skipping the hooks", "predict", (("return model(x.to(device))",
                                                           "return model.forward(x.to(device))"),),
         ("model.forward(x) directly",)),
    Case("hard-coded .cuda() in predict", "predict", (("    model = model.to(device)\n", "    model = model.cuda()\n"),),
         ("predict called CUDA directly", "`.to(device)`")),
    Case("no_grad without parentheses", "predict", (("    with torch.no_grad():\n", "    with torch.no_grad:\n"),),
         ("`with torch.no_grad():`",)),
    Case("result moved back to the cpu", "predict", (("return model(x.to(device))",
                                                       "return model(x.to(device)).cpu()"),), ("no .cpu()",)),
    # time_it
    Case("missing synchronize after the calls", "time_it", ((SYNC_AFTER, "    return"),),
         ("without torch.cuda.synchronize() after the last call",)),
    Case("missing synchronize before the clock starts", "time_it", ((SYNC_BEFORE, "    start"),),
         ("starts the clock without torch.cuda.synchronize()",)),
    Case("synchronize on the cpu", "time_it", (('on_gpu = torch.device(device).type == "cuda"', "on_gpu = True"),),
         ("synchronise only when the device is cuda",)),
    Case("total instead of mean", "time_it", (("return (time.perf_counter() - start) / repeats",
                                               "return time.perf_counter() - start"),), ("divide by repeats",)),
    Case("milliseconds instead of seconds", "time_it", (("return (time.perf_counter() - start) / repeats",
                                                         "return (time.perf_counter() - start) * 1000 / repeats"),),
         ("in milliseconds",)),
    Case("nanoseconds instead of seconds", "time_it", (
        ("start = time.perf_counter()", "start = time.perf_counter_ns()"),
        ("return (time.perf_counter() - start) / repeats", "return (time.perf_counter_ns() - start) / repeats")),
         ("in nanoseconds", "divide by 1e9")),
    Case("clock started after the calls", "time_it", (
        ("    start = time.perf_counter()\n    for _ in range(repeats):\n        fn()\n",
         "    for _ in range(repeats):\n        fn()\n    start = time.perf_counter()\n"),),
         ("the clock did not run while the calls ran",)),
    # issue 16: every spelling of a device the contract takes (str | torch.device)
    Case("only the word 'cuda' synchronised", "time_it", ((ON_GPU, 'on_gpu = device == "cuda"'),),
         ("'cuda:0'", "however it is spelled"), mistake="devices.cuda_spelling_missed"),
    Case("a torch.device searched like a string", "time_it", ((ON_GPU, 'on_gpu = "cuda" in device'),),
         ("torch.device('cuda')", "str | torch.device"), mistake="devices.device_as_a_string_only"),
    Case("anything but the word 'cpu' synchronised", "time_it", ((ON_GPU, 'on_gpu = device != "cpu"'),),
         ("synchronise only when the device is cuda",)),
    Case("predict reading the device as a string", "predict",
         (("    model = model.to(device)\n", "    model = model.to(device.strip())\n"),),
         ("torch.device('meta')", "str | torch.device"), mistake="devices.device_as_a_string_only"),
]
NEEDS_NO_GPU = {"hard-coded .cuda()", "hard-coded .cuda() in predict"}


@pytest.mark.parametrize("case", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, case):
    if case.id in NEEDS_NO_GPU and torch.cuda.is_available():
        pytest.skip("the mistake only shows on a machine without a GPU")
    expect_caught(grade, KATA, case)



@NO_GPU
def test_cuda_cases_are_reported_as_skipped_with_the_reason(grade):
    g = grade(KATA, solution=True)
    checks = [c for task in g.kata()["tasks"] for c in task["checks"]]
    skipped = [c for c in checks if c["status"] == "skipped"]
    assert [c["name"] for c in skipped] == ["test_every_spelling_of_the_device[cuda]",
                                            "test_agrees_with_the_cpu_reference[cuda]",
                                            "test_times_real_work[cuda]"]
    assert all(c["message"] == NO_CUDA for c in skipped)
    assert "CUDA cases are skipped" in g.output
