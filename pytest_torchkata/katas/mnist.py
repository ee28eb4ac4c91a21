"""Checks for the mnist kata: the article's CNN, early warnings, data and training.

Every verdict is reached here, in the grading process, from observations made
by ``katas._mnist_world`` next to the learner's code: expected outputs come from
the grader's own copy of the article's network with the learner's weights, the
train_step check runs on a model and batch chosen here, and the held-out
accuracy is measured here from the trained weights (``katas._mnist_data``); the
learner's process only ever sees a training-only data folder.

The architecture checks need no data (random images).  The data and training
checks read MNIST from ``kata.data_dir``; when it is not there and cannot be
downloaded they are skipped with a message saying how to provide it.
"""

from __future__ import annotations

import math
import time

import torch

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.checks.training import STALE_GRAD, downsample, expect_converged, loss_curve
from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.katas import _mnist_data as data, _mnist_expect as expect
from pytest_torchkata.katas._mnist_expect import EVAL_BATCH, NLL_OF_LOGITS, SOFTMAX_FIRST
from pytest_torchkata.katas._mnist_world import (evaluate_probe, fit_probe, forward_probe, layers_probe,
                                                 loaders_probe, sanity_probe)
from pytest_torchkata.model import Kata

KATA = Kata("mnist", "MNIST",
            "the article's CNN for handwritten digits: layers, forward shapes, early warnings before "
            "training, MNIST loaders, evaluation, and training to a held-out accuracy")

LN_10 = math.log(10)
SUBSET_TARGET, FULL_TARGET = 0.95, 0.98  # held-out accuracy: offline 8k subset / full 60k MNIST
FULL_TRAIN_SIZE = 60_000
TIME_BUDGET_S = {"subset": 60.0, "full": 170.0}  # seconds of the fit request, measured here
PROBE_IMAGES, PROBE_AGREEMENT = 256, 0.99  # the trained Net against the grader's copy, on training digits

# name -> (type, weight shape, parameter count)
LAYERS = {
    "conv1": ("Conv2d", (10, 1, 5, 5), 260),
    "conv2": ("Conv2d", (20, 10, 5, 5), 5_020),
    "fc1": ("Linear", (50, 320), 16_050),
    "fc2": ("Linear", (10, 50), 510),
}
TOTAL_PARAMETERS = 21_840


# -- task 1: layers --------------------------------------------------------------------------

def _layer_text(kind: str, weight: tuple) -> str:
    if kind == "Linear" and len(weight) == 2:
        return f"Linear({weight[1]} -> {weight[0]})"
    if kind == "Conv2d" and len(weight) == 4:
        return f"Conv2d({weight[1]} -> {weight[0]}, kernel {weight[2]}x{weight[3]})"
    return f"{kind} with weight {weight}"


@KATA.task("layers", "The layers of the article's CNN", points=3,
           hint="conv1 = nn.Conv2d(1, 10, kernel_size=5), conv2 = nn.Conv2d(10, 20, kernel_size=5), "
                "fc1 = nn.Linear(320, 50), fc2 = nn.Linear(50, 10), all assigned to self")
class TestLayers:
    def test_has_the_four_layers_by_name(self, kata):
        layers = kata.run(layers_probe)["layers"]
        for name, (kind, _, _) in LAYERS.items():
            got = layers[name]
            expect_true(got is not None, f"Net has no attribute `{name}`: name the layers conv1, conv2, fc1, fc2")
            expect_true(got["registered"], f"Net.{name} is not registered as a submodule: assign an nn.Module "
                                           f"to self.{name} after super().__init__()")
            expect_true(got["type"] == kind, f"Net.{name} is a {got['type']}, expected nn.{kind}")

    def test_each_layer_has_the_right_shape(self, kata):
        layers = kata.run(layers_probe)["layers"]
        for name, (kind, weight, _) in LAYERS.items():
            got = layers[name]
            if got is None or got["weight"] is None:
                raise CheckFailed(f"Net.{name} has no weight: it should be {_layer_text(kind, weight)}")
            if got["weight"] != weight:
                why = (": two conv + pool stages leave 20 channels of 4 x 4, so each image flattens to "
                       "20 * 4 * 4 = 320 numbers" if name == "fc1" else "")
                raise CheckFailed(f"Net.{name} is {_layer_text(got['type'], got['weight'])}, expected "
                                  f"{_layer_text(kind, weight)}{why}")

    def test_has_21840_parameters(self, kata):
        got = kata.run(layers_probe)
        parts = ", ".join(f"{n} {c:,}" for n, (_, _, c) in LAYERS.items())
        expect_true(got["total"] == TOTAL_PARAMETERS,
                    f"Net has {got['total']:,} parameters, expected {TOTAL_PARAMETERS:,} ({parts}, "
                    f"weights and biases): is there an extra layer, or one without bias?")


