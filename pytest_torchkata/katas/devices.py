"""Checks for the devices kata.

Without a GPU, device mistakes are caught on the ``meta`` device: code that
forgets a ``.to(device)`` or makes a tensor on the CPU raises "is not on the
expected device meta".  CUDA itself is faked where only the calls matter
(``torch.cuda.is_available``, ``torch.cuda.synchronize``); the checks that need
real GPU numbers take the ``device`` fixture and are skipped, with the reason,
on machines without one.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from typing import Any, Iterator

import torch
import torch.nn as nn

from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.checks.errors import CheckFailed, LearnerError
from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.model import Kata

KATA = Kata("devices", "Devices",
            "choosing a device, moving models, tensors and containers, making tensors on the right "
            "device, leaf parameters on a device, CPU/GPU agreement, and timing GPU work")


@contextlib.contextmanager
def _fake_cuda(available: bool, events: list[str] | None = None) -> Iterator[None]:
    """Make ``torch.cuda`` look (un)available, and record ``synchronize`` calls in ``events``."""
    cuda = torch.cuda
    saved = cuda.is_available, cuda.device_count, cuda.synchronize
    cuda.is_available = lambda: available
    cuda.device_count = lambda: 1 if available else 0
    if events is not None:
        cuda.synchronize = lambda *args, **kwargs: events.append("sync")
    try:
        yield
    finally:
        cuda.is_available, cuda.device_count, cuda.synchronize = saved


def _pick_device_helper(learner) -> dict:
    answers = {}
    for available in (True, False):
        with _fake_cuda(available):
            answers[available] = learner.pick_device()
    return {"with_gpu": answers[True], "without_gpu": answers[False], "real": learner.pick_device()}


def _device_text(value: Any) -> Any:
    return str(value) if isinstance(value, (str, torch.device)) else value


@KATA.task("pick_device", "Pick the device", points=2,
           hint='`"cuda" if torch.cuda.is_available() else "cpu"`')
class TestPickDevice:
    def test_says_cuda_only_when_a_gpu_is_available(self, kata):
        got = kata.run(_pick_device_helper)
        with_gpu, without_gpu = _device_text(got["with_gpu"]), _device_text(got["without_gpu"])
        expect_true(isinstance(with_gpu, str),
                    f"pick_device() should return a device name such as \"cpu\", but returned {describe(with_gpu)}")
        if without_gpu == "cuda":
            raise CheckFailed('pick_device() returned "cuda" on a machine without a GPU: a hard-coded '
                              'device (or .cuda()) fails there; ask torch.cuda.is_available()')
        expect_true(without_gpu in ("cpu", "mps"),
                    f'without a GPU pick_device() should return "cpu", but returned {without_gpu!r}')
        expect_true(with_gpu == "cuda",
                    f'with a GPU available pick_device() should return "cuda", but returned {with_gpu!r}: '
                    f'ask torch.cuda.is_available()')

    def test_matches_this_machine(self, kata):
        got = _device_text(kata.run(_pick_device_helper)["real"])
        want = "cuda" if torch.cuda.is_available() else "cpu"
        expect_true(got == want or (want == "cpu" and got == "mps"),
                    f"on this machine pick_device() returned {got!r}, expected {want!r}")


def _expect_moved(got: Any, original: Any, device: str, where: str) -> None:
    """``got`` must mirror ``original`` (same containers, same keys, same non-tensors)
    with every tensor on ``device``."""
    __tracebackhide__ = True
    if isinstance(original, torch.Tensor):
        tensor = expect_shape(got, tuple(original.shape), what=where)
        if tensor.device.type != device:
            raise CheckFailed(f"{where} is on {tensor.device.type}, expected {device}: `.to(device)` returns a new "
                              f"tensor and leaves the old one where it was; keep what it returns")
        expect_true(tensor.dtype == original.dtype,
                    f"{where} changed dtype to {tensor.dtype}; only move it: `.to(device)`")
        return
    if isinstance(original, (dict, list, tuple)):
        kind = type(original).__name__
        expect_true(type(got) is type(original),
                    f"{where} should be a {kind} like the input, but is {describe(got)}: rebuild the same kind "
                    f"of container")
        if isinstance(original, dict):
            expect_true(list(got) == list(original),
                        f"{where} has keys {list(got)}, expected {list(original)}")
            for key in original:
                _expect_moved(got[key], original[key], device, f"{where}[{key!r}]")
        else:
            expect_true(len(got) == len(original),
                        f"{where} has {len(got)} items, expected {len(original)}")
            for i, (g, o) in enumerate(zip(got, original)):
                _expect_moved(g, o, device, f"{where}[{i}]")
        return
    expect_true(got == original, f"{where} should be left as it is ({original!r}), but is {got!r}")


def _to_device_model_helper(learner) -> dict:
    with trusted():
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    moved = learner.to_device(model, "meta")
    if not isinstance(moved, nn.Module):
        return {"module": False, "type": type(moved).__name__}
    tensors = list(moved.parameters()) + list(moved.buffers())
    return {"module": True, "devices": sorted({t.device.type for t in tensors})}


@KATA.task("to_device", "Move tensors, models and containers", points=3,
           hint="a tensor or model: `obj.to(device)`; a dict/list/tuple: the same container with each value "
                "moved by calling to_device on it; anything else as it is")
class TestToDevice:
    def test_moves_a_tensor(self, kata):
        x = torch.randn(2, 3)
        _expect_moved(kata.call("to_device", x, "meta"), x, "meta", "to_device(x, 'meta')")

    def test_moves_every_tensor_in_nested_containers(self, kata):
        batch = {"x": torch.randn(2, 3), "pair": (torch.randn(4), 7),
                 "items": [torch.randint(0, 5, (3,)), "label", None]}
        _expect_moved(kata.call("to_device", batch, "meta"), batch, "meta", "to_device(batch, 'meta')")

    def test_moves_a_model_with_its_buffers(self, kata):
        got = kata.run(_to_device_model_helper)
        expect_true(got["module"], f"to_device(model, 'meta') should return the model, but returned a "
                                   f"{got.get('type')}: a model moves with `model.to(device)`")
        expect_true(got["devices"] == ["meta"],
                    f"after to_device(model, 'meta') the model's parameters and buffers are on "
                    f"{', '.join(got['devices'])}, expected meta only: use `model.to(device)`")


@KATA.task("add_ones", "New tensors on the input's device", points=2,
           hint="`torch.ones(n, 1, device=x.device, dtype=x.dtype)` (or `x.new_ones(n, 1)`), then `torch.cat`")
class TestAddOnesColumn:
    def test_appends_a_column_of_ones(self, kata):
        x = torch.randn(4, 3)
        expect_close(kata.call("add_ones_column", x), torch.cat([x, torch.ones(4, 1)], dim=1),
                     what="add_ones_column(x) for x of shape (4, 3)")

    def test_keeps_the_inputs_dtype(self, kata):
        x = torch.randn(4, 3, dtype=torch.float64)
        got = expect_shape(kata.call("add_ones_column", x.half()), (4, 4), what="add_ones_column(x.half())")
        expect_true(got.dtype == torch.float16,
                    f"add_ones_column(x.half()) has dtype {str(got.dtype).replace('torch.', '')}, expected "
                    f"float16: the ones were made in the default dtype; pass dtype=x.dtype")

    def test_makes_the_ones_on_the_inputs_device(self, kata):
        x = torch.empty(5, 2, device="meta")
        got = expect_shape(kata.call("add_ones_column", x), (5, 3), what="add_ones_column(x) on the meta device")
        expect_true(got.device.type == "meta",
                    f"add_ones_column(x) for x on meta returned a tensor on {got.device.type}, expected meta")


def _new_weight_helper(learner, shape: tuple, device: str, dtype: torch.dtype) -> dict:
    w = learner.new_weight(shape, device=device, dtype=dtype)
    if not isinstance(w, torch.Tensor):
        return {"value": w}
    info = {"value": w.detach(), "is_leaf": w.is_leaf, "requires_grad": w.requires_grad,
            "device": w.device.type, "dtype": w.dtype, "grad_filled": None}
    if device != "meta" and w.requires_grad:
        with trusted(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # .grad of a non-leaf warns; the check explains it
            w.sum().backward()
            info["grad_filled"] = w.grad is not None
    return info


@KATA.task("new_weight", "A trainable leaf made on its device", points=3,
           hint="`torch.randn(shape, device=device, dtype=dtype, requires_grad=True)`: no `.to()` afterwards")
class TestNewWeight:
    def _checked(self, kata, shape, device, dtype) -> dict:
        got = kata.run(_new_weight_helper, shape, device, dtype)
        what = f"new_weight({shape}, device={device!r}, dtype={dtype})"
        expect_shape(got["value"], shape, what=what)
        expect_true(got["requires_grad"], f"{what} does not require grad: pass requires_grad=True")
        expect_true(got["is_leaf"],
                    f"{what} is not a leaf tensor: it came out of an operation (a `.to()` after "
                    f"requires_grad=True makes a copy), so backward() never fills its .grad; create it "
                    f"directly with device= and dtype=")
        expect_true(got["device"] == device, f"{what} is on {got['device']}, expected {device}")
        expect_true(got["dtype"] == dtype,
                    f"{what} has dtype {str(got['dtype']).replace('torch.', '')}, expected "
                    f"{str(dtype).replace('torch.', '')}")
        return got

    def test_is_a_leaf_that_gets_a_gradient(self, kata):
        got = self._checked(kata, (3, 4), "cpu", torch.float64)
        expect_true(got["grad_filled"], "after backward() new_weight's .grad is still None")

    def test_is_made_on_the_requested_device(self, kata):
        self._checked(kata, (2, 5), "meta", torch.float32)

    def test_values_are_standard_normal(self, kata):
        got = self._checked(kata, (4000,), "cpu", torch.float32)
        value = got["value"]
        mean, std = value.mean().item(), value.std().item()
        expect_true(abs(mean) < 0.1 and 0.9 < std < 1.1,
                    f"new_weight's values have mean {mean:.3g} and std {std:.3g}, expected about 0 and 1: "
                    f"use torch.randn")


class _Probe:
    """Records, on each forward, whether the model was in training mode and grad was on."""

    def __init__(self, model: nn.Module) -> None:
        self.seen: list[tuple[bool, bool]] = []
        self.handle = model.register_forward_pre_hook(self._hook)

    def _hook(self, module: nn.Module, args: Any) -> None:
        self.seen.append((module.training, torch.is_grad_enabled()))


def _predict_net() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))


def _predict_helper(learner, device: str) -> dict:
    """Learner side: predict on a fresh model; its output, the model's weights and the
    input it was given (raw), and (training, grad mode) at each forward."""
    with trusted():
        model = _predict_net()
        x = torch.randn(5, 6)
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        probe = _Probe(model)
    out = learner.predict(model, x, device)
    probe.handle.remove()
    return {"out": out, "state": state, "x": x, "seen": probe.seen,
            "graph": isinstance(out, torch.Tensor) and out.grad_fn is not None}


def _predict_want(got: dict) -> torch.Tensor:
    """Grader side: the expected eval-mode output, from the model's weights, computed here."""
    __tracebackhide__ = True
    reference = _predict_net().eval()
    try:
        reference.load_state_dict(got["state"])
    except (RuntimeError, TypeError, KeyError):
        raise CheckFailed("the model's weights did not come back from your side as they were made") from None
    with torch.no_grad():
        return reference(got["x"])


