"""Checks for the devices kata.

Without a GPU, device mistakes are caught on the ``meta`` device: code that
forgets a ``.to(device)`` or makes a tensor on the CPU raises "is not on the
expected device meta".  CUDA and the clock are stood in for where only the calls
matter (``torch.cuda.is_available``, ``torch.cuda.synchronize``,
``time.perf_counter``): ``time_it`` is graded on a clock that only moves with the
grader's ``fn``, so no verdict depends on wall-clock time.  The checks that need
a real GPU take the ``device`` fixture and are skipped, with the reason, on
machines without one.  The learner-world helpers live in ``devices/world.py``.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from pytest_torchkata.checks.errors import CheckFailed, LearnerError, Mistake
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.devices import grader
from pytest_torchkata.katas.devices import world
from pytest_torchkata.katas.devices.hints import HINTS
from pytest_torchkata.katas.common.seeded import draw_seed
from pytest_torchkata.model import Kata

KATA = Kata("devices", Text("Devices", "GPU 加速"),
            Text("choosing a device, moving models, tensors and containers, making tensors on the right "
                 "device, leaf parameters on a device, CPU/GPU agreement, and timing GPU work",
                 "选择设备，移动模型、张量和容器，在正确的设备上创建张量，在设备上创建叶子节点参数，"
                 "CPU 与 GPU 结果一致，以及给 GPU 计算计时"))

_CUDA_REFUSED = ("not compiled with cuda", "nvidia driver")


def _called_cuda(error: LearnerError) -> bool:
    return any(part in error.message.lower() for part in _CUDA_REFUSED)


@KATA.task("pick_device", Text("Pick the device", "选择设备"), points=2, hints=HINTS["pick_device"])
class TestPickDevice:
    def test_says_cuda_only_when_a_gpu_is_available(self, kata):
        got = kata.run(world.pick_device_answers)
        with_gpu, without_gpu = got["with_gpu"], got["without_gpu"]
        for answer in (with_gpu, without_gpu):
            expect_true(isinstance(answer, str), tr(
                'pick_device() should return a device name such as "cpu", but returned {got}',
                'pick_device() 应返回 "cpu" 这样的设备名，实际返回了 {got}', got=describe(answer)))
        kinds = {}
        for key, answer in (("with", with_gpu), ("without", without_gpu)):
            try:
                kinds[key] = torch.device(answer).type
            except RuntimeError:
                raise CheckFailed(tr('pick_device() returned {got!r}, which is not a device name',
                                     'pick_device() 返回了 {got!r}，这不是设备名', got=answer)) from None
        if kinds["without"] == "cuda":
            if "is_available as a truth value" in got["events_without_gpu"]:
                raise Mistake(tr(
                    "pick_device() tests `torch.cuda.is_available` without calling it: a function is always "
                    "true, so it says cuda on a machine without a GPU; call it: `torch.cuda.is_available()`",
                    "pick_device() 只判断了 `torch.cuda.is_available` 而没有调用它：函数对象永远为真，"
                    "所以在没有 GPU 的机器上也返回 cuda；请调用 `torch.cuda.is_available()`"))
            raise Mistake(tr(
                'pick_device() returned "cuda" on a machine without a GPU: a hard-coded device (or .cuda()) '
                'fails there; ask torch.cuda.is_available()',
                'pick_device() 在没有 GPU 的机器上返回了 "cuda"：写死的设备（或 .cuda()）在那里会出错；'
                '请用 torch.cuda.is_available() 判断'))
        expect_true(kinds["without"] in ("cpu", "mps"), tr(
            'without a GPU pick_device() should return "cpu", but returned {got!r}',
            '没有 GPU 时 pick_device() 应返回 "cpu"，实际返回了 {got!r}', got=without_gpu))
        if kinds["with"] != "cuda":
            raise Mistake(tr(
                'with a GPU available pick_device() returned {got!r}, not "cuda": the GPU is never used; '
                'ask torch.cuda.is_available()',
                '有 GPU 时 pick_device() 返回了 {got!r} 而不是 "cuda"：GPU 永远用不上；'
                '请用 torch.cuda.is_available() 判断', got=with_gpu))

    def test_matches_this_machine(self, kata):
        got = kata.run(world.pick_device_answers)["real"]
        want = "cuda" if torch.cuda.is_available() else "cpu"
        ok = isinstance(got, str) and (got.split(":")[0] == want or (want == "cpu" and got == "mps"))
        expect_true(ok, tr("on this machine pick_device() returned {got!r}, expected {want!r}",
                           "在这台机器上 pick_device() 返回了 {got!r}，应为 {want!r}", got=got, want=want))


def _run_to_device(kata, helper, *args):
    try:
        return kata.run(helper, *args)
    except LearnerError as error:
        if _called_cuda(error):
            raise Mistake(tr(
                "{message}: to_device called CUDA directly (a hard-coded .cuda()?); move with `.to(device)` to "
                "the device it is given (pick it with torch.cuda.is_available())",
                "{message}：to_device 直接调用了 CUDA（写死了 .cuda()？）；请用 `.to(device)` 移到传入的设备上"
                "（用 torch.cuda.is_available() 来选设备）", message=error.message), where=error.where) from None
        raise


@KATA.task("to_device", Text("Move tensors, models and containers", "移动张量、模型和容器"), points=3, hints=HINTS["to_device"])
class TestToDevice:
    def test_moves_a_tensor(self, kata):
        x = torch.randn(2, 3)
        where = "to_device(x, 'meta')"
        got = _run_to_device(kata, world.moved_container, x, where)
        grader.expect_moved(got["got"], x, got["same"], where, where)

    def test_moves_every_tensor_in_nested_containers(self, kata):
        batch = {"x": torch.randn(2, 3), "pair": (torch.randn(4), 7),
                 "items": [torch.randint(0, 5, (3,)), "label", None, {"mask": torch.ones(2, dtype=torch.bool)}]}
        where = "to_device(batch, 'meta')"
        got = _run_to_device(kata, world.moved_container, batch, where)
        handled = set()  # of the kinds that came back unchanged inside the batch, those rebuilt when alone
        for kind in sorted(grader.unchanged_kinds(batch, got["same"], where)):
            alone = {"dict": {"t": torch.zeros(1)}, "list": [torch.zeros(1)], "tuple": (torch.zeros(1),)}[kind]
            if not _run_to_device(kata, world.moved_container, alone, "alone")["same"].get("alone"):
                handled.add(kind)
        grader.expect_moved(got["got"], batch, got["same"], where, where, handled)
        grader.expect_none_listed(grader.tensor_paths(got["input_after"], "batch", False), Text(
            "to_device changed the caller's containers in place: {names} now on meta in the batch that was "
            "passed in; build new containers and leave the input as it was",
            "to_device 原地修改了调用者的容器：传入的 batch 中 {names} 现在在 meta 上；"
            "请构建新的容器，保持输入不变"))

    def test_every_spelling_of_the_device(self, kata, device):
        spellings = {"cpu": [torch.device("meta")],
                     "cuda": ["cuda:0", torch.device("cuda"), torch.device("cuda", 0)]}[device]
        for spelling in spellings:
            where = f"to_device(batch, {grader.spelled(spelling)})"
            batch = {"x": torch.randn(2, 3), "pair": (torch.randn(4), 7)}
            try:
                got = kata.run(world.moved_container, batch, where, spelling)
            except LearnerError as error:
                grader.expect_any_spelling(error, spelling, "to_device")
                raise
            grader.expect_moved(got["got"], batch, got["same"], where, where, target=torch.device(spelling).type)

    def test_moves_a_model_with_its_buffers(self, kata):
        got = _run_to_device(kata, world.moved_model, int(torch.randint(2, 9, ())))
        expect_true(got["module"], tr(
            "to_device(model, 'meta') should return the model, but returned a {got}: a model moves with "
            "`model.to(device)`", "to_device(model, 'meta') 应返回模型，实际返回了 {got}：模型用 "
            "`model.to(device)` 移动", got=got.get("type")))
        behind = sorted(name for name, place in got["places"].items() if place != "meta")
        if behind and len(behind) == len(got["places"]):
            raise Mistake(tr(
                "to_device(model, 'meta') returned the model still on the CPU: an nn.Module is moved like a tensor, "
                "with `model.to(device)` (it is not a container to return unchanged)",
                "to_device(model, 'meta') 返回的模型仍在 CPU 上：nn.Module 要像张量一样用 `model.to(device)` 移动"
                "（它不是要原样返回的东西）"))
        grader.expect_none_listed(behind, Text(
            "after to_device(model, 'meta') {names} stayed on the CPU: moving parameters one by one misses the "
            "buffers (BatchNorm's running statistics); `model.to(device)` moves both",
            "to_device(model, 'meta') 之后 {names} 仍在 CPU 上：逐个移动参数会漏掉缓冲区（BatchNorm 的统计量）；"
            "`model.to(device)` 会把两者都移过去"))


@KATA.task("add_ones", Text("New tensors on the input's device", "在输入所在的设备上创建新张量"), points=2, hints=HINTS["add_ones"])
class TestAddOnesColumn:
    def test_appends_a_column_of_ones(self, kata):
        x = torch.randn(4, 3)
        got = expect_shape(kata.call("add_ones_column", x), (4, 4), what=tr("add_ones_column(x) for x of shape (4, 3)", "形状为 (4, 3) 的 x 的 add_ones_column(x)"))
        if got.dtype == x.dtype and bool((got[:, 0] == 1).all()) and torch.equal(got[:, 1:], x):
            raise Mistake(tr("add_ones_column put the ones in the first column: append them last, "
                             "`torch.cat([x, ones], dim=1)`",
                             "add_ones_column 把全 1 列放在了第一列：应追加在最后，`torch.cat([x, ones], dim=1)`"))
        expect_close(got, torch.cat([x, torch.ones(4, 1)], dim=1), what=tr("add_ones_column(x) for x of shape (4, 3)", "形状为 (4, 3) 的 x 的 add_ones_column(x)"))

    def test_keeps_the_inputs_dtype(self, kata):
        x = torch.randn(4, 3, dtype=torch.float64).half()
        got = expect_shape(kata.call("add_ones_column", x), (4, 4), what="add_ones_column(x.half())")
        if got.dtype != torch.float16:
            raise Mistake(tr(
                "add_ones_column(x.half()) has dtype {got}, expected float16: the ones were made in the default "
                "dtype and torch.cat promoted the result; pass dtype=x.dtype",
                "add_ones_column(x.half()) 的数据类型是 {got}，应为 float16：全 1 列用了默认数据类型，"
                "torch.cat 把结果提升了；请传 dtype=x.dtype", got=dtype_name(got.dtype)))

    def test_makes_the_ones_on_the_inputs_device(self, kata):
        rows = int(torch.randint(3, 9, ()))
        x = torch.empty(rows, 2, device="meta")
        try:
            got = kata.call("add_ones_column", x)
        except LearnerError as error:
            if "expected device" not in error.message and "same device" not in error.message:
                raise
            raise Mistake(tr(
                "{message}: add_ones_column made the ones on the CPU while x is on meta; pass device=x.device",
                "{message}：x 在 meta 上，而 add_ones_column 在 CPU 上创建了全 1 列；请传 device=x.device",
                message=error.message), where=error.where) from None
        got = expect_shape(got, (rows, 3), what=tr("add_ones_column(x) on the meta device", "meta 设备上的 add_ones_column(x)"))
        expect_true(got.device.type == "meta", tr(
            "add_ones_column(x) for x on meta returned a tensor on {got}, expected meta",
            "x 在 meta 上时 add_ones_column(x) 返回的张量在 {got} 上，应在 meta 上", got=got.device.type))


@KATA.task("new_weight", Text("A trainable leaf made on its device", "直接在设备上创建可训练的叶子节点"), points=3,
           hints=HINTS["new_weight"])
class TestNewWeight:
    def _checked(self, kata, shape, device, dtype) -> dict:
        got = kata.run(world.new_weight_facts, shape, device, dtype)
        what = f"new_weight({shape}, device={grader.spelled(device)}, dtype={dtype_name(dtype)})"
        device = torch.device(device).type  # whatever the spelling, the tensor's device type
        expect_shape(got["value"], shape, what=what)
        if not got["requires_grad"]:
            raise Mistake(tr("{what} does not require grad, so it cannot be trained: pass requires_grad=True",
                             "{what} 不需要梯度，因而无法训练：请传 requires_grad=True", what=what))
        if not got["is_leaf"]:
            raise Mistake(tr(
                "{what} is not a leaf tensor: it came out of an operation (a `.to()`, a `* scale` or any other "
                "operation after requires_grad=True makes a new tensor), so backward() never fills its .grad; "
                "create it directly with device= and dtype=",
                "{what} 不是叶子节点：它是一次运算的结果（在 requires_grad=True 之后，`.to()`、`* scale` "
                "或任何其他运算都会生成新张量），"
                "所以 backward() 不会填充它的 .grad；请直接用 device= 和 dtype= 创建", what=what))
        expect_true(got["device"] == device, tr(
            "{what} is on {got}, expected {want}: create it with device=device",
            "{what} 在 {got} 上，应在 {want} 上：请用 device=device 创建", what=what, got=got["device"], want=device))
        expect_true(got["dtype"] == dtype, tr(
            "{what} has dtype {got}, expected {want}: create it with dtype=dtype",
            "{what} 的数据类型是 {got}，应为 {want}：请用 dtype=dtype 创建", what=what,
            got=dtype_name(got["dtype"]), want=dtype_name(dtype)))
        return got

    def test_is_a_leaf_that_gets_a_gradient(self, kata):
        got = self._checked(kata, (3, int(torch.randint(2, 40, ()))), "cpu", torch.float64)
        expect_true(got["grad_filled"], tr("after backward() new_weight's .grad is still None",
                                           "backward() 之后 new_weight 的 .grad 仍是 None"))

    def test_is_made_on_the_requested_device(self, kata):
        for device in ("meta", torch.device("meta")):  # a device may be a str or a torch.device
            self._checked(kata, (int(torch.randint(2, 40, ())), 5), device, torch.float32)

    def test_values_are_standard_normal(self, kata):
        value = self._checked(kata, (int(torch.randint(4000, 4100, ())),), "cpu", torch.float32)["value"]
        mean, std = value.mean().item(), value.std().item()
        if value.min().item() >= 0 and value.max().item() <= 1:
            raise Mistake(tr("new_weight's values all lie in [0, 1]: that is torch.rand (uniform); "
                             "torch.randn gives the standard normal",
                             "new_weight 的值都在 [0, 1] 之间：那是 torch.rand（均匀分布）；标准正态分布用 torch.randn"))
        expect_true(abs(mean) < 0.1 and 0.9 < std < 1.1, tr(
            "new_weight's values have mean {mean:.3g} and std {std:.3g} over 4000 values, expected about 0 and 1 "
            "(within 0.1): use torch.randn",
            "new_weight 的 4000 个值均值为 {mean:.3g}、标准差为 {std:.3g}，应约为 0 和 1（误差 0.1 以内）："
            "请用 torch.randn", mean=mean, std=std))


def _predict_inputs() -> tuple[nn.Module, torch.Tensor]:
    """The model and input a check hands to predict, built in the grader's process."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(draw_seed())
        model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
        x = torch.randn(5, 6)
    return model, x


