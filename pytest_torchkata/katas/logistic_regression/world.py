"""The logistic_regression kata's learner-world helpers: they run in the learner's
process, next to the learner's code, through ``kata.run``, and return observations
only (outputs on inputs the grader chose, gradients, inputs after a call, what one
training step did, a training run).  Verdicts are made in ``logistic_regression.py``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from pytest_torchkata.sandbox.observe import run_until
from pytest_torchkata.sandbox.runner import labelled as label
from pytest_torchkata.katas.common.observe import observe_call, observe_global_rng, observe_optimizer_step
from pytest_torchkata.sandbox.guards import trusted


@label("LogisticRegression")
def model_outputs(mod: Any, in_features: int, batches: list) -> dict:
    """One model, called on each of the grader's batches."""
    model = mod.LogisticRegression(in_features)
    outs = [model(x) for x in batches]
    with trusted():
        params = list(model.parameters())
        return {"outs": [o.detach() if isinstance(o, torch.Tensor) else o for o in outs],
                "n_params": sum(p.numel() for p in params),
                "trainable": bool(params) and all(p.requires_grad for p in params)}


@label("bce_with_logits")
def bce_backward(mod: Any, logits: torch.Tensor, targets: torch.Tensor) -> dict:
    return _loss_backward(mod.bce_with_logits, logits, targets)


@label("cross_entropy")
def cross_entropy_backward(mod: Any, logits: torch.Tensor, targets: torch.Tensor) -> dict:
    return _loss_backward(mod.cross_entropy, logits, targets)


def _loss_backward(fn: Any, logits: torch.Tensor, targets: torch.Tensor) -> dict:
    logits = logits.detach().clone().requires_grad_()
    loss = fn(logits, targets)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return {"loss": loss, "grad": None, "connected": False}
    with trusted():
        (grad,) = torch.autograd.grad(loss, [logits], allow_unused=True)
        return {"loss": loss.detach(), "grad": grad, "connected": True}


@label("standardize")
def standardize_call(mod: Any, x_train: torch.Tensor, x_test: torch.Tensor) -> dict:
    return observe_call(mod.standardize, x_train, x_test)


@label("log_softmax")
def log_softmax_call(mod: Any, logits: torch.Tensor) -> dict:
    return observe_call(mod.log_softmax, logits)


@label("make_blobs")
def make_blobs_rng(mod: Any, n: int, seed: int) -> dict:
    return observe_global_rng(mod.make_blobs, n, seed=seed)


def blobs(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The grader's own two blobs (its data, also read on the check side):
    (n, 2) float32 and (n,) float32 labels."""
    g = torch.Generator().manual_seed(seed)
    y = torch.cat([torch.zeros(n // 2), torch.ones(n - n // 2)])
    x = torch.tensor([[-2.0, -2.0], [2.0, 2.0]])[y.long()] + torch.randn(n, 2, generator=g)
    return x, y


def fresh_model(w: list[float], b: float) -> nn.Module:
    model = nn.Sequential(nn.Linear(len(w), 1), nn.Flatten(0))  # (N, D) -> (N,) logits
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([w]))
        model[0].bias.fill_(b)
    return model


@label("train_step")
def train_step_once(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, stale: bool) -> dict:
    model = fresh_model([0.3, -0.2], 0.1)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    return observe_optimizer_step(lambda: mod.train_step(model, opt, x, y), model, opt, stale)


@label("train_step")
def train_step_training(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int,
                        target: float) -> dict:
    model = fresh_model([0.0, 0.0], 0.0)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    result = run_until(lambda: mod.train_step(model, opt, x, y), max_steps=steps,
                       target=target)
    with torch.no_grad():
        logits = model(x)
    return {"result": result, "logits": logits}
