"""Learner side of the mnist kata: helpers run next to the learner's code
(through ``kata.run``) that only observe.

Each returns raw observations: what the learner's ``Net`` is made of and
outputs, the loss and gradients ``train_step`` produced on a model and batch
the grader chose (weights sent from the grader), what ``evaluate`` returned,
what ``make_loaders`` built, the loss history and the weights before and after ``fit``.
Nothing here computes an expected value, a comparison, an accuracy or a time:
``katas.mnist`` decides all of that in the grading process, which also holds
the held-out digits (the learner's process is given a training-only folder,
see ``mnist/data.py``).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn

from pytest_torchkata.sandbox.observe import run_until
from pytest_torchkata.sandbox.observe import describe
from pytest_torchkata.katas.common.observe import observe_optimizer_step
from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.sandbox.runner import labelled as _label

LAYER_NAMES = ("conv1", "conv2", "fc1", "fc2")
WEIGHTS = tuple(f"{layer}.{kind}" for layer in LAYER_NAMES for kind in ("weight", "bias"))




def _weights(model: Any) -> dict[str, torch.Tensor]:
    """The article's eight weight tensors of ``model``, where it has them (raw, detached)."""
    out = {}
    for name in WEIGHTS:
        layer, kind = name.split(".")
        value = getattr(getattr(model, layer, None), kind, None)
        if isinstance(value, torch.Tensor):
            out[name] = value.detach().clone()
    return out


@_label("Net")
def layers_probe(learner) -> dict:
    model = learner.Net()
    children = dict(model.named_children())
    layers = {}
    for name in LAYER_NAMES:
        layer = getattr(model, name, None)
        if layer is None:
            layers[name] = None
            continue
        weight = getattr(layer, "weight", None)
        layers[name] = {
            "registered": name in children,
            "type": type(layer).__name__,
            "weight": tuple(weight.shape) if isinstance(weight, torch.Tensor) else None,
            "count": sum(p.numel() for p in layer.parameters()) if isinstance(layer, nn.Module) else 0,
        }
    return {"layers": layers, "total": sum(p.numel() for p in model.parameters()),
            "dropout": any(isinstance(m, nn.modules.dropout._DropoutNd) for m in model.modules())}


@_label("Net")
def forward_probe(learner, x: torch.Tensor) -> dict:
    """A fresh Net in eval mode on ``x``: its output, each layer's output shape,
    each image alone, the batch once more, and the layer weights (for the grader's own forward)."""
    model = learner.Net()
    model.eval()
    shapes: dict[str, Any] = {}

    def record(name: str, tensor: Any) -> None:  # hooks must return None, or they replace the output
        shapes.setdefault(name, tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else describe(tensor))

    handles = []
    for name in LAYER_NAMES:
        layer = getattr(model, name, None)
        if isinstance(layer, nn.Module):
            handles.append(layer.register_forward_hook(lambda m, inputs, out, name=name: record(name, out)))
    if isinstance(getattr(model, "fc1", None), nn.Module):
        handles.append(model.fc1.register_forward_pre_hook(lambda m, inputs: record("fc1 input", inputs[0])))
    with torch.no_grad():
        out = model(x)
        for handle in handles:
            handle.remove()
        singles = [model(x[i:i + 1]) for i in range(x.shape[0])]
        again = model(x)
    return {"out": out, "again": again, "shapes": shapes, "singles": singles, "weights": _weights(model)}


def watch_modes(model: nn.Module) -> list:
    """What happens to ``model``'s mode, in order: "train" / "eval" for each
    ``model.train(True)`` / ``model.train(False)`` (``model.eval()`` included), and
    ``("forward", training, grad_enabled)`` for each forward."""
    events: list = []
    original = model.train

    def train(mode: bool = True):
        events.append("train" if mode else "eval")
        return original(mode)
    model.train = train  # an instance attribute shadows the method; eval() calls self.train(False)
    model.register_forward_pre_hook(lambda m, _: events.append(("forward", m.training, torch.is_grad_enabled())))
    return events


def _squeezed(events: list) -> list:
    """``events`` with runs of the same forward event kept once (a fit runs thousands)."""
    out: list = []
    for event in events:
        if not (isinstance(event, tuple) and out and out[-1] == event):
            out.append(event)
    return out


def small_model(log_probs: bool) -> nn.Module:
    """The model train_step is checked on; ``log_probs``: it returns log-probabilities, as a
    Net in the pytorch/examples style does (then cross_entropy and nll_loss agree)."""
    layers = [nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10)]
    return nn.Sequential(*layers, *([nn.LogSoftmax(dim=1)] if log_probs else []))


def _loaded(model: nn.Module, state: dict) -> nn.Module:
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(state[name])
    return model


@_label("train_step")
def step_probe(learner, state: dict, x: torch.Tensor, y: torch.Tensor, stale: bool, lr: float,
               log_probs: bool) -> dict:
    """The learner's train_step once on the grader's small model (weights ``state``):
    what it returned, each parameter's .grad and value afterwards, and the order of its
    zero_grad / forward / backward / step (``common/observe.py``)."""
    with trusted():
        model = _loaded(small_model(log_probs), state)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    seen = observe_optimizer_step(lambda: learner.train_step(model, optimizer, x, y), model, optimizer, stale)
    with trusted():
        return {"value": seen["loss"], "grads": seen["grads"], "after": seen["params"], "seen": seen}


