"""Grader-side verdicts for the devices kata, too long to sit beside the task declarations.

They run in the grader's process on observations that ``devices/world.py`` brought back
(returned values, which objects came back unchanged, logged calls) and decide; no
learner code runs here.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from pytest_torchkata.checks.errors import CheckFailed, LearnerError, Mistake
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.devices import world


def tensor_paths(value: Any, where: str, on_cpu: bool) -> list[str]:
    """Paths of the tensors in ``value`` that are (``on_cpu``) or are not on the CPU."""
    if isinstance(value, torch.Tensor):
        return [where] if (value.device.type == "cpu") == on_cpu else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in tensor_paths(v, f"{where}[{k!r}]", on_cpu)]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in tensor_paths(v, f"{where}[{i}]", on_cpu)]
    return []


def expect_none_listed(names: list[str], message: Text) -> None:
    """A Mistake when ``names`` (tensors found where none should be) is not empty, naming them in
    ``message``'s ``{names}``."""
    __tracebackhide__ = True
    if names:
        raise Mistake(message.format(names=", ".join(names)))


def unchanged_kinds(original: Any, same: dict, where: str, top: bool = True) -> set[str]:
    """The kinds of the nested containers (dict, list, tuple) in ``original`` that came back as the
    very same objects (``same``)."""
    if not isinstance(original, (dict, list, tuple)):
        return set()
    kinds = {type(original).__name__} if same.get(where) and not top else set()
    items = original.items() if isinstance(original, dict) else enumerate(original)
    for key, value in items:
        path = f"{where}[{key!r}]" if isinstance(original, dict) else f"{where}[{key}]"
        kinds |= unchanged_kinds(value, same, path, False)
    return kinds


def expect_moved(got: Any, original: Any, same: dict, where: str, top: str, handled: set | None = None,
                 target: str = "meta") -> None:
    """``got`` must mirror ``original`` (same containers, keys and non-tensors) with every
    tensor on ``target`` (meta unless the check moved to a GPU); ``same`` says which parts are the input's own objects; ``handled``, where
    known, the kinds of container to_device rebuilt when given one on its own."""
    __tracebackhide__ = True
    if isinstance(original, torch.Tensor):
        tensor = expect_shape(got, tuple(original.shape), what=where)
        if tensor.device.type != target:
            if same.get(where):
                raise Mistake(tr(
                    "{where} is on {got}, expected {target}: it is the input tensor itself; `.to(device)` returns a new "
                    "tensor and leaves the old one where it was; keep what it returns",
                    "{where} 在 {got} 上，应在 {target} 上：它就是输入张量本身；`.to(device)` 返回一个新张量，原张量留在原地；"
                    "请使用它的返回值", where=where, got=tensor.device.type, target=target))
            raise CheckFailed(tr("{where} is on {got}, expected {target}", "{where} 在 {got} 上，应在 {target} 上",
                                 where=where, got=tensor.device.type, target=target))
        expect_true(tensor.dtype == original.dtype, tr(
            "{where} changed dtype to {got}; only move it: `.to(device)`",
            "{where} 的数据类型变成了 {got}；只移动设备：`.to(device)`", where=where, got=dtype_name(tensor.dtype)))
        return
    if isinstance(original, (dict, list, tuple)):
        kind = type(original).__name__
        expect_true(type(got) is type(original), tr(
            "{where} should be a {kind} like the input, but is {got}: rebuild the same kind of container",
            "{where} 应与输入一样是 {kind}，实际是 {got}：请重建同一种容器", where=where, kind=kind,
            got=describe(got)))
        if same.get(where) and where == top and tensor_paths(got, where, True):
            raise Mistake(tr(
                "to_device returned the {kind} it was given, with its tensors still on the CPU: a container has no "
                "`.to()`; build a new {kind} with each value moved",
                "to_device 原样返回了传入的 {kind}，里面的张量仍在 CPU 上：容器没有 `.to()`；"
                "请构建一个新的 {kind}，把每个值都移过去", kind=kind))
        if same.get(where) and tensor_paths(got, where, True) and handled is not None \
                and kind not in handled:
            raise Mistake(tr(
                "the {kind} at {where} came back as it went in (the same object), so its tensors are still on "
                "the CPU: to_device handles no {kind} at all; rebuild a {kind} too, with to_device on each value",
                "{where} 处的 {kind} 原样返回（同一个对象），里面的张量仍在 CPU 上：to_device 完全没有处理 {kind}；"
                "也要重建 {kind}，对每个值调用 to_device", kind=kind, where=where))
        if same.get(where) and tensor_paths(got, where, True):
            raise Mistake(tr(
                "the {kind} at {where} came back as it went in (the same object), so its tensors are still on "
                "the CPU: to_device does not recurse into nested containers; call to_device on each value",
                "{where} 处的 {kind} 原样返回（同一个对象），里面的张量仍在 CPU 上：to_device 没有递归进入"
                "嵌套的容器；请对每个值再调用 to_device", kind=kind, where=where))
        if isinstance(original, dict):
            expect_true(list(got) == list(original), tr("{where} has keys {got}, expected {want}",
                                                        "{where} 的键是 {got}，应为 {want}",
                                                        where=where, got=list(got), want=list(original)))
            pairs = [(f"{where}[{key!r}]", got[key], original[key]) for key in original]
        else:
            expect_true(len(got) == len(original), tr("{where} has {got} items, expected {want}",
                                                      "{where} 有 {got} 项，应为 {want} 项",
                                                      where=where, got=len(got), want=len(original)))
            pairs = [(f"{where}[{i}]", g, o) for i, (g, o) in enumerate(zip(got, original))]
        for path, g, o in pairs:
            expect_moved(g, o, same, path, top, handled, target)
        return
    expect_true(got == original, tr("{where} should be left as it is ({want!r}), but is {got!r}",
                                    "{where} 应保持原样（{want!r}），实际是 {got!r}",
                                    where=where, want=original, got=got))


