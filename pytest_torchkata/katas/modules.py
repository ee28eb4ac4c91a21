"""Checks for the modules kata: parameters, sub-modules, buffers, modes, checkpoints, ``.to()``.

Learner modules are built and exercised by the module-level helpers passed to
``kata.run``: they run next to the learner code and hand back plain data
(names, flags, tensors), never a module.
"""

from __future__ import annotations

import io
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.model import Kata

KATA = Kata("modules", "Modules (nn.Module)",
            "subclassing nn.Module: parameters, sub-modules, buffers, train/eval, state_dict, .to()")


def _plain_tensors(module: nn.Module) -> list[str]:
    """Attributes holding a tensor the module does not know about (not a parameter or buffer)."""
    return sorted(name for name, value in vars(module).items()
                  if isinstance(value, torch.Tensor) and not name.startswith("_"))


# -- task 1: nn.Parameter --------------------------------------------------------

def scale_and_one_step(learner, x: torch.Tensor) -> dict:
    model = learner.Scale(x.shape[1])
    names = [n for n, _ in model.named_parameters()]
    weight = getattr(model, "weight", None)
    info = {"params": names, "state": list(model.state_dict()), "plain": _plain_tensors(model),
            "weight": weight.detach().clone() if isinstance(weight, torch.Tensor) else weight}
    if "weight" in names:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model(x).sum().backward()
        optimizer.step()
        info["after_step"] = model.weight.detach().clone()
    return info


def _expect_registered_weight(info: dict) -> None:
    __tracebackhide__ = True
    if "weight" in info["params"]:
        return
    if "weight" in info["plain"]:
        raise CheckFailed("Scale.weight is a plain tensor, so the module does not register it: it is "
                          "missing from parameters() and state_dict(), and an optimizer never sees it; "
                          "wrap it in nn.Parameter(...)")
    raise CheckFailed(f"Scale has no parameter named `weight` (parameters: {info['params'] or 'none'})")


@KATA.task("parameter", "A learnable parameter", points=2,
           hint="`self.weight = nn.Parameter(torch.ones(features))` registers it on the module")
class TestScale:
    def test_weight_is_a_registered_parameter(self, kata):
        info = kata.run(scale_and_one_step, torch.randn(4, 5))
        _expect_registered_weight(info)
        expect_true("weight" in info["state"], "Scale.weight is missing from state_dict()")

    def test_weight_starts_at_ones(self, kata):
        info = kata.run(scale_and_one_step, torch.randn(4, 5))
        _expect_registered_weight(info)
        expect_close(info["weight"], torch.ones(5), what="Scale(5).weight")

    def test_an_optimizer_step_trains_the_weight(self, kata):
        x = torch.randn(4, 5)
        info = kata.run(scale_and_one_step, x)
        _expect_registered_weight(info)
        # d(sum(x * w))/dw = x.sum(0); one SGD step with lr 0.1
        expect_close(info["after_step"], 1 - 0.1 * x.sum(0), what="Scale.weight after one SGD step",
                     rtol=1e-5, atol=1e-6)


# -- task 2: nn.ModuleList -------------------------------------------------------

def run_mlp(learner, sizes: list[int], x: torch.Tensor) -> dict:
    model = learner.MLP(sizes)
    out = model(x)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    plain_lists = sorted(name for name, value in vars(model).items()
                         if isinstance(value, (list, tuple)) and any(isinstance(v, nn.Module) for v in value))
    return {"out": out.detach(), "weights": [(m.weight.detach(), None if m.bias is None else m.bias.detach())
                                             for m in linears],
            "linears": [(m.in_features, m.out_features) for m in linears],
            "numel": sum(p.numel() for p in model.parameters()), "plain_lists": plain_lists}


def _mlp_ref(weights: list, x: torch.Tensor) -> torch.Tensor:
    """Grader side: Linear, ReLU, ..., Linear with the MLP's own weights, computed here."""
    ref = x
    for i, (w, b) in enumerate(weights):
        ref = F.linear(ref, w, b)
        if i < len(weights) - 1:
            ref = F.relu(ref)
    return ref