@KATA.task("predict", "Run a model on a device", points=3,
           hint="`model.to(device)`, `model.eval()`, and `model(x.to(device))` inside `torch.no_grad()`")
class TestPredict:
    def _run(self, kata, device: str) -> tuple[torch.Tensor, torch.Tensor]:
        try:
            got = kata.run(_predict_helper, device)
        except LearnerError as error:
            if "expected device" not in error.message and "same device" not in error.message:
                raise
            raise CheckFailed(f"{error.message}: the model and its input must be on the same device; "
                              f"move both (`model.to(device)` and `x.to(device)`)", where=error.where) from None
        expect_true(got["seen"], f"predict(model, x, {device!r}) never called the model: use model(x)")
        training, grad = got["seen"][-1]
        expect_true(not training, "predict ran the model in training mode, so dropout was still on: "
                                  "call model.eval() first")
        expect_true(not grad and not got["graph"],
                    "predict built an autograd graph: wrap the forward in `with torch.no_grad():`")
        out = expect_shape(got["out"], (5, 3), what=f"predict(model, x, {device!r})")
        expect_true(out.device.type == device,
                    f"predict(model, x, {device!r}) returned a tensor on {out.device.type}, expected {device}")
        return out, _predict_want(got)

    def test_moves_both_model_and_input(self, kata):
        self._run(kata, "meta")

    def test_agrees_with_the_cpu_reference(self, kata, device):
        out, want = self._run(kata, device)
        # GPUs may use TF32 and other kernels: agreement within a small tolerance, not bit for bit
        tol = {"rtol": 1e-5, "atol": 1e-6} if device == "cpu" else {"rtol": 1e-3, "atol": 1e-4}
        expect_close(out.cpu(), want, what=f"predict(model, x, {device!r}) against the CPU result", **tol)


