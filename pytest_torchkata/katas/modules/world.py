"""Learner world for the modules kata: runs in the learner's process, next to the learner's code.

Each function here is passed to ``kata.run``: it builds the learner's modules (or hands the
learner a model whose starting weights the grader chose), exercises them and returns
observations only: names, flags, shapes, tensors, raw error texts.  It never compares a
result with an expectation: ``modules/tasks.py`` does that where no learner code ran.
"""

from __future__ import annotations

import io

import torch
from torch import nn
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.sandbox.runner import labelled




def plain_tensors(module: nn.Module) -> list[str]:
    """Attributes holding a tensor the module does not know about (not a parameter or buffer)."""
    return sorted(name for name, value in vars(module).items()
                  if isinstance(value, torch.Tensor) and not name.startswith("_"))


def loaded(model: nn.Module, state: dict) -> nn.Module:
    """``model`` with the grader's starting weights (and buffers)."""
    model.load_state_dict(state)
    return model


def small_net(sizes: tuple = (4, 8, 3)) -> nn.Module:
    """Linear -> BatchNorm -> Linear: parameters, a frozen part and buffers to count."""
    n_in, hidden, n_out = sizes
    return nn.Sequential(nn.Linear(n_in, hidden), nn.BatchNorm1d(hidden), nn.Linear(hidden, n_out))


def deep_net() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))


def checkpoint_net() -> nn.Module:
    return nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def device_net() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))


# -- task 1 ---------------------------------------------------------------------------

@labelled("Scale")
def scale_and_one_step(learner, x: torch.Tensor) -> dict:
    model = learner.Scale(x.shape[1])
    names = [n for n, _ in model.named_parameters()]
    weight = getattr(model, "weight", None)
    info = {"params": names, "state": list(model.state_dict()), "plain": plain_tensors(model),
            "weight": weight.detach().clone() if isinstance(weight, torch.Tensor) else weight}
    if "weight" in names:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model(x).sum().backward()
        optimizer.step()
        info["after_step"] = model.weight.detach().clone()
    return info


# -- task 2 ---------------------------------------------------------------------------

@labelled("MLP")
def run_mlp(learner, sizes: list[int], x: torch.Tensor) -> dict:
    model = learner.MLP(sizes)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    called: list[nn.Module] = []  # the order forward uses them, whatever order __init__ made them in
    hooks = [m.register_forward_hook(lambda m, *_: called.append(m)) for m in linears]
    out = model(x)
    for hook in hooks:
        hook.remove()
    linears = [m for i, m in enumerate(called) if m not in called[:i]] + [m for m in linears if m not in called]
    plain_lists = sorted(name for name, value in vars(model).items()
                         if isinstance(value, (list, tuple)) and any(isinstance(v, nn.Module) for v in value))
    return {"out": out, "layers": [(m.weight.detach(), m.bias.detach()) for m in linears],
            "linears": [(m.in_features, m.out_features) for m in linears],
            "shapes": [list(p.shape) for p in model.parameters()], "plain_lists": plain_lists}


# -- task 3 ---------------------------------------------------------------------------

@labelled("count_trainable")
def count_on_small_net(learner, freeze_first: bool, sizes: tuple):
    model = small_net(sizes)
    if freeze_first:
        model[0].requires_grad_(False)
    return learner.count_trainable(model)


# -- task 4 ---------------------------------------------------------------------------

@labelled("freeze_all_but_last")
def freeze_then_step(learner, state: dict, x: torch.Tensor) -> dict:
    model = loaded(deep_net(), state)
    learner.freeze_all_but_last(model)
    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    attribute_only = [str(i) for i, m in enumerate(model) if "requires_grad" in vars(m)]
    trainable = [p for p in model.parameters() if p.requires_grad]
    after = None
    if trainable:
        optimizer = torch.optim.SGD(trainable, lr=0.1)
        model(x).pow(2).mean().backward()
        optimizer.step()
        after = {n: p.detach().clone() for n, p in model.named_parameters()}
    return {"flags": flags, "attribute_only": attribute_only, "after": after}


# -- task 5 ---------------------------------------------------------------------------

@labelled("Residual")
def run_residual(learner, state: dict, x: torch.Tensor) -> dict:
    inner = loaded(nn.Linear(x.shape[1], x.shape[1]), state)
    calls = []
    inner.register_forward_hook(lambda *_: calls.append(1))
    model = learner.Residual(inner)
    x_in = x.clone()
    with torch.no_grad():
        out = model(x_in)
    return {"out": out, "hook_calls": len(calls), "x_after": x_in,
            "shapes": [list(p.shape) for p in model.parameters()]}


@labelled("Residual")
def residual_gradients(learner, state: dict, x: torch.Tensor) -> dict:
    inner = loaded(nn.Linear(x.shape[1], x.shape[1]), state)
    model = learner.Residual(inner)
    x_in = x.clone().requires_grad_(True)
    out = model(x_in)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return {"graph": False}
    out.sum().backward()
    return {"graph": True, "weight": inner.weight.grad, "bias": inner.bias.grad, "x": x_in.grad}