@_label("train_step")
def sanity_probe(learner, x: torch.Tensor, y: torch.Tensor, steps: int, target: float | None) -> dict:
    """The learner's Net and train_step on one batch, model in eval mode (dropout off),
    SGD lr 0.05 momentum 0.9: the loss history, and the model's output afterwards."""
    model = learner.Net()
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05 if steps else 0.0, momentum=0.9)
    result = run_until(lambda: learner.train_step(model, optimizer, x, y), max_steps=max(steps, 1),
                       target=target)
    with torch.no_grad():
        result["out"] = model(x)
    return result


@_label("evaluate")
def evaluate_probe(learner, state: dict, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> dict:
    """The learner's evaluate on the grader's model (a linear layer and dropout, weights
    ``state``) and loader: what it returned, and (training mode, grad mode) at each forward."""
    from torch.utils.data import DataLoader, TensorDataset

    with trusted():
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Dropout(0.5))
        _loaded(model, state)
        model.train()
        loader = DataLoader(TensorDataset(x, y), batch_size=batch_size)
        seen = []
        model.register_forward_pre_hook(lambda m, a: seen.append((m.training, torch.is_grad_enabled())))
        modes = watch_modes(model)
    value = learner.evaluate(model, loader)
    return {"value": value, "seen": seen, "modes": _squeezed(modes)}


def _served(loader: Any, batches: int = 2) -> list | None:
    """The indices of the first ``batches`` batches the loader serves, on two passes
    (from its batch sampler: no image is loaded), or None where it has none to read."""
    from itertools import islice

    sampler = getattr(loader, "batch_sampler", None)
    if sampler is None:
        return None
    try:
        passes = [[[int(i) for i in batch] for batch in islice(iter(sampler), batches)] for _ in range(2)]
    except Exception:  # a batch sampler of the learner's own that cannot be read this way
        return None
    return passes if passes[0] and passes[0][0] else None


@_label("make_loaders")
def loaders_probe(learner, root: str, batch_size: int) -> dict:
    from torch.utils.data import DataLoader, RandomSampler, SequentialSampler

    loaders = learner.make_loaders(root, batch_size)
    if not (isinstance(loaders, (tuple, list)) and len(loaders) == 2):
        return {"shape": describe(loaders)}
    info: dict[str, Any] = {"shape": "ok"}
    for split, loader in zip(("train", "test"), loaders):
        if not isinstance(loader, DataLoader):
            info[split] = {"type": type(loader).__name__}
            continue
        x, y = next(iter(loader))
        dataset = loader.dataset
        served = _served(loader)
        info[split] = {
            "type": "DataLoader", "batch_size": len(served[0][0]) if served else loader.batch_size,
            "shuffled": served[0] != served[1] if served else isinstance(loader.sampler, RandomSampler),
            "sequential": served[0][0][:1] == [0] and served[0] == served[1] if served
            else isinstance(loader.sampler, SequentialSampler),
            "served": served[0] if served else None,
            "train_split": getattr(dataset, "train", None), "length": len(dataset),
            "x": x if isinstance(x, torch.Tensor) else describe(x),
            "y": y if isinstance(y, torch.Tensor) else describe(y),
        }
    return info


@_label("fit")
def fit_probe(learner, root: str, probe: int) -> dict:
    """``fit(Net(), loader)`` on the training split in ``root``: the losses it returned,
    the weights before and after, and the trained model's outputs (eval mode) on the first
    ``probe`` training images (so the grader can confirm its copy computes the same)."""
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    with trusted():
        train_set = datasets.MNIST(root, train=True, transform=transforms.ToTensor())
    batch_size = int(getattr(learner, "BATCH_SIZE", 64))
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    optimizer = learner.make_optimizer(learner.Net())
    group = dict(optimizer.param_groups[0]) if isinstance(optimizer, torch.optim.Optimizer) else {}
    settings = {k: group[k] for k in ("lr", "momentum") if isinstance(group.get(k), (int, float))}
    model = learner.Net()
    model.eval()  # fit must put it in training mode itself (the contract: model.train() each epoch)
    with trusted():
        modes = watch_modes(model)
    start = _weights(model)
    history = learner.fit(model, loader)
    fit_modes = _squeezed(modes)  # what fit did; the grader's own eval() and forward below are not fit's
    if isinstance(history, (list, tuple)):
        history = [v.item() if isinstance(v, torch.Tensor) and v.numel() == 1 else v for v in history]
    with trusted():
        images = train_set.data[:probe].unsqueeze(1).to(torch.float32) / 255.0
    model.eval()
    with torch.no_grad():
        outputs = model(images)
    return {"history": history, "weights": _weights(model), "start": start, "modes": fit_modes,
            "outputs": outputs, "batch_size": batch_size,
            "optimizer": type(optimizer).__name__, "settings": settings}
