"""Learner-world helpers for the debugging kata.

These functions run in the learner's process, next to the learner's code (the
checks hand them to ``kata.run``).  They return observations only: what the
learner's functions returned, hooks left registered, the order of calls
(``zero_grad``, ``backward``, ``step``), torch functions applied to loss tensors,
grad and anomaly modes seen during backward.  The models and inputs come from
the checks, which compute every expected value in the grader's process.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.sandbox.runner import labelled as _label




def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


# -- grader models (the same classes in both processes) ---------------------------------------

class Log(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log(x)


class Exp(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(x)


class Boom(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("the grader's model fails here on purpose")


class NaNNet(nn.Module):
    """Declared head-first but run body-first, so declaration order and run order differ:
    ``body.1`` makes the first bad value, and ``body``, ``head`` and ``tail`` inherit it."""

    def __init__(self, bad: str = "log") -> None:
        super().__init__()
        self.head = nn.Linear(4, 4)
        self.scale = nn.Linear(4, 4)
        culprit = {"log": Log, "exp": Exp, "raise": Boom, "clean": nn.Tanh}[bad]()
        self.body = nn.Sequential(nn.Linear(4, 4), culprit)
        self.tail = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.tail(self.head(self.body(self.scale(x))))


class Branchy(nn.Module):
    """``side``'s output is detached, so ``side.*`` never gets a gradient."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(6, 8)
        self.side = nn.Linear(6, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.encoder(x)) + self.side(x).detach())


class _Calls(TorchFunctionMode):
    """Logs the torch calls named in ``watch`` (with their ``dim`` argument)."""

    def __init__(self, watch: dict) -> None:
        super().__init__()
        self.watch, self.calls = watch, []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = self.watch.get(func)
        if name is not None:
            dim = kwargs.get("dim", args[1] if len(args) > 1 and isinstance(args[1], int) else None)
            self.calls.append([name, dim])
        return func(*args, **kwargs)


class _EventCalls(TorchFunctionMode):
    """Appends the name of each watched torch call to a shared event log, in order."""

    def __init__(self, events: list, watch: dict) -> None:
        super().__init__()
        self.events, self.watch = events, watch

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.watch:
            self.events.append(self.watch[func])
        return func(*args, **(kwargs or {}))


def _log_calls(obj: Any, name: str, events: list, label: str | None = None) -> None:
    """Replace ``obj.name`` by a wrapper that logs each call in ``events``."""
    original = getattr(obj, name)

    def logged(*args: Any, **kwargs: Any) -> Any:
        events.append(label or (f"{name}(set_to_none=False)" if kwargs.get("set_to_none") is False or
                                (args and args[0] is False) else name))
        return original(*args, **kwargs)
    setattr(obj, name, logged)


# -- task helpers ------------------------------------------------------------------------------

def _hooked_modules(model: nn.Module) -> dict:
    return {name or "(the model)": len(m._forward_hooks) + len(m._forward_pre_hooks)
            for name, m in model.named_modules() if m._forward_hooks or m._forward_pre_hooks}


@_label("first_bad_module")
def first_bad_facts(learner, case: str, state: dict, x: torch.Tensor) -> dict:
    with trusted():
        model = NaNNet({"inf": "exp"}.get(case, case))
        model.load_state_dict(state)
        ran = []
        probe = model.scale.register_forward_pre_hook(lambda *a: ran.append(1))
        global_hooks = torch.nn.modules.module._global_forward_hooks
        globals_before = len(global_hooks)
    raised = ""
    name = None
    try:
        name = learner.first_bad_module(model, x)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the "raise" case fails on purpose; others are noted too
        if case != "raise":
            raise
        raised = _first_line(error)
    probe.remove()
    returned_module = None
    if isinstance(name, nn.Module):  # the module object itself: report which one, by name
        returned_module = next((n for n, m in model.named_modules() if m is name), type(name).__name__)
        name = None
    return {"name": name, "returned_module": returned_module, "leftover": _hooked_modules(model), "ran": len(ran),
            "raised": raised,
            "global_left": len(global_hooks) - globals_before}


@_label("grad_report")
def grad_report_facts(learner, state: dict, x: torch.Tensor, y: torch.Tensor, stale: bool) -> dict:
    with trusted():
        model = Branchy()
        model.load_state_dict(state)
        if stale:
            for p in model.parameters():
                p.grad = torch.full_like(p, 7.0)
        events: list[str] = []
        _log_calls(model, "zero_grad", events)
    with _EventCalls(events, {torch.Tensor.backward: "backward", torch.autograd.backward: "backward"}):
        report = learner.grad_report(model, nn.CrossEntropyLoss(), x, y)
    return {"report": report, "events": events}


def _has_graph(value: Any) -> bool:
    return isinstance(value, torch.Tensor) and value.grad_fn is not None


