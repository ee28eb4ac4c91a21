"""Gradient checks decided in the grading process, with messages that say what is wrong.

``expect_gradients(kata, "Sigmoid.apply", [x], what="Sigmoid")`` checks a
learner function's first derivatives in float64 the way
``torch.autograd.gradcheck`` does, but the learner's process only evaluates
(``sandbox.gradprobe``): the grader chooses the perturbed inputs (+-EPS on each
element) and asks for the forward values at all of them in one request, then
chooses one-hot grad_outputs (one per output element) and asks for the input
gradients in a second.  From those raw tensors it builds the numerical Jacobian
(central differences) and the analytical one itself, compares them with
gradcheck's tolerances, and names the input, the size of the error, the worst
element and, where the two Jacobians differ by a clean factor, the classic
mistake behind it::

    Sigmoid: the gradient for `x` is wrong; backward is 2x the true gradient:
    off by a factor of 2? (relative error 0.5; worst at d out[2] / d x[2]:
    backward gives 0.39, finite differences give 0.197)

``expect_gradgrad`` does the same for x -> grad <f(x), v> (gradgradcheck's
test).  A function whose output does not move at all is refused (nothing to
check).  ``diagnose(analytic, numeric)`` (in ``checks.gradwords``, re-exported
here) is the pure part, for tests and other checks.  Learner exceptions raised while observing (a backward that returns the
wrong number of gradients, say) reach the check as the usual learner errors.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.sandbox.gradprobe import observe_backward, observe_forward, observe_second_order
from pytest_torchkata.checks.gradwords import KINKS, band, diagnose, guess, relative_error  # noqa: F401
from pytest_torchkata.i18n import tr

EPS = 1e-6
RTOL, ATOL = 1e-3, 1e-5  # torch.autograd.gradcheck's defaults


# -- grader: the perturbed inputs, the grad_outputs, the Jacobians ---------------------

def _prepare(inputs: list) -> tuple[list, list[int]]:
    """Floating tensors become float64 (the probe makes them leaves); their
    positions are the inputs to differentiate."""
    args, diff = [], []
    for i, value in enumerate(inputs):
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            value = value.detach().to(torch.float64).clone()
            diff.append(i)
        args.append(value)
    return args, diff


def _perturbed(args: list, diff: list[int]) -> list[list]:
    """``args`` with one element of one input moved by +EPS, then -EPS, for every
    element of every input in ``diff`` (in that order)."""
    points = []
    for i in diff:
        base = args[i]
        for j in range(base.numel()):
            for sign in (1.0, -1.0):
                moved = base.clone().reshape(-1)
                moved[j] += sign * EPS
                point = list(args)
                point[i] = moved.reshape(base.shape)
                points.append(point)
    return points


def _one_hots(shapes: list[tuple[int, ...]]) -> list[list[torch.Tensor]]:
    """One list of tensors (shaped like ``shapes``) per element of all of them:
    a 1 at that element, 0 elsewhere.  Row r of a Jacobian is autograd's answer to row r."""
    rows = []
    for k, shape in enumerate(shapes):
        for r in range(math.prod(shape)):
            row = [torch.zeros(s, dtype=torch.float64) for s in shapes]
            row[k].view(-1)[r] = 1.0
            rows.append(row)
    return rows


def _f64(t: Any, shape: tuple[int, ...]) -> torch.Tensor:
    if t is None:
        return torch.zeros(shape, dtype=torch.float64)
    if not isinstance(t, torch.Tensor):
        raise TypeError("not a tensor")
    return t.detach().to(torch.float64).reshape(shape)


def _numeric(values: list[list], shapes: list[tuple[int, ...]], args: list, diff: list[int]) -> dict:
    """Central differences from the observed values at ``_perturbed`` points:
    ``{(output k, input i): Jacobian (*out_shape, *in_shape)}``."""
    numeric, at = {}, 0
    for i in diff:
        n = args[i].numel()
        for k, shape in enumerate(shapes):
            cols = [(_f64(values[at + 2 * j][k], shape) - _f64(values[at + 2 * j + 1][k], shape)).reshape(-1)
                    / (2 * EPS) for j in range(n)]
            jac = torch.stack(cols, dim=1) if cols else torch.zeros(math.prod(shape), 0, dtype=torch.float64)
            numeric[(k, i)] = jac.reshape(*shape, *args[i].shape)
        at += 2 * n
    return numeric