# -- task 6 ---------------------------------------------------------------------------

@labelled("RunningMean")
def run_running_mean(learner, batches: list[torch.Tensor], eval_x: torch.Tensor) -> dict:
    model = learner.RunningMean(batches[0].shape[1])
    info: dict = {"params": [n for n, _ in model.named_parameters()],
                  "buffers": [n for n, _ in model.named_buffers()],
                  "state": list(model.state_dict()), "plain": plain_tensors(model)}
    model.train()
    means, outs = [], []
    for x in batches:
        out = model(x.clone().requires_grad_(True))  # an update outside no_grad would be tracked
        mean = model.mean
        info.setdefault("mean_requires_grad", bool(mean.requires_grad))
        means.append(mean.detach().clone())
        outs.append(out)
    info["means"], info["outs"] = means, outs
    model.eval()
    before = model.mean.detach().clone()
    info["eval_out"] = model(eval_x)
    info["eval_mean_before"], info["eval_mean_after"] = before, model.mean.detach().clone()
    model.to(torch.float64)
    info["dtype_after_to"] = dtype_name(model.mean.dtype)
    return info


# -- task 7 ---------------------------------------------------------------------------

@labelled("DropoutMLP")
def run_dropout_mlp(learner, x: torch.Tensor, p: float = 0.5) -> dict:
    model = learner.DropoutMLP(x.shape[1], 32, 3, p=p)
    with torch.no_grad():
        model.eval()
        evals = [model(x), model(x)]
        eval_mode_after = model.training
        model.train()
        trains = [model(x), model(x)]
    weights = {name: getattr(model, name).weight.detach() for name in ("fc1", "fc2")}
    biases = {name: getattr(model, name).bias.detach() for name in ("fc1", "fc2")}
    return {"weights": weights, "biases": biases, "evals": evals, "trains": trains,
            "eval_mode_after": eval_mode_after, "train_mode_after": model.training}


# -- task 8 ---------------------------------------------------------------------------

@labelled("state_dict_bytes")
def save_then_load(learner, state: dict, other: dict, x: torch.Tensor, load: bool = True) -> dict:
    source = loaded(checkpoint_net(), state).eval()
    data = learner.state_dict_bytes(source)
    info: dict = {"size": None}
    if not isinstance(data, (bytes, bytearray)):
        info["value"] = data
        return info
    info["size"] = len(data)
    if not data:
        return info
    try:  # weights_only=True never runs code from the file (this is the learner's own process)
        saved = torch.load(io.BytesIO(bytes(data)), weights_only=True)
        info["saved"] = sorted(saved) if isinstance(saved, dict) else type(saved).__name__
    except Exception:  # noqa: BLE001 - anything but a plain state dict
        info["saved"] = None
    if not load:
        return info
    target = loaded(checkpoint_net(), other).eval()
    returned = learner.load_state_dict_bytes(target, bytes(data))
    info["returned_model"] = returned is target
    info["returned_keys"] = type(returned).__name__ == "_IncompatibleKeys"  # what load_state_dict returns
    info["returned"] = None if returned is target else returned
    info["target"] = {k: v.detach().clone() for k, v in target.state_dict().items()}
    with torch.no_grad():
        info["out"] = target(x)
    return info


# -- task 9 ---------------------------------------------------------------------------

def _left_behind(model: nn.Module, device: str, dtype: torch.dtype) -> list[str]:
    return [f"{name} ({dtype_name(t.dtype)}, {t.device})"
            for name, t in [*model.named_parameters(), *model.named_buffers()]
            if t.is_floating_point() and (t.dtype != dtype or t.device.type != torch.device(device).type)]


@labelled("run_on")
def move_with_run_on(learner, state: dict, x: torch.Tensor, device: str, dtype: torch.dtype) -> dict:
    model = loaded(device_net(), state).eval()
    try:
        with torch.no_grad():
            out = learner.run_on(model, x, device, dtype)
    except RuntimeError as exc:  # a model left behind makes torch complain about the input instead
        if isinstance(exc, NotImplementedError) or not _left_behind(model, device, dtype):
            raise
        out = None
    return {"out": out, "left": _left_behind(model, device, dtype)}


@labelled("run_on")
def run_on_raw_error(learner, state: dict, x: torch.Tensor, dtype: torch.dtype) -> dict:
    """The error text (if any) when the model's dtype changes, and where the model ended up."""
    model = loaded(device_net(), state).eval()
    try:
        with torch.no_grad():
            learner.run_on(model, x, "cpu", dtype)
        error = ""
    except RuntimeError as exc:
        if isinstance(exc, NotImplementedError):
            raise
        error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return {"error": error, "left": _left_behind(model, "cpu", dtype), "x_dtype": str(x.dtype)}
