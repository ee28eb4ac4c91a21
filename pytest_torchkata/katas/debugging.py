"""Checks for the debugging kata: hooks, gradient reports, anomaly detection, a bug hunt."""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.model import Kata

KATA = Kata("debugging", "Debugging",
            "forward hooks to find the first NaN, per-parameter gradient reports, anomaly detection "
            "in backward, and a hunt for four classic bugs")


# -- grader models (built next to the learner code by the helpers below) -----------------------

class _Log(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log(x)


class _Exp(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(x)


class _NaNNet(nn.Module):
    """Declared head-first but run body-first, so declaration order and run order differ;
    ``body.log`` makes the first NaN, everything after it inherits it."""

    def __init__(self, bad: str = "log") -> None:
        super().__init__()
        self.head = nn.Linear(4, 2)
        self.scale = nn.Linear(4, 4)
        self.body = nn.Sequential(nn.Linear(4, 4), _Log() if bad == "log" else _Exp())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(self.scale(x)))


def _first_bad_helper(learner, case: str) -> dict:
    with trusted():
        torch.manual_seed(1)
        model = _NaNNet("exp" if case == "inf" else "log")
        x = torch.randn(8, 4)
        if case == "inf":
            x = x * 1e4  # exp overflows to Inf
        elif case == "clean":
            model.body[1] = nn.Tanh()
        calls = []
        probe = model.head.register_forward_hook(lambda *a: calls.append(1))
    name = learner.first_bad_module(model, x)
    with trusted():
        probe.remove()
        leftover = [n for n, m in model.named_modules() if m._forward_hooks or m._forward_pre_hooks]
        truth = None
        if case != "clean":
            truth = "body.1"
    return {"name": name, "truth": truth, "leftover": leftover, "ran": len(calls)}


@KATA.task("first_bad", "Find the first module that makes NaN/Inf", points=3,
           hint="register a forward hook on every `model.named_modules()` entry, record the names whose "
                "output is not `torch.isfinite(...).all()` in the order the hooks fire, remove the hooks")
class TestFirstBadModule:
    def test_names_the_innermost_module_that_made_the_first_nan(self, kata):
        got = kata.run(_first_bad_helper, "nan")
        expect_true(got["ran"] > 0, "first_bad_module never ran the model: call `model(x)` once")
        expect_true(isinstance(got["name"], str),
                    f"first_bad_module should return a module name (a str), but returned {describe(got['name'])}")
        if got["name"] in ("head", "body"):
            raise CheckFailed(
                f"first_bad_module returned {got['name']!r}, but the NaN first appears in "
                f"{got['truth']!r} (torch.log of a negative number); later modules inherit the NaN, so "
                f"take the first hook that fires, not the first name in declaration order")
        expect_true(got["name"] == got["truth"],
                    f"first_bad_module returned {got['name']!r}, expected {got['truth']!r} (the torch.log "
                    f"inside `body`, named as in model.named_modules())")

    def test_counts_inf_as_bad_too(self, kata):
        got = kata.run(_first_bad_helper, "inf")
        expect_true(got["name"] == got["truth"],
                    f"with an overflowing exp the first bad output is Inf in {got['truth']!r}, but "
                    f"first_bad_module returned {got['name']!r}: check with `torch.isfinite`, which catches "
                    f"both NaN and Inf")

    def test_returns_none_when_every_output_is_finite(self, kata):
        got = kata.run(_first_bad_helper, "clean")
        expect_true(got["name"] is None,
                    f"every output is finite here, so first_bad_module should return None, "
                    f"but returned {got['name']!r}")

    def test_removes_its_hooks(self, kata):
        got = kata.run(_first_bad_helper, "nan")
        expect_true(not got["leftover"],
                    f"hooks are still registered on {', '.join(repr(n) for n in got['leftover'])} after "
                    f"first_bad_module returned: keep the handles and call `handle.remove()` "
                    f"(in a `finally:` block)")


class _Branchy(nn.Module):
    """``side``'s output is detached, so ``side.*`` never gets a gradient."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(6, 8)
        self.side = nn.Linear(6, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.encoder(x)) + self.side(x).detach())


def _grad_report_case() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """The same model and batch on both sides (seed 2)."""
    torch.manual_seed(2)
    model = _Branchy()
    return model, torch.randn(16, 6), torch.randint(0, 3, (16,))


def _grad_report(kata, stale: bool) -> dict:
    """Grader side: the true gradient norms, computed here on the same model and batch."""
    got = kata.run(_grad_report_helper, stale)
    with torch.random.fork_rng(devices=[]):
        reference, x, y = _grad_report_case()
    F.cross_entropy(reference(x), y).backward()
    got["truth"] = {n: (p.grad.norm().item() if p.grad is not None else None)
                    for n, p in reference.named_parameters()}
    return got


def _grad_report_helper(learner, stale: bool) -> dict:
    with trusted():
        model, x, y = _grad_report_case()
        if stale:
            for p in model.parameters():
                p.grad = torch.full_like(p, 7.0)
    report = learner.grad_report(model, nn.CrossEntropyLoss(), x, y)
    return {"report": report}


@KATA.task("grad_report", "Gradient report per parameter", points=3,
           hint="`model.zero_grad()`, one backward, then `{name: p.grad.norm().item() if p.grad is not None "
                "else None for name, p in model.named_parameters()}`")
class TestGradReport:
    def test_reports_every_parameter_and_none_for_the_detached_branch(self, kata):
        got = _grad_report(kata, False)
        report, truth = got["report"], got["truth"]
        expect_true(isinstance(report, dict),
                    f"grad_report should return a dict, but returned {describe(report)}")
        missing = [n for n in truth if n not in report]
        expect_true(not missing, f"grad_report has no entry for {', '.join(missing)}: "
                                 f"use the names from model.named_parameters()")
        for name in ("side.weight", "side.bias"):
            expect_true(report[name] is None,
                        f"grad_report[{name!r}] is {report[name]!r}, expected None: `side` sits behind a "
                        f".detach(), so its .grad stays None; report None, not 0.0, so a cut-off branch "
                        f"stands out (and clear with zero_grad(), whose default set_to_none=True keeps it None)")
        for name, want in truth.items():
            if want is not None:
                expect_close(report[name], want, what=f"grad_report[{name!r}]", rtol=1e-4, atol=1e-6)

    def test_clears_old_gradients_first(self, kata):
        got = _grad_report(kata, True)
        report, truth = got["report"], got["truth"]
        expect_true(isinstance(report, dict),
                    f"grad_report should return a dict, but returned {describe(report)}")
        if report.get("side.weight") is not None:
            raise CheckFailed("with old gradients left in .grad, grad_report shows one for 'side.weight', "
                              "which gets none from this loss: clear them first with `model.zero_grad()`")
        for name, want in truth.items():
            if want is not None:
                expect_close(report.get(name), want, what=f"grad_report[{name!r}] with old gradients left "
                                                          f"in .grad (call model.zero_grad() first)",
                             rtol=1e-4, atol=1e-6)


def _safe_sqrt(x: torch.Tensor) -> torch.Tensor:
    # The classic torch.where trap: the forward is finite, but at x = 0 the unused branch's
    # gradient is 0 * Inf = NaN.
    return torch.where(x > 0, x.sqrt(), 0.0)


def _safe_log(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0, x.log(), 0.0)


def _smooth(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(x) * 2


_NAN_FUNCTIONS = {"sqrt": (_safe_sqrt, [0.0, 1.0, 4.0]), "log": (_safe_log, [0.0, 1.0, 2.0]),
                  "smooth": (_smooth, [0.0, 1.0, 2.0])}


def _find_nan_helper(learner, case: str) -> dict:
    fn, values = _NAN_FUNCTIONS[case]
    with trusted():
        x = torch.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        # anomaly mode warns with the forward's traceback; the check reports the result instead
        warnings.filterwarnings("ignore", message="Error detected in")
        warnings.filterwarnings("ignore", message="Anomaly Detection has been enabled")
        name = learner.find_nan_backward(fn, x)
    return {"name": name, "anomaly_after": torch.is_anomaly_enabled()}


@KATA.task("find_nan", "Find the NaN in backward with anomaly detection", points=3,
           hint="run the backward inside `with torch.autograd.detect_anomaly():`, catch the RuntimeError and "
                "take the name between the quotes in \"Function 'SqrtBackward0' returned nan values\"")
class TestFindNanBackward:
    def test_names_sqrt_backward(self, kata):
        got = kata.run(_find_nan_helper, "sqrt")
        expect_true(got["name"] == "SqrtBackward0",
                    f"find_nan_backward returned {got['name']!r} for torch.where(x > 0, x.sqrt(), 0) at x = 0, "
                    f"expected 'SqrtBackward0' (the node named in anomaly mode's error)")
        expect_true(not got["anomaly_after"], "anomaly detection is still on after find_nan_backward: "
                                              "use it as a `with` block so it is switched off again")

    def test_names_log_backward(self, kata):
        got = kata.run(_find_nan_helper, "log")
        expect_true(got["name"] == "LogBackward0",
                    f"find_nan_backward returned {got['name']!r} for torch.where(x > 0, x.log(), 0) at x = 0, "
                    f"expected 'LogBackward0': read the name from the error message, do not hard-code it")

    def test_returns_none_for_a_clean_backward(self, kata):
        got = kata.run(_find_nan_helper, "smooth")
        expect_true(got["name"] is None,
                    f"the backward of tanh(x) * 2 has no NaN, so find_nan_backward should return None, "
                    f"but returned {got['name']!r}")


# -- bug hunt ---------------------------------------------------------------------------------

def _linear_case(seed: int, batches: int, n: int) -> tuple[nn.Module, list]:
    """The same Linear(3, 1) and batches on both sides."""
    torch.manual_seed(seed)
    model = nn.Linear(3, 1)
    return model, [(torch.randn(n, 3), torch.randn(n, 1)) for _ in range(batches)]


def _mean_loss_helper(learner) -> dict:
    with trusted():
        model, batches = _linear_case(3, 4, 5)
    value = learner.mean_loss(model, batches)
    graph = isinstance(value, torch.Tensor) and value.grad_fn is not None
    return {"value": value, "graph": graph}


def _mean_loss(kata) -> dict:
    """Grader side: the true mean loss, computed here."""
    got = kata.run(_mean_loss_helper)
    with torch.random.fork_rng(devices=[]):
        model, batches = _linear_case(3, 4, 5)
    with torch.no_grad():
        got["truth"] = sum(F.mse_loss(model(x), y).item() for x, y in batches) / len(batches)
    return got


@KATA.task("mean_loss", "Bug hunt: a mean loss that keeps the graph", points=2,
           hint="add `loss.item()` (a Python float) to the total, not the loss tensor")
class TestMeanLoss:
    def test_returns_a_float_with_the_mean_loss(self, kata):
        got = _mean_loss(kata)
        value = got["value"]
        if isinstance(value, torch.Tensor):
            extra = (" that still holds the autograd graph of every batch" if got["graph"] else "")
            raise CheckFailed(f"mean_loss returned {describe(value)}{extra}: `total += loss` keeps a tensor; "
                              f"add `loss.item()` so a plain float comes back")
        expect_true(isinstance(value, float),
                    f"mean_loss should return a Python float, but returned {describe(value)}")
        expect_close(value, got["truth"], what="mean_loss(model, batches)", rtol=1e-5, atol=1e-7)


def _train_steps_helper(learner) -> dict:
    with trusted():
        model, batches = _linear_case(4, 3, 8)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = learner.train_steps(model, optimizer, batches)
    with trusted():
        params = {n: p.detach().clone() for n, p in model.named_parameters()}
    return {"losses": losses, "params": params}


def _train_steps(kata) -> dict:
    """Grader side: the reference steps' losses and parameters, computed here."""
    got = kata.run(_train_steps_helper)
    with torch.random.fork_rng(devices=[]):
        reference, batches = _linear_case(4, 3, 8)
    opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    got["truth"] = []
    for x, y in batches:
        opt.zero_grad()
        loss = F.mse_loss(reference(x), y)
        loss.backward()
        opt.step()
        got["truth"].append(loss.item())
    got["want"] = {n: p.detach().clone() for n, p in reference.named_parameters()}
    return got


@KATA.task("train_steps", "Bug hunt: training steps that pile up gradients", points=2,
           hint="call `optimizer.zero_grad()` at the start of every step")
class TestTrainSteps:
    def test_three_steps_follow_the_reference(self, kata):
        got = _train_steps(kata)
        losses = got["losses"]
        expect_true(isinstance(losses, list) and len(losses) == 3,
                    f"train_steps should return a list of 3 losses for 3 batches, but returned {describe(losses)}")
        if not math.isclose(float(losses[2]), got["truth"][2], rel_tol=1e-4, abs_tol=1e-6) and \
                math.isclose(float(losses[0]), got["truth"][0], rel_tol=1e-4, abs_tol=1e-6):
            raise CheckFailed(f"the first step matches but later ones drift (step 3 loss {float(losses[2]):.4g}, "
                              f"expected {got['truth'][2]:.4g}): gradients are piling up across steps; "
                              f"call optimizer.zero_grad() before each backward")
        for name, want in got["want"].items():
            expect_close(got["params"][name], want, what=f"{name} after 3 steps", rtol=1e-5, atol=1e-6)


@KATA.task("probabilities", "Bug hunt: softmax over the wrong dimension", points=2,
           hint="softmax over the classes: `dim=1` for an (N, C) batch")
class TestClassProbabilities:
    def test_rows_sum_to_one_and_match_softmax(self, kata):
        logits = torch.randn(5, 4)
        got = expect_shape(kata.call("class_probabilities", logits), (5, 4), what="class_probabilities(logits)")
        if torch.allclose(got.sum(dim=0), torch.ones(4), atol=1e-5) and \
                not torch.allclose(got.sum(dim=1), torch.ones(5), atol=1e-5):
            raise CheckFailed("class_probabilities: columns sum to 1 instead of rows, so softmax ran over "
                              "dim=0 (the batch) and each sample depends on the others; use dim=1")
        expect_close(got, torch.softmax(logits, dim=1), what="class_probabilities(logits)",
                     rtol=1e-5, atol=1e-6)


@KATA.task("accuracy", "Bug hunt: torch.max used as a tensor", points=2,
           hint="`torch.max(x, dim)` gives (values, indices); for the predicted class use "
                "`logits.argmax(dim=1)`")
class TestAccuracy:
    def test_matches_argmax_accuracy(self, kata):
        logits = torch.randn(20, 5)
        labels = torch.randint(0, 5, (20,))
        labels[:8] = logits[:8].argmax(dim=1)  # some right, some wrong
        truth = (logits.argmax(dim=1) == labels).float().mean().item()
        got = kata.call("accuracy", logits, labels)
        expect_true(isinstance(got, float),
                    f"accuracy should return a Python float (use `.item()`), but returned {describe(got)}")
        expect_close(got, truth, what="accuracy(logits, labels)", rtol=1e-6, atol=1e-7)