def _analytic(rows: list[list], shapes: list[tuple[int, ...]], args: list, diff: list[int]) -> dict:
    """Jacobians from autograd's answers to the one-hot grad_outputs (None for a
    pair no gradient reached)."""
    analytic, r0 = {}, 0
    for k, shape in enumerate(shapes):
        m = math.prod(shape)
        for d, i in enumerate(diff):
            got = [rows[r0 + r][d] for r in range(m)]
            if m and all(g is None for g in got):
                analytic[(k, i)] = None
                continue
            jac = torch.stack([_f64(g, tuple(args[i].shape)).reshape(-1) for g in got]) if m else \
                torch.zeros(0, args[i].numel(), dtype=torch.float64)
            analytic[(k, i)] = jac.reshape(*shape, *args[i].shape)
        r0 += m
    return analytic


def _pairs(numeric: dict, analytic: dict, shapes: list, args: list, diff: list[int],
           connected: list[bool]) -> list[dict]:
    return [{"output": k, "input": i, "out_shape": list(shape), "in_shape": list(args[i].shape),
             "numeric": numeric[(k, i)], "analytic": analytic[(k, i)],
             "connected": connected[k] if k < len(connected) else True}
            for k, shape in enumerate(shapes) for i in diff]


def _first_order(kata: Any, target: str, args: list, diff: list[int], kwargs: dict) -> dict:
    seen = kata.run(observe_forward, target, [args] + _perturbed(args, diff), kwargs)
    outputs = seen["outputs"]
    floats = [k for k, o in enumerate(outputs[0]) if o.is_floating_point()]
    shapes = [tuple(outputs[0][k].shape) for k in floats]
    values = [[point[k] for k in floats] for point in outputs[1:]]
    numeric = _numeric(values, shapes, args, diff)
    all_shapes = [tuple(o.shape) for o in outputs[0]]
    hots = [[row[floats.index(k)] if k in floats else torch.zeros(all_shapes[k], dtype=torch.float64)
             for k in range(len(all_shapes))] for row in _one_hots(shapes)]
    back = kata.run(observe_backward, target, args, diff, hots, kwargs)
    analytic = _analytic(back["grads"], shapes, args, diff)
    connected = [bool(back["connected"][k]) for k in floats]
    return {"names": seen["names"], "custom_function": bool(seen["custom_function"]), "order": 1,
            "pairs": _pairs(numeric, analytic, shapes, args, diff, connected)}


def _second_order(kata: Any, target: str, args: list, diff: list[int], kwargs: dict) -> dict:
    """gradgradcheck's idea: the Jacobian of x -> grad <f(x), v> for a fixed random v."""
    seen = kata.run(observe_forward, target, [args], kwargs)
    gen = torch.Generator().manual_seed(0)
    vs = [torch.randn(o.shape, dtype=torch.float64, generator=gen) if o.is_floating_point()
          else torch.zeros(o.shape, dtype=torch.float64) for o in seen["outputs"][0]]
    shapes = [tuple(args[i].shape) for i in diff]  # the first derivative has one part per input
    got = kata.run(observe_second_order, target, [args] + _perturbed(args, diff), diff, vs,
                   _one_hots(shapes), kwargs)
    numeric = _numeric(got["first"][1:], shapes, args, diff)
    analytic = _analytic(got["second"], shapes, args, diff)
    return {"names": seen["names"], "custom_function": bool(seen["custom_function"]), "order": 2,
            "pairs": _pairs(numeric, analytic, shapes, args, diff, [True] * len(shapes))}


def _agrees(pair: dict) -> bool:
    """torch.autograd.gradcheck's test: |analytic - numeric| <= ATOL + RTOL |numeric|."""
    numeric = pair["numeric"]
    analytic = pair["analytic"] if pair["analytic"] is not None else torch.zeros_like(numeric)
    return bool(torch.isclose(analytic, numeric, rtol=RTOL, atol=ATOL).all())


def _constant(result: dict) -> bool:
    """No output moved under any perturbation and autograd gives nothing: nothing to check."""
    return all(not bool(p["numeric"].any()) and (p["analytic"] is None or not bool(p["analytic"].any()))
               for p in result["pairs"])

# -- check side ----------------------------------------------------------------

