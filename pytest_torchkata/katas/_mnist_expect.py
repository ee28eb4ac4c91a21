"""Grader side of the mnist checks: the expected values and the classic slips.

What a correct ``train_step`` returns and leaves in ``.grad`` on the grader's
small model (and what softmax-before-cross-entropy or ``F.nll_loss`` on raw
logits would give instead), the evaluation case with its known accuracy, and the
words for a training run that fell short.  Everything here runs in the grading
process, on observations from ``katas._mnist_world``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from pytest_torchkata.checks.errors import CheckFailed, KataOutcome
from pytest_torchkata.checks.values import describe
from pytest_torchkata.katas._mnist_world import forward_probe, small_model, step_probe


def returns_log_probs(kata) -> bool:
    """Whether the learner's Net returns log-probabilities (pytorch/examples style:
    log_softmax in forward, F.nll_loss in the step); then train_step is checked on a
    model that does the same, so F.nll_loss and F.cross_entropy both give the right loss."""
    try:
        out = kata.run(forward_probe, torch.rand(4, 1, 28, 28))["out"]
    except KataOutcome:
        return False
    if not (isinstance(out, torch.Tensor) and out.shape == (4, 10) and bool(torch.isfinite(out).all())):
        return False
    return bool((out <= 0).all() and (torch.logsumexp(out.double(), dim=1).abs() < 1e-3).all())


def losses(model, state: dict, x: torch.Tensor, y: torch.Tensor) -> dict[str, tuple[float, dict]]:
    """The right loss and its gradients, and those of the classic slips, computed here."""
    out: dict[str, tuple[float, dict]] = {}
    for name, loss_of in (("right", lambda z: F.cross_entropy(z, y)),
                          ("nll_of_logits", lambda z: F.nll_loss(z, y)),
                          ("softmax_first", lambda z: F.cross_entropy(F.softmax(z, dim=1), y))):
        with torch.no_grad():
            for n, p in model.named_parameters():
                p.copy_(state[n])
        model.zero_grad()
        loss = loss_of(model(x))
        loss.backward()
        out[name] = (loss.item(), {n: p.grad.clone() for n, p in model.named_parameters()})
    return out


def step(kata, stale: bool, lr: float) -> tuple[dict, dict, dict, bool]:
    log_probs = returns_log_probs(kata)
    model = small_model(log_probs)
    state = {n: p.detach().clone() for n, p in model.named_parameters()}
    x, y = torch.rand(8, 1, 28, 28), torch.randint(0, 10, (8,))
    got = kata.run(step_probe, state, x, y, stale, lr, log_probs)
    return got, state, losses(model, state, x, y), log_probs


def close_to(a: Any, b: float) -> bool:
    return isinstance(a, float) and math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def same_grads(grads: dict, want: dict) -> bool:
    return all(isinstance(grads.get(n), torch.Tensor) and grads[n].shape == w.shape
               and bool(torch.allclose(grads[n], w, rtol=1e-4, atol=1e-6)) for n, w in want.items())


SOFTMAX_FIRST = ("train_step applies softmax before F.cross_entropy: cross_entropy applies log-softmax "
                 "itself, so the loss is squashed near ln 10 and learning stalls; pass the raw logits")
NLL_OF_LOGITS = ("which is F.nll_loss of the raw logits: nll_loss expects log-probabilities; use "
                 "F.cross_entropy on logits (or return log_softmax from forward)")


EVAL_BATCH = 16  # 50 samples: batches of 16, 16, 16 and 2


def evaluation_case() -> tuple[dict, torch.Tensor, torch.Tensor, int]:
    """A linear model (with dropout) and 50 samples, ``right`` of them labelled with the
    model's own eval-mode prediction: the two short last samples both right, so the mean of
    per-batch accuracies differs from the true accuracy."""
    weight, bias = 0.05 * torch.randn(10, 784), 0.05 * torch.randn(10)
    x = torch.rand(50, 1, 28, 28)
    predicted = F.linear(x.flatten(1), weight, bias).argmax(dim=1)
    right = torch.zeros(50, dtype=torch.bool)
    for start in (0, 16, 32):
        right[start + torch.randperm(16)[: int(torch.randint(4, 13, ()))]] = True
    right[48:] = True
    y = torch.where(right, predicted, (predicted + 1) % 10)
    return {"1.weight": weight, "1.bias": bias}, x, y, int(right.sum())


def bucket_means(history: list[float], points: int = 40) -> list[float]:
    """Per-batch losses are noisy; the mean of each of ``points`` stretches shows the trend."""
    size = max(1, math.ceil(len(history) / points))
    return [sum(history[i:i + size]) / len(history[i:i + size]) for i in range(0, len(history), size)]


def optimizer_text(got: dict) -> str:
    settings = ", ".join(f"{k}={v:g}" for k, v in got["settings"].items())
    return f"{got['optimizer']}({settings}), batch size {got['batch_size']}"


def fit_hint(got: dict, history: list[float]) -> str:
    if any(not math.isfinite(v) for v in history):
        return "the loss became NaN/Inf: lower the learning rate"
    settings = got["settings"]
    if got["optimizer"] == "SGD" and settings.get("momentum", 0) == 0 and settings.get("lr", 1) <= 0.01:
        return ("plain SGD at lr 0.01 learns slowly: try momentum=0.9 or lr=0.05 (or Adam with lr=1e-3), "
                "or train for more epochs")
    if history and history[-1] > 0.9 * history[0]:
        return "the loss hardly fell: raise the learning rate, add momentum, or train longer"
    return "train longer (more epochs), or tune the learning rate; momentum=0.9 helps SGD a lot"


def history(value: Any) -> list[float]:
    __tracebackhide__ = True
    if not (isinstance(value, list) and value and all(isinstance(v, (float, int)) and not isinstance(v, bool)
                                                      for v in value)):
        raise CheckFailed(f"fit should return the list of step losses (floats), but returned {describe(value)}")
    return [float(v) for v in value]
