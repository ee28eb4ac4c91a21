"""Gradient checks that say what is wrong, not only that something is.

``expect_gradients(kata, "Sigmoid.apply", [x], what="Sigmoid")`` runs
``torch.autograd.gradcheck`` on a learner function in float64.  When it fails,
the analytical Jacobian (what the learner's backward gives) and the numerical
one (central differences) travel back as plain tensors, and the check side
names the input, the size of the error, the worst element and, where the two
Jacobians differ by a clean factor, the classic mistake behind it::

    Sigmoid: the gradient for `x` is wrong; backward is 2x the true gradient:
    off by a factor of 2? (relative error 0.5; worst at d out[2] / d x[2]:
    backward gives 0.39, finite differences give 0.197)

``diagnose(analytic, numeric)`` is the pure part, for tests and other checks.
Learner exceptions raised while checking (a backward that returns the wrong
number of gradients, say) reach the check as the usual learner errors.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from typing import Any, Callable, Iterator

import torch
from torch.autograd.gradcheck import GradcheckError

from pytest_torchkata.checks.errors import CheckFailed

EPS = 1e-6
# CS231n's bands for the relative error between analytic and numeric gradients.
WRONG, PROBABLY_WRONG, KINKS = 1e-2, 1e-4, 1e-7


# -- learner world ---------------------------------------------------------------

def _rules() -> Any:
    from pytest_torchkata.sandbox import guards

    return guards._CURRENT[-1] if guards._CURRENT else None


_UNKNOWN = object()


def _top_mode() -> Any:
    """The innermost TorchFunctionMode (None when there is none), or _UNKNOWN."""
    try:
        from torch.overrides import _get_current_function_mode
    except ImportError:  # pragma: no cover - older torch
        return _UNKNOWN
    return _get_current_function_mode()


@contextlib.contextmanager
def _grader_code() -> Iterator[None]:
    """The grader's own torch calls (gradcheck, Jacobians): not the learner's, so
    no forbidden-API rule applies, and the rules' TorchFunctionMode is taken off
    the stack so that gradcheck's many small ops do not pay for it."""
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
    """Inside ``_grader_code``: the learner's forward runs under the rules again
    (forbidden APIs refused, torch calls counted)."""
    rules = _rules()
    if rules is None:
        yield
        return
    before, rules.paused = rules.paused, False
    try:
        top = _top_mode()
        if top is rules or top is _UNKNOWN:  # on the stack already (or unknown: older torch)
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
        for p in params:
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                names.append(p.name)
    except (TypeError, ValueError):
        pass
    return [names[i] if i < len(names) else f"input {i}" for i in range(count)]


def _prepare(inputs: list) -> list:
    out = []
    for value in inputs:
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            value = value.detach().to(torch.float64).requires_grad_(True)
        out.append(value)
    return out


def _as_outputs(value: Any) -> tuple[torch.Tensor, ...]:
    if isinstance(value, torch.Tensor):
        return (value,)
    if isinstance(value, (tuple, list)):
        return tuple(v for v in value if isinstance(v, torch.Tensor))
    raise TypeError(f"the function should return a tensor, but returned a {type(value).__name__}")


def _jacobians(fn: Callable[..., Any], inputs: list, diff: list[int]) -> list[dict]:
    """Analytical and numerical Jacobians, one entry per (output, input) pair.

    Each Jacobian has shape ``(*output_shape, *input_shape)``; ``analytic`` is
    None when no gradient reached that input at all."""
    with _learner_code():
        outputs = _as_outputs(fn(*inputs))
    pairs: list[dict] = []
    float_outs = [i for i, o in enumerate(outputs) if o.is_floating_point()]
    for oi in float_outs:
        out = outputs[oi]
        connected = out.requires_grad
        for ii in diff:
            x = inputs[ii]
            analytic = torch.zeros(out.numel(), x.numel(), dtype=torch.float64)
            reached = False
            if connected:
                flat = out.reshape(-1)
                for r in range(flat.numel()):
                    (g,) = torch.autograd.grad(flat[r], [x], retain_graph=True, allow_unused=True)
                    if g is not None:
                        reached = True
                        analytic[r] = g.detach().reshape(-1).to(torch.float64)
            pairs.append({"output": oi, "input": ii, "out_shape": list(out.shape),
                          "in_shape": list(x.shape), "analytic": analytic if reached else None,
                          "connected": connected})
    # Central differences, all outputs at once per perturbed element.
    numeric: dict[tuple[int, int], torch.Tensor] = {}
    for ii in diff:
        x = inputs[ii]
        base = x.detach().clone()
        cols: dict[int, list[torch.Tensor]] = {oi: [] for oi in float_outs}
        for j in range(base.numel()):
            values = []
            for sign in (1.0, -1.0):
                shifted = base.clone().reshape(-1)
                shifted[j] += sign * EPS
                args = list(inputs)
                args[ii] = shifted.reshape(base.shape)
                with torch.no_grad(), _learner_code():
                    values.append(_as_outputs(fn(*args)))
            for oi in float_outs:
                plus, minus = values[0][oi], values[1][oi]
                cols[oi].append(((plus.detach().to(torch.float64) - minus.detach().to(torch.float64))
                                 / (2 * EPS)).reshape(-1))
        for oi in float_outs:
            numeric[(oi, ii)] = (torch.stack(cols[oi], dim=1) if cols[oi]
                                 else torch.zeros(outputs[oi].numel(), 0, dtype=torch.float64))
    for pair in pairs:
        shape = tuple(pair["out_shape"]) + tuple(pair["in_shape"])
        pair["numeric"] = numeric[(pair["output"], pair["input"])].reshape(shape)
        if pair["analytic"] is not None:
            pair["analytic"] = pair["analytic"].reshape(shape)
    return pairs