# -- task 2: forward ---------------------------------------------------------------------------

EXPECTED_SHAPES = (("conv1", (10, 24, 24)), ("conv2", (20, 8, 8)), ("fc1 input", (320,)),
                   ("fc1", (50,)), ("fc2", (10,)))
SHAPE_NOTES = {
    "conv1": "a 5x5 kernel shrinks 28 to 24",
    "conv2": "after a 2x2 max-pool (24 -> 12) a 5x5 kernel gives 8",
    "fc1 input": "after the second 2x2 max-pool (8 -> 4), flatten each sample: 20 * 4 * 4 = 320",
}


@KATA.task("forward", "The forward pass: images to logits", points=4,
           hint="relu(conv1) -> max_pool2d(2) -> relu(conv2) -> max_pool2d(2) -> flatten to (B, 320) "
                "-> relu(fc1) -> fc2, and return the fc2 output as it is")
class TestForward:
    def test_gives_10_scores_per_image(self, kata):
        got = kata.run(forward_probe, torch.rand(3, 1, 28, 28))
        expect_shape(got["out"], (3, 10), what="Net()(x) for x of shape (3, 1, 28, 28)")

    def test_each_layer_gives_the_right_shape(self, kata):
        got = kata.run(forward_probe, torch.rand(3, 1, 28, 28))
        for name, shape in EXPECTED_SHAPES:
            want = (3, *shape)
            seen = got["shapes"].get(name)
            expect_true(seen is not None, f"Net.{name.split()[0]} was not used in forward")
            note = SHAPE_NOTES.get(name, "")
            expect_true(tuple(seen) == want,
                        f"{name} has shape {tuple(seen)} for a batch of 3, expected {want}"
                        + (f" ({note})" if note else ""))

    def test_returns_logits_not_probabilities(self, kata):
        out = expect_shape(kata.run(forward_probe, torch.rand(4, 1, 28, 28))["out"], (4, 10), what="Net()(x)")
        if (out >= 0).all() and torch.allclose(out.sum(dim=1), torch.ones(4), atol=1e-4):
            raise CheckFailed("Net's rows sum to 1, so forward returns probabilities: looks like softmax was "
                              "applied before the loss; F.cross_entropy applies log-softmax itself, so return "
                              "the raw fc2 output (logits)")

    def test_each_sample_is_independent_of_the_batch(self, kata):
        got = kata.run(forward_probe, torch.rand(4, 1, 28, 28))
        out = expect_shape(got["out"], (4, 10), what="Net()(x) for a batch of 4")
        for i, single in enumerate(got["singles"]):
            single = expect_shape(single, (1, 10), what=f"Net()(x[{i}:{i + 1}])")
            if not torch.allclose(out[i], single[0], rtol=1e-4, atol=1e-5):
                raise CheckFailed(f"in eval mode, the output for image {i} changes when other images are in "
                                  f"the batch: something mixes samples (a view/reshape that crosses samples, "
                                  f"or a softmax over dim=0); flatten with torch.flatten(x, 1)")

    def test_computes_the_articles_network(self, kata):
        x = torch.rand(3, 1, 28, 28)
        got = kata.run(forward_probe, x)
        out = expect_shape(got["out"], (3, 10), what="Net()(x)")
        weights = data.checked_weights(got["weights"])
        if isinstance(weights, str):
            raise CheckFailed(f"could not rebuild the article's network from Net's layers: {weights.replace('trained ', '')}")
        want = data.article_forward(weights, x)
        if torch.allclose(out, torch.log_softmax(want, dim=1), rtol=1e-4, atol=1e-5):
            kata.record(note="forward returns log_softmax: fine with F.cross_entropy or F.nll_loss")
            return
        expect_close(out, want, what="Net()(x) against relu/max-pool/flatten/fc with the same weights",
                     rtol=1e-4, atol=1e-5)


