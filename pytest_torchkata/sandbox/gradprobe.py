"""Learner side of the gradient checks: evaluate, never judge.

These helpers run next to the learner's code (through ``kata.run``) and return
only raw observations: the learner function's outputs at the inputs the grader
chose, and the input gradients autograd produces for the grad_outputs the
grader chose.  They compute no finite difference, tolerance, comparison or
"ok": ``checks.gradients`` does all of that in the grading process, so code
that patches this module, ``torch.autograd.gradcheck`` or torch's comparisons
in the learner's process changes only what it reports, never how it is judged.

The grader's own torch calls here (``torch.autograd.grad``, building leaves)
are taken out of the task's rules (forbidden APIs, the call count); the
learner's forward runs under them (its backward runs inside autograd's call,
as under gradcheck).
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Callable, Iterator

import torch

_UNKNOWN = object()


def _rules() -> Any:
    from pytest_torchkata.sandbox import guards

    return guards._CURRENT[-1] if guards._CURRENT else None


def _top_mode() -> Any:
    """The innermost TorchFunctionMode (None when there is none), or _UNKNOWN."""
    try:
        from torch.overrides import _get_current_function_mode
    except ImportError:  # pragma: no cover - older torch
        return _UNKNOWN
    return _get_current_function_mode()


@contextlib.contextmanager
def _grader_code() -> Iterator[None]:
    """The probe's own torch calls: no forbidden-API rule applies, and the rules'
    TorchFunctionMode is taken off the stack so that many small ops do not pay for it."""
    from pytest_torchkata.sandbox.guards import trusted

    rules = _rules()
    with trusted():
        if rules is not None and _top_mode() is rules:
            from torch.overrides import _pop_mode_temporarily

            with _pop_mode_temporarily():
                yield
        else:
            yield


@contextlib.contextmanager
def _learner_code() -> Iterator[None]:
    """Inside ``_grader_code``: the learner's function runs under the rules again."""
    rules = _rules()
    if rules is None:
        yield
        return
    before, rules.paused = rules.paused, False
    try:
        top = _top_mode()
        if top is rules or top is _UNKNOWN:
            yield
        else:
            with rules:
                yield
    finally:
        rules.paused = before


def _resolve(module: Any, target: str) -> Any:
    obj = module
    for part in target.split("."):
        if not hasattr(obj, part):
            raise AttributeError(f"the learner file has no `{target}`; it may have been renamed or deleted")
        obj = getattr(obj, part)
    return obj


def _input_names(fn: Any, count: int) -> list[str]:
    """Parameter names of the learner's function (``forward``'s, after ``ctx``, for
    ``Function.apply``), falling back to ``input k``."""
    names: list[str] = []
    owner = getattr(fn, "__self__", None)
    try:
        if isinstance(owner, type) and issubclass(owner, torch.autograd.Function):
            params = list(inspect.signature(owner.forward).parameters.values())[1:]
        else:
            params = list(inspect.signature(fn).parameters.values())
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        pass
    return [names[i] if i < len(names) else f"input {i}" for i in range(count)]


def _as_outputs(value: Any) -> tuple[torch.Tensor, ...]:
    if isinstance(value, torch.Tensor):
        return (value,)
    if isinstance(value, (tuple, list)):
        return tuple(v for v in value if isinstance(v, torch.Tensor))
    raise TypeError(f"the function should return a tensor, but returned a {type(value).__name__}")


def _function(module: Any, target: str, kwargs: dict) -> Callable[..., Any]:
    fn0 = _resolve(module, target)
    return lambda *xs: fn0(*xs, **kwargs)


def _leaves(args: list, diff: list[int]) -> list:
    xs = list(args)
    for i in diff:
        xs[i] = xs[i].detach().requires_grad_(True)
    return xs