class _LossWatch(TorchFunctionMode):
    """Follows the tensors ``F.mse_loss`` returns: which torch functions combine them into
    new tensors that still carry a graph, and how many losses of earlier batches are
    still alive when a new one is computed."""

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[weakref.ref] = []
        self.combined: list[str] = []
        self.alive_old = 0

    def _is_loss(self, value: Any) -> bool:
        return isinstance(value, torch.Tensor) and any(ref() is value for ref in self.losses)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.mse_loss:
            # only a loss that still carries a graph keeps memory (one made under no_grad carries none)
            self.alive_old = max(self.alive_old, sum(_has_graph(ref()) for ref in self.losses[:-1]))
            out = func(*args, **kwargs)
            if isinstance(out, torch.Tensor):
                self.losses.append(weakref.ref(out))
            return out
        out = func(*args, **kwargs)
        flat = [a for arg in args for a in (arg if isinstance(arg, (list, tuple)) else (arg,))]
        if (isinstance(out, torch.Tensor) and out.grad_fn is not None and
                any(self._is_loss(a) and a is not out for a in flat)):
            self.combined.append(getattr(func, "__name__", str(func)))
        return out


def _linear_model(weight: torch.Tensor, bias: torch.Tensor, batches: list) -> tuple[nn.Module, list]:
    """The check's nn.Linear(3, 1) and batches, rebuilt here (batches come over as lists)."""
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
    return model, [tuple(batch) for batch in batches]


@_label("mean_loss")
def mean_loss_facts(learner, weight: torch.Tensor, bias: torch.Tensor, batches: list) -> dict:
    with trusted():
        model, batches = _linear_model(weight, bias, batches)
        watch = _LossWatch()
    with watch:
        value = learner.mean_loss(model, batches)
    graph = isinstance(value, torch.Tensor) and value.grad_fn is not None
    return {"value": value, "graph": graph, "combined": watch.combined, "alive_old": watch.alive_old}


@_label("train_steps")
def train_steps_facts(learner, weight: torch.Tensor, bias: torch.Tensor, batches: list) -> dict:
    with trusted():
        model, batches = _linear_model(weight, bias, batches)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        events: list[str] = []
        _log_calls(optimizer, "zero_grad", events, "zero_grad")
        _log_calls(model, "zero_grad", events, "zero_grad")
        handle = optimizer.register_step_pre_hook(lambda *a: events.append("step"))
    watch = _EventCalls(events, {torch.Tensor.backward: "backward", torch.autograd.backward: "backward"})
    with watch:
        losses = learner.train_steps(model, optimizer, batches)
    handle.remove()
    with trusted():
        params = {n: p.detach().clone() for n, p in model.named_parameters()}
    return {"losses": losses, "params": params, "events": events}


def _safe_sqrt(x: torch.Tensor) -> torch.Tensor:
    # The classic torch.where trap: the forward is finite, but at x = 0 the unused branch's
    # gradient is 0 * Inf = NaN.
    return torch.where(x > 0, x.sqrt(), 0.0)


def _safe_log(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0, x.log(), 0.0)


def _smooth(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(x) * 2


NAN_FUNCTIONS = {"sqrt": _safe_sqrt, "log": _safe_log, "smooth": _smooth}
_check_nan_enabled = getattr(torch, "is_anomaly_check_nan_enabled", lambda: True)


@_label("find_nan_backward")
def find_nan_facts(learner, case: str, values: list[float]) -> dict:
    """``find_nan_backward`` on a grader function of ``values`` whose output notes, when backward
    reaches it, whether anomaly detection (and its NaN check) was on."""
    fn = NAN_FUNCTIONS[case]
    during: list[list[bool]] = []

    def watched(x: torch.Tensor) -> torch.Tensor:
        out = fn(x)
        with trusted():
            if out.requires_grad:
                out.register_hook(lambda grad: during.append([torch.is_anomaly_enabled(), _check_nan_enabled()]))
        return out

    with trusted():
        x = torch.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        # anomaly mode warns with the forward's traceback; the check reports the result instead
        warnings.filterwarnings("ignore", message="Error detected in")
        warnings.filterwarnings("ignore", message="Anomaly Detection has been enabled")
        before = torch.is_anomaly_enabled(), _check_nan_enabled()
        try:
            name = learner.find_nan_backward(watched, x)
        finally:
            after = torch.is_anomaly_enabled()
            torch.autograd.set_detect_anomaly(*before)  # a mode left on must not reach later checks
    return {"name": name, "anomaly_after": after, "during_backward": during}


@_label("accuracy")
def accuracy_facts(learner, logits: torch.Tensor, labels: torch.Tensor) -> dict:
    watch = _Calls({torch.max: "torch.max", torch.Tensor.max: "max", torch.argmax: "argmax",
                    torch.Tensor.argmax: "argmax"})
    try:
        with watch:
            value = learner.accuracy(logits, labels)
    except Exception as error:  # noqa: BLE001 - explained by the check when torch.max/argmax was involved
        if not watch.calls:
            raise
        return {"error": _first_line(error), "calls": watch.calls}
    return {"value": value, "calls": watch.calls, "error": ""}
