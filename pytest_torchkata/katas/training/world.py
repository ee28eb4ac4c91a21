"""Learner world for the training kata: runs in the learner's process, next to the learner's code.

Each function here is passed to ``kata.run``.  It builds a small classifier with the starting
weights the grader chose, hands it to the learner's function and watches with torch's own
hooks: a forward pre-hook records ``module.training`` and ``torch.is_grad_enabled()``; the
optimizer's step hooks, parameter gradient hooks and a wrapped ``zero_grad`` record the order
of zero_grad / backward / step; a ``TorchFunctionMode`` records when loss tensors of several
batches are combined into one tensor that still holds their graphs.  It returns observations
only (results, parameters, gradients, events); ``training/tasks.py`` decides.
"""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook
from torch.overrides import TorchFunctionMode
from torch.utils.data import DataLoader, TensorDataset

from pytest_torchkata.sandbox.observe import plant_stale_grads
from pytest_torchkata.sandbox.runner import labelled




def classifier(hidden: int = 16, dropout: float = 0.0) -> nn.Module:
    return nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 3))


def loaded(model: nn.Module, state: dict) -> nn.Module:
    model.load_state_dict(state)
    return model


def params(model: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def watch(model: nn.Module) -> list[tuple[bool, bool]]:
    """Each forward of ``model`` appends (model.training, torch.is_grad_enabled())."""
    seen: list[tuple[bool, bool]] = []
    model.register_forward_pre_hook(lambda m, _: seen.append((m.training, torch.is_grad_enabled())))
    return seen


def watch_modes(model: nn.Module) -> list:
    """What happens to ``model``'s mode, in order: "train" / "eval" for each ``model.train(True)``
    / ``model.train(False)`` (``model.eval()`` included), and ``("forward", training, grad_enabled)``
    for each forward (repeats of the same forward event kept once)."""
    events: list = []
    original = model.train

    def train(mode: bool = True):
        events.append("train" if mode else "eval")
        return original(mode)

    def forward(m, _) -> None:
        event = ("forward", m.training, torch.is_grad_enabled())
        if events[-1:] != [event]:
            events.append(event)
    model.train = train  # an instance attribute shadows the method; eval() calls self.train(False)
    model.register_forward_pre_hook(forward)
    return events


def watch_steps(model: nn.Module, optimizer: torch.optim.Optimizer) -> list[str]:
    """The order of "zero" (optimizer's or model's zero_grad), "grad" (a backward reached the
    parameters) and "step" (optimizer.step) while the learner's code runs."""
    events: list[str] = []
    for owner in (optimizer, model):
        original = owner.zero_grad

        def zero_grad(*args, _original=original, **kwargs):
            events.append("zero")
            return _original(*args, **kwargs)
        owner.zero_grad = zero_grad  # an instance attribute shadows the method
    def backward_reached(_) -> None:
        if events[-1:] != ["grad"]:
            events.append("grad")
    for p in model.parameters():
        p.register_post_accumulate_grad_hook(backward_reached)
    optimizer.register_step_pre_hook(lambda *_: events.append("step"))
    return events


class KeptGraphs(TorchFunctionMode):
    """Records the batches whose loss graphs end up combined in one tensor that requires grad
    (``total += loss``, ``torch.stack(losses)``): every such graph stays in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[int, tuple[torch.Tensor, frozenset]] = {}
        self.most = 1

    def tag(self, loss: torch.Tensor, batch: int) -> None:
        self.tags[id(loss)] = (loss, frozenset([batch]))

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if isinstance(result, torch.Tensor) and result.requires_grad:
            batches: frozenset = frozenset()
            for a in [*args, *(kwargs or {}).values()]:
                for t in (a if isinstance(a, (list, tuple)) else [a]):
                    held = self.tags.get(id(t)) if isinstance(t, torch.Tensor) else None
                    if held is not None and held[0] is t:
                        batches |= held[1]
            if batches:
                self.tags[id(result)] = (result, batches)
                self.most = max(self.most, len(batches))
        return result


# -- task 1 ---------------------------------------------------------------------------

@labelled("train_step")
def one_train_step(learner, state: dict, x: torch.Tensor, y: torch.Tensor, lr: float, stale: bool) -> dict:
    model = loaded(classifier(), state)
    seen = watch(model)
    if stale:
        plant_stale_grads(model.parameters())
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    events = watch_steps(model, optimizer)
    result = learner.train_step(model, (x, y), nn.CrossEntropyLoss(), optimizer)
    return {"result": result, "forwards": len(seen), "events": events, "after": params(model),
            "grads": [None if p.grad is None else p.grad.clone() for p in model.parameters()]}


# -- task 2 ---------------------------------------------------------------------------

@labelled("train_epoch")
def one_epoch(learner, state: dict, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> dict:
    model = loaded(classifier(), state)
    model.eval()  # train_epoch must switch it to training mode itself
    seen = watch(model)
    modes = watch_modes(model)
    kept = KeptGraphs()
    base = nn.CrossEntropyLoss()
    calls = []

    def loss_fn(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = base(output, target)
        kept.tag(loss, len(calls))
        calls.append(1)
        return loss
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size)
    with kept:
        result = learner.train_epoch(model, loader, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1))
    return {"result": result, "modes": [t for t, _ in seen], "switches": modes, "forwards": len(seen),
            "after": params(model),
            "kept": kept.most}


# -- task 3 ---------------------------------------------------------------------------

@labelled("accuracy")
def accuracy_of_a_view(learner, by_class: torch.Tensor, labels: torch.Tensor):
    """The learner's accuracy on ``by_class.T``: (N, C) logits that are a transposed view, made
    here (tensors arrive contiguous), as ``logits.T`` or a slice hands them over in real code."""
    return learner.accuracy(by_class.T, labels)


# -- task 4 ---------------------------------------------------------------------------

@labelled("evaluate")
def evaluate_watched(learner, state: dict, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> dict:
    model = loaded(classifier(dropout=0.5), state)
    model.train()
    seen = watch(model)
    modes = watch_modes(model)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size)
    result = learner.evaluate(model, loader, nn.CrossEntropyLoss())
    return {"result": result, "seen": seen, "modes": modes, "training_after": [m.training for m in model.modules()],
            "has_grad": [p.grad is not None for p in model.parameters()], "after": params(model)}


# -- task 5 ---------------------------------------------------------------------------

@labelled("make_loader")
def loader_orders(learner, n: int, batch_size: int, seed: int) -> dict:
    dataset = TensorDataset(torch.arange(n))

    def order(loader) -> list[list[int]]:
        return [[int(i) for i in batch] for (batch,) in loader]

    first = learner.make_loader(dataset, batch_size, seed)
    torch.manual_seed(1)  # unrelated use of the global generator must not matter
    first_order = order(first)
    again = learner.make_loader(dataset, batch_size, seed)
    torch.manual_seed(2)
    return {"first": first_order, "again": order(again),
            "other": order(learner.make_loader(dataset, batch_size, seed + 1))}


# -- task 6 ---------------------------------------------------------------------------

@labelled("fit")
def fit_blobs(learner, state: dict, data: tuple, epochs: int, lr: float) -> dict:
    x_train, y_train, x_val, y_val = data
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=24, shuffle=True,
                              generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=40)
    model = loaded(classifier(dropout=0.1), state)
    seen = watch(model)
    modes = watch_modes(model)
    known: list = []  # the optimizers themselves: a freed one's id could be reused by the next
    optimizers: list[dict] = []

    def on_step(optimizer, *_):
        if not any(o is optimizer for o in known):
            group = optimizer.param_groups[0]
            known.append(optimizer)
            optimizers.append({"steps": 0, "lr": group.get("lr"), "momentum": group.get("momentum"),
                               "type": type(optimizer).__name__})
        optimizers[next(i for i, o in enumerate(known) if o is optimizer)]["steps"] += 1
    handle = register_optimizer_step_pre_hook(on_step)
    start = time.perf_counter()
    try:
        history = learner.fit(model, train_loader, val_loader, epochs, lr)
    finally:
        handle.remove()
    return {"history": history, "seconds": time.perf_counter() - start, "optimizers": optimizers,
            "seen": seen, "modes": modes, "final": {k: v.detach().clone() for k, v in model.state_dict().items()}}