def _mlp_numel(sizes: list[int]) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


@KATA.task("mlp", "An MLP of any depth", points=3,
           hint="build the layers in a loop inside `nn.ModuleList(...)` (or `nn.Sequential`), "
                "never a plain Python list")
class TestMLP:
    SIZES = ([4, 3], [4, 16, 3], [4, 16, 8, 8, 3])

    def test_output_shape_for_any_depth(self, kata):
        for sizes in self.SIZES:
            info = kata.run(run_mlp, sizes, torch.randn(5, 4))
            expect_shape(info["out"], (5, 3), what=f"MLP({sizes})(x) for x of shape (5, 4)")

    def test_every_layer_is_registered(self, kata):
        for sizes in self.SIZES:
            info = kata.run(run_mlp, sizes, torch.randn(5, 4))
            want = _mlp_numel(sizes)
            if info["numel"] == want:
                continue
            text = f"MLP({sizes}) has {info['numel']} parameters, expected {want}"
            if info["plain_lists"]:
                text += (f"; the layers in `{info['plain_lists'][0]}` sit in a plain Python list, so the "
                         f"module cannot see them (an optimizer would get an empty parameter list): "
                         f"use nn.ModuleList")
            raise CheckFailed(text)

    def test_forward_is_linear_relu_with_no_relu_at_the_end(self, kata):
        sizes = [4, 16, 8, 3]
        x = torch.randn(6, 4)
        info = kata.run(run_mlp, sizes, x)
        want = [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        expect_true(info["linears"] == want,
                    f"MLP({sizes}) should hold nn.Linear layers {want} in that order, found {info['linears']}")
        out = expect_shape(info["out"], (6, 3), what=f"MLP({sizes})(x)")
        ref = _mlp_ref(info["weights"], x)
        if bool((out >= 0).all()) and not bool((ref >= 0).all()):
            raise CheckFailed(f"MLP({sizes})(x) has no negative values: is there a ReLU after the last "
                              f"layer? The output (logits) must be able to go below zero")
        expect_close(out, ref, what=f"MLP({sizes})(x)", rtol=1e-5, atol=1e-6)


# -- task 3: counting parameters --------------------------------------------------

def count_on_small_net(learner, freeze_first: bool) -> dict:
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 3))
    if freeze_first:
        model[0].requires_grad_(False)
    return {
        "value": learner.count_trainable(model),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "all": sum(p.numel() for p in model.parameters()),
        "with_buffers": sum(t.numel() for t in model.state_dict().values()),
        "tensors": len([p for p in model.parameters() if p.requires_grad]),
        "all_tensors": len(list(model.parameters())),
    }