def _time_it_fake_gpu_helper(learner) -> dict:
    events: list[str] = []

    def fn() -> None:
        events.append("fn")

    with _fake_cuda(True, events):
        learner.time_it(fn, "cuda", repeats=3)
    return {"events": events}


def _time_it_sleep_helper(learner, repeats: int, pause: float) -> dict:
    calls = []

    def fn() -> None:
        calls.append(1)
        time.sleep(pause)

    try:
        seconds = learner.time_it(fn, "cpu", repeats=repeats)
    except RuntimeError as error:  # only the CUDA complaint is explained here; others propagate
        text = str(error)
        if "NVIDIA driver" not in text and "not compiled with CUDA" not in text:
            raise
        return {"cuda_error": text}
    return {"seconds": seconds, "calls": len(calls)}


def _time_it_real_helper(learner, device: str) -> dict:
    with trusted():
        a = torch.randn(2048 if device == "cuda" else 128, 2048 if device == "cuda" else 128, device=device)

        def fn() -> None:
            b = a
            for _ in range(5):
                b = b @ a

        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(5):
            fn()
        if device == "cuda":
            torch.cuda.synchronize()
        want = (time.perf_counter() - start) / 5
    return {"seconds": learner.time_it(fn, device, repeats=5), "want": want}


@KATA.task("time_it", "Time GPU work", points=2,
           hint="on cuda, `torch.cuda.synchronize()` before starting and before stopping the clock; "
                "on cpu, skip it")
