"""Checks for the linear_regression kata: y = w·x + b with a known answer.

The training checks drive the learner's step functions themselves (through the
helpers in ``linear_regression/world.py``) on data made here, so each task is
graded on its own: a wrong ``make_data`` cannot sink the training tasks.
"""

from __future__ import annotations

import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.training import STALE_GRAD, expect_converged
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_tensor
from pytest_torchkata.checks.variants import naming
from pytest_torchkata.dtypes import dtype_name
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.katas.linear_regression import grader, world
from pytest_torchkata.katas.linear_regression.hints import HINTS
from pytest_torchkata.katas.common.seeded import draw_seed, jitter
from pytest_torchkata.katas.common.expect import expect_connected, expect_float_loss, expect_grads_not_stale, expect_manual_update, expect_own_generator, graded_step
from pytest_torchkata.model import Kata

KATA = Kata("linear_regression", Text("Linear regression", "线性回归"),
            Text("y = w·x + b: data, a shape-safe MSE, gradient descent by hand, nn.Linear + SGD, closed form",
                 "y = w·x + b：数据、检查形状的 MSE、手写梯度下降、nn.Linear + SGD、闭式解"))

TRUE_W, TRUE_B, TOL = 2.0, 1.0, 0.05
LR, STEPS = 0.1, 200