def _is_custom_function(fn: Callable[..., Any]) -> bool:
    owner = getattr(fn, "__self__", None)
    return isinstance(owner, type) and issubclass(owner, torch.autograd.Function)


def _check_in_learner_world(module: Any, target: str, inputs: list, kwargs: dict, order: int) -> dict:
    fn0 = _resolve(module, target)
    kwargs = dict(kwargs or {})

    def fn(*xs: Any) -> Any:
        return fn0(*xs, **kwargs)

    with _grader_code():
        args = _prepare(inputs)
        diff = [i for i, v in enumerate(args) if isinstance(v, torch.Tensor) and v.requires_grad]
        names = _input_names(fn0, len(args))
        if not diff:
            raise TypeError("expect_gradients needs at least one floating-point tensor input")
        message = ""
        try:
            check = torch.autograd.gradcheck if order == 1 else torch.autograd.gradgradcheck
            check(_as_learner(fn), tuple(args), eps=EPS, raise_exception=True)
            return {"ok": True}
        except GradcheckError as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        probe = fn if order == 1 else _first_derivative(fn, args, diff)
        pairs = _jacobians(probe, args, diff)
    return {"ok": False, "gradcheck": message, "names": names, "pairs": pairs,
            "custom_function": _is_custom_function(fn0), "order": order}