class TestTimeIt:
    def test_returns_the_mean_seconds_per_call_on_cpu(self, kata):
        got = kata.run(_time_it_sleep_helper, 10, 0.02)
        if "cuda_error" in got:
            raise CheckFailed("time_it(fn, 'cpu') called CUDA (torch.cuda.synchronize()?) on a machine without "
                              "a GPU: synchronise only when the device is cuda")
        expect_true(isinstance(got["seconds"], float),
                    f"time_it should return seconds as a float, but returned {describe(got['seconds'])}")
        expect_true(10 <= got["calls"] <= 13, f"time_it(fn, 'cpu', repeats=10) called fn {got['calls']} times, "
                                              f"expected 10")
        seconds = got["seconds"]
        expect_true(seconds < 0.15, f"time_it returned {seconds:.3g} s for a function that takes 0.02 s: "
                                    f"return the mean per call (divide by repeats), not the total")
        expect_true(seconds >= 0.019, f"time_it returned {seconds:.3g} s for a function that takes 0.02 s: "
                                      f"start the clock before the calls and stop it after them")

    def test_waits_for_the_gpu_before_stopping_the_clock(self, kata):
        events = kata.run(_time_it_fake_gpu_helper)["events"]
        expect_true(events.count("fn") >= 3,
                    f"time_it(fn, 'cuda', repeats=3) called fn {events.count('fn')} times, expected 3")
        expect_true(events[-1] == "sync",
                    "time_it on cuda stops the clock without torch.cuda.synchronize() after the last call: "
                    "GPU calls return before the work is done, so the time would be too short")
        expect_true(events[0] == "sync",
                    "time_it on cuda starts the clock without torch.cuda.synchronize(): work queued earlier "
                    "would be counted too")

    def test_times_real_work(self, kata, device):
        got = kata.run(_time_it_real_helper, device)
        expect_true(isinstance(got["seconds"], float),
                    f"time_it should return seconds as a float, but returned {describe(got['seconds'])}")
        # on a GPU a missing synchronize() makes the time far too short; on a CPU only noise can
        share = 0.3 if device == "cuda" else 0.1
        expect_true(got["seconds"] >= share * got["want"],
                    f"time_it measured {got['seconds']:.3g} s per call on {device}, but the work takes about "
                    f"{got['want']:.3g} s: is the clock stopped before the work has finished?")
