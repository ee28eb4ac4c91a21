"""Checks for the modules kata: parameters, sub-modules, buffers, modes, checkpoints, ``.to()``.

The grader chooses every starting weight and input here; the helpers in
``modules/world.py`` build the learner's modules next to the learner code and hand back
observations (names, flags, tensors, raw error texts).  Every expectation is computed
here, on the grader's own copies, and a message names a mistake only when it was seen.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pytest_torchkata.checks.errors import CheckFailed, LearnerError, Mistake
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.modules import grader, world
from pytest_torchkata.katas.modules.hints import HINTS
from pytest_torchkata.model import Kata

KATA = Kata("modules", Text("Modules (nn.Module)", "模块（nn.Module）"), Text(
    "subclassing nn.Module: parameters, sub-modules, buffers, train/eval, state_dict, .to()",
    "继承 nn.Module：参数、子模块、缓冲区、train/eval、state_dict、.to()"))


# -- task 1: nn.Parameter --------------------------------------------------------

@KATA.task("parameter", Text("A learnable parameter", "可学习的参数"), points=2, hints=HINTS["parameter"])
class TestScale:
    def test_weight_is_a_registered_parameter(self, kata):
        info = kata.run(world.scale_and_one_step, torch.randn(4, 5))
        grader.expect_registered_weight(info)
        expect_true("weight" in info["state"], tr("Scale.weight is missing from state_dict()", "state_dict() 里缺少 Scale.weight"))

    def test_weight_starts_at_ones(self, kata):
        info = kata.run(world.scale_and_one_step, torch.randn(4, 5))
        grader.expect_registered_weight(info)
        expect_close(info["weight"], torch.ones(5), what="Scale(5).weight")

    def test_an_optimizer_step_trains_the_weight(self, kata):
        x = torch.randn(4, 5)
        info = kata.run(world.scale_and_one_step, x)
        grader.expect_registered_weight(info)
        # d(sum(x * w))/dw = x.sum(0); one SGD step with lr 0.1
        expect_close(info["after_step"], 1 - 0.1 * x.sum(0), what=tr("Scale.weight after one SGD step", "一步 SGD 后的 Scale.weight"))


# -- task 2: nn.ModuleList -------------------------------------------------------

@KATA.task("mlp", Text("An MLP of any depth", "任意深度的 MLP"), points=3, hints=HINTS["mlp"])
class TestMLP:
    SIZES = ([4, 3], [4, 16, 3], [4, 16, 8, 8, 3])

    def test_output_shape_for_any_depth(self, kata):
        for sizes, n in zip(self.SIZES, (5, 1, int(torch.randint(2, 7, ())))):  # a batch of one among them
            info = kata.run(world.run_mlp, sizes, torch.randn(n, 4))
            expect_shape(info["out"], (n, 3), what=tr("MLP({sizes})(x) for x of shape ({n}, 4)",
                                                      "形状为 ({n}, 4) 的 x 经过 MLP({sizes})(x)", sizes=sizes, n=n))

    def test_every_layer_is_registered(self, kata):
        for sizes in self.SIZES:
            info = kata.run(world.run_mlp, sizes, torch.randn(5, 4))
            want = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
            numel = grader.numel(info["shapes"])
            if numel == want:
                continue
            if info["plain_lists"]:
                raise Mistake(tr("MLP({sizes}) has {got} parameters, expected {want}; the layers in `{name}` sit "
                                 "in a plain Python list, so the module cannot see them (an optimizer would get "
                                 "an empty parameter list): use nn.ModuleList",
                                 "MLP({sizes}) 有 {got} 个参数，应为 {want}；`{name}` 里的层放在普通 Python 列表中，"
                                 "模块看不到它们（优化器会拿到空的参数列表）：请用 nn.ModuleList",
                                 sizes=sizes, got=numel, want=want, name=info["plain_lists"][0]))
            raise CheckFailed(tr("MLP({sizes}) has {got} parameters, expected {want}",
                                 "MLP({sizes}) 有 {got} 个参数，应为 {want}", sizes=sizes, got=numel, want=want))

    def test_forward_is_linear_relu_with_no_relu_at_the_end(self, kata):
        sizes = [4, 16, 8, 3]
        x = torch.randn(6, 4)
        info = kata.run(world.run_mlp, sizes, x)
        want = [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        expect_true(info["linears"] == want,
                    tr("MLP({sizes}) should hold nn.Linear layers {want} in that order, found {got}",
                       "MLP({sizes}) 应按顺序包含 nn.Linear 层 {want}，实际是 {got}",
                       sizes=sizes, want=want, got=info["linears"]))
        out = expect_shape(info["out"], (6, 3), what=f"MLP({sizes})(x)")
        grader.expect_no_mlp_mistake(out, info["layers"], x, sizes)
        expect_close(out, grader.mlp_reference(info["layers"], x), what=f"MLP({sizes})(x)")


# -- task 3: counting parameters --------------------------------------------------

@KATA.task("count", Text("Counting trainable parameters", "统计可训练参数"), points=2, hints=HINTS["count"])
class TestCountTrainable:
    def test_counts_every_number_of_a_model(self, kata):
        sizes = grader.count_sizes()
        grader.expect_count(kata.run(world.count_on_small_net, False, sizes), False, sizes,
                            "count_trainable(Linear({0}, {1}), BatchNorm1d({1}), Linear({1}, {2}))".format(*sizes))

    def test_skips_frozen_parameters_and_buffers(self, kata):
        sizes = grader.count_sizes()
        grader.expect_count(kata.run(world.count_on_small_net, True, sizes), True, sizes,
                            tr("count_trainable of Linear -> BatchNorm1d -> Linear {sizes} with its first Linear "
                               "frozen", "第一个 Linear 被冻结后 Linear -> BatchNorm1d -> Linear {sizes} 的 "
                               "count_trainable", sizes=sizes))


# -- task 4: freezing -------------------------------------------------------------

@KATA.task("freeze", Text("Freezing all but the last layer", "冻结除最后一层外的所有层"), points=2, hints=HINTS["freeze"])
class TestFreeze:
    def _run(self, kata):
        net = world.deep_net()
        x = torch.randn(5, 4)
        return net, x, kata.run(world.freeze_then_step, grader.state(net), x)

    def test_only_the_last_layer_requires_grad(self, kata):
        grader.expect_only_the_last_layer_trainable(self._run(kata)[2])

    def test_a_training_step_changes_only_the_last_layer(self, kata):
        net, _, info = self._run(kata)
        after = info["after"]
        expect_true(after, tr("no parameter is left to train after freeze_all_but_last",
                              "freeze_all_but_last 之后没有可训练的参数了"))
        before = dict(net.named_parameters())
        moved = {n: not torch.equal(p, before[n].detach()) for n, p in after.items()}
        wrong = [n for n, m in moved.items() if m != n.startswith("4.")]
        if wrong:
            raise CheckFailed(tr("after one SGD step, {names} {verb}; only the last layer, model[-1], should learn",
                                 "一步 SGD 之后，{names} {verb}；只有最后一层 model[-1] 应该学习",
                                 names=", ".join(wrong), verb=tr("changed", "变了") if moved[wrong[0]]
                                 else tr("did not change", "没有变")))


# -- task 5: residual -------------------------------------------------------------

@KATA.task("residual", Text("A residual wrapper", "残差包装"), points=2, hints=HINTS["residual"])
class TestResidual:
    def _run(self, kata, helper):
        inner = nn.Linear(6, 6)
        x = torch.randn(5, 6)
        return inner, x, kata.run(helper, grader.state(inner), x)

    def test_output_is_x_plus_module_of_x(self, kata):
        inner, x, info = self._run(kata, world.run_residual)
        with torch.no_grad():
            grader.expect_no_residual_mistake(info["out"], x, inner(x))
            expect_close(info["out"], x + inner(x), what="Residual(Linear(6, 6))(x)")

    def test_the_wrapped_module_is_registered(self, kata):
        _, _, info = self._run(kata, world.run_residual)
        expect_true(grader.numel(info["shapes"]) == 42,
                    tr("Residual(Linear(6, 6)) has {got} parameters, expected the Linear's 42: assign the module "
                       "to an attribute (`self.module = module`) so it is registered",
                       "Residual(Linear(6, 6)) 有 {got} 个参数，应为 Linear 的 42 个：把模块赋值给属性"
                       "（`self.module = module`），它才会被注册", got=grader.numel(info["shapes"])))

    def test_the_module_is_called_not_its_forward(self, kata):
        _, _, info = self._run(kata, world.run_residual)
        if info["hook_calls"] == 0:
            raise Mistake(tr("a forward hook on the wrapped module fired 0 time(s), expected 1: call it as "
                             "`self.module(x)`; `self.module.forward(x)` skips hooks",
                             "被包装模块上的前向钩子触发了 0 次，应为 1 次：请用 `self.module(x)` 调用；"
                             "`self.module.forward(x)` 会跳过钩子"))
        expect_true(info["hook_calls"] == 1,
                    tr("a forward hook on the wrapped module fired {n} time(s), expected 1: call `self.module(x)` "
                       "once", "被包装模块上的前向钩子触发了 {n} 次，应为 1 次：只调用一次 `self.module(x)`",
                       n=info["hook_calls"]))

    def test_the_input_is_not_changed_in_place(self, kata):
        _, x, info = self._run(kata, world.run_residual)
        if not torch.equal(info["x_after"], x):
            raise Mistake(tr("Residual changed its input x in place (like `x += ...`): the caller's tensor is "
                             "overwritten and autograd may fail; return `x + self.module(x)` instead",
                             "Residual 原地修改了输入 x（比如 `x += ...`）：调用者的张量被覆盖，自动求导也可能出错；"
                             "请改为返回 `x + self.module(x)`"))

    def test_gradients_reach_the_module_and_the_input(self, kata):
        inner, x, info = self._run(kata, world.residual_gradients)
        if not info["graph"]:
            raise Mistake(tr("Residual(Linear(6, 6))(x) does not require grad although x does: the graph was cut "
                             "inside forward (`.detach()`, `torch.no_grad()` or a new tensor)",
                             "x 需要梯度，但 Residual(Linear(6, 6))(x) 不需要梯度：forward 里计算图被切断了"
                             "（`.detach()`、`torch.no_grad()` 或新建的张量）"))
        if info["weight"] is None or info["bias"] is None:
            raise Mistake(tr("after backward, the wrapped module's parameters have no gradient: its output was cut "
                             "from the graph (like `self.module(x).detach()`), so it can never learn; return "
                             "`x + self.module(x)`", "反向传播之后，被包装模块的参数没有梯度：它的输出被从计算图上切断了"
                             "（比如 `self.module(x).detach()`），它永远学不到东西；请返回 `x + self.module(x)`"))
        x_ref = x.clone().requires_grad_(True)
        (x_ref + inner(x_ref)).sum().backward()
        if info["x"] is not None and torch.allclose(info["x"], torch.ones_like(x)):
            raise Mistake(tr("x gets gradient only through the skip connection, none through the module: the "
                             "module's input was detached (like `self.module(x.detach())`)",
                             "x 只通过跳跃连接得到梯度，经过模块的那一路没有：模块的输入被 detach 了"
                             "（比如 `self.module(x.detach())`）"))
        expect_true(info["x"] is not None, tr("after backward, x has no gradient", "反向传播之后，x 没有梯度"))
        expect_close(info["x"], x_ref.grad, what=tr("the gradient of x", "x 的梯度"))
        expect_close(info["weight"], inner.weight.grad, what=tr("the module's weight.grad", "模块的 weight.grad"))


# -- task 6: buffers --------------------------------------------------------------

@KATA.task("buffer", Text("Buffers for running statistics", "用缓冲区保存滑动统计量"), points=3, hints=HINTS["buffer"])
class TestRunningMean:
    def _run(self, kata):  # an odd or even batch, then a batch of one (N = 1: its mean is the sample)
        batches = [torch.randn(int(torch.randint(5, 10, ())), 4) + 3, torch.randn(1, 4) - 1]
        eval_x = torch.randn(3, 4)
        return batches, eval_x, kata.run(world.run_running_mean, batches, eval_x)

    def test_mean_is_a_buffer_not_a_parameter(self, kata):
        _, _, info = self._run(kata)
        if "mean" in info["params"]:
            raise Mistake(tr("`mean` is a parameter, so an optimizer would change it; statistics that are saved but "
                             "not learned go in `self.register_buffer('mean', ...)`", "`mean` 是参数，优化器会去改它；"
                             "保存但不学习的统计量应该用 `self.register_buffer('mean', ...)`"))
        if "mean" in info["plain"]:
            raise Mistake(tr("`mean` is a plain tensor attribute: it is not saved in state_dict() and `.to()` does "
                             "not move it; use `self.register_buffer('mean', ...)`", "`mean` 是普通张量属性："
                             "state_dict() 不会保存它，`.to()` 也不会移动它；请用 `self.register_buffer('mean', ...)`"))
        if "mean" in info["buffers"] and "mean" not in info["state"]:
            raise Mistake(tr("`mean` is a buffer but not saved in state_dict(): drop persistent=False",
                             "`mean` 是缓冲区，但没有保存在 state_dict() 里：去掉 persistent=False"))
        expect_true("mean" in info["buffers"] and "mean" in info["state"],
                    tr("RunningMean has no buffer named `mean` (buffers: {names})",
                       "RunningMean 没有名为 `mean` 的缓冲区（现有缓冲区：{names}）",
                       names=", ".join(info["buffers"]) or tr("none", "无")))

    def test_training_forward_updates_the_mean_then_centres(self, kata):
        batches, _, info = self._run(kata)
        mean = torch.zeros(4)
        for i, x in enumerate(batches):
            grader.expect_no_running_mean_mistake(info["means"][i], info["outs"][i], x, mean, 0.1)
            before, mean = mean, 0.9 * mean + 0.1 * x.mean(0)
            expect_close(info["means"][i], mean, what=tr("mean after training batch {i}", "第 {i} 个训练批次后的 mean",
                                                         i=i + 1), variants=grader.RUNNING_MEAN, inputs=(before, x))
            expect_close(info["outs"][i], x - mean, what=tr("output for training batch {i}", "第 {i} 个训练批次的输出", i=i + 1))

    def test_mean_carries_no_graph(self, kata):
        _, _, info = self._run(kata)
        if info["mean_requires_grad"]:
            raise Mistake(tr("after a training forward, `mean` requires grad: autograd is tracking the update; do it "
                             "inside `with torch.no_grad():` (or use `x.mean(0).detach()`)",
                             "训练模式前向之后，`mean` 需要梯度：autograd 在跟踪这次更新；请在 `with torch.no_grad():` "
                             "里更新（或用 `x.mean(0).detach()`）"))

    def test_eval_forward_uses_the_mean_without_updating_it(self, kata):
        _, eval_x, info = self._run(kata)
        if not torch.equal(info["eval_mean_after"], info["eval_mean_before"]):
            raise Mistake(tr("the mean changed during an eval-mode forward (it must not change in eval): update it "
                             "only `if self.training:`", "评估模式前向时 mean 变了（评估模式下它不能变）：只在 "
                             "`if self.training:` 时更新"))
        expect_close(info["eval_out"], eval_x - info["eval_mean_before"], what=tr("eval-mode output", "评估模式的输出"))

    def test_mean_follows_the_module_to_float64(self, kata):
        _, _, info = self._run(kata)
        expect_true(info["dtype_after_to"] == "float64",
                    tr("after model.to(torch.float64), mean is {got}: only registered buffers and parameters move "
                       "with `.to()`", "model.to(torch.float64) 之后 mean 是 {got}：只有已注册的缓冲区和参数会随 "
                       "`.to()` 移动", got=info["dtype_after_to"]))


# -- task 7: train() and eval() ---------------------------------------------------

@KATA.task("train_eval", Text("Dropout that respects train() and eval()", "遵守 train() 与 eval() 的 dropout"),
           points=2, hints=HINTS["train_eval"])
class TestDropoutMLP:
    def test_eval_mode_has_no_dropout(self, kata):
        x = torch.randn(6, 5)
        info = kata.run(world.run_dropout_mlp, x)
        first, second = (expect_shape(out, (6, 3), what=tr("DropoutMLP(5, 32, 3)(x) in eval mode",
                                                           "评估模式下的 DropoutMLP(5, 32, 3)(x)")) for out in info["evals"])
        if info["eval_mode_after"]:
            raise Mistake(tr("the forward switched the model back to training mode; forward must not call train() "
                             "or eval()", "forward 把模型切回了训练模式；forward 里不能调用 train() 或 eval()"))
        if not torch.equal(first, second):
            raise Mistake(tr("two eval-mode forwards of the same input differ, so dropout is still active in eval: "
                             "pass `training=self.training` to F.dropout (its default is True), or create "
                             "nn.Dropout once in __init__", "同一输入的两次评估模式前向结果不同，说明评估时 dropout 仍然"
                             "生效：给 F.dropout 传 `training=self.training`（它默认是 True），或在 __init__ 里创建一次 "
                             "nn.Dropout"))
        w, b = info["weights"], info["biases"]
        ref = F.linear(F.relu(F.linear(x, w["fc1"], b["fc1"])), w["fc2"], b["fc2"])
        expect_close(first, ref, what=tr("eval-mode output (fc2(relu(fc1(x))) with no dropout)",
                                         "评估模式的输出（没有 dropout 的 fc2(relu(fc1(x)))）"))

    def test_training_mode_drops_units(self, kata):
        info = kata.run(world.run_dropout_mlp, torch.randn(6, 5))
        first, second = (expect_shape(out, (6, 3), what=tr("DropoutMLP(5, 32, 3)(x) in training mode",
                                                           "训练模式下的 DropoutMLP(5, 32, 3)(x)")) for out in info["trains"])
        if not info["train_mode_after"]:
            raise Mistake(tr("the forward switched the model to eval mode; forward must not call train() or eval()",
                             "forward 把模型切换到了评估模式；forward 里不能调用 train() 或 eval()"))
        grader.expect_no_dropout_mistake(info["trains"], info["evals"], 0.5)
        grader.expect_p_used(kata.run(world.run_dropout_mlp, torch.randn(6, 5), p=0.0))
        if torch.equal(first, second):
            raise Mistake(tr("two training-mode forwards of the same input are identical: dropout never drops "
                             "anything while training", "同一输入的两次训练模式前向结果完全相同：训练时 dropout 什么也没丢弃"))


# -- task 8: state_dict round trip --------------------------------------------------

@KATA.task("checkpoint", Text("Saving and loading a state_dict", "保存与加载 state_dict"), points=3, hints=HINTS["checkpoint"])
class TestCheckpoint:
    def _run(self, kata, load: bool = True):
        source = world.checkpoint_net()
        state = grader.state(source, warm=3, features=5)
        x = torch.randn(4, 5)
        other = grader.state(world.checkpoint_net())
        return source.eval(), x, kata.run(world.save_then_load, state, other, x, load=load)

    def test_saves_the_state_dict_as_bytes(self, kata):
        source, _, info = self._run(kata, load=False)
        grader.expect_saved_bytes(info)
        if info["saved"] is None or isinstance(info["saved"], str):
            raise Mistake(tr("the saved bytes do not hold a plain state dict (torch.load with weights_only=True "
                             "cannot read them): save `model.state_dict()`, not the model itself",
                             "保存的字节里不是普通的 state dict（weights_only=True 的 torch.load 读不出来）："
                             "请保存 `model.state_dict()`，而不是模型本身"))
        grader.expect_saved_keys(info["saved"], source)

    def test_loading_restores_parameters_and_buffers(self, kata):
        source, _, info = self._run(kata)
        grader.expect_saved_bytes(info)
        if not info["returned_model"]:
            grader.expect_not_load_result(info)
            raise CheckFailed(tr("load_state_dict_bytes should return the model it was given, but returned {got}",
                                 "load_state_dict_bytes 应返回传给它的模型，实际返回了 {got}",
                                 got=describe(info["returned"])))
        differ = [k for k, v in source.state_dict().items() if not torch.equal(v, info["target"][k])]
        expect_true(not differ, tr("after loading, {names} still differ(s) from the saved model: load the state dict "
                                   "into the model you were given with model.load_state_dict(...)",
                                   "加载之后，{names} 仍与保存的模型不同：请用 model.load_state_dict(...) 把 state dict "
                                   "加载进传给你的模型", names=", ".join(differ)))

    def test_loaded_model_gives_the_same_outputs(self, kata):
        source, x, info = self._run(kata)
        grader.expect_saved_bytes(info)
        with torch.no_grad():
            expect_close(info["out"], source(x), what=tr("the loaded model's eval output", "加载后模型的评估输出"))


# -- task 9: .to() ---------------------------------------------------------------------

@KATA.task("to_device", Text("Moving a model with .to()", "用 .to() 移动模型"), points=2, hints=HINTS["to_device"])
class TestRunOn:
    def _run(self, kata, device, dtype: torch.dtype):
        net = world.device_net()
        state = grader.state(net, warm=2, features=4)
        x = torch.randn(5, 4)
        try:
            info = kata.run(world.move_with_run_on, state, x, device, dtype)
        except LearnerError as error:
            grader.expect_any_device_spelling(error, device)
            raise
        what = f"run_on(model, x, {grader.device_text(device)}, {dtype})"
        grader.expect_moved(info)
        out = expect_shape(info["out"], (5, 2), what=what)
        device = torch.device(device).type
        expect_true(out.device.type == device, tr("{what} returned a tensor on {got}, expected {want}",
                                                  "{what} 返回的张量在 {got} 上，应在 {want} 上",
                                                  what=what, got=out.device, want=device))
        if device != "meta":
            with torch.no_grad():
                net.eval().to(device=device, dtype=dtype)
                expect_close(out, net(x.to(device=device, dtype=dtype)), what=what)

    def test_float64_moves_parameters_buffers_and_input(self, kata):
        self._run(kata, "cpu", torch.float64)

    def test_moves_to_each_device(self, kata, device):
        self._run(kata, device, torch.float32)

    def test_every_spelling_of_the_device(self, kata, device):
        spellings = {"cpu": [torch.device("cpu"), torch.device("meta")],
                     "cuda": ["cuda:0", torch.device("cuda"), torch.device("cuda", 0)]}[device]
        for spelling in spellings:
            self._run(kata, spelling, torch.float32)

    def test_meta_device_moves_everything(self, kata):
        self._run(kata, "meta", torch.float32)

    def test_the_input_is_moved_too(self, kata):
        info = kata.run(world.run_on_raw_error, grader.state(world.device_net(), warm=2, features=4),
                        torch.randn(5, 4), torch.float64)
        if info["error"] and not info["left"] and "dtype" in info["error"].lower():
            raise Mistake(tr("run_on moved the model to float64 but the model then got a {got} input ({error}): "
                             "a tensor's .to() returns a new tensor and leaves x as it was; write "
                             "`x = x.to(device=device, dtype=dtype)`", "run_on 把模型移到了 float64，但模型收到的输入"
                             "仍是 {got}（{error}）：张量的 .to() 返回新张量，x 本身不变；请写 "
                             "`x = x.to(device=device, dtype=dtype)`",
                             got=dtype_name(info["x_dtype"]), error=info["error"]))