# -- task 3: train_step and the early warnings ------------------------------------------------


@KATA.task("train_step", "One training step, and the early warnings", points=4,
           hint="optimizer.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); "
                "optimizer.step(); return loss.item()",
           timeout=60)
class TestTrainStep:
    def test_returns_the_loss_as_a_float(self, kata):
        got, _, losses, log_probs = expect.step(kata, False, 0.1)
        expect_true(got["calls"] > 0, "train_step never called the model: use model(x), not model.forward(x)")
        value = got["value"]
        if isinstance(value, torch.Tensor):
            raise CheckFailed(f"train_step returned {describe(value)}: return `loss.item()`, a Python float, so "
                              f"the graph of the step can be freed")
        expect_true(isinstance(value, float), f"train_step should return the loss as a float, "
                                              f"but returned {describe(value)}")
        if expect.close_to(value, losses["softmax_first"][0]) and not expect.close_to(value, losses["right"][0]):
            raise CheckFailed(f"train_step returned {value:.4g}, expected {losses['right'][0]:.4g}: {SOFTMAX_FIRST}")
        if not log_probs and expect.close_to(value, losses["nll_of_logits"][0]):
            raise CheckFailed(f"train_step returned {value:.4g}, {NLL_OF_LOGITS}")
        expect_close(value, losses["right"][0], what="the loss train_step returned (cross-entropy before the step)",
                     rtol=1e-4, atol=1e-6)

    def test_updates_the_parameters(self, kata):
        got, state, _, _ = expect.step(kata, False, 0.1)
        after = got["after"]
        moved = any(not (isinstance(after.get(n), torch.Tensor) and after[n].shape == p.shape
                         and torch.equal(after[n], p)) for n, p in state.items())
        expect_true(moved, "after train_step with lr=0.1 no parameter changed: call optimizer.step()")

    def test_clears_old_gradients(self, kata):
        got, _, losses, log_probs = expect.step(kata, True, 0.0)
        grads, want = got["grads"], losses["right"][1]
        if not expect.same_grads(grads, want):
            if expect.same_grads(grads, losses["softmax_first"][1]):
                raise CheckFailed(f"the gradients after train_step are those of softmax then cross-entropy: "
                                  f"{SOFTMAX_FIRST}")
            if not log_probs and expect.same_grads(grads, losses["nll_of_logits"][1]):
                raise CheckFailed(f"the gradients after train_step are those of F.nll_loss of the raw logits: "
                                  f"{NLL_OF_LOGITS.split(': ', 1)[1]}")
        for name, w in want.items():
            grad = grads.get(name)
            if grad is None or not grad.abs().any():
                raise CheckFailed(f"after train_step, {name}.grad is {'None' if grad is None else 'all zero'}: "
                                  f"zero_grad() ran after backward(); call it before")
            grad = expect_shape(grad, tuple(w.shape), what=f"{name}.grad after train_step")
            if (grad - w).abs().max() > 100:
                raise CheckFailed(f"after train_step, {name}.grad still holds the old gradient "
                                  f"({STALE_GRAD:g}) plus the new one: gradients add up until cleared; call "
                                  f"optimizer.zero_grad() first")
            expect_close(grad, w, what=f"{name}.grad after train_step", rtol=1e-4, atol=1e-6)

    def test_fresh_net_starts_near_ln_10(self, kata):
        x, y = data.digit_like_batch()
        history = kata.run(sanity_probe, x, y, 0, None)["history"]
        expect_true(isinstance(history, list) and history and isinstance(history[0], float),
                    f"train_step should return the loss as a float, but returned "
                    f"{describe(history[0] if isinstance(history, list) and history else history)}")
        first = history[0]
        if first < 0.5:
            raise CheckFailed(f"a fresh Net's first loss is {first:.4g}, far below ln 10 = 2.303 for 10 "
                              f"classes: looks like F.nll_loss on raw logits; use F.cross_entropy "
                              f"(or return log_softmax)")
        expect_true(abs(first - LN_10) < 0.2,
                    f"a fresh Net's first loss is {first:.4g}, expected about ln 10 = 2.303 (10 classes, "
                    f"no knowledge yet): check the loss and the last layer")

    def test_can_overfit_one_batch(self, kata):
        x, y = data.digit_like_batch()
        got = kata.run(sanity_probe, x, y, 100, 0.05)
        out = got.get("out")
        probabilities = (isinstance(out, torch.Tensor) and out.shape == (len(x), 10) and bool((out >= 0).all())
                         and bool(torch.allclose(out.sum(dim=1), torch.ones(len(x)), atol=1e-3)))
        hint = ("forward returns probabilities (rows sum to 1): looks like softmax was applied before the "
                "loss, which keeps it from falling; return the raw fc2 output"
                if probabilities else
                "a model that cannot learn one batch by heart will not learn a data set: check forward "
                "(ReLUs, pooling) and train_step (zero_grad, step)")
        expect_converged(got, target=0.05, kata=kata, hint=hint,
                         what="Net + train_step learning one batch of 64 by heart (eval mode, SGD lr 0.05, "
                              "momentum 0.9, up to 100 steps)")


