"""Training until a target loss, and a learner-readable verdict when it is not reached.

Learner side (inside a ``kata.run`` helper) ``run_until`` only observes: it runs
the steps and records the losses; where it stops (target reached, NaN, step or
time cap) saves time but decides nothing::

    result = run_until(lambda: learner.train_step(model, opt, x, y),
                       max_steps=300, target=0.05)

Grader side, ``expect_converged`` decides from the loss history alone (last loss
at most the target, no NaN/Inf), and the seconds it reports are the grader's
own measurement around the request (``kata.last_seconds``)::

    expect_converged(result, target=0.05, what="train_step on one batch", kata=kata,
                     hint="is zero_grad() called every step?")

The failure message gives the first, best and last loss, how many steps and
seconds it took, and the curve as one line of blocks (``▇▅▃▂▁``; ``!`` for
NaN/Inf), e.g. ``the loss went up``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.i18n import tr
from pytest_torchkata.sandbox.observe import STALE_GRAD, run_until  # noqa: F401 (the checks read both sides)

BLOCKS = "▁▂▃▄▅▆▇█"
BAD = "!"
MAX_POINTS = 50


def downsample(history: list[float], points: int = MAX_POINTS) -> list[float]:
    """At most ``points`` values, always keeping the first and the last; a
    NaN/Inf anywhere in a bucket is kept so it still shows."""
    values = [float(v) for v in history]
    if len(values) <= points:
        return values
    out = []
    for k in range(points):
        lo = k * len(values) // points
        hi = max(lo + 1, (k + 1) * len(values) // points)
        bucket = values[lo:hi]
        bad = [v for v in bucket if not math.isfinite(v)]
        out.append(bad[0] if bad else bucket[-1])
    first_bucket = values[: max(1, len(values) // points)]
    if all(math.isfinite(v) for v in first_bucket):
        out[0] = values[0]
    return out


def loss_curve(history: list[float], width: int = MAX_POINTS) -> str:
    """The loss as one line of blocks, lowest ``▁`` to highest ``█``; ``!`` marks
    NaN/Inf.  Uses a log scale when every loss is positive and they span more
    than 20x, so an exponential decay still shows its shape."""
    values = downsample(list(history), width)
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return BAD * len(values)
    log = min(finite) > 0 and max(finite) / min(finite) > 20
    scaled = [math.log(v) if log and math.isfinite(v) else v for v in values]
    lo = min(s for s, v in zip(scaled, values) if math.isfinite(v))
    hi = max(s for s, v in zip(scaled, values) if math.isfinite(v))
    chars = []
    for s, v in zip(scaled, values):
        if not math.isfinite(v):
            chars.append(BAD)
        elif hi == lo:
            chars.append(BLOCKS[len(BLOCKS) // 2])
        else:
            chars.append(BLOCKS[min(len(BLOCKS) - 1, int((s - lo) / (hi - lo) * len(BLOCKS)))])
    return "".join(chars)


def _num(x: float) -> str:
    return f"{x:.4g}"


def expect_converged(result: dict, *, target: float, what: str, kata: Any = None, hint: str = "") -> None:
    """``result`` (from ``run_until``) must have reached a loss of at most
    ``target`` with no NaN/Inf on the way.  Records the (downsampled) loss
    history in the report through ``kata.record`` when ``kata`` is given."""
    __tracebackhide__ = True
    raw = result.get("history") if isinstance(result, dict) else None
    if not isinstance(raw, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw):
        raise CheckFailed(tr("{what}: the step should return the loss as a float, but the losses came back "
                             "as {kind}", "{what}：训练步应当以 float 返回损失，但返回的损失是 {kind}",
                             what=what, kind=type(raw).__name__), hint=hint)
    history = [float(v) for v in raw]
    if kata is not None:
        kata.record(loss_history=[v if math.isfinite(v) else None for v in downsample(history)])
    steps = result.get("steps")
    steps = steps if isinstance(steps, int) and not isinstance(steps, bool) else len(history)
    measured = getattr(kata, "last_seconds", None)  # the grader's clock, around the request
    seconds = float(measured if isinstance(measured, (int, float)) else result.get("seconds", 0.0))
    if not history:
        raise CheckFailed(tr("{what}: no training step ran", "{what}：一个训练步都没有运行", what=what), hint=hint)
    finite = [v for v in history if math.isfinite(v)]
    curve = loss_curve(history)
    nan_at = next((i for i, v in enumerate(history) if not math.isfinite(v)), None)
    if nan_at is not None:
        bad = history[nan_at]
        shown = "NaN" if math.isnan(bad) else ("Inf" if bad > 0 else "-Inf")
        before = tr("; last finite loss {loss}", "；最后一个有限的损失是 {loss}", loss=_num(finite[-1])) if finite else ""
        raise CheckFailed(tr(
            "{what}: the loss became {shown} after {steps} step(s) (first {first}{before}) {curve}; "
            "learning rate too high, or a log/divide of 0?",
            "{what}：{steps} 步之后损失变成了 {shown}（第一个是 {first}{before}）{curve}；"
            "学习率太高，还是对 0 取了 log 或做了除法？",
            what=what, shown=shown, steps=steps, first=_num(history[0]), before=before, curve=curve), hint=hint)
    last, best, first = history[-1], min(history), history[0]
    if last <= target:
        return
    took = {"steps": steps, "seconds": f"{seconds:.1f}"}
    stopped = str(result.get("stopped"))
    if stopped == "time":
        why = tr("the time budget ran out after {steps} steps ({seconds} s)",
                 "{steps} 步之后时间预算用完了（{seconds} 秒）", **took)
    elif stopped == "max_steps":
        why = tr("not within {steps} steps ({seconds} s)", "{steps} 步之内没有做到（{seconds} 秒）", **took)
    else:
        why = tr("after {steps} steps ({seconds} s)", "{steps} 步之后（{seconds} 秒）", **took)
    text = tr("{what}: the loss did not reach {target}, {why}: first {first}, best {best}, last {last} {curve}",
              "{what}：损失没有降到 {target}，{why}：第一个 {first}，最好 {best}，最后 {last} {curve}",
              what=what, target=_num(target), why=why, first=_num(first), best=_num(best), last=_num(last),
              curve=curve)
    if last > first * 1.01 and last > best:
        text += tr("; the loss went up: learning rate too high, or the update has the wrong sign?",
                   "；损失上升了：学习率太高，还是更新的符号反了？")
    elif abs(last - first) <= 0.01 * abs(first):
        text += tr("; the loss barely moved: are the parameters updated (step(), lr, zero_grad())?",
                   "；损失几乎没动：参数真的被更新了吗（step()、lr、zero_grad()）？")
    raise CheckFailed(text, hint=hint)


# -- the zero_grad probe ----------------------------------------------------------------

def sgd_reference(model: Any, batches: Any, loss_fn: Callable[[Any, Any], Any], lr: float) -> list[float]:
    """The grader's reference run of plain SGD (no momentum, no weight decay): for each
    ``(x, y)`` clear the gradients, backward ``loss_fn(model(x), y)``, then ``p -= lr * p.grad``;
    the losses as floats.  The same steps as ``torch.optim.SGD(params, lr)``, written out so the
    grader never builds an optimizer (its first one imports torch._dynamo: a second, ~90 MB)."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    losses = []
    for x, y in batches:
        for p in params:
            p.grad = None
        loss = loss_fn(model(x), y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p.add_(p.grad, alpha=-lr)
        losses.append(loss.item())
    return losses
