"""Checks for the linear_regression kata: y = w·x + b with a known answer.

The training checks drive the learner's step functions themselves (through
``run_until``) on data made here, so each task is graded on its own: a wrong
``make_data`` cannot sink the training tasks.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from pytest_torchkata.checks.values import describe, expect_close, expect_float, expect_shape, expect_true
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.model import Kata
from pytest_torchkata.checks.training import STALE_GRAD as STALE, expect_converged, plant_stale_grads, run_until

KATA = Kata("linear_regression", "Linear regression (线性回归)",
            "y = w·x + b: data, a shape-safe MSE, gradient descent by hand, nn.Linear + SGD, closed form")

TRUE_W, TRUE_B, TOL = 2.0, 1.0, 0.05
LR, STEPS = 0.1, 200


def line_data(n: int = 100, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The grader's own copy of task 1's data: (n, 1) each."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=g) * 4 - 2
    y = TRUE_W * x + TRUE_B + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


def _broadcast_mse(pred: torch.Tensor, target: torch.Tensor) -> float:
    """What an (N, 1) against (N,) loss quietly computes: the mean over an (N, N) table."""
    return ((pred.reshape(-1, 1) - target.reshape(1, -1)) ** 2).mean().item()


def _loss_message(got: float, pred: torch.Tensor, y: torch.Tensor, what: str) -> str:
    want = ((pred - y) ** 2).mean().item()
    text = f"{what} returned loss {got:.6g}, expected the MSE {want:.6g}"
    if abs(got - _broadcast_mse(pred, y)) <= 1e-4 * max(1.0, abs(got)):
        text += ("; that is the mean over an (N, N) table: prediction and target have shapes (N, 1) "
                 "and (N,), which broadcast instead of lining up — keep both (N, 1)")
    return text


def _stale_message(what: str, names: list[str]) -> str:
    return (f"after {what}, {' and '.join(names)} still held the stale gradient the grader put there "
            f"({STALE:g}) plus the new one: gradients add up across backward calls until zeroed, "
            f"so zero them every step")


# -- learner-world helpers ---------------------------------------------------------

def mse_on_mismatched_shapes(mod: Any) -> dict:
    pred, target = torch.randn(5, 1), torch.randn(5)
    try:
        value = mod.mse(pred, target)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - which exception the learner raised is the point
        return {"raised": type(exc).__name__, "message": str(exc)[:200]}
    return {"raised": None, "value": value, "broadcast": _broadcast_mse(pred, target)}


def mse_backward(mod: Any, pred: torch.Tensor, target: torch.Tensor) -> dict:
    loss = mod.mse(pred, target)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return {"connected": False, "loss": loss}
    loss.backward()
    return {"connected": True, "grad": pred.grad}


def _leaves(w: torch.Tensor, b: torch.Tensor) -> dict:
    return {"w": w.detach().clone(), "b": b.detach().clone(),
            "leaf": bool(w.is_leaf and b.is_leaf), "requires_grad": bool(w.requires_grad and b.requires_grad),
            "w_grad": None if w.grad is None else w.grad.clone(),
            "b_grad": None if b.grad is None else b.grad.clone()}


def gd_step_once(mod: Any, x: torch.Tensor, y: torch.Tensor, w0: float, b0: float, lr: float,
                 stale: bool) -> dict:
    w = torch.tensor([w0], requires_grad=True)
    b = torch.tensor([b0], requires_grad=True)
    if stale:
        plant_stale_grads([w, b])
    loss = mod.gd_step(w, b, x, y, lr)
    return {"loss": loss, **_leaves(w, b)}


def gd_step_training(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> dict:
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    result = run_until(lambda: mod.gd_step(w, b, x, y, lr), max_steps=steps, time_budget_s=5.0)
    return {"result": result, **_leaves(w, b)}


def make_model_and_optimizer(mod: Any, lr: float) -> dict:
    model = mod.make_model()
    info: dict = {"type": type(model).__name__, "linear": isinstance(model, nn.Linear)}
    if info["linear"]:
        info.update(in_features=model.in_features, out_features=model.out_features,
                    bias=model.bias is not None)
    if not isinstance(model, nn.Module):
        return info
    opt = mod.make_optimizer(model, lr)
    info["opt_type"] = type(opt).__name__
    if isinstance(opt, torch.optim.Optimizer):
        in_opt = {id(p) for group in opt.param_groups for p in group["params"]}
        info["covers"] = all(id(p) in in_opt for p in model.parameters())
        info["lrs"] = [float(group["lr"]) for group in opt.param_groups]
        info["momentum"] = [float(group.get("momentum", 0.0)) for group in opt.param_groups]
    return info


def _fresh_linear(w0: float, b0: float) -> nn.Linear:
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(w0)
        model.bias.fill_(b0)
    return model


def train_step_once(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, stale: bool) -> dict:
    model = _fresh_linear(0.5, -0.3)
    calls = []
    model.register_forward_hook(lambda m, i, o: calls.append(1))
    if stale:
        plant_stale_grads(model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss = mod.train_step(model, opt, x, y)
    grads = {n: None if p.grad is None else p.grad.clone() for n, p in model.named_parameters()}
    return {"loss": loss, "w": model.weight.detach().clone().reshape(1),
            "b": model.bias.detach().clone().reshape(1), "grads": grads, "forward_calls": len(calls)}


def train_step_training(mod: Any, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> dict:
    model = _fresh_linear(0.0, 0.0)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    result = run_until(lambda: mod.train_step(model, opt, x, y), max_steps=steps, time_budget_s=5.0)
    return {"result": result, "w": model.weight.item(), "b": model.bias.item()}


# -- check-side pieces ---------------------------------------------------------------

def _expected_step(x: torch.Tensor, y: torch.Tensor, w0: float, b0: float, lr: float) -> dict:
    w = torch.tensor([w0], requires_grad=True)
    b = torch.tensor([b0], requires_grad=True)
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    return {"loss": loss.item(), "w": (w - lr * w.grad).detach(), "b": (b - lr * b.grad).detach(),
            "w_grad": w.grad.clone(), "b_grad": b.grad.clone(), "pred": (w * x + b).detach()}


def _grad_ok(got: torch.Tensor | None, fresh: torch.Tensor) -> bool:
    """Zeroed (or set to None) after the step, or zeroed before backward: both fine."""
    if got is None:
        return True
    return bool(torch.allclose(got, torch.zeros_like(got)) or torch.allclose(got, fresh, rtol=1e-4, atol=1e-5))


BROADCAST_HINT = ("w ≈ 0 and b ≈ mean(y) is what an (N, 1) against (N,) loss learns: the shapes "
                  "broadcast to (N, N) — keep prediction and target both (N, 1)")


def _broadcast_hint(w: float, b: float) -> str:
    return BROADCAST_HINT if abs(w) < 0.1 and abs(b - TRUE_B) < 0.2 else ""


def _expect_recovered(w: float, b: float, what: str) -> None:
    __tracebackhide__ = True
    if abs(w - TRUE_W) < TOL and abs(b - TRUE_B) < TOL:
        return
    raise CheckFailed(f"{what} ended at w = {w:.4g}, b = {b:.4g}; the data was made with w = 2, b = 1 "
                      f"(allowed ±{TOL})", hint=_broadcast_hint(w, b))


# -- the tasks -----------------------------------------------------------------------

@KATA.task("make_data", "Data with a known answer", points=2,
           hint="torch.rand gives [0, 1): scale and shift it to [-2, 2]; pass generator=g to every random call")
class TestMakeData:
    def test_x_and_y_are_column_tensors_of_float32(self, kata):
        x, y = kata.call("make_data", 50, seed=3)
        for name, t in (("x", x), ("y", y)):
            t = expect_shape(t, (50, 1), what=f"make_data(50)'s {name}")
            expect_true(t.dtype == torch.float32, f"make_data(50)'s {name} has dtype "
                        f"{str(t.dtype).replace('torch.', '')}, expected float32")

    def test_same_seed_gives_the_same_data_and_another_seed_does_not(self, kata):
        x1, y1 = kata.call("make_data", 20, seed=7)
        x2, y2 = kata.call("make_data", 20, seed=7)
        x3, _ = kata.call("make_data", 20, seed=8)
        expect_close(x2, x1, what="make_data(20, seed=7)'s x, made twice")
        expect_close(y2, y1, what="make_data(20, seed=7)'s y, made twice")
        expect_true(not torch.equal(x1, x3), "make_data gives the same x for seed 7 and seed 8: "
                    "seed a torch.Generator with `seed` and pass it to the random calls")

    def test_x_covers_minus_two_to_two(self, kata):
        x, _ = kata.call("make_data", 1000, seed=1)
        lo, hi = float(x.min()), float(x.max())
        expect_true(-2.0 <= lo and hi <= 2.0 and lo < -1.9 and hi > 1.9,
                    f"x should be uniform in [-2, 2], but ranges over [{lo:.3g}, {hi:.3g}]; "
                    f"torch.rand gives [0, 1): scale by 4 and shift by -2")

    def test_y_is_two_x_plus_one_with_noise_of_size_point_one(self, kata):
        x, y = kata.call("make_data", 1000, seed=2)
        expect_shape(y, tuple(x.shape), what="make_data(1000)'s y")
        r = y - (2 * x + 1)
        mean, std = float(r.mean()), float(r.std())
        expect_true(abs(mean) < 0.03 and 0.08 < std < 0.12,
                    f"y - (2x + 1) should be noise with mean 0 and std 0.1, but has mean {mean:.3g} "
                    f"and std {std:.3g}")


@KATA.task("mse", "Mean squared error that refuses mismatched shapes", points=2,
           hint="check pred.shape against target.shape first and raise ValueError; then average the squared "
                "differences",
           forbidden={"torch.nn.functional.mse_loss": "write the formula yourself"})
class TestMse:
    def test_matches_torch_mse(self, kata):
        pred, target = torch.randn(8, 1), torch.randn(8, 1)
        out = expect_shape(kata.call("mse", pred, target), (), what="mse(pred (8, 1), target (8, 1))")
        expect_close(out, torch.nn.functional.mse_loss(pred, target), what="mse(pred, target)")

    def test_refuses_n_by_1_against_n(self, kata):
        info = kata.run(mse_on_mismatched_shapes)
        if info["raised"] == "ValueError":
            return
        if info["raised"] is not None:
            raise CheckFailed(f"mse(pred (5, 1), target (5,)) raised {info['raised']}; raise ValueError "
                              f"so the caller knows the shapes are the problem")
        value = info["value"]
        shown = f"{float(value):.4g}" if isinstance(value, (int, float, torch.Tensor)) and \
            torch.as_tensor(value).numel() == 1 else describe(value)
        raise CheckFailed(f"mse(pred (5, 1), target (5,)) returned {shown} instead of raising ValueError: "
                          f"(N, 1) - (N,) broadcasts to an (N, N) table and gives a wrong number "
                          f"without any error")

    def test_gradient_flows_back_to_pred(self, kata):
        pred, target = torch.randn(6, 1, requires_grad=True), torch.randn(6, 1)
        info = kata.run(mse_backward, pred, target)
        expect_true(info["connected"], "mse(pred, target) is not connected to pred's graph: "
                    "keep it a torch computation (no .item(), .detach() or torch.tensor(...))")
        expect_close(info["grad"], 2 * (pred.detach() - target) / 6, what="d mse / d pred")


@KATA.task("gd_step", "Gradient descent with raw tensors", points=4,
           hint="after loss.backward(), update w and b in place inside `with torch.no_grad():`, "
                "then zero their .grad")
class TestGdStep:
    def test_one_step_moves_w_and_b_against_the_gradient(self, kata):
        x, y = line_data(40, seed=1)
        got = kata.run(gd_step_once, x, y, 0.5, -0.3, 0.1, False)
        want = _expected_step(x, y, 0.5, -0.3, 0.1)
        loss = expect_float(got["loss"], what="gd_step", tensor_note="; return `loss.item()`")
        if abs(loss - want["loss"]) > 1e-4 * max(1.0, want["loss"]):
            raise CheckFailed(_loss_message(loss, want["pred"], y, "gd_step"))
        if torch.equal(got["w"], torch.tensor([0.5])) and torch.equal(got["b"], torch.tensor([-0.3])):
            raise CheckFailed("after gd_step, w and b are unchanged: `w = w - lr * w.grad` makes a new "
                              "tensor that the caller never sees; update in place inside "
                              "torch.no_grad(): `w -= lr * w.grad`")
        expect_close(got["w"], want["w"], what="w after one step (lr 0.1)", rtol=1e-4, atol=1e-5)
        expect_close(got["b"], want["b"], what="b after one step (lr 0.1)", rtol=1e-4, atol=1e-5)

    def test_w_and_b_stay_leaves_that_require_grad(self, kata):
        x, y = line_data(40, seed=2)
        got = kata.run(gd_step_once, x, y, 0.5, -0.3, 0.1, False)
        expect_true(got["requires_grad"], "after gd_step, w or b no longer requires grad: keep "
                    "requires_grad=True and update the values in place under torch.no_grad()")
        expect_true(got["leaf"], "after gd_step, w or b is no longer a leaf: update in place "
                    "under torch.no_grad()")

    def test_gradients_are_zeroed_every_step(self, kata):
        x, y = line_data(40, seed=3)
        got = kata.run(gd_step_once, x, y, 0.5, -0.3, 0.0, True)
        want = _expected_step(x, y, 0.5, -0.3, 0.0)
        stale = [name for name in ("w", "b") if not _grad_ok(got[f"{name}_grad"], want[f"{name}_grad"])]
        if stale:
            raise CheckFailed(_stale_message("gd_step", [f"{n}.grad" for n in stale]))

    def test_two_hundred_steps_recover_w_2_and_b_1(self, kata):
        x, y = line_data(100, seed=0)
        got = kata.run(gd_step_training, x, y, LR, STEPS)
        expect_converged(got["result"], target=0.02, what="gd_step training loss (lr 0.1)", kata=kata,
                         hint=_broadcast_hint(float(got["w"]), float(got["b"])))
        expect_true(got["leaf"] and got["requires_grad"],
                    "after training, w or b is no longer a leaf that requires grad: update in place "
                    "under torch.no_grad()")
        _expect_recovered(float(got["w"]), float(got["b"]), f"gradient descent ({STEPS} steps, lr {LR})")


@KATA.task("model", "nn.Linear and an SGD optimizer", points=2,
           hint="nn.Linear(1, 1); torch.optim.SGD over model.parameters() with the lr you are given")
class TestModel:
    def test_model_is_a_linear_layer_from_one_feature_to_one(self, kata):
        info = kata.run(make_model_and_optimizer, 0.1)
        expect_true(info["linear"], f"make_model() returned a {info['type']}, expected nn.Linear")
        expect_true((info["in_features"], info["out_features"], info["bias"]) == (1, 1, True),
                    f"make_model() is nn.Linear({info['in_features']}, {info['out_features']}"
                    f"{'' if info['bias'] else ', bias=False'}), expected nn.Linear(1, 1) with a bias")

    def test_optimizer_is_sgd_over_all_parameters_with_the_given_lr(self, kata):
        info = kata.run(make_model_and_optimizer, 0.037)
        expect_true(info.get("opt_type") == "SGD",
                    f"make_optimizer returned a {info.get('opt_type', info['type'])}, expected torch.optim.SGD")
        expect_true(info.get("covers", False), "the optimizer does not hold every parameter of the model: "
                    "pass model.parameters()")
        expect_true(all(abs(lr - 0.037) < 1e-12 for lr in info.get("lrs", [])),
                    f"make_optimizer(model, lr=0.037) made an optimizer with lr {info.get('lrs')}: use the lr argument")
        expect_true(not any(info.get("momentum", [])), "plain SGD here: leave momentum at 0")


@KATA.task("train_step", "One training step with nn.MSELoss", points=4,
           hint="zero_grad, forward with model(x), loss, backward, step; keep prediction and y both (N, 1); "
                "return loss.item()")
class TestTrainStep:
    def test_one_step_matches_sgd_on_the_mse(self, kata):
        x, y = line_data(40, seed=4)
        got = kata.run(train_step_once, x, y, 0.1, False)
        expect_true(got["forward_calls"] >= 1, "train_step never called the model as `model(x)`; "
                    "`model.forward(x)` skips hooks — call the model itself")
        want = _expected_step(x, y, 0.5, -0.3, 0.1)
        loss = expect_float(got["loss"], what="train_step", tensor_note="; return `loss.item()`")
        if abs(loss - want["loss"]) > 1e-4 * max(1.0, want["loss"]):
            raise CheckFailed(_loss_message(loss, want["pred"], y, "train_step"))
        if torch.equal(got["w"], torch.tensor([0.5])) and torch.equal(got["b"], torch.tensor([-0.3])):
            raise CheckFailed("after train_step the weights are unchanged: call optimizer.step() after "
                              "loss.backward() (and zero_grad before backward, not between them)")
        expect_close(got["w"], want["w"], what="weight after one SGD step (lr 0.1)", rtol=1e-4, atol=1e-5)
        expect_close(got["b"], want["b"], what="bias after one SGD step (lr 0.1)", rtol=1e-4, atol=1e-5)

    def test_gradients_are_zeroed_every_step(self, kata):
        x, y = line_data(40, seed=5)
        got = kata.run(train_step_once, x, y, 0.0, True)
        want = _expected_step(x, y, 0.5, -0.3, 0.0)
        fresh = {"weight": want["w_grad"].reshape(1, 1), "bias": want["b_grad"]}
        stale = [n for n, g in got["grads"].items() if not _grad_ok(g, fresh[n])]
        if stale:
            raise CheckFailed(_stale_message("train_step", [f"{n}.grad" for n in stale]) +
                              "; call optimizer.zero_grad() before loss.backward()")

    def test_two_hundred_steps_recover_w_2_and_b_1(self, kata):
        x, y = line_data(100, seed=0)
        got = kata.run(train_step_training, x, y, LR, STEPS)
        expect_converged(got["result"], target=0.02, what="train_step training loss (SGD lr 0.1)",
                         kata=kata, hint=_broadcast_hint(float(got["w"]), float(got["b"])))
        _expect_recovered(float(got["w"]), float(got["b"]), f"nn.Linear + SGD ({STEPS} steps, lr {LR})")


@KATA.task("closed_form", "Least squares in closed form", points=2,
           hint="put a column of ones beside x for the bias, then use torch.linalg.lstsq")
class TestClosedForm:
    def test_noise_free_line_is_solved_exactly(self, kata):
        x = torch.linspace(-1, 3, 30).reshape(30, 1)
        y = -3 * x + 0.5
        got = kata.call("closed_form", x, y)
        expect_true(isinstance(got, (tuple, list)) and len(got) == 2,
                    f"closed_form should return (w, b), but returned {describe(got)}")
        w, b = got
        if abs(float(b)) < 1e-6:
            raise CheckFailed(f"closed_form gave b = {float(b):.4g}: without a column of ones in the "
                              f"design matrix there is no bias to solve for")
        expect_close(w, -3.0, what="w for y = -3x + 0.5", atol=1e-4, rtol=0)
        expect_close(b, 0.5, what="b for y = -3x + 0.5", atol=1e-4, rtol=0)

    def test_matches_least_squares_on_noisy_data(self, kata):
        x, y = line_data(100, seed=6)
        A = torch.cat([x, torch.ones_like(x)], dim=1).double()
        theta = torch.linalg.lstsq(A, y.double()).solution.reshape(-1)
        w, b = kata.call("closed_form", x, y)
        expect_close(w, float(theta[0]), what="closed-form w", atol=1e-4, rtol=0)
        expect_close(b, float(theta[1]), what="closed-form b", atol=1e-4, rtol=0)