def spelled(device: Any) -> str:
    """A device as the check spelled it: 'cuda:0', torch.device('cuda')."""
    return f"torch.device({str(device)!r})" if isinstance(device, torch.device) else repr(device)


def expect_any_spelling(error: LearnerError, device: Any, what: str) -> None:
    """A function that raised on a device spelled as a torch.device (or 'cuda:0') it treated as a
    plain word ('cuda' in device, device.startswith(...), device == 'cuda')."""
    __tracebackhide__ = True
    if isinstance(device, torch.device) and "'torch.device'" in error.message:  # what Python says of such a use
        raise Mistake(tr("{what}(..., {device}) raised {error}: a device may be a torch.device as well as a string "
                         "(the contract says str | torch.device); compare torch.device(device).type, or hand the "
                         "device to .to(...) as it is",
                         "{what}(..., {device}) 出错：{error}；设备既可能是字符串，也可能是 torch.device（约定写的是 "
                         "str | torch.device）；请比较 torch.device(device).type，或把设备原样交给 .to(...)",
                         what=what, device=spelled(device), error=error.message),
                      mistake="devices.device_as_a_string_only") from None


def expect_time_it_on_stand_in(got: dict, device: Any, repeats: int) -> None:
    """Grade ``time_it`` from the stand-in clock: each call of fn takes exactly ``STEP`` s.
    ``device`` may be any spelling ("cuda", "cuda:0", torch.device("cuda")): graded by its type."""
    __tracebackhide__ = True
    events, seconds = got["events"], got["seconds"]
    device = torch.device(device).type
    if device == "cpu" and "sync" in events:
        raise Mistake(tr(
            "time_it(fn, 'cpu') called torch.cuda.synchronize(): on a machine without a GPU that raises "
            "(no NVIDIA driver); synchronise only when the device is cuda",
            "time_it(fn, 'cpu') 调用了 torch.cuda.synchronize()：在没有 GPU 的机器上它会报错；"
            "只在设备是 cuda 时才同步"))
    clocks = [i for i, e in enumerate(events) if e == "clock"]
    expect_true(clocks, tr("time_it never read the clock: use time.perf_counter() before and after the calls",
                           "time_it 从未读取时钟：请在调用前后使用 time.perf_counter()"))
    if device == "cuda":
        last_fn = max((i for i, e in enumerate(events) if e == "fn" and i < clocks[-1]), default=None)
        if last_fn is not None and "sync" not in events[last_fn:clocks[-1]]:
            raise Mistake(tr(
                "time_it on cuda stops the clock without torch.cuda.synchronize() after the last call: GPU calls "
                "return before the work is done, so the time would be too short",
                "time_it 在 cuda 上停止计时前，最后一次调用之后没有 torch.cuda.synchronize()：GPU 调用在计算完成前"
                "就返回了，测得的时间会偏短"))
        if "sync" not in events[:clocks[0]]:
            raise Mistake(tr(
                "time_it on cuda starts the clock without torch.cuda.synchronize(): work queued earlier would be "
                "counted too", "time_it 在 cuda 上开始计时前没有调用 torch.cuda.synchronize()：之前排队的计算也会被算进去"))
    calls = events.count("fn")
    expect_true(repeats <= calls <= repeats + 3, tr(
        "time_it(fn, {device!r}, repeats={repeats}) called fn {got} times, expected {repeats}",
        "time_it(fn, {device!r}, repeats={repeats}) 调用了 fn {got} 次，应为 {repeats} 次",
        device=device, repeats=repeats, got=calls))
    expect_true(isinstance(seconds, float), tr(
        "time_it should return seconds as a Python float, but returned {got}",
        "time_it 应返回以秒为单位的 Python float，实际返回了 {got}", got=describe(seconds)))
    if math.isclose(seconds, world.STEP * repeats, rel_tol=1e-7):
        raise Mistake(tr(
            "time_it returned {got:.6g} s, the total of {repeats} calls that take {step} s each: return the mean "
            "per call (divide by repeats), not the total",
            "time_it 返回了 {got:.6g} 秒，是 {repeats} 次调用（每次 {step} 秒）的总和：请返回每次调用的平均值"
            "（除以 repeats），而不是总和", got=seconds, repeats=repeats, step=world.STEP))
    for scale, unit, fix in ((1e9, "nanoseconds", "divide by 1e9"), (1e3, "milliseconds", "divide by 1000")):
        if math.isclose(seconds, world.STEP * scale, rel_tol=1e-6):
            raise Mistake(tr(
                "time_it returned {got:.6g} for calls that take {step} s each: that is the time in {unit}; return "
                "seconds ({fix})", "time_it 对每次耗时 {step} 秒的调用返回了 {got:.6g}：这是以{unit}为单位的时间；"
                "请返回秒（{fix}）", got=seconds, step=world.STEP, unit=unit, fix=fix))
    if seconds == 0 or abs(seconds) < world.STEP / repeats:
        raise Mistake(tr(
            "time_it returned {got:.6g} s for calls that take {step} s each: the clock did not run while the "
            "calls ran; start it before the calls and stop it after them",
            "time_it 对每次耗时 {step} 秒的调用返回了 {got:.6g} 秒：调用运行时时钟并没有在计时；请在调用前开始计时、"
            "调用后停止计时", got=seconds, step=world.STEP))
    expect_close(seconds, world.STEP, what=tr(
        "time_it's mean seconds per call, on a stand-in clock where each call of fn takes exactly {step} s",
        "time_it 返回的每次平均秒数（替身时钟上每次调用 fn 恰好耗时 {step} 秒）", step=world.STEP))