@KATA.task("predict", Text("Run a model on a device", "在设备上运行模型"), points=3, hints=HINTS["predict"])
class TestPredict:
    def _run(self, kata, device) -> tuple[torch.Tensor, torch.Tensor]:
        model, x = _predict_inputs()
        try:
            got = kata.run(world.predict_facts, dict(model.state_dict()), x, device)
        except LearnerError as error:
            grader.expect_known_predict_error(error, _called_cuda(error))
            grader.expect_any_spelling(error, device, "predict")
            raise
        device = torch.device(device).type  # a str or a torch.device: judged by its type
        last = got["seen"][-1] if got["seen"] else None
        if "copy out of meta" in got["error"]:
            raise Mistake(tr(
                "{error}: predict moved its result off {device} (.cpu(), .numpy() or .item()?): the result stays on "
                "the device (no .cpu())", "{error}：predict 把结果从 {device} 上移走了（.cpu()、.numpy() 或 .item()？）："
                "结果留在该设备上（不要 .cpu()）", error=got["error"], device=device))
        if got["error"]:
            if last and last["weights"] == device and last["input"] != device:
                raise Mistake(tr(
                    "{error}: the model and its input must be on the same device, but the model is on {device} "
                    "and its input stayed on {got}; `x.to(device)` returns a new "
                    "tensor and leaves x where it was: use what it returns (`model(x.to(device))` or "
                    "`x = x.to(device)`)",
                    "{error}：模型和输入必须在同一个设备上，但模型在 {device} 上，输入却留在 {got} 上；`x.to(device)` 返回新张量，x 本身不动："
                    "请使用它的返回值（`model(x.to(device))` 或 `x = x.to(device)`）",
                    error=got["error"], device=device, got=last["input"]))
            if last and last["weights"] != device:
                raise Mistake(tr(
                    "{error}: the model's weights are still on {got}: move the model too, `model.to(device)`",
                    "{error}：模型的权重仍在 {got} 上：模型也要移动，`model.to(device)`",
                    error=got["error"], got=last["weights"]))
            raise CheckFailed(tr(
                "{error}: the model and its input must be on the same device; move both (`model.to(device)` and "
                "`x.to(device)`)", "{error}：模型和输入必须在同一个设备上；两者都要移动（`model.to(device)` 和 "
                "`x.to(device)`）", error=got["error"]))
        if last is None:
            if got["forwards"]:
                raise Mistake(tr(
                    "predict called model.forward(x) directly, which skips the module's hooks: call the model, "
                    "`model(x)`", "predict 直接调用了 model.forward(x)，这样会跳过模块的钩子：请直接调用模型 `model(x)`"))
            raise CheckFailed(tr("predict(model, x, {device!r}) never called the model: return model(x)",
                                 "predict(model, x, {device!r}) 从未调用模型：请返回 model(x)", device=device))
        if last["training"]:  # named by the mode switches seen before that forward
            before = last.get("switches", [])
            if "eval" in before and before[-1] == "train":
                raise Mistake(tr("predict called model.eval(), but model.train() after it, so the model ran in "
                                 "training mode with its dropout on: leave model.train() out of predict",
                                 "predict 调用了 model.eval()，但之后又调用了 model.train()，所以模型在训练模式下"
                                 "运行，dropout 是开着的：predict 里不要调用 model.train()"),
                              mistake="devices.train_after_eval")
            if "eval" not in before:
                raise Mistake(tr("predict ran the model in training mode, so its dropout was still on: "
                                 "call model.eval() first",
                                 "predict 在训练模式下运行模型，dropout 仍然开着：请先调用 model.eval()"),
                              mistake="devices.predict_in_training_mode")
            raise CheckFailed(tr("predict ran the model in training mode although model.eval() was called: was "
                                 "`model.training` set back?", "虽然调用了 model.eval()，predict 仍在训练模式下运行"
                                 "模型：是不是又把 `model.training` 改回去了？"))
        if got["graph"]:
            raise Mistake(tr("predict built an autograd graph (its result has a grad_fn): wrap the forward in "
                             "`with torch.no_grad():`",
                             "predict 构建了计算图（结果带有 grad_fn）：请把前向计算放进 `with torch.no_grad():`"))
        if last["grad"]:
            raise Mistake(tr("predict ran the model with gradient tracking on: wrap the forward in "
                             "`with torch.no_grad():`",
                             "predict 在开启梯度跟踪的情况下运行模型：请把前向计算放进 `with torch.no_grad():`"))
        out = expect_shape(got["out"], (5, 3), what=f"predict(model, x, {device!r})")
        expect_true(out.device.type == device, tr(
            "predict(model, x, {device!r}) returned a tensor on {got}, expected {device}: the result stays on the "
            "device (no .cpu())", "predict(model, x, {device!r}) 返回的张量在 {got} 上，应在 {device} 上："
            "结果留在该设备上（不要 .cpu()）", device=device, got=out.device.type))
        model.eval()
        with torch.no_grad():
            want = model(x)
        return out, want

    def test_moves_both_model_and_input(self, kata):
        self._run(kata, "meta")
        self._run(kata, torch.device("meta"))

    def test_agrees_with_the_cpu_reference(self, kata, device):
        out, want = self._run(kata, device)
        # on the CPU torch.testing.assert_close's float32 defaults; GPUs may use other kernels (TF32):
        # agreement within rtol 1e-3, atol 1e-4 there, not bit for bit
        tol = {} if device == "cpu" else {"rtol": 1e-3, "atol": 1e-4}
        expect_close(out.cpu(), want, what=tr("predict(model, x, {device!r}) against the CPU result",
                                             "predict(model, x, {device!r}) 与 CPU 结果相比", device=device), **tol)