# -- task 4: evaluate ---------------------------------------------------------------------------


@KATA.task("evaluate", "Accuracy on held-out data", points=3,
           hint="model.eval(); inside torch.no_grad() count `(model(x).argmax(dim=1) == y).sum().item()` "
                "over the loader and divide by the number of samples")
class TestEvaluate:
    def test_evaluates_in_eval_mode_without_a_graph(self, kata):
        state, x, y, _ = expect.evaluation_case()
        got = kata.run(evaluate_probe, state, x, y, EVAL_BATCH)
        expect_true(got["seen"], "evaluate never called the model: use model(x)")
        expect_true(not any(training for training, _ in got["seen"]),
                    "evaluate ran the model in training mode (the model given has dropout, which then drops "
                    "half of its outputs at random): call model.eval() first")
        expect_true(not any(grad for _, grad in got["seen"]),
                    "evaluate built autograd graphs: wrap the loop in `with torch.no_grad():`")

    def test_counts_the_correct_fraction(self, kata):
        state, x, y, right = expect.evaluation_case()
        value = kata.run(evaluate_probe, state, x, y, EVAL_BATCH)["value"]
        expect_true(isinstance(value, (float, int)) and not isinstance(value, bool),
                    f"evaluate should return a float, but returned {describe(value)}")
        per_batch = ((right - 2) / EVAL_BATCH + 1.0) / 4  # three batches of 16 and both of the last 2 right
        if math.isclose(value, right / 64, abs_tol=1e-6):
            raise CheckFailed(f"evaluate returned {right}/64: it divided by batches * batch size, but the last "
                              f"batch holds only 2 samples; count the samples (y.shape[0])")
        if math.isclose(value, per_batch, abs_tol=1e-6):
            raise CheckFailed(f"evaluate returned {value:.4g}, the mean of per-batch accuracies: the last batch "
                              f"holds only 2 samples, so it weighs as much as 16; add up the correct samples "
                              f"over the loader and divide by the number of samples ({right}/50 = {right / 50:g})")
        if value == right:
            raise CheckFailed(f"evaluate returned the count of correct samples ({right}): divide by the number "
                              f"of samples (50)")
        expect_close(float(value), right / 50, what=f"evaluate(model, loader) with {right} of 50 right", atol=1e-6)


# -- task 5: data -------------------------------------------------------------------------------

@KATA.task("data", "MNIST data loaders", points=2,
           hint="datasets.MNIST(root, train=True/False, download=True, transform=transforms.ToTensor()), "
                "then DataLoader(..., batch_size=batch_size, shuffle=True) for training, shuffle=False for test")