def line_data(n: int = 100, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The grader's own copy of task 1's data: (n, 1) each."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=g) * 4 - 2
    y = TRUE_W * x + TRUE_B + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


def _close(a: float, b: float) -> bool:
    # Not the shared ``matches``: a loss is one number, close within 1e-4 of max(1, |b|)
    # (an absolute 1e-4 below 1), which no rtol/atol pair gives; NaN is never close.
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def _broadcast_mse(pred: torch.Tensor, target: torch.Tensor) -> float:
    """What an (N, 1) against (N,) loss quietly computes: the mean over an (N, N) table."""
    return ((pred.reshape(-1, 1) - target.reshape(1, -1)) ** 2).mean().item()


def _expect_mse_loss(got: float, pred: torch.Tensor, y: torch.Tensor, what: str) -> None:
    __tracebackhide__ = True
    want = ((pred - y) ** 2).mean().item()
    if _close(got, want):
        return
    if _close(got, _broadcast_mse(pred, y)):
        raise Mistake(tr("{what} returned loss {got:.6g}, expected the MSE {want:.6g}; that is the mean over an "
                         "(N, N) table: prediction and target have shapes (N, 1) and (N,), which broadcast instead "
                         "of lining up; keep both (N, 1)",
                         "{what} 返回的损失是 {got:.6g}，应为 MSE {want:.6g}；这是一个 (N, N) 表格的平均值："
                         "预测和目标的形状分别是 (N, 1) 和 (N,)，它们被广播了，而不是一一对应；请让两者都保持 (N, 1)",
                         what=what, got=got, want=want), mistake="linear_regression.loss_broadcast")
    raise CheckFailed(tr("{what} returned loss {got:.6g}, expected the MSE {want:.6g} (of the loss before "
                         "the update; allowed relative difference 1e-4)",
                         "{what} 返回的损失是 {got:.6g}，应为更新之前的 MSE {want:.6g}（允许相对误差 1e-4）",
                         what=what, got=got, want=want))


def _expect_step_loss(got: float, x: torch.Tensor, y: torch.Tensor, want: dict, lr: float, what: str) -> None:
    """The loss a step returned is the MSE before its update; a known slip is named."""
    __tracebackhide__ = True
    with naming(grader.STEP_LOSS, (x, y, want["start"], want["grads"], lr), got, what=what,
                expected=((want["pred"] - y) ** 2).mean()):
        _expect_mse_loss(got, want["pred"], y, what)


def _one_step() -> tuple[torch.Tensor, torch.Tensor, dict]:
    """39 points (an odd number) of task 1's data (at a seed of the check's), and the start, gradients and prediction of one
    step from w = 0.5, b = -0.3 on them (where the step checks start the learner's code)."""
    x, y = line_data(39, seed=draw_seed())
    w = torch.tensor([0.5], requires_grad=True)
    b = torch.tensor([-0.3], requires_grad=True)
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    return x, y, {"start": [w.detach().clone(), b.detach().clone()], "grads": [w.grad.clone(), b.grad.clone()],
                  "pred": (w * x + b).detach()}


def _broadcast_hint(w: float, b: float) -> str:
    if abs(w) < 0.1 and abs(b - TRUE_B) < 0.2:
        return tr("w ≈ 0 and b ≈ mean(y) is what an (N, 1) against (N,) loss learns: the shapes broadcast "
                  "to (N, N); keep prediction and target both (N, 1)",
                  "w ≈ 0、b ≈ mean(y) 正是 (N, 1) 对 (N,) 的损失学到的结果：形状被广播成了 (N, N)；"
                  "请让预测和目标都保持 (N, 1)")
    return ""


def _trained(kata, helper, what: str) -> dict:
    """``helper``'s STEPS training steps from w = b = 0 on task 1's data, once the loss is seen to come down."""
    __tracebackhide__ = True
    x, y = line_data(100, seed=draw_seed())
    got = kata.run(helper, x, y, LR, STEPS)
    expect_converged(got["result"], target=0.02, kata=kata, what=what,
                     hint=_broadcast_hint(float(got["w"]), float(got["b"])))
    return got


def _expect_recovered(w: float, b: float, what: str) -> None:
    __tracebackhide__ = True
    if abs(w - TRUE_W) < TOL and abs(b - TRUE_B) < TOL:
        return
    raise CheckFailed(tr("{what} ended at w = {w:.4g}, b = {b:.4g}; the data was made with w = 2, b = 1 "
                         "(allowed ±{tol})", "{what} 结束时 w = {w:.4g}，b = {b:.4g}；数据是用 w = 2、b = 1 "
                         "生成的（允许 ±{tol}）", what=what, w=w, b=b, tol=TOL), hint=_broadcast_hint(w, b))


def _make_data(kata, n: int, seed: int) -> tuple:
    """The learner's ``make_data(n, seed=seed)``, which must be a pair (x, y)."""
    __tracebackhide__ = True
    got = kata.call("make_data", n, seed=seed)
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise CheckFailed(tr("make_data({n}) should return the pair (x, y), but returned {got}",
                             "make_data({n}) 应返回 (x, y) 这一对张量，但返回了 {got}", n=n, got=describe(got)))
    return got[0], got[1]


def _expect_refused(kata, pred: torch.Tensor, target: torch.Tensor) -> None:
    """mse on mismatched shapes must raise ValueError (not return a number, not raise something else)."""
    __tracebackhide__ = True
    call = f"mse(pred {tuple(pred.shape)}, target {tuple(target.shape)})"
    pair = "(N, 1) - (N,)" if pred.dim() != target.dim() else f"{tuple(pred.shape)} - {tuple(target.shape)}"
    info = kata.run(world.mse_on_mismatched_shapes, pred, target)
    if info["raised"] == "ValueError":
        return
    if info["raised"] is not None:
        raise CheckFailed(tr("{call} raised {err}; raise ValueError so the caller "
                             "knows the shapes are the problem", "{call} 抛出了 "
                             "{err}；请抛出 ValueError，让调用者知道问题出在形状上", err=info["raised"], call=call))
    value = info["value"]
    number = isinstance(value, (int, float, torch.Tensor)) and torch.as_tensor(value).numel() == 1
    shown = f"{float(value):.4g}" if number else describe(value)
    if number and _close(float(value), ((pred.reshape(-1) - target.reshape(-1)) ** 2).mean().item()):
        raise CheckFailed(tr("{call} returned {shown} instead of raising ValueError: "
                             "it lined the two up by reshaping them, but mismatched shapes are usually a bug "
                             "upstream, and the task asks mse to refuse them",
                             "{call} 返回了 {shown}，而不是抛出 ValueError：它通过 reshape "
                             "把两者对齐了，但形状不匹配通常说明上游有错误，任务要求 mse 拒绝这种输入",
                             shown=shown, call=call))
    if not number:
        raise CheckFailed(tr("{call} returned {shown}; mismatched shapes should raise "
                             "ValueError", "{call} 返回了 {shown}；形状不匹配时应抛出 "
                             "ValueError", shown=shown, call=call))
    cls = Mistake if _close(float(value), _broadcast_mse(pred, target)) else CheckFailed
    raise cls(tr("{call} returned {shown} instead of raising ValueError: "
                 "{pair} broadcasts to an (N, N) table and gives a wrong number without any error",
                 "{call} 返回了 {shown}，而不是抛出 ValueError："
                 "{pair} 会广播成 (N, N) 的表格，给出错误的数却不报错", shown=shown, call=call, pair=pair),
              mistake="linear_regression.mismatch_broadcast" if cls is Mistake else "")


# -- the tasks -----------------------------------------------------------------------

@KATA.task("make_data", Text("Data with a known answer", "答案已知的数据"), points=2, hints=HINTS["make_data"])
class TestMakeData:
    def test_x_and_y_are_column_tensors_of_float32(self, kata):
        for n in (50, 7, 1):  # even, odd, a single point
            x, y = _make_data(kata, n, seed=draw_seed())
            for name, t in (("x", x), ("y", y)):
                t = expect_shape(t, (n, 1), what=tr("make_data({n})'s {name}", "make_data({n}) 的 {name}",
                                                    n=n, name=name))
                if t.dtype != torch.float32:
                    raise CheckFailed(tr("make_data({n})'s {name} has dtype {got}, expected float32",
                                         "make_data({n}) 的 {name} 数据类型是 {got}，应为 float32",
                                         n=n, name=name, got=dtype_name(t.dtype)))

    def test_same_seed_gives_the_same_data_and_another_seed_does_not(self, kata):
        seed = draw_seed()
        x1, y1 = _make_data(kata, 20, seed=seed)
        x2, y2 = _make_data(kata, 20, seed=seed)
        x3, _ = _make_data(kata, 20, seed=seed + 1)
        for name, t in (("x", x1), ("y", y1), ("x", x3)):
            expect_tensor(t, what=tr("make_data(20)'s {name}", "make_data(20) 的 {name}", name=name))
        expect_close(x2, x1, what=tr("make_data(20, seed={seed})'s x, made twice",
                                     "两次生成的 make_data(20, seed={seed}) 的 x", seed=seed))
        expect_close(y2, y1, what=tr("make_data(20, seed={seed})'s y, made twice",
                                     "两次生成的 make_data(20, seed={seed}) 的 y", seed=seed))
        if torch.equal(x1, x3):
            raise CheckFailed(tr("make_data gives the same x for seed {seed} and seed {other}: seed a "
                                 "torch.Generator with `seed` and pass it to the random calls",
                                 "make_data 在 seed {seed} 和 seed {other} 下给出相同的 x：请用 `seed` 初始化一个 "
                                 "torch.Generator，并把它传给随机调用", seed=seed, other=seed + 1))

    def test_leaves_the_global_random_state_alone(self, kata):
        expect_own_generator(kata.run(world.make_data_rng, 20, draw_seed()), "make_data")

    def test_x_covers_minus_two_to_two(self, kata):
        x, _ = _make_data(kata, 1000, seed=draw_seed())
        x = expect_tensor(x, what=tr("make_data(1000)'s x", "make_data(1000) 的 x"))
        lo, hi = float(x.min()), float(x.max())
        if not (-2.0 <= lo and hi <= 2.0 and lo < -1.9 and hi > 1.9):
            raise CheckFailed(tr("x should be uniform in [-2, 2], but ranges over [{lo:.3g}, {hi:.3g}]; "
                                 "torch.rand gives [0, 1): scale by 4 and shift by -2",
                                 "x 应在 [-2, 2] 上均匀分布，但范围是 [{lo:.3g}, {hi:.3g}]；torch.rand 给出 "
                                 "[0, 1)：乘 4 再减 2", lo=lo, hi=hi))

    def test_y_is_two_x_plus_one_with_noise_of_size_point_one(self, kata):
        x, y = _make_data(kata, 1000, seed=draw_seed())
        x = expect_tensor(x, what=tr("make_data(1000)'s x", "make_data(1000) 的 x"))
        expect_shape(y, tuple(x.shape), what=tr("make_data(1000)'s y", "make_data(1000) 的 y"))
        r = y - (2 * x + 1)
        mean, std = float(r.mean()), float(r.std())
        if not (abs(mean) < 0.03 and 0.08 < std < 0.12):
            raise CheckFailed(tr("y - (2x + 1) should be noise with mean 0 and std 0.1, but has mean {m:.3g} "
                                 "and std {s:.3g}", "y - (2x + 1) 应是均值 0、标准差 0.1 的噪声，但均值是 {m:.3g}，"
                                 "标准差是 {s:.3g}", m=mean, s=std))


@KATA.task("mse", Text("Mean squared error that refuses mismatched shapes", "拒绝形状不匹配的均方误差"),
           points=2, hints=HINTS["mse"], forbidden={"torch.nn.functional.mse_loss": "write the formula yourself"})
class TestMse:
    def test_matches_torch_mse(self, kata):
        pred, target = torch.randn(8, 1), torch.randn(8, 1)
        out = expect_shape(kata.call("mse", pred, target), (), what="mse(pred (8, 1), target (8, 1))")
        want = ((pred - target) ** 2).mean()
        expect_close(out, want, what="mse(pred, target)", variants=grader.MSE, inputs=(pred, target))

    def test_an_odd_batch_and_a_batch_of_one(self, kata):
        for n in (7, 1):
            pred, target = torch.randn(n, 1), torch.randn(n, 1)
            what = f"mse(pred ({n}, 1), target ({n}, 1))"
            out = expect_shape(kata.call("mse", pred, target), (), what=what)
            expect_close(out, ((pred - target) ** 2).mean(), what=what, variants=grader.MSE, inputs=(pred, target))

    def test_refuses_n_by_1_against_n(self, kata):
        _expect_refused(kata, torch.randn(5, 1), torch.randn(5))

    def test_refuses_every_other_mismatch(self, kata):
        # (N,) against (N, 1) the other way round, a row against a column (same number of dims), and
        # shapes with the same number of elements: checks of len(), dim() or numel() miss one of them
        for pred_shape, target_shape in (((5,), (5, 1)), ((4, 1), (1, 4)), ((6, 1), (3, 2))):
            _expect_refused(kata, torch.randn(pred_shape), torch.randn(target_shape))

    def test_gradient_flows_back_to_pred(self, kata):
        pred, target = torch.randn(6, 1), torch.randn(6, 1)
        info = kata.run(world.mse_backward, pred, target)
        if not info["connected"]:
            expect_tensor(info["loss"], what="mse(pred (6, 1), target (6, 1))")
        expect_connected(info["connected"], "mse(pred, target)", "pred")
        expect_close(info["grad"], 2 * (pred - target) / 6, what="d mse / d pred",
                     variants=grader.MSE.gradients(wrt=0), inputs=(pred, target))


@KATA.task("gd_step", Text("Gradient descent with raw tensors", "用原始张量做梯度下降"), points=4, hints=HINTS["gd_step"])
class TestGdStep:
    def test_one_step_moves_w_and_b_against_the_gradient(self, kata):
        x, y, want = _one_step()
        got = kata.run(world.gd_step_once, x, y, 0.5, -0.3, 0.1, None)
        _expect_step_loss(expect_float_loss(got, "gd_step"), x, y, want, 0.1, "gd_step")
        with naming(grader.UPDATE, (want["start"], want["grads"], 0.1), tuple(got["values"]),
                    what=tr("w and b after one step of gd_step (lr 0.1)", "gd_step 一步之后的 w 和 b（lr 0.1）")):
            expect_manual_update(got, want["start"], want["grads"], 0.1, ["w", "b"], "gd_step", var="w")

    def test_gradients_are_zeroed_every_step(self, kata):
        x, y, want = _one_step()
        got = kata.run(world.gd_step_once, x, y, 0.5, -0.3, 0.0, STALE_GRAD)
        expect_grads_not_stale(dict(zip("wb", got["grads"])), dict(zip("wb", want["grads"])), "gd_step",
                               tr("zero them every step (w.grad.zero_())", "每一步都要把它们清零（w.grad.zero_()）"),
                               untouched_ok=True)

    def test_two_hundred_steps_recover_w_2_and_b_1(self, kata):
        got = _trained(kata, world.gd_step_training, tr("gd_step training loss (lr 0.1)", "gd_step 的训练损失（lr 0.1）"))
        if not (all(got["leaf"]) and all(got["requires_grad"])):
            raise Mistake(tr("after training, w or b is no longer a leaf that requires grad: update in place "
                             "under torch.no_grad()", "训练之后，w 或 b 不再是需要梯度的叶子节点：请在 "
                             "torch.no_grad() 中原地更新"), mistake="linear_regression.leaf_lost")
        _expect_recovered(float(got["w"]), float(got["b"]), tr(
            "gradient descent ({steps} steps, lr {lr})", "梯度下降（{steps} 步，lr {lr}）", steps=STEPS, lr=LR))


@KATA.task("model", Text("A linear layer and an SGD optimizer", "线性层与 SGD 优化器"), points=2, hints=HINTS["model"])
class TestModel:
    def test_model_maps_one_feature_to_one_as_w_x_plus_b(self, kata):
        x = torch.cat([torch.tensor([[0.0], [1.0]]), 3 * torch.randn(3, 1)])  # 0 and 1 read off b and w
        info = kata.run(world.model_outputs, x)
        if not info["module"]:
            raise CheckFailed(tr("make_model() returned {got}, expected an nn.Module such as nn.Linear(1, 1)",
                                 "make_model() 返回了 {got}，应为 nn.Module，例如 nn.Linear(1, 1)", got=info["type"]))
        out = expect_shape(info["out"], (5, 1), what=tr("make_model()(x) for x of shape (5, 1)",
                                                        "x 形状为 (5, 1) 时的 make_model()(x)"))
        if info["n_params"] != 2 or not info["trainable"]:
            raise CheckFailed(tr("make_model() holds {n} trainable number(s), expected 2 (one weight and a bias, "
                                 "as nn.Linear(1, 1) has)", "make_model() 含有 {n} 个可训练的数，应为 2 个"
                                 "（一个权重和一个偏置，就像 nn.Linear(1, 1)）", n=info["n_params"]))
        w, b = out[1] - out[0], out[0]
        expect_close(out, w * x + b, rtol=1e-5, atol=1e-5, what=tr(
            "make_model()(x) compared with w·x + b", "make_model()(x) 与 w·x + b 的比较"))

    def test_optimizer_is_sgd_over_all_parameters_with_the_given_lr(self, kata):
        lr = round(0.01 + 0.09 * torch.rand(()).item(), 4)
        info = kata.run(world.make_optimizer, lr)
        if not info["sgd"]:
            raise CheckFailed(tr("make_optimizer returned a {got}, expected torch.optim.SGD",
                                 "make_optimizer 返回了 {got}，应为 torch.optim.SGD", got=info["type"]))
        if not any(info["held"]):
            raise Mistake(tr("the optimizer holds none of the model's parameters: it was built over another "
                             "model's; pass model.parameters() of the model you are given",
                             "优化器里没有这个模型的任何参数：它是用别的模型的参数建的；请传入所给模型的 "
                             "model.parameters()"), mistake="linear_regression.optimizer_over_another_model")
        if not all(info["held"]):
            raise CheckFailed(tr("the optimizer does not hold every parameter of the model: pass "
                                 "model.parameters()", "优化器没有包含模型的全部参数：请传入 model.parameters()"))
        lrs = [group.get("lr") for group in info["groups"]]
        if not all(isinstance(got, (int, float)) and abs(float(got) - lr) < 1e-6 for got in lrs):
            raise CheckFailed(tr("make_optimizer(model, lr={lr}) made an optimizer with lr {lrs}: use the lr "
                                 "argument", "make_optimizer(model, lr={lr}) 建的优化器 lr 是 {lrs}：请使用 lr 参数",
                                 lr=lr, lrs=lrs))
        if any(group.get("momentum", 0) for group in info["groups"]):
            raise CheckFailed(tr("plain SGD here: leave momentum at 0", "这里要普通 SGD：momentum 保持为 0"))


@KATA.task("train_step", Text("One training step with nn.MSELoss", "用 nn.MSELoss 训练一步"),
           points=4, hints=HINTS["train_step"])
class TestTrainStep:
    def test_one_step_matches_sgd_on_the_mse(self, kata):
        x, y, want = _one_step()
        got, loss = graded_step(kata, world.train_step_once, x, y, 0.1)
        _expect_step_loss(loss, x, y, want, 0.1, "train_step")
        start, grads = want["start"], want["grads"]
        expect_close(got["params"]["weight"].reshape(1), start[0] - 0.1 * grads[0], rtol=1e-4, atol=1e-5,
                     what=tr("weight after one SGD step (lr 0.1)", "SGD 一步之后的 weight（lr 0.1）"))
        expect_close(got["params"]["bias"], start[1] - 0.1 * grads[1], rtol=1e-4, atol=1e-5,
                     what=tr("bias after one SGD step (lr 0.1)", "SGD 一步之后的 bias（lr 0.1）"))

    def test_gradients_are_zeroed_every_step(self, kata):
        x, y, want = _one_step()
        got = kata.run(world.train_step_once, x, y, 0.0, True)
        expect_grads_not_stale(got["grads"], {"weight": want["grads"][0].reshape(1, 1), "bias": want["grads"][1]},
                               "train_step", tr("call optimizer.zero_grad() before loss.backward()",
                                                "请在 loss.backward() 之前调用 optimizer.zero_grad()"))

    def test_two_hundred_steps_recover_w_2_and_b_1(self, kata):
        got = _trained(kata, world.train_step_training, tr("train_step training loss (SGD lr 0.1)",
                                                           "train_step 的训练损失（SGD lr 0.1）"))
        _expect_recovered(float(got["w"]), float(got["b"]), tr(
            "nn.Linear + SGD ({steps} steps, lr {lr})", "nn.Linear + SGD（{steps} 步，lr {lr}）", steps=STEPS, lr=LR))


def _expect_floats(got, what: str) -> tuple[float, float]:
    __tracebackhide__ = True
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise CheckFailed(tr("{what} should return (w, b), but returned {got}", "{what} 应返回 (w, b)，"
                             "但返回了 {got}", what=what, got=describe(got)))
    for value in got:
        if not isinstance(value, float):
            raise CheckFailed(tr("{what} should return (w, b) as Python floats, but returned {got}; turn a "
                                 "one-element tensor into a float with `.item()`",
                                 "{what} 应以 Python 浮点数返回 (w, b)，但返回了 {got}；用 `.item()` 把单元素张量"
                                 "变成浮点数", what=what, got=describe(value)))
    return got[0], got[1]


@KATA.task("closed_form", Text("Least squares in closed form", "最小二乘的闭式解"), points=2, hints=HINTS["closed_form"])
class TestClosedForm:
    def test_noise_free_line_is_solved_exactly(self, kata):
        x = jitter(torch.linspace(-1, 3, 30), 0.1).reshape(30, 1)
        w, b = _expect_floats(kata.call("closed_form", x, -3 * x + 0.5), "closed_form")
        if abs(b) < 1e-6:
            raise Mistake(tr("closed_form gave b = {b:.4g}: without a column of ones in the design matrix "
                             "there is no bias to solve for", "closed_form 给出 b = {b:.4g}：设计矩阵里没有全 1 "
                             "的列，就没有偏置可解", b=b), mistake="linear_regression.no_bias_column")
        if abs(w - 0.5) < 1e-3 and abs(b + 3) < 1e-3:
            raise Mistake(tr("closed_form returned (b, w) = ({w:.4g}, {b:.4g}): return w first, then b, in the "
                             "order of your design matrix's columns", "closed_form 返回的是 (b, w) = ({w:.4g}, "
                             "{b:.4g})：请先返回 w 再返回 b，与设计矩阵的列顺序一致", w=w, b=b), mistake="linear_regression.returned_b_then_w")
        expect_close(w, -3.0, what=tr("w for y = -3x + 0.5", "y = -3x + 0.5 的 w"), atol=1e-4, rtol=0)
        expect_close(b, 0.5, what=tr("b for y = -3x + 0.5", "y = -3x + 0.5 的 b"), atol=1e-4, rtol=0)

    def test_matches_least_squares_on_noisy_data(self, kata):
        x, y = line_data(100, seed=draw_seed())
        A = torch.cat([x, torch.ones_like(x)], dim=1).double()
        theta = torch.linalg.lstsq(A, y.double()).solution.reshape(-1)
        w, b = _expect_floats(kata.call("closed_form", x, y), "closed_form")
        expect_close(w, float(theta[0]), what=tr("closed-form w", "闭式解的 w"), atol=1e-4, rtol=0)
        expect_close(b, float(theta[1]), what=tr("closed-form b", "闭式解的 b"), atol=1e-4, rtol=0)