def _expect_count(info: dict, what: str) -> None:
    __tracebackhide__ = True
    value = info["value"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise CheckFailed(f"{what} should be a Python int, but is {describe(value)}")
    if value == info["trainable"]:
        return
    text = f"{what} is {value}, expected {info['trainable']}"
    if value == info["all"]:
        text += "; the frozen parameters were counted too: skip those with requires_grad False"
    elif value in (info["tensors"], info["all_tensors"]):
        text += "; that is the number of parameter tensors: add up p.numel() instead"
    elif value == info["with_buffers"]:
        text += "; buffers (BatchNorm's running statistics) were counted too: use model.parameters()"
    raise CheckFailed(text)


@KATA.task("count", "Counting trainable parameters", points=2,
           hint="`sum(p.numel() for p in model.parameters() if p.requires_grad)`")
class TestCountTrainable:
    def test_counts_every_number_of_a_model(self, kata):
        _expect_count(kata.run(count_on_small_net, False),
                      "count_trainable(Linear(4, 8), BatchNorm1d(8), Linear(8, 3))")

    def test_skips_frozen_parameters_and_buffers(self, kata):
        _expect_count(kata.run(count_on_small_net, True),
                      "count_trainable of that model with its first Linear frozen")


# -- task 4: freezing -------------------------------------------------------------

def freeze_then_step(learner, x: torch.Tensor) -> dict:
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    returned = learner.freeze_all_but_last(model)
    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    attribute_only = [str(i) for i, m in enumerate(model) if "requires_grad" in vars(m)]
    after: dict[str, torch.Tensor] = {}
    trainable = [p for p in model.parameters() if p.requires_grad]
    if trainable:
        optimizer = torch.optim.SGD(trainable, lr=0.1)
        model(x).pow(2).mean().backward()
        optimizer.step()
        after = {n: p.detach().clone() for n, p in model.named_parameters()}
    return {"flags": flags, "attribute_only": attribute_only, "before": before, "after": after,
            "returned": returned if returned is None else describe(returned)}


@KATA.task("freeze", "Freezing all but the last layer", points=2,
           hint="`for p in model.parameters(): p.requires_grad_(False)`, then switch the last layer's "
                "back on (`model[-1].requires_grad_(True)`)")
class TestFreeze:
    def test_only_the_last_layer_requires_grad(self, kata):
        info = kata.run(freeze_then_step, torch.randn(5, 4))
        flags = info["flags"]
        frozen = [n for n, f in flags.items() if not f]
        if not frozen:
            text = "no parameter was frozen: every one still has requires_grad True"
            if info["attribute_only"]:
                text += ("; `layer.requires_grad = False` only adds a plain attribute to the module: "
                         "call `layer.requires_grad_(False)` or set it on each parameter")
            raise CheckFailed(text)
        last = [n for n in flags if n.startswith("4.")]
        frozen_last = [n for n in last if not flags[n]]
        expect_true(not frozen_last, f"the last layer was frozen too ({', '.join(frozen_last)}: "
                                     f"requires_grad False); it is the one part that should keep learning")
        still = [n for n in flags if n not in last and flags[n]]
        expect_true(not still, f"{', '.join(still)} should be frozen (requires_grad False) but is not")

    def test_a_training_step_changes_only_the_last_layer(self, kata):
        info = kata.run(freeze_then_step, torch.randn(5, 4))
        moved = {n: not torch.equal(p, info["before"][n]) for n, p in info["after"].items()}  # decided here
        expect_true(moved, "no parameter is left to train after freeze_all_but_last")
        wrong = [n for n, m in moved.items() if m != n.startswith("4.")]
        if wrong:
            verb = "changed" if moved[wrong[0]] else "did not change"
            raise CheckFailed(f"after one SGD step, {', '.join(wrong)} {verb}; "
                              f"only the last layer, model[-1], should learn")


# -- task 5: residual -------------------------------------------------------------

def run_residual(learner, x: torch.Tensor) -> dict:
    inner = nn.Linear(x.shape[1], x.shape[1])
    calls = []
    inner.register_forward_hook(lambda *_: calls.append(1))
    model = learner.Residual(inner)
    x_in = x.clone()
    with torch.no_grad():
        out = model(x_in)
        hook_calls = len(calls)
    return {"out": out, "weight": inner.weight.detach(), "bias": inner.bias.detach(), "hook_calls": hook_calls,
            "x_after": x_in, "numel": sum(p.numel() for p in model.parameters()),
            "modules": len(list(model.children()))}


def _residual(kata, x: torch.Tensor) -> dict:
    """Grader side of run_residual: the expected x + Linear(x) from the Linear's weights, and
    whether the input was changed, decided here."""
    info = kata.run(run_residual, x)
    info["ref"] = x + torch.nn.functional.linear(x, info["weight"], info["bias"])
    info["changed_input"] = not torch.equal(info["x_after"], x)
    return info


@KATA.task("residual", "A residual wrapper", points=2,
           hint="`self.module = module` in __init__ (after super().__init__()), "
                "`return x + self.module(x)` in forward")
class TestResidual:
    def test_output_is_x_plus_module_of_x(self, kata):
        info = _residual(kata, torch.randn(5, 6))
        expect_close(info["out"], info["ref"], what="Residual(Linear(6, 6))(x)", rtol=1e-5, atol=1e-6)

    def test_the_wrapped_module_is_registered(self, kata):
        info = _residual(kata, torch.randn(5, 6))
        expect_true(info["numel"] == 42,
                    f"Residual(Linear(6, 6)) has {info['numel']} parameters, expected the Linear's 42: "
                    f"assign the module to an attribute (`self.module = module`) so it is registered")

    def test_the_module_is_called_not_its_forward(self, kata):
        info = _residual(kata, torch.randn(5, 6))
        expect_true(info["hook_calls"] == 1,
                    f"a forward hook on the wrapped module fired {info['hook_calls']} time(s), expected 1: "
                    f"call it as `self.module(x)`; `self.module.forward(x)` skips hooks")

    def test_the_input_is_not_changed_in_place(self, kata):
        info = _residual(kata, torch.randn(5, 6))
        expect_true(not info["changed_input"],
                    "Residual changed its input x in place (like `x += ...`): the caller's tensor is "
                    "overwritten and autograd may fail; return `x + self.module(x)` instead")


# -- task 6: buffers --------------------------------------------------------------

def run_running_mean(learner, batches: list[torch.Tensor], eval_x: torch.Tensor) -> dict:
    model = learner.RunningMean(batches[0].shape[1])
    info: dict = {"params": [n for n, _ in model.named_parameters()],
                  "buffers": [n for n, _ in model.named_buffers()],
                  "state": list(model.state_dict()), "plain": _plain_tensors(model)}
    model.train()
    means, outs = [], []
    for x in batches:
        out = model(x.clone().requires_grad_(True))  # an update outside no_grad would be tracked
        mean = model.mean
        info.setdefault("mean_requires_grad", bool(mean.requires_grad))
        means.append(mean.detach().clone())
        outs.append(out.detach())
    info["means"], info["outs"] = means, outs
    model.eval()
    before = model.mean.detach().clone()
    info["eval_out"] = model(eval_x).detach()
    info["eval_mean_before"], info["eval_mean_after"] = before, model.mean.detach().clone()
    model.to(torch.float64)
    info["dtype_after_to"] = model.mean.dtype
    return info


@KATA.task("buffer", "Buffers for running statistics", points=3,
           hint="`self.register_buffer('mean', torch.zeros(features))`; update it in training mode inside "
                "`with torch.no_grad():`")
class TestRunningMean:
    def _run(self, kata):
        batches = [torch.randn(8, 4) + 3, torch.randn(8, 4) - 1]
        eval_x = torch.randn(3, 4)
        return batches, eval_x, kata.run(run_running_mean, batches, eval_x)

    def test_mean_is_a_buffer_not_a_parameter(self, kata):
        _, _, info = self._run(kata)
        expect_true("mean" not in info["params"],
                    "`mean` is a parameter, so an optimizer would change it; statistics that are saved "
                    "but not learned go in `self.register_buffer('mean', ...)`")
        if "mean" in info["plain"]:
            raise CheckFailed("`mean` is a plain tensor attribute: it is not saved in state_dict() and "
                              "`.to()` does not move it; use `self.register_buffer('mean', ...)`")
        expect_true("mean" in info["buffers"] and "mean" in info["state"],
                    f"RunningMean has no buffer named `mean` (buffers: {info['buffers'] or 'none'})")

    def test_training_forward_updates_the_mean_then_centres(self, kata):
        batches, _, info = self._run(kata)
        mean = torch.zeros(4)
        for i, x in enumerate(batches):
            mean = 0.9 * mean + 0.1 * x.mean(0)
            expect_close(info["means"][i], mean, what=f"mean after training batch {i + 1}",
                         rtol=1e-5, atol=1e-6)
            expect_close(info["outs"][i], x - mean, what=f"output for training batch {i + 1}",
                         rtol=1e-5, atol=1e-6)

    def test_mean_carries_no_graph(self, kata):
        _, _, info = self._run(kata)
        expect_true(not info["mean_requires_grad"],
                    "after a training forward, `mean` requires grad: autograd is tracking the update; "
                    "do it inside `with torch.no_grad():` (or use `x.mean(0).detach()`)")

    def test_eval_forward_uses_the_mean_without_updating_it(self, kata):
        _, eval_x, info = self._run(kata)
        expect_close(info["eval_mean_after"], info["eval_mean_before"],
                     what="mean after an eval-mode forward (it must not change in eval)")
        expect_close(info["eval_out"], eval_x - info["eval_mean_before"], what="eval-mode output",
                     rtol=1e-5, atol=1e-6)

    def test_mean_follows_the_module_to_float64(self, kata):
        _, _, info = self._run(kata)
        expect_true(info["dtype_after_to"] == torch.float64,
                    f"after model.to(torch.float64), mean is {str(info['dtype_after_to']).replace('torch.', '')}: "
                    f"only registered buffers and parameters move with `.to()`")


# -- task 7: train() and eval() ---------------------------------------------------

def run_dropout_mlp(learner, x: torch.Tensor) -> dict:
    model = learner.DropoutMLP(x.shape[1], 32, 3, p=0.5)
    def raw(name: str, kind: str) -> Any:
        value = getattr(getattr(model, name, None), kind, None)
        return value.detach().clone() if isinstance(value, torch.Tensor) else None

    weights = {name: raw(name, "weight") for name in ("fc1", "fc2")}
    biases = {name: raw(name, "bias") for name in ("fc1", "fc2")}
    with torch.no_grad():
        model.eval()
        evals = [model(x), model(x)]
        eval_mode_after = model.training
        model.train()
        trains = [model(x), model(x)]
    return {"weights": weights, "biases": biases, "evals": evals, "trains": trains,
            "eval_mode_after": eval_mode_after, "train_mode_after": model.training}


def _dropout_ref(info: dict, x: torch.Tensor) -> torch.Tensor:
    """Grader side: fc2(relu(fc1(x))) with DropoutMLP's own weights, computed here."""
    __tracebackhide__ = True
    w, b = info["weights"], info["biases"]
    if not all(isinstance(w.get(n), torch.Tensor) for n in ("fc1", "fc2")):
        raise CheckFailed("DropoutMLP has no fc1 and fc2 layers (nn.Linear) to compute fc2(relu(fc1(x))) with")
    return F.linear(F.relu(F.linear(x, w["fc1"], b["fc1"])), w["fc2"], b["fc2"])


@KATA.task("train_eval", "Dropout that respects train() and eval()", points=2,
           hint="`F.dropout(h, self.p, training=self.training)`, or an `nn.Dropout(p)` layer, which "
                "follows the mode by itself")
class TestDropoutMLP:
    def test_eval_mode_has_no_dropout(self, kata):
        x = torch.randn(6, 5)
        info = kata.run(run_dropout_mlp, x)
        first, second = info["evals"]
        expect_shape(first, (6, 3), what="DropoutMLP(5, 32, 3)(x) in eval mode")
        expect_true(not info["eval_mode_after"], "the forward switched the model back to training mode; "
                                                 "forward must not call train() or eval()")
        if not torch.equal(first, second):
            raise CheckFailed("two eval-mode forwards of the same input differ, so dropout is still active "
                              "in eval: pass `training=self.training` to F.dropout (its default is True), "
                              "or create nn.Dropout once in __init__")
        expect_close(first, _dropout_ref(info, x), what="eval-mode output (fc2(relu(fc1(x))) with no dropout)",
                     rtol=1e-5, atol=1e-6)

    def test_training_mode_drops_units(self, kata):
        info = kata.run(run_dropout_mlp, torch.randn(6, 5))
        first, second = info["trains"]
        expect_true(info["train_mode_after"], "the forward switched the model to eval mode; "
                                              "forward must not call train() or eval()")
        expect_true(not torch.equal(first, second),
                    "two training-mode forwards of the same input are identical: dropout never drops "
                    "anything while training")


# -- task 8: state_dict round trip --------------------------------------------------

def _checkpoint_net() -> nn.Module:
    return nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def save_then_load(learner, x: torch.Tensor, load: bool = True) -> dict:
    source = _checkpoint_net()
    with torch.no_grad():  # move BatchNorm's running statistics away from their start values
        for _ in range(3):
            source(torch.randn(16, 5) * 2 + 1)
    source.eval()
    data = learner.state_dict_bytes(source)
    info: dict = {"kind": describe(data), "size": None}
    if not isinstance(data, (bytes, bytearray)):
        return info
    info["size"] = len(data)
    if not data:
        return info
    try:  # weights_only=True never runs code from the file
        saved = torch.load(io.BytesIO(bytes(data)), weights_only=True)
        info["saved"] = sorted(saved) if isinstance(saved, dict) else describe(saved)
    except Exception:  # noqa: BLE001 - anything but a plain state dict
        info["saved"] = None
    info["expected"] = sorted(source.state_dict())
    if not load:
        return info
    target = _checkpoint_net().eval()
    returned = learner.load_state_dict_bytes(target, bytes(data))
    info["returned"] = "the model" if returned is target else describe(returned)
    info["source_state"] = {k: v.detach().clone() for k, v in source.state_dict().items()}
    info["target_state"] = {k: v.detach().clone() for k, v in target.state_dict().items()}
    with torch.no_grad():
        info["out"] = target(x)
    return info


def _save_then_load(kata, x: torch.Tensor, load: bool = True) -> dict:
    """Grader side of save_then_load: which entries differ after loading, and the expected
    output (the grader's own copy of the source model), decided here."""
    info = kata.run(save_then_load, x, load=load)
    if "source_state" in info:
        source, target = info["source_state"], info["target_state"]
        info["differ"] = [k for k, v in source.items()
                          if not (k in target and target[k].shape == v.shape and torch.equal(v, target[k]))]
        reference = _checkpoint_net().eval()
        try:
            reference.load_state_dict(source)
        except (RuntimeError, TypeError, KeyError):
            raise CheckFailed("the saved model's state did not come back from your side as it was made") from None
        with torch.no_grad():
            info["ref"] = reference(x)
    return info


def _expect_saved_bytes(info: dict) -> None:
    __tracebackhide__ = True
    if info["size"] is None:
        raise CheckFailed(f"state_dict_bytes should return bytes, but returned {info['kind']}; "
                          f"return `buffer.getvalue()`")
    if info["size"] == 0:
        raise CheckFailed("state_dict_bytes returned 0 bytes: after torch.save the buffer's position is at "
                          "its end, so read() finds nothing; use `buffer.getvalue()` (or seek(0) first)")


@KATA.task("checkpoint", "Saving and loading a state_dict", points=3,
           hint="`torch.save(model.state_dict(), buffer)` then `buffer.getvalue()`; to load: "
                "`model.load_state_dict(torch.load(io.BytesIO(data), weights_only=True))`")
class TestCheckpoint:
    def test_saves_the_state_dict_as_bytes(self, kata):
        info = _save_then_load(kata, torch.randn(4, 5), load=False)
        _expect_saved_bytes(info)
        if info["saved"] is None or isinstance(info["saved"], str):
            raise CheckFailed("the saved bytes do not hold a plain state dict (torch.load with "
                              "weights_only=True cannot read them): save `model.state_dict()`, not the "
                              "model itself")
        missing = [k for k in info["expected"] if k not in info["saved"]]
        extra = [k for k in info["saved"] if k not in info["expected"]]
        problems = ([f"lacks {', '.join(missing)}"] if missing else []) + \
                   ([f"has extra keys {', '.join(extra)}"] if extra else [])
        expect_true(not problems, f"the saved dict {' and '.join(problems)}: save `model.state_dict()`, "
                                  f"which holds the parameters and the buffers (BatchNorm's running statistics)")

    def test_loading_restores_parameters_and_buffers(self, kata):
        info = _save_then_load(kata, torch.randn(4, 5))
        _expect_saved_bytes(info)
        expect_true(info["returned"] == "the model",
                    f"load_state_dict_bytes should return the model it was given, but returned "
                    f"{info['returned']}")
        expect_true(not info["differ"],
                    f"after loading, {', '.join(info['differ'])} still differ(s) from the saved model: "
                    f"load the state dict into the model you were given with model.load_state_dict(...)")

    def test_loaded_model_gives_the_same_outputs(self, kata):
        info = _save_then_load(kata, torch.randn(4, 5))
        _expect_saved_bytes(info)
        expect_close(info["out"], info["ref"], what="the loaded model's eval output")


# -- task 9: .to() ---------------------------------------------------------------------

def _movable_net() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))