def _as_learner(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with each call run as learner code (see ``_learner_code``)."""
    def wrapped(*xs: Any) -> Any:
        with _learner_code():
            return fn(*xs)
    return wrapped


def _first_derivative(fn: Callable[..., Any], args: list, diff: list[int]) -> Callable[..., Any]:
    """x -> the gradients of <fn(x), v> for a fixed v: its Jacobian is the second derivative."""
    with torch.no_grad(), _learner_code():
        outs = _as_outputs(fn(*args))
    gen = torch.Generator().manual_seed(0)
    vs = [torch.randn(o.shape, dtype=torch.float64, generator=gen) for o in outs]

    def first(*xs: Any) -> tuple[torch.Tensor, ...]:
        xs = list(xs)
        with torch.enable_grad():
            leaves = [xs[i] if xs[i].requires_grad else xs[i].detach().requires_grad_(True) for i in diff]
            for k, i in enumerate(diff):
                xs[i] = leaves[k]
            with _learner_code():
                out = _as_outputs(fn(*xs))
            total = sum((o.to(torch.float64) * v).sum() for o, v in zip(out, vs) if o.requires_grad)
            if not isinstance(total, torch.Tensor) or not total.requires_grad:
                return tuple(torch.zeros_like(leaf) for leaf in leaves)
            grads = torch.autograd.grad(total, leaves, create_graph=True, allow_unused=True)
        return tuple(torch.zeros_like(leaf) if g is None else g for g, leaf in zip(grads, leaves))

    return first


def check_gradients(module: Any, target: str, inputs: list, kwargs: dict | None = None,
                    order: int = 1) -> dict:
    """Learner-world helper (run through ``kata.run``): ``{"ok": True}`` when
    gradcheck (``order=1``) or gradgradcheck (``order=2``) passes, else the
    Jacobians to diagnose."""
    return _check_in_learner_world(module, target, inputs, kwargs or {}, order)


# The label the core shows when learner code raises inside the check.
check_gradients.__name__ = "torch.autograd.gradcheck"


# -- check side ----------------------------------------------------------------

def relative_error(analytic: torch.Tensor, numeric: torch.Tensor) -> float:
    """max |a - n| / max(max |a|, max |n|); 0 when both are all zero."""
    a, n = analytic.detach().to(torch.float64), numeric.detach().to(torch.float64)
    if a.numel() == 0:
        return 0.0
    scale = max(float(a.abs().max()), float(n.abs().max()))
    diff = float((a - n).abs().max())
    if math.isnan(diff):
        return float("inf")
    return diff / scale if scale > 0 else 0.0


def band(error: float) -> str:
    """CS231n's reading of a relative error: "wrong", "probably wrong",
    "OK only with kinks" or "good"."""
    if error > WRONG:
        return "wrong"
    if error > PROBABLY_WRONG:
        return "probably wrong"
    if error > KINKS:
        return "OK only if the function has kinks (like relu at 0)"
    return "good"


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _idx(flat: int, shape: tuple[int, ...]) -> list[int]:
    out = []
    for size in reversed(shape):
        out.append(flat % size if size else 0)
        flat = flat // size if size else 0
    return list(reversed(out))


def _where(flat: int, shape: tuple[int, ...], out_dims: int | None, name: str) -> str:
    index = _idx(flat, shape)
    if out_dims is None:
        return f" index ({', '.join(map(str, index))})" if index else ""
    o, i = index[:out_dims], index[out_dims:]
    o_txt = f"out[{', '.join(map(str, o))}]" if o else "out"
    i_txt = f"{name}[{', '.join(map(str, i))}]" if i else name
    return f" d {o_txt} / d {i_txt}"


def guess(analytic: torch.Tensor, numeric: torch.Tensor, *, sizes: tuple[int, ...] = ()) -> str:
    """The classic mistake behind a clean ratio between the Jacobians, or ''."""
    a, n = analytic.detach().to(torch.float64).reshape(-1), numeric.detach().to(torch.float64).reshape(-1)
    if a.numel() == 0 or not bool(torch.isfinite(a).all()):
        return ""
    scale_n = float(n.abs().max()) if n.numel() else 0.0
    if scale_n == 0:
        return "the true gradient is zero here but backward gives values" if float(a.abs().max()) else ""
    if float(a.abs().max()) == 0:
        return "backward gives all zeros: the graph is broken (detach/.data/.item()?)"
    mask = n.abs() > 1e-3 * scale_n
    ratios = a[mask] / n[mask]
    r = float(ratios.median())
    if r == 0 or not bool(((ratios - r).abs() <= 1e-3 * abs(r) + 1e-9).all()):
        return ""
    # A clean factor, with zeros where the true gradient is zero.
    if float(a[~mask].abs().max() if bool((~mask).any()) else 0.0) > 1e-3 * float(a.abs().max()):
        return ""

    def near(value: float) -> bool:
        return abs(r - value) <= 1e-3 * abs(value)

    if near(1.0):
        return ""
    if near(2.0):
        return "backward is 2x the true gradient: off by a factor of 2?"
    if near(0.5):
        return "backward is half the true gradient: off by a factor of 2?"
    if near(-1.0):
        return "backward has the opposite sign: sign flipped?"
    for size in sorted(set(s for s in sizes if s > 1)):
        if near(1.0 / size):
            return f"backward is 1/{size} of the true gradient: mean instead of sum?"
        if near(float(size)):
            return f"backward is {size}x the true gradient: sum instead of mean?"
    if near(-2.0) or near(-0.5):
        return f"backward is {_fmt(r)}x the true gradient: sign flipped and off by a factor of 2?"
    return f"backward is {_fmt(r)}x the true gradient"


def diagnose(analytic: Any, numeric: torch.Tensor, *, name: str = "the input",
             out_dims: int | None = None, sizes: tuple[int, ...] = ()) -> str:
    """One sentence on how ``analytic`` (backward's Jacobian, or None when no
    gradient came) compares with ``numeric`` (finite differences).

    ``out_dims``: how many leading dimensions belong to the output (the worst
    element is then shown as ``d out[i] / d x[j]``); ``sizes``: the candidate N
    for the mean-vs-sum guess (defaults to the Jacobian's dimensions and element counts).
    """
    numeric = numeric.detach().to(torch.float64)
    if analytic is None:
        return f"no gradient reached `{name}`"
    analytic = analytic.detach().to(torch.float64)
    if tuple(analytic.shape) != tuple(numeric.shape):
        return (f"the gradient for `{name}` has {analytic.numel()} values, expected {numeric.numel()}")
    if not sizes:
        shape = tuple(numeric.shape)
        if out_dims is not None:
            sizes = (*shape, math.prod(shape[:out_dims]), math.prod(shape[out_dims:]))
        else:
            sizes = (*shape, numeric.numel())
    error = relative_error(analytic, numeric)
    verdict = band(error)
    if numeric.numel() == 0:
        return f"the gradient for `{name}` is good (it has no elements)"
    diff = (analytic - numeric).abs().nan_to_num(nan=float("inf")).reshape(-1)
    flat = int(diff.argmax())
    where = _where(flat, tuple(numeric.shape), out_dims, name)
    a_v, n_v = float(analytic.reshape(-1)[flat]), float(numeric.reshape(-1)[flat])
    err_txt = "NaN" if math.isinf(error) else _fmt(error)
    text = f"the gradient for `{name}` is {verdict}"
    if verdict == "good":
        return f"{text} (relative error {err_txt})"
    # The likely mistake first (summaries cut long lines), then the numbers behind it.
    if not bool(torch.isfinite(analytic).all()):
        why = "backward gives NaN/Inf: a log or divide at 0, or exp overflowing?"
    else:
        why = guess(analytic, numeric, sizes=sizes)
    return (f"{text}{'; ' + why if why else ''} (relative error {err_txt}; worst at{where}: "
            f"backward gives {_fmt(a_v)}, finite differences give {_fmt(n_v)})")


def _message(result: dict, what: str) -> str:
    names = result.get("names") or []
    order = result.get("order", 1)
    custom = bool(result.get("custom_function"))
    kind = "second derivative" if order == 2 else "gradient"
    findings: list[tuple[float, str]] = []
    for pair in result.get("pairs", []):
        ii = pair["input"]
        name = names[ii] if ii < len(names) else f"input {ii}"
        numeric, analytic = pair["numeric"], pair["analytic"]
        out_note = f" (output {pair['output']})" if pair["output"] else ""
        if analytic is None:
            if float(numeric.abs().max()) == 0 if numeric.numel() else True:
                continue
            if order == 2:
                why = f"backward's result does not depend on `{name}` in a differentiable way " \
                      f"(detach/.data in backward, or @once_differentiable?)"
            elif not pair.get("connected", True):
                why = f"the output is cut off from the graph, so no gradient reaches `{name}` " \
                      f"(detach/.data/.item()/torch.tensor(...)?)"
            elif custom:
                why = f"backward returned None for `{name}` (input {ii}), but it needs a gradient"
            else:
                why = f"no gradient reaches `{name}`: the graph is cut (detach/.data/.item()?)"
            findings.append((math.inf, why + out_note))
            continue
        # Any dimension (the batch, usually) or element count can be the N of a mean.
        sizes = tuple(sorted({*pair["out_shape"], *pair["in_shape"],
                              math.prod(pair["out_shape"]), math.prod(pair["in_shape"])}))
        error = relative_error(analytic, numeric)
        if error <= KINKS:
            continue
        text = diagnose(analytic, numeric, name=name, out_dims=len(pair["out_shape"]), sizes=sizes)
        if order == 2:
            text = text.replace("the gradient for", "the second derivative for") \
                       .replace("backward gives", "double backward gives")
        findings.append((error, text + out_note))
    if not findings:
        detail = result.get("gradcheck") or f"{kind} check failed"
        return f"{what}: {detail}"
    findings.sort(key=lambda f: -f[0])
    text = f"{what}: {findings[0][1]}"
    if len(findings) > 1:
        text += f" (and {len(findings) - 1} more input/output pair(s) off)"
    return text


def _run(kata: Any, target: str, inputs: list, kwargs: dict | None, what: str, order: int) -> None:
    __tracebackhide__ = True
    result = kata.run(check_gradients, target, list(inputs), dict(kwargs or {}), order)
    if result.get("ok"):
        return
    raise CheckFailed(_message(result, what))


def expect_gradients(kata: Any, target: str, inputs: list, *, what: str,
                     kwargs: dict | None = None) -> None:
    """The learner's ``target`` (dotted path in the learner file, e.g.
    ``"Sigmoid.apply"``) must have correct first derivatives at ``inputs``
    (floating tensors become float64 leaves requiring grad)."""
    __tracebackhide__ = True
    _run(kata, target, inputs, kwargs, what, 1)


def expect_gradgrad(kata: Any, target: str, inputs: list, *, what: str,
                    kwargs: dict | None = None) -> None:
    """Like ``expect_gradients``, for second derivatives (``gradgradcheck``)."""
    __tracebackhide__ = True
    _run(kata, target, inputs, kwargs, what, 2)