@KATA.task("time_it", Text("Time GPU work", "给 GPU 计算计时"), points=2, hints=HINTS["time_it"])
class TestTimeIt:
    def test_returns_the_mean_seconds_per_call_on_cpu(self, kata):
        repeats = int(torch.randint(5, 40, ()))
        grader.expect_time_it_on_stand_in(kata.run(world.time_on_stand_in, "cpu", repeats), "cpu", repeats)

    def test_waits_for_the_gpu_before_stopping_the_clock(self, kata):
        repeats = int(torch.randint(3, 20, ()))
        grader.expect_time_it_on_stand_in(kata.run(world.time_on_stand_in, "cuda", repeats), "cuda", repeats)

    def test_any_spelling_of_a_gpu_device(self, kata):
        grader.expect_any_gpu_spelling(kata, int(torch.randint(3, 20, ())))

    def test_times_real_work(self, kata, device):
        # real kernels, the real clock and synchronize: graded on the order of the calls logged,
        # never on how long they took
        try:
            got = kata.run(world.time_real_work, device, int(torch.randint(4, 7, ())))
        except LearnerError as error:
            if device == "cpu" and _called_cuda(error):
                raise Mistake(tr("{message}: time_it called CUDA for a CPU device; synchronise only when the device "
                                 "is cuda", "{message}：time_it 在 CPU 设备上调用了 CUDA；只在设备是 cuda 时才同步",
                                 message=error.message), where=error.where) from None
            raise
        events, seconds = got["events"], got["seconds"]
        expect_true(isinstance(seconds, float) and 0 < seconds <= got["elapsed"], tr(
            "time_it on real work on {device} returned {got}, expected a positive number of seconds no larger "
            "than the {elapsed:.3g} s the whole call took",
            "time_it 在 {device} 上对真实计算返回了 {got}，应为正的秒数，且不超过整个调用耗时 {elapsed:.3g} 秒",
            device=device, got=describe(seconds), elapsed=got["elapsed"]))
        if device == "cuda":
            clocks = [i for i, e in enumerate(events) if e == "clock"]
            fns = [i for i, e in enumerate(events) if e == "fn" and clocks and i < clocks[-1]]
            expect_true(clocks and fns and "sync" in events[fns[-1]:clocks[-1]], tr(
                "on a real GPU time_it read the clock after the last call without torch.cuda.synchronize() "
                "in between (calls in order: {events})",
                "在真实 GPU 上，time_it 在最后一次调用之后没有 torch.cuda.synchronize() 就读了时钟（调用顺序：{events}）",
                events=", ".join(events)))
