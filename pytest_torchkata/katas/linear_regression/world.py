"""The linear_regression kata's learner-world helpers: they run in the learner's
process, next to the learner's functions, through ``kata.run``, and return
observations only (outputs on inputs the grader chose, raised exceptions,
gradients, what one step did, a training run).  Verdicts are made in
``linear_regression.py``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from pytest_torchkata.sandbox.observe import run_until
from pytest_torchkata.sandbox.runner import labelled as label
from pytest_torchkata.katas.common.observe import observe_global_rng, observe_manual_step, observe_optimizer_step
from pytest_torchkata.sandbox.guards import trusted


@label("make_data")
def make_data_rng(mod: Any, n: int, seed: int) -> dict:
    return observe_global_rng(mod.make_data, n, seed=seed)


@label("mse")
def mse_on_mismatched_shapes(mod: Any, pred: torch.Tensor, target: torch.Tensor) -> dict:
    try:
        value = mod.mse(pred, target)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - which exception the learner raised is the point
        return {"raised": type(exc).__name__, "message": str(exc)[:200]}
    return {"raised": None, "value": value}


@label("mse")
def mse_backward(mod: Any, pred: torch.Tensor, target: torch.Tensor) -> dict:
    pred = pred.detach().clone().requires_grad_()
    loss = mod.mse(pred, target)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return {"connected": False, "loss": loss}
    loss.backward()
    return {"connected": True, "grad": pred.grad}


@label("gd_step")
def gd_step_once(mod: Any, x: torch.Tensor, y: torch.Tensor, w0: float, b0: float, lr: float,
                 stale: float | None) -> dict:
    w = torch.tensor([w0], requires_grad=True)
    b = torch.tensor([b0], requires_grad=True)
    if stale is not None:
        w.grad, b.grad = torch.full_like(w, stale), torch.full_like(b, stale)
    return observe_manual_step(lambda: mod.gd_step(w, b, x, y, lr), [w, b])


@label("gd_step")
def gd_step_training(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> dict:
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    result = run_until(lambda: mod.gd_step(w, b, x, y, lr), max_steps=steps)
    return {"result": result, "w": w.detach().clone(), "b": b.detach().clone(),
            "leaf": [w.is_leaf, b.is_leaf], "requires_grad": [w.requires_grad, b.requires_grad]}


@label("make_model")
def model_outputs(mod: Any, x: torch.Tensor) -> dict:
    """The model's outputs on the grader's inputs, and what it holds."""
    model = mod.make_model()
    if not isinstance(model, nn.Module):
        return {"module": False, "type": type(model).__name__}
    out = model(x)
    with trusted():
        params = list(model.parameters())
        return {"module": True, "type": type(model).__name__, "out": out.detach(),
                "n_params": sum(p.numel() for p in params),
                "trainable": all(p.requires_grad for p in params)}


def _number(v: Any) -> int | float | bool | None:
    """A hyper-parameter as a plain number (torch also takes a one-element tensor ``lr``)."""
    if isinstance(v, (int, float, bool)):
        return v
    if isinstance(v, torch.Tensor) and v.numel() == 1:
        return v.item()
    return None


@label("make_optimizer")
def make_optimizer(mod: Any, lr: float) -> dict:
    model = nn.Linear(1, 1)
    opt = mod.make_optimizer(model, lr)
    info: dict = {"type": type(opt).__name__, "sgd": isinstance(opt, torch.optim.SGD)}
    if isinstance(opt, torch.optim.Optimizer):
        with trusted():
            held = {id(p) for group in opt.param_groups for p in group["params"]}
            info["held"] = [id(p) in held for p in model.parameters()]
            info["n_held"] = len(held)
            info["groups"] = [{k: _number(v) for k, v in group.items() if _number(v) is not None}
                              for group in opt.param_groups]
    return info


def _fresh_linear(w0: float, b0: float) -> nn.Linear:
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(w0)
        model.bias.fill_(b0)
    return model


@label("train_step")
def train_step_once(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, stale: bool) -> dict:
    model = _fresh_linear(0.5, -0.3)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    return observe_optimizer_step(lambda: mod.train_step(model, opt, x, y), model, opt, stale)


@label("train_step")
def train_step_training(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> dict:
    model = _fresh_linear(0.0, 0.0)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    result = run_until(lambda: mod.train_step(model, opt, x, y), max_steps=steps)
    return {"result": result, "w": model.weight.item(), "b": model.bias.item()}