def expect_known_predict_error(error: LearnerError, called_cuda: bool) -> None:
    """Names the usual cause of an error ``predict`` raised, when its message shows it."""
    __tracebackhide__ = True
    if called_cuda:
        raise Mistake(tr(
            "{message}: predict called CUDA directly (a hard-coded .cuda()?); move the model and x with "
            "`.to(device)` to the device it is given",
            "{message}：predict 直接调用了 CUDA（写死了 .cuda()？）；请用 `.to(device)` 把模型和 x 移到传入的设备上",
            message=error.message), where=error.where) from None
    if "context manager protocol" in error.message and ("no_grad" in error.where or "inference_mode" in error.where):
        raise Mistake(tr(
            "{message}: `with torch.no_grad:` names the class without making one; call it: "
            "`with torch.no_grad():`", "{message}：`with torch.no_grad:` 只写了类名，没有创建对象；请调用它："
            "`with torch.no_grad():`", message=error.message), where=error.where) from None


def expect_any_gpu_spelling(kata: Any, repeats: int) -> None:
    """time_it on the stand-in GPU spelled "cuda:0", torch.device("cuda"), torch.device("cuda", 0) (and the
    CPU as torch.device("cpu")) is graded as for "cuda"; skipping the synchronisation for a spelling
    it does for "cuda" is named."""
    __tracebackhide__ = True
    plain = kata.run(world.time_on_stand_in, "cuda", repeats)  # the plain spelling first: the evidence
    for spelling in ("cuda:0", torch.device("cuda"), torch.device("cuda", 0)):
        try:
            got = kata.run(world.time_on_stand_in, spelling, repeats)
        except LearnerError as error:
            expect_any_spelling(error, spelling, "time_it")
            raise
        if "sync" in plain["events"] and "sync" not in got["events"]:
            raise Mistake(tr(
                "time_it(fn, {device}) never called torch.cuda.synchronize(), though it does for 'cuda': "
                "the device is CUDA however it is spelled ('cuda', 'cuda:0', torch.device('cuda')); test "
                "torch.device(device).type == 'cuda'",
                "time_it(fn, {device}) 从未调用 torch.cuda.synchronize()，而对 'cuda' 会调用：无论写成 "
                "'cuda'、'cuda:0' 还是 torch.device('cuda')，设备都是 CUDA；请判断 "
                "torch.device(device).type == 'cuda'", device=spelled(spelling)),
                mistake="devices.cuda_spelling_missed")
        expect_time_it_on_stand_in(got, spelling, repeats)
    expect_time_it_on_stand_in(kata.run(world.time_on_stand_in, torch.device("cpu"), repeats), "cpu", repeats)