def observe_forward(module: Any, target: str, points: list[list], kwargs: dict) -> dict:
    """The learner's ``target`` evaluated at each argument list in ``points``
    (no graph): ``{"outputs": [[tensor, ...] per point], "names", "custom_function"}``."""
    fn0 = _resolve(module, target)
    fn = _function(module, target, kwargs)
    outputs = []
    with _grader_code():
        for args in points:
            with torch.no_grad(), _learner_code():
                outs = _as_outputs(fn(*args))
            outputs.append([o.detach() for o in outs])
        owner = getattr(fn0, "__self__", None)
        custom = isinstance(owner, type) and issubclass(owner, torch.autograd.Function)
        names = _input_names(fn0, len(points[0]) if points else 0)
    return {"outputs": outputs, "names": names, "custom_function": custom}


def observe_backward(module: Any, target: str, args: list, diff: list[int], grad_outputs: list[list],
                     kwargs: dict) -> dict:
    """One forward at ``args`` (inputs ``diff`` as leaves), then for each list of
    grad_outputs (one tensor per output) the input gradients autograd gives
    (None where none arrived).  ``connected``: which outputs require grad."""
    fn = _function(module, target, kwargs)
    with _grader_code():
        xs = _leaves(args, diff)
        with _learner_code():
            outs = _as_outputs(fn(*xs))
        connected = [bool(o.requires_grad) for o in outs]
        live = [k for k, c in enumerate(connected) if c]
        grads: list[list] = []
        for vs in grad_outputs:
            if not live:
                grads.append([None] * len(diff))
                continue
            got = torch.autograd.grad([outs[k] for k in live], [xs[i] for i in diff],
                                          grad_outputs=[vs[k].to(outs[k].dtype) for k in live],
                                          retain_graph=True, allow_unused=True)
            grads.append([None if g is None else g.detach() for g in got])
    return {"grads": grads, "connected": connected}


def _first(fn: Callable[..., Any], args: list, diff: list[int], vs: list, create_graph: bool) -> tuple:
    """Input gradients of <fn(args), vs> (None where none arrived) and the leaves."""
    xs = _leaves(args, diff)
    with torch.enable_grad():
        with _learner_code():
            outs = _as_outputs(fn(*xs))
        live = [k for k, o in enumerate(outs) if o.requires_grad]
        if not live:
            return [None] * len(diff), xs
        got = torch.autograd.grad([outs[k] for k in live], [xs[i] for i in diff],
                                  grad_outputs=[vs[k].to(outs[k].dtype) for k in live],
                                  create_graph=create_graph, allow_unused=True)
    return list(got), xs


def observe_second_order(module: Any, target: str, points: list[list], diff: list[int], vs: list,
                         second: list[list], kwargs: dict) -> dict:
    """For gradgradcheck: ``first[p]`` = the input gradients of <f(x), vs> at each
    argument list in ``points``; then at ``points[0]``, for each list in ``second``
    (one tensor per differentiable input), the input gradients of
    <first(x), that list> (double backward; None where none arrived)."""
    fn = _function(module, target, kwargs)
    firsts = []
    with _grader_code():
        for args in points:
            got, _ = _first(fn, args, diff, vs, create_graph=False)
            firsts.append([None if g is None else g.detach() for g in got])
        got, xs = _first(fn, points[0], diff, vs, create_graph=True)
        live = [k for k, g in enumerate(got) if g is not None and g.requires_grad]
        seconds: list[list] = []
        for us in second:
            if not live:
                seconds.append([None] * len(diff))
                continue
            gg = torch.autograd.grad([got[k] for k in live], [xs[i] for i in diff],
                                     grad_outputs=[us[k].to(got[k].dtype) for k in live],
                                     retain_graph=True, allow_unused=True)
            seconds.append([None if g is None else g.detach() for g in gg])
    return {"first": firsts, "second": seconds}


# The label the grader shows when learner code raises inside a probe.
for _probe in (observe_forward, observe_backward, observe_second_order):
    _probe.__name__ = "torch.autograd.gradcheck"