def move_with_run_on(learner, x: torch.Tensor, device: str, dtype: torch.dtype) -> dict:
    """Learner side: run_on on a model with trained BatchNorm statistics; its output, the
    model's state before (raw), and the dtype/device each parameter and buffer has after."""
    model = _movable_net()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(8, 4) + 1)
    model.eval()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        out = learner.run_on(model, x, device, dtype)
    placed = [(name, str(t.dtype).replace("torch.", ""), str(t.device), t.device.type)
              for name, t in [*model.named_parameters(), *model.named_buffers()] if t.is_floating_point()]
    return {"out": out, "state": state, "placed": placed}


def _run_on(kata, x: torch.Tensor, device: str, dtype: torch.dtype) -> dict:
    """Grader side of move_with_run_on: the expected output (the grader's copy of the model,
    moved) and the tensors left behind, decided here."""
    info = kata.run(move_with_run_on, x, device, dtype)
    want_dtype, want_type = str(dtype).replace("torch.", ""), torch.device(device).type
    info["left"] = [f"{name} ({dt}, {dev})" for name, dt, dev, kind in info["placed"]
                    if dt != want_dtype or kind != want_type]
    info["ref"] = None
    if device != "meta":
        reference = _movable_net().eval()
        try:
            reference.load_state_dict(info["state"])
        except (RuntimeError, TypeError, KeyError):
            raise CheckFailed("the model's state did not come back from your side as it was made") from None
        with torch.no_grad():
            info["ref"] = reference.to(device=device, dtype=dtype)(x.to(device=device, dtype=dtype))
    return info


