"""Checks for the logistic_regression kata: logits, stable losses, honest scaling.

The training checks use the grader's own model and blobs, so each task is
graded on its own. Reference values come from torch, computed here on the
check side (outside the learner's forbidden-API rules).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pytest_torchkata.checks.values import describe, expect_close, expect_finite, expect_float, expect_shape, expect_true
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.model import Kata
from pytest_torchkata.checks.training import STALE_GRAD as STALE, expect_converged, plant_stale_grads, run_until

KATA = Kata("logistic_regression", "Logistic regression (逻辑回归)",
            "logits, a stable BCE, train-only standardisation, training to a loss, softmax cross-entropy")

LR, STEPS = 0.5, 300
MIN_ACCURACY, MAX_LOSS = 0.97, 0.05


def blobs(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The grader's own two blobs: (n, 2) float32 and (n,) float32 labels."""
    g = torch.Generator().manual_seed(seed)
    y = torch.cat([torch.zeros(n // 2), torch.ones(n - n // 2)])
    x = torch.tensor([[-2.0, -2.0], [2.0, 2.0]])[y.long()] + torch.randn(n, 2, generator=g)
    return x, y


def _stale_message(names: list[str]) -> str:
    return (f"after train_step, {' and '.join(names)} still held the stale gradient the grader put there "
            f"({STALE:g}) plus the new one: gradients add up across backward calls, so call "
            f"optimizer.zero_grad() before loss.backward()")


# -- learner-world helpers ---------------------------------------------------------

def logistic_regression_forward(mod: Any, in_features: int, x: torch.Tensor) -> dict:
    model = mod.LogisticRegression(in_features)
    out = model(x)
    with trusted():
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        info: dict = {"out": out.detach() if isinstance(out, torch.Tensor) else out,
                      "n_params": sum(p.numel() for p in model.parameters()),
                      "linears": [(m.in_features, m.out_features) for m in linears]}
        if len(linears) == 1:  # the check computes w·x + b from these, in the grader
            info["weight"] = linears[0].weight.detach().clone()
            info["bias"] = None if linears[0].bias is None else linears[0].bias.detach().clone()
    return info


def loss_backward(mod: Any, name: str, logits: torch.Tensor, targets: torch.Tensor) -> dict:
    loss = getattr(mod, name)(logits, targets)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return {"loss": loss, "grad": None}
    with trusted():
        (grad,) = torch.autograd.grad(loss, [logits], allow_unused=True)
        return {"loss": loss.detach(), "grad": grad}


def _fresh_model(w: list[float], b: float) -> nn.Module:
    model = nn.Sequential(nn.Linear(len(w), 1), nn.Flatten(0))  # (N, D) -> (N,) logits
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([w]))
        model[0].bias.fill_(b)
    return model


def train_step_once(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, stale: bool) -> dict:
    model = _fresh_model([0.3, -0.2], 0.1)
    calls = []
    model.register_forward_hook(lambda m, i, o: calls.append(1))
    if stale:
        plant_stale_grads(model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss = mod.train_step(model, opt, x, y)
    return {"loss": loss, "forward_calls": len(calls),
            "params": {n: p.detach().clone() for n, p in model[0].named_parameters()},
            "grads": {n: None if p.grad is None else p.grad.clone() for n, p in model[0].named_parameters()}}


def train_step_training(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> dict:
    model = _fresh_model([0.0, 0.0], 0.0)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    result = run_until(lambda: mod.train_step(model, opt, x, y), max_steps=steps, time_budget_s=5.0,
                       target=MAX_LOSS)
    with torch.no_grad():
        logits = model(x)
    return {"result": result, "logits": logits}


# -- check-side pieces ---------------------------------------------------------------

def _expected_step(x: torch.Tensor, y: torch.Tensor, lr: float) -> dict:
    model = _fresh_model([0.3, -0.2], 0.1)
    logits = model(x)
    loss = F.binary_cross_entropy_with_logits(logits, y)
    loss.backward()
    return {"loss": loss.item(), "logits": logits.detach(),
            "params": {n: (p - lr * p.grad).detach() for n, p in model[0].named_parameters()},
            "grads": {n: p.grad.clone() for n, p in model[0].named_parameters()}}


def _grad_ok(got: torch.Tensor | None, fresh: torch.Tensor) -> bool:
    """Zeroed (or None) after the step, or zeroed before backward: both fine."""
    if got is None:
        return True
    return bool(torch.allclose(got, torch.zeros_like(got)) or torch.allclose(got, fresh, rtol=1e-4, atol=1e-5))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


# -- the tasks -----------------------------------------------------------------------

@KATA.task("model", "A model that returns logits", points=2,
           hint="one nn.Linear(in_features, 1); return its output squeezed to (N,), without a sigmoid")
class TestModel:
    def test_returns_one_logit_per_row(self, kata):
        info = kata.run(logistic_regression_forward, 3, torch.randn(7, 3))
        expect_shape(info["out"], (7,), what="LogisticRegression(3) on x of shape (7, 3)")

    def test_has_one_linear_layer_with_in_features_plus_one_parameters(self, kata):
        info = kata.run(logistic_regression_forward, 5, torch.randn(4, 5))
        expect_true(info["linears"] == [(5, 1)],
                    f"LogisticRegression(5) should hold one nn.Linear(5, 1), but holds "
                    f"{info['linears'] or 'no nn.Linear'}")
        expect_true(info["n_params"] == 6, f"LogisticRegression(5) has {info['n_params']} parameters, "
                    f"expected 6 (5 weights and a bias)")

    def test_forward_returns_logits_not_probabilities(self, kata):
        x = 50 * torch.randn(16, 3)  # large inputs: logits far outside (0, 1)
        info = kata.run(logistic_regression_forward, 3, x)
        out = expect_shape(info["out"], (16,), what="LogisticRegression(3) on x of shape (16, 3)")
        expect_true("weight" in info, "keep exactly one nn.Linear(in_features, 1) in the model")
        lin = F.linear(x, info["weight"], info["bias"]).reshape(-1)
        if ((out >= 0) & (out <= 1)).all() and torch.allclose(out, torch.sigmoid(lin), atol=1e-5):
            raise CheckFailed("forward returns sigmoid(w·x + b), all in (0, 1), where logits were expected: "
                              "drop the sigmoid, BCEWithLogitsLoss applies it itself")
        expect_close(out, lin, what="forward(x) compared with w·x + b", rtol=1e-5, atol=1e-4)


@KATA.task("bce", "Stable binary cross-entropy on logits", points=3,
           hint="keep exp away from large positive numbers: max(z, 0) - z·y + log1p(exp(-|z|)), averaged",
           forbidden={"torch.nn.functional.binary_cross_entropy_with_logits": "write the formula yourself",
                      "torch.binary_cross_entropy_with_logits": "write the formula yourself",
                      "torch.nn.functional.binary_cross_entropy": "write the formula yourself"})
class TestBce:
    def test_matches_torch_on_ordinary_logits(self, kata):
        z, y = 3 * torch.randn(20), torch.randint(0, 2, (20,)).float()
        out = expect_shape(kata.call("bce_with_logits", z, y), (), what="bce_with_logits(z (20,), y (20,))")
        expect_close(out, F.binary_cross_entropy_with_logits(z, y), what="bce_with_logits(z, y)",
                     rtol=1e-5, atol=1e-6)

    def test_matches_torch_on_soft_targets(self, kata):
        z, y = 3 * torch.randn(20), torch.rand(20)
        expect_close(kata.call("bce_with_logits", z, y), F.binary_cross_entropy_with_logits(z, y),
                     what="bce_with_logits(z, y) with targets in [0, 1]", rtol=1e-5, atol=1e-6)

    def test_value_and_gradient_are_finite_at_plus_minus_100(self, kata):
        z = torch.tensor([100.0, -100.0, 100.0, -100.0], requires_grad=True)
        y = torch.tensor([0.0, 1.0, 1.0, 0.0])
        got = kata.run(loss_backward, "bce_with_logits", z, y)
        loss = got["loss"]
        if isinstance(loss, torch.Tensor) and not torch.isfinite(loss).all():
            raise CheckFailed(f"bce_with_logits at logits ±100 gave {loss.item()}, expected 50: "
                              f"σ(100) rounds to 1, so a naive log(1 - sigmoid(z)) is log(0) = -inf; "
                              f"use the max(z, 0) - z·y + log1p(exp(-|z|)) form")
        expect_close(loss, torch.tensor(50.0), what="bce_with_logits at logits [100, -100, 100, -100]",
                     rtol=1e-5, atol=1e-4)
        expect_true(got["grad"] is not None, "bce_with_logits is not connected to the logits' graph: "
                    "keep it a torch computation (no .item() or .detach())")
        grad = expect_finite(got["grad"], what="the gradient of bce_with_logits at logits ±100")
        want = (torch.sigmoid(z.detach()) - y) / 4
        expect_close(grad, want, what="d bce / d logits at ±100", rtol=1e-5, atol=1e-6)


@KATA.task("standardize", "Standardise with training statistics only", points=2,
           hint="compute the mean and std over dim=0 on x_train only, then apply them to both sets")
class TestStandardize:
    def test_training_features_get_mean_0_and_std_1_each(self, kata):
        x_train = torch.randn(200, 3) * torch.tensor([1.0, 5.0, 0.2]) + torch.tensor([3.0, -1.0, 10.0])
        got = kata.call("standardize", x_train, x_train[:10].clone())
        expect_true(isinstance(got, (tuple, list)) and len(got) == 2,
                    f"standardize should return (train_scaled, test_scaled), but returned {describe(got)}")
        train = expect_shape(got[0], (200, 3), what="standardize's train_scaled")
        std = train.std(dim=0)
        std_pop = train.std(dim=0, unbiased=False)  # either std convention is fine
        expect_true((std - 1).abs().max() < 0.01 or (std_pop - 1).abs().max() < 0.01,
                    f"each feature's std after scaling should be 1, but is {[round(s, 3) for s in std.tolist()]}; "
                    f"take the mean and std over dim=0 (one per feature), not over the whole tensor")
        expect_close(train.mean(dim=0), torch.zeros(3), what="each feature's mean after scaling", atol=1e-3, rtol=0)

    def test_test_set_uses_the_training_mean_and_std(self, kata):
        x_train = torch.randn(300, 2) * torch.tensor([2.0, 0.5]) + torch.tensor([1.0, -4.0])
        x_test = torch.randn(100, 2) * torch.tensor([2.0, 0.5]) + torch.tensor([7.0, -4.0])  # shifted by +6
        got = kata.call("standardize", x_train, x_test)
        expect_true(isinstance(got, (tuple, list)) and len(got) == 2,
                    f"standardize should return (train_scaled, test_scaled), but returned {describe(got)}")
        test = expect_shape(got[1], (100, 2), what="standardize's test_scaled")
        mean, std = x_train.mean(dim=0), x_train.std(dim=0)
        want = (x_test - mean) / std
        want_pop = (x_test - mean) / x_train.std(dim=0, unbiased=False)
        if abs(float(test[:, 0].mean())) < 0.5:
            raise CheckFailed(f"the test set was shifted by +6 in feature 0, but its scaled mean is "
                              f"{float(test[:, 0].mean()):.3g}: it looks standardised with the test set's "
                              f"own mean and std (a leak); scale it with the training statistics")
        if not torch.allclose(test, want_pop, rtol=1e-4, atol=1e-4):
            expect_close(test, want, what="test_scaled = (x_test - train mean) / train std",
                         rtol=1e-4, atol=1e-4)


@KATA.task("blobs", "Two Gaussian blobs with float labels", points=2,
           hint="float labels from torch.zeros/torch.ones; each point = its class centre + "
                "torch.randn(..., generator=g)")
class TestBlobs:
    def test_shapes_and_dtypes(self, kata):
        x, y = kata.call("make_blobs", 40, seed=1)
        expect_shape(x, (40, 2), what="make_blobs(40)'s x")
        expect_shape(y, (40,), what="make_blobs(40)'s y")
        expect_true(x.dtype == torch.float32, f"x has dtype {str(x.dtype).replace('torch.', '')}, expected float32")
        expect_true(y.dtype == torch.float32,
                    f"y has dtype {str(y.dtype).replace('torch.', '')}, expected float32: "
                    f"BCEWithLogitsLoss needs float targets (`y.float()`); int64 labels are for cross-entropy")

    def test_labels_are_half_zeros_then_half_ones(self, kata):
        _, y = kata.call("make_blobs", 40, seed=1)
        want = torch.cat([torch.zeros(20), torch.ones(20)])
        expect_close(y.to(torch.float32), want, what="make_blobs(40)'s y", check_dtype=False)

    def test_blobs_sit_at_minus_two_and_plus_two_with_std_1(self, kata):
        x, y = kata.call("make_blobs", 2000, seed=2)
        y = y.to(torch.float32)
        for label, centre in ((0.0, -2.0), (1.0, 2.0)):
            pts = x[y == label]
            m, s = pts.mean(dim=0), pts.std(dim=0)
            expect_true(((m - centre).abs() < 0.15).all() and ((s - 1).abs() < 0.1).all(),
                        f"class {int(label)} should be centred at ({centre:g}, {centre:g}) with std 1, but has "
                        f"mean {[round(v, 2) for v in m.tolist()]} and std {[round(v, 2) for v in s.tolist()]}")

    def test_same_seed_gives_the_same_blobs(self, kata):
        x1, _ = kata.call("make_blobs", 30, seed=5)
        x2, _ = kata.call("make_blobs", 30, seed=5)
        x3, _ = kata.call("make_blobs", 30, seed=6)
        expect_close(x2, x1, what="make_blobs(30, seed=5)'s x, made twice")
        expect_true(not torch.equal(x1, x3), "make_blobs gives the same x for seeds 5 and 6: "
                    "pass generator=g (seeded with `seed`) to torch.randn")


@KATA.task("train", "Training to an accuracy and a loss", points=4,
           hint="zero_grad, logits = model(x), nn.BCEWithLogitsLoss on the logits (no sigmoid of your own), "
                "backward, step; return loss.item()")
class TestTrain:
    def test_one_step_matches_sgd_on_bce_with_logits(self, kata):
        x, y = blobs(64, seed=3)
        got = kata.run(train_step_once, x, y, 0.5, False)
        expect_true(got["forward_calls"] >= 1, "train_step never called the model as `model(x)`; "
                    "`model.forward(x)` skips hooks — call the model itself")
        want = _expected_step(x, y, 0.5)
        loss = expect_float(got["loss"], what="train_step", tensor_note="; return `loss.item()`")
        if not _close(loss, want["loss"]):
            text = f"train_step returned loss {loss:.6g}, expected BCE-with-logits {want['loss']:.6g}"
            if _close(loss, F.binary_cross_entropy_with_logits(torch.sigmoid(want["logits"]), y).item()):
                text += ("; that is the loss of sigmoid(logits): a sigmoid before BCEWithLogitsLoss "
                         "squashes twice — pass the logits straight in")
            raise CheckFailed(text)
        for name, value in got["params"].items():
            expect_close(value, want["params"][name], what=f"{name} after one SGD step (lr 0.5)",
                         rtol=1e-4, atol=1e-5)

    def test_gradients_are_zeroed_every_step(self, kata):
        x, y = blobs(64, seed=4)
        got = kata.run(train_step_once, x, y, 0.0, True)
        want = _expected_step(x, y, 0.0)
        stale = [n for n, g in got["grads"].items() if not _grad_ok(g, want["grads"][n])]
        if stale:
            raise CheckFailed(_stale_message([f"{n}.grad" for n in stale]))

    def test_three_hundred_steps_reach_the_accuracy_and_the_loss(self, kata):
        x, y = blobs(400, seed=0)
        got = kata.run(train_step_training, x, y, LR, STEPS)
        accuracy = float(((got["logits"] > 0).float() == y).float().mean())
        history = got["result"]["history"]
        final = history[-1] if history else float("nan")
        hint = ""
        if accuracy >= MIN_ACCURACY and final > 0.3:
            hint = (f"accuracy is {accuracy:.3f} but the loss stays near {final:.2f}: that is the floor of "
                    f"a sigmoid before BCEWithLogitsLoss (squashed twice) — pass the logits straight in")
        expect_converged(got["result"], target=MAX_LOSS, what=f"BCE loss after {STEPS} SGD steps (lr {LR})",
                         kata=kata, hint=hint)
        expect_true(accuracy >= MIN_ACCURACY,
                    f"accuracy after training is {accuracy:.3f}, expected at least {MIN_ACCURACY}")


@KATA.task("cross_entropy", "Stable log-softmax and cross-entropy", points=4,
           hint="subtract each row's max before exp; pick each row's log-probability at its target "
                "class (gather) and average the negatives",
           forbidden={name: "write it yourself" for name in (
               "torch.log_softmax", "torch.Tensor.log_softmax", "torch.nn.functional.log_softmax",
               "torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax",
               "torch.logsumexp", "torch.Tensor.logsumexp",
               "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss")})
class TestCrossEntropy:
    def test_log_softmax_matches_torch(self, kata):
        z = 3 * torch.randn(6, 4)
        expect_close(kata.call("log_softmax", z), torch.log_softmax(z, dim=1), what="log_softmax(z (6, 4))",
                     rtol=1e-5, atol=1e-5)

    def test_log_softmax_is_finite_at_logits_of_1000(self, kata):
        z = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
        out = kata.call("log_softmax", z)
        expect_shape(out, (2, 3), what="log_softmax(z (2, 3))")
        if not torch.isfinite(out).all():
            raise CheckFailed(f"log_softmax at logits ~1000 gave {out[0].tolist()}: exp(1000) overflows "
                              f"to inf; subtract each row's maximum before exp")
        expect_close(out, torch.log_softmax(z, dim=1), what="log_softmax at logits ±1000", rtol=1e-5, atol=1e-5)

    def test_cross_entropy_matches_torch_with_integer_targets(self, kata):
        z, t = 2 * torch.randn(10, 5), torch.randint(0, 5, (10,))
        out = expect_shape(kata.call("cross_entropy", z, t), (), what="cross_entropy(z (10, 5), t (10,))")
        expect_close(out, F.cross_entropy(z, t), what="cross_entropy(z, targets)", rtol=1e-5, atol=1e-5)

    def test_cross_entropy_value_and_gradient_are_finite_at_1000(self, kata):
        z = torch.tensor([[1000.0, -1000.0, 0.0], [0.0, 1000.0, -1000.0]], requires_grad=True)
        t = torch.tensor([1, 1])
        got = kata.run(loss_backward, "cross_entropy", z, t)
        want = F.cross_entropy(z.detach(), t)
        loss = got["loss"]
        if isinstance(loss, torch.Tensor) and not torch.isfinite(loss).all():
            raise CheckFailed(f"cross_entropy at logits ±1000 gave {loss.item()}, expected {want.item():g}: "
                              f"exp(1000) overflows; subtract each row's maximum first")
        expect_close(loss, want, what="cross_entropy at logits ±1000", rtol=1e-5, atol=1e-4)
        expect_true(got["grad"] is not None, "cross_entropy is not connected to the logits' graph: "
                    "keep it a torch computation (no .item() or .detach())")
        grad = expect_finite(got["grad"], what="the gradient of cross_entropy at logits ±1000")
        want_grad = (torch.softmax(z.detach(), dim=1) - F.one_hot(t, 3).float()) / 2
        expect_close(grad, want_grad, what="d cross_entropy / d logits at ±1000", rtol=1e-5, atol=1e-6)