def _message(result: dict, what: str, args: list = ()) -> str:
    names = result.get("names") or []
    order = result.get("order", 1)
    custom = bool(result.get("custom_function"))
    kind = tr("second derivative", "二阶导数") if order == 2 else tr("gradient", "梯度")
    findings: list[tuple[float, str]] = []
    for pair in result.get("pairs", []):
        ii = pair["input"]
        name = names[ii] if ii < len(names) else tr("input {i}", "输入 {i}", i=ii)
        numeric, analytic = pair["numeric"], pair["analytic"]
        out_note = tr(" (output {k})", "（输出 {k}）", k=pair["output"]) if pair["output"] else ""
        if analytic is None:
            if float(numeric.abs().max()) == 0 if numeric.numel() else True:
                continue
            if order == 2:
                why = tr("backward's result does not depend on `{name}` in a differentiable way "
                         "(detach/.data in backward, or @once_differentiable?)",
                         "backward 的结果不以可微的方式依赖 `{name}`（backward 里用了 detach/.data，"
                         "还是用了 @once_differentiable？）", name=name)
            elif not pair.get("connected", True):
                why = tr("the output is cut off from the graph, so no gradient reaches `{name}` "
                         "(detach/.data/.item()/torch.tensor(...)?)",
                         "输出从计算图上被切断了，所以没有梯度能到达 `{name}`（detach/.data/.item()/torch.tensor(...)？）",
                         name=name)
            elif custom:
                why = tr("backward returned None for `{name}` (input {i}), but it needs a gradient",
                         "backward 为 `{name}`（输入 {i}）返回了 None，但它需要梯度", name=name, i=ii)
            else:
                why = tr("no gradient reaches `{name}`: the graph is cut (detach/.data/.item()?)",
                         "没有梯度到达 `{name}`：计算图断了（detach/.data/.item()？）", name=name)
            findings.append((math.inf, why + out_note))
            continue
        # Any dimension (the batch, usually) or element count can be the N of a mean.
        sizes = tuple(sorted({*pair["out_shape"], *pair["in_shape"],
                              math.prod(pair["out_shape"]), math.prod(pair["in_shape"])}))
        error = relative_error(analytic, numeric)
        if error <= KINKS:
            continue
        at = args[ii] if ii < len(args) and isinstance(args[ii], torch.Tensor) else None
        text = diagnose(analytic, numeric, name=name, out_dims=len(pair["out_shape"]), sizes=sizes, order=order,
                        at=at)
        findings.append((error, text + out_note))
    if not findings:
        detail = result.get("gradcheck") or tr("{kind} check failed", "{kind}检查失败", kind=kind)
        return tr("{what}: {detail}", "{what}：{detail}", what=what, detail=detail)
    findings.sort(key=lambda f: -f[0])
    text = tr("{what}: {finding}", "{what}：{finding}", what=what, finding=findings[0][1])
    if len(findings) > 1:
        text += tr(" (and {n} more input/output pair(s) off)", "（另外还有 {n} 对输入/输出不对）",
                   n=len(findings) - 1)
    return text


def _run(kata: Any, target: str, inputs: list, kwargs: dict | None, what: str, order: int) -> None:
    __tracebackhide__ = True
    args, diff = _prepare(list(inputs))
    if not diff:
        raise TypeError("expect_gradients needs at least one floating-point tensor input")
    observe = _first_order if order == 1 else _second_order
    try:
        result = observe(kata, target, args, diff, dict(kwargs or {}))
        agrees = all(_agrees(pair) for pair in result["pairs"])
        constant = _constant(result)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RuntimeError) as error:
        raise CheckFailed(tr("{what}: could not be checked: what came back from the learner's side is not "
                             "the outputs and gradients asked for ({error})",
                             "{what}：无法检查：学习者一侧返回的不是所要求的输出和梯度（{error}）",
                             what=what, error=type(error).__name__)) from None
    if constant:
        raise CheckFailed(tr("{what}: the output does not change when the inputs change, so there is no "
                             "gradient to check: is the function computed at all?",
                             "{what}：输入变化时输出不变，因此没有梯度可查：这个函数真的计算了吗？", what=what))
    if not agrees:
        raise CheckFailed(_message(result, what, args))


def expect_gradients(kata: Any, target: str, inputs: list, *, what: str,
                     kwargs: dict | None = None) -> None:
    """The learner's ``target`` (dotted path in the learner file, e.g.
    ``"Sigmoid.apply"``) must have correct first derivatives at ``inputs``
    (floating tensors become float64 leaves requiring grad); two requests:
    forward values at every perturbed input, then backward for every one-hot
    grad_output."""
    __tracebackhide__ = True
    _run(kata, target, inputs, kwargs, what, 1)


def expect_gradgrad(kata: Any, target: str, inputs: list, *, what: str,
                    kwargs: dict | None = None) -> None:
    """Like ``expect_gradients``, for second derivatives (gradgradcheck's test)."""
    __tracebackhide__ = True
    _run(kata, target, inputs, kwargs, what, 2)