@KATA.task("to_device", "Moving a model with .to()", points=2,
           hint="`model.to(device=device, dtype=dtype)` moves the module itself; for the input write "
                "`x = x.to(device=device, dtype=dtype)`, since a tensor's .to() returns a new tensor")
class TestRunOn:
    def test_float64_moves_parameters_buffers_and_input(self, kata):
        x = torch.randn(5, 4)
        info = _run_on(kata, x, "cpu", torch.float64)
        out = expect_shape(info["out"], (5, 2), what="run_on(model, x, 'cpu', torch.float64)")
        expect_true(not info["left"], f"after run_on, the model still holds {', '.join(info['left'][:3])}: "
                                      f"move the model itself with model.to(...)")
        expect_close(out, info["ref"], what="run_on(model, x, 'cpu', torch.float64)", rtol=1e-10, atol=1e-12)

    def test_moves_to_each_device(self, kata, device):
        x = torch.randn(5, 4)
        info = _run_on(kata, x, device, torch.float32)
        what = f"run_on(model, x, {device!r}, torch.float32)"
        out = expect_shape(info["out"], (5, 2), what=what)
        expect_true(out.device.type == device, f"{what} returned a tensor on {out.device}, expected {device}")
        expect_true(not info["left"], f"after run_on, the model still holds {', '.join(info['left'][:3])}: "
                                      f"move the model itself with model.to(...)")
        expect_close(out, info["ref"], what=what, rtol=1e-5, atol=1e-6)

    def test_meta_device_moves_everything(self, kata):
        x = torch.randn(5, 4)
        info = _run_on(kata, x, "meta", torch.float32)
        out = expect_shape(info["out"], (5, 2), what="run_on(model, x, 'meta', torch.float32)")
        expect_true(out.device.type == "meta",
                    f"run_on(model, x, 'meta', torch.float32) returned a tensor on {out.device}, "
                    f"expected the meta device")
        expect_true(not info["left"], f"after run_on, the model still holds {', '.join(info['left'][:3])}: "
                                      f"move the model itself with model.to(...)")