class TestLoaders:
    def _loaders(self, kata) -> dict:
        got = kata.run(loaders_probe, data.learner_root(kata), 32)
        expect_true(got["shape"] == "ok", f"make_loaders should return (train_loader, test_loader), "
                                          f"but returned {got['shape']}")
        for split in ("train", "test"):
            expect_true(got[split]["type"] == "DataLoader",
                        f"the {split} loader is a {got[split]['type']}, expected a torch DataLoader")
        return got

    def test_returns_the_train_and_test_splits(self, kata):
        got = self._loaders(kata)
        expect_true(got["train"]["train_split"] is not False and got["test"]["train_split"] is not True,
                    "make_loaders mixed up the splits: train=True for the training loader, train=False for "
                    "the test loader")
        expect_true(got["train"]["length"] > got["test"]["length"],
                    f"the training set has {got['train']['length']} images and the test set "
                    f"{got['test']['length']}: train=True for the training loader")

    def test_batches_are_images_and_labels(self, kata):
        got = self._loaders(kata)
        expect_true(got["train"]["batch_size"] == 32, f"the training loader's batch size is "
                                                      f"{got['train']['batch_size']}, expected the batch_size "
                                                      f"argument (32)")
        for split in ("train", "test"):
            info = got[split]
            size = 32 if split == "train" else (info["x"].shape[0] if isinstance(info["x"], torch.Tensor) else 1)
            x = expect_shape(info["x"], (size, 1, 28, 28), what=f"a batch of {split} images")
            expect_true(x.dtype == torch.float32, f"{split} images have dtype {x.dtype}, expected float32: "
                                                  f"use transform=transforms.ToTensor()")
            y = expect_shape(info["y"], (size,), what=f"a batch of {split} labels")
            expect_true(y.dtype == torch.int64, f"{split} labels have dtype {y.dtype}, expected int64")

    def test_shuffles_training_but_not_test_data(self, kata):
        got = self._loaders(kata)
        expect_true(got["train"]["shuffled"], "the training loader does not shuffle: pass shuffle=True, or "
                                              "every epoch shows the digits in the same order")
        expect_true(got["test"]["sequential"], "the test loader shuffles: pass shuffle=False (the order does "
                                               "not help, and fixed order makes results reproducible)")


# -- task 6: training to a held-out accuracy ------------------------------------------------------


@KATA.task("fit", "Train to a held-out accuracy", points=5,
           hint="SGD with lr=0.05 and momentum=0.9, batch size 64, 2 epochs reaches about 97% on the "
                "offline subset in a few seconds",
           timeout=200)
class TestFit:
    def test_reaches_the_accuracy_target_on_held_out_digits(self, kata):
        root = data.mnist_root(kata)
        view = data.learner_view(root)
        start = time.perf_counter()
        got = kata.run(fit_probe, view, PROBE_IMAGES)
        seconds = time.perf_counter() - start  # measured here, around the whole request
        history = expect.history(got["history"])
        weights = data.checked_weights(got["weights"])
        if isinstance(weights, str):
            raise CheckFailed(f"{weights}: fit must train the Net it is given (task 1's layers)")
        images, _ = data.load_split(root, train=True, limit=PROBE_IMAGES)
        own = got["outputs"]
        if not (isinstance(own, torch.Tensor) and own.shape == (PROBE_IMAGES, 10)):
            raise CheckFailed(f"the trained Net gave {describe(own)} for {PROBE_IMAGES} images, expected "
                              f"({PROBE_IMAGES}, 10) scores")
        agree = float((own.argmax(dim=1) == data.predict(weights, images)).float().mean())
        if agree < PROBE_AGREEMENT:
            raise CheckFailed(f"the trained Net's predictions differ from the article's network with its own "
                              f"weights on {1 - agree:.0%} of {PROBE_IMAGES} training digits: forward must "
                              f"compute the article's network (task 2), since held-out digits are classified "
                              f"with its weights")
        accuracy, _ = data.held_out_accuracy(root, weights)
        train_size = data.train_size(root)
        full = train_size >= FULL_TRAIN_SIZE
        target = FULL_TARGET if full else SUBSET_TARGET
        budget = TIME_BUDGET_S["full" if full else "subset"]
        kata.record(loss_history=[v if math.isfinite(v) else None for v in downsample(history)],
                    accuracy=accuracy, target=target, seconds=round(seconds, 2), train_size=train_size,
                    optimizer=expect.optimizer_text(got))
        if accuracy < target:
            trend = expect.bucket_means(history)
            raise CheckFailed(
                f"held-out accuracy {accuracy:.1%} after {len(history)} steps ({seconds:.1f} s) with "
                f"{expect.optimizer_text(got)}, needs {target:.0%}: mean loss went {trend[0]:.3g} -> {trend[-1]:.3g} "
                f"{loss_curve(trend)}", hint=expect.fit_hint(got, history))
        expect_true(seconds <= budget,
                    f"held-out accuracy {accuracy:.1%} is enough, but training took {seconds:.0f} s, over the "
                    f"{budget:.0f} s budget: fewer epochs, a larger batch, or a higher learning rate")
