"""Checks for the mnist kata: the article's CNN, early warnings, data and training.

The architecture checks need no data (random images).  The data and training
checks read MNIST from ``kata.data_dir``; when it is not there and cannot be
downloaded they are skipped with a message saying how to provide it.
"""

from __future__ import annotations

import copy
import math
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from pytest_torchkata.checks.values import describe, expect_close, expect_shape, expect_true
from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.sandbox.guards import trusted
from pytest_torchkata.model import Kata
from pytest_torchkata.checks.training import (STALE_GRAD, downsample, expect_converged, loss_curve,
                                       plant_stale_grads, run_until)

KATA = Kata("mnist", "MNIST",
            "the article's CNN for handwritten digits: layers, forward shapes, early warnings before "
            "training, MNIST loaders, evaluation, and training to a held-out accuracy")

LN_10 = math.log(10)
SUBSET_TARGET, FULL_TARGET = 0.95, 0.98  # held-out accuracy: offline 8k subset / full 60k MNIST
FULL_TRAIN_SIZE = 60_000
TIME_BUDGET_S = {"subset": 60.0, "full": 170.0}  # seconds of training
DOWNLOAD_TIMEOUT_S = 10.0
RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

# name -> (type, weight shape, parameter count)
LAYERS = {
    "conv1": ("Conv2d", (10, 1, 5, 5), 260),
    "conv2": ("Conv2d", (20, 10, 5, 5), 5_020),
    "fc1": ("Linear", (50, 320), 16_050),
    "fc2": ("Linear", (10, 50), 510),
}
TOTAL_PARAMETERS = 21_840


# -- data ---------------------------------------------------------------------------------

_download_failures: dict[str, str] = {}


def has_mnist(root: Path) -> bool:
    raw = root / "MNIST" / "raw"
    return all((raw / name).is_file() for name in RAW_FILES)


def download_mnist(root: str) -> None:
    """torchvision's own download, with a socket timeout so an offline machine answers quickly."""
    from torchvision import datasets

    saved = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        for train in (True, False):
            datasets.MNIST(root, train=train, download=True)
    finally:
        socket.setdefaulttimeout(saved)


def mnist_root(kata: Any) -> str:
    """The data folder holding ``MNIST/raw``; downloads once if it is missing, else skips."""
    root = Path(kata.data_dir)
    if has_mnist(root):
        return str(root)
    key = str(root)
    if key not in _download_failures:
        try:
            download_mnist(key)
        except Exception as error:  # noqa: BLE001 - any failure means "no data here"
            text = " ".join(str(error).split()) or type(error).__name__
            _download_failures[key] = text if len(text) < 120 else text[:119] + "…"
        else:
            if not has_mnist(root):
                _download_failures[key] = "the files are still missing after the download"
    if key in _download_failures:
        pytest.skip(f"needs MNIST: pass --kata-data DIR or set TORCHKATA_DATA=DIR, where DIR holds "
                    f"MNIST/raw/ (not found in {root}; download failed: {_download_failures[key]})")
    return key


def _digit_like_batch(n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` noisy copies of 10 fixed random patterns, one per class: learnable by heart in
    well under 100 steps by the article's CNN, and needing no data set."""
    g = torch.Generator().manual_seed(0)
    templates = (torch.rand(10, 1, 28, 28, generator=g) > 0.8).float()
    y = (torch.arange(n) % 10)[torch.randperm(n, generator=g)]
    x = 0.7 * templates[y] + 0.3 * torch.rand(n, 1, 28, 28, generator=g)  # (n, 1, 28, 28)
    return x, y


# -- task 1: layers --------------------------------------------------------------------------

def _layers_helper(learner) -> dict:
    model = learner.Net()
    children = dict(model.named_children())
    layers = {}
    for name in LAYERS:
        layer = getattr(model, name, None)
        if layer is None:
            layers[name] = None
            continue
        weight = getattr(layer, "weight", None)
        layers[name] = {
            "registered": name in children,
            "type": type(layer).__name__,
            "weight": tuple(weight.shape) if isinstance(weight, torch.Tensor) else None,
            "count": sum(p.numel() for p in layer.parameters()) if isinstance(layer, nn.Module) else 0,
        }
    return {"layers": layers, "total": sum(p.numel() for p in model.parameters())}


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
        layers = kata.run(_layers_helper)["layers"]
        for name, (kind, _, _) in LAYERS.items():
            got = layers[name]
            expect_true(got is not None, f"Net has no attribute `{name}`: name the layers conv1, conv2, fc1, fc2")
            expect_true(got["registered"], f"Net.{name} is not registered as a submodule: assign an nn.Module "
                                           f"to self.{name} after super().__init__()")
            expect_true(got["type"] == kind, f"Net.{name} is a {got['type']}, expected nn.{kind}")

    def test_each_layer_has_the_right_shape(self, kata):
        layers = kata.run(_layers_helper)["layers"]
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
        got = kata.run(_layers_helper)
        parts = ", ".join(f"{n} {c:,}" for n, (_, _, c) in LAYERS.items())
        expect_true(got["total"] == TOTAL_PARAMETERS,
                    f"Net has {got['total']:,} parameters, expected {TOTAL_PARAMETERS:,} ({parts}, "
                    f"weights and biases): is there an extra layer, or one without bias?")


# -- task 2: forward ---------------------------------------------------------------------------

def _article_forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The article's computation with the learner's own layer weights (no hooks fire)."""
    x = F.max_pool2d(F.relu(F.conv2d(x, model.conv1.weight, model.conv1.bias)), 2)
    x = F.max_pool2d(F.relu(F.conv2d(x, model.conv2.weight, model.conv2.bias)), 2)
    x = F.relu(F.linear(x.reshape(x.shape[0], -1), model.fc1.weight, model.fc1.bias))
    return F.linear(x, model.fc2.weight, model.fc2.bias)


def _forward_helper(learner, x: torch.Tensor) -> dict:
    model = learner.Net()
    model.eval()
    shapes: dict[str, Any] = {}

    def record(name: str, tensor: Any) -> None:  # hooks must return None, or they replace the output
        shapes.setdefault(name, tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else describe(tensor))

    handles = []
    for name in LAYERS:
        layer = getattr(model, name, None)
        if isinstance(layer, nn.Module):
            handles.append(layer.register_forward_hook(lambda m, inputs, out, name=name: record(name, out)))
    if isinstance(getattr(model, "fc1", None), nn.Module):
        handles.append(model.fc1.register_forward_pre_hook(lambda m, inputs: record("fc1 input", inputs[0])))
    with torch.no_grad():
        out = model(x)
        for handle in handles:
            handle.remove()
        singles = [model(x[i:i + 1]) for i in range(x.shape[0])]
        try:
            with trusted():
                want = _article_forward(model, x)
        except (AttributeError, RuntimeError):
            want = None
    return {"out": out, "shapes": shapes, "singles": singles, "want": want}


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
        got = kata.run(_forward_helper, torch.rand(3, 1, 28, 28))
        expect_shape(got["out"], (3, 10), what="Net()(x) for x of shape (3, 1, 28, 28)")

    def test_each_layer_gives_the_right_shape(self, kata):
        got = kata.run(_forward_helper, torch.rand(3, 1, 28, 28))
        for name, shape in EXPECTED_SHAPES:
            want = (3, *shape)
            seen = got["shapes"].get(name)
            expect_true(seen is not None, f"Net.{name.split()[0]} was not used in forward")
            note = SHAPE_NOTES.get(name, "")
            expect_true(tuple(seen) == want,
                        f"{name} has shape {tuple(seen)} for a batch of 3, expected {want}"
                        + (f" ({note})" if note else ""))

    def test_returns_logits_not_probabilities(self, kata):
        out = expect_shape(kata.run(_forward_helper, torch.rand(4, 1, 28, 28))["out"], (4, 10), what="Net()(x)")
        if (out >= 0).all() and torch.allclose(out.sum(dim=1), torch.ones(4), atol=1e-4):
            raise CheckFailed("Net's rows sum to 1, so forward returns probabilities: looks like softmax was "
                              "applied before the loss; F.cross_entropy applies log-softmax itself, so return "
                              "the raw fc2 output (logits)")

    def test_each_sample_is_independent_of_the_batch(self, kata):
        got = kata.run(_forward_helper, torch.rand(4, 1, 28, 28))
        out = expect_shape(got["out"], (4, 10), what="Net()(x) for a batch of 4")
        for i, single in enumerate(got["singles"]):
            single = expect_shape(single, (1, 10), what=f"Net()(x[{i}:{i + 1}])")
            if not torch.allclose(out[i], single[0], rtol=1e-4, atol=1e-5):
                raise CheckFailed(f"in eval mode, the output for image {i} changes when other images are in "
                                  f"the batch: something mixes samples (a view/reshape that crosses samples, "
                                  f"or a softmax over dim=0); flatten with torch.flatten(x, 1)")

    def test_computes_the_articles_network(self, kata):
        got = kata.run(_forward_helper, torch.rand(3, 1, 28, 28))
        out = expect_shape(got["out"], (3, 10), what="Net()(x)")
        expect_true(got["want"] is not None, "could not rebuild the article's network from Net's layers")
        want = got["want"]
        if torch.allclose(out, torch.log_softmax(want, dim=1), rtol=1e-4, atol=1e-5):
            kata.record(note="forward returns log_softmax: fine with F.cross_entropy or F.nll_loss")
            return
        expect_close(out, want, what="Net()(x) against relu/max-pool/flatten/fc with the same weights",
                     rtol=1e-4, atol=1e-5)


# -- task 3: train_step and the early warnings ------------------------------------------------

def _small_model() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))


def _step_helper(learner, stale: bool, lr: float) -> dict:
    with trusted():
        model = _small_model()
        x, y = torch.rand(8, 1, 28, 28), torch.randint(0, 10, (8,))
        fresh = copy.deepcopy(model)
        loss = F.cross_entropy(fresh(x), y)
        loss.backward()
        want_grads = {n: p.grad.clone() for n, p in fresh.named_parameters()}
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        if stale:
            plant_stale_grads(model.parameters())
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        calls = []
        model.register_forward_hook(lambda *a: calls.append(1))
    value = learner.train_step(model, optimizer, x, y)
    with trusted():
        grads = {n: (p.grad.clone() if p.grad is not None else None) for n, p in model.named_parameters()}
        moved = any(not torch.equal(before[n], p.detach()) for n, p in model.named_parameters())
        nll_of_logits = F.nll_loss(fresh(x), y).item()  # the classic slip: nll_loss without log_softmax
    return {"value": value, "want": loss.item(), "grads": grads, "want_grads": want_grads,
            "moved": moved, "calls": len(calls), "nll_of_logits": nll_of_logits}


def _sanity_helper(learner, steps: int) -> dict:
    """The learner's Net and train_step on one batch, model in eval mode (dropout off),
    SGD lr 0.05 momentum 0.9: the early warnings before a long training run."""
    x, y = _digit_like_batch()
    model = learner.Net()
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05 if steps else 0.0, momentum=0.9)
    result = run_until(lambda: learner.train_step(model, optimizer, x, y), max_steps=max(steps, 1),
                       time_budget_s=30.0, target=0.05 if steps else None)
    with torch.no_grad():
        out = model(x)
    result["probabilities"] = bool((out >= 0).all() and torch.allclose(out.sum(dim=1), torch.ones(len(x)),
                                                                        atol=1e-3))
    return result


@KATA.task("train_step", "One training step, and the early warnings", points=4,
           hint="optimizer.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); "
                "optimizer.step(); return loss.item()",
           timeout=60)
class TestTrainStep:
    def test_returns_the_loss_as_a_float(self, kata):
        got = kata.run(_step_helper, False, 0.1)
        expect_true(got["calls"] > 0, "train_step never called the model: use model(x), not model.forward(x)")
        value = got["value"]
        if isinstance(value, torch.Tensor):
            raise CheckFailed(f"train_step returned {describe(value)}: return `loss.item()`, a Python float, so "
                              f"the graph of the step can be freed")
        expect_true(isinstance(value, float), f"train_step should return the loss as a float, "
                                              f"but returned {describe(value)}")
        if math.isclose(value, got["nll_of_logits"], rel_tol=1e-4, abs_tol=1e-6):
            raise CheckFailed(f"train_step returned {value:.4g}, which is F.nll_loss of the raw logits: nll_loss "
                              f"expects log-probabilities; use F.cross_entropy on logits")
        expect_close(value, got["want"], what="the loss train_step returned (cross-entropy before the step)",
                     rtol=1e-4, atol=1e-6)

    def test_updates_the_parameters(self, kata):
        got = kata.run(_step_helper, False, 0.1)
        expect_true(got["moved"], "after train_step with lr=0.1 no parameter changed: call optimizer.step()")

    def test_clears_old_gradients(self, kata):
        got = kata.run(_step_helper, True, 0.0)
        for name, want in got["want_grads"].items():
            grad = got["grads"][name]
            if grad is None or not grad.abs().any():
                raise CheckFailed(f"after train_step, {name}.grad is {'None' if grad is None else 'all zero'}: "
                                  f"zero_grad() ran after backward(); call it before")
            if (grad - want).abs().max() > 100:
                raise CheckFailed(f"after train_step, {name}.grad still holds the old gradient "
                                  f"({STALE_GRAD:g}) plus the new one: gradients add up until cleared; call optimizer.zero_grad() first")
            expect_close(grad, want, what=f"{name}.grad after train_step", rtol=1e-4, atol=1e-6)

    def test_fresh_net_starts_near_ln_10(self, kata):
        got = kata.run(_sanity_helper, 0)
        first = float(got["history"][0])
        if first < 0.5:
            raise CheckFailed(f"a fresh Net's first loss is {first:.4g}, far below ln 10 = 2.303 for 10 "
                              f"classes: looks like F.nll_loss on raw logits; use F.cross_entropy "
                              f"(or return log_softmax)")
        expect_true(abs(first - LN_10) < 0.2,
                    f"a fresh Net's first loss is {first:.4g}, expected about ln 10 = 2.303 (10 classes, "
                    f"no knowledge yet): check the loss and the last layer")

    def test_can_overfit_one_batch(self, kata):
        got = kata.run(_sanity_helper, 100)
        hint = ("forward returns probabilities (rows sum to 1): looks like softmax was applied before the "
                "loss, which keeps it from falling; return the raw fc2 output"
                if got["probabilities"] else
                "a model that cannot learn one batch by heart will not learn a data set: check forward "
                "(ReLUs, pooling) and train_step (zero_grad, step)")
        expect_converged(got, target=0.05, kata=kata, hint=hint,
                         what="Net + train_step learning one batch of 64 by heart (eval mode, SGD lr 0.05, "
                              "momentum 0.9, up to 100 steps)")


# -- task 4: evaluate ---------------------------------------------------------------------------

def _evaluate_helper(learner) -> dict:
    from torch.utils.data import DataLoader, TensorDataset

    with trusted():
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Dropout(0.5))
        x = torch.rand(50, 1, 28, 28)
        model.eval()
        with torch.no_grad():
            predicted = model(x).argmax(dim=1)
        y = torch.where(torch.arange(50) < 30, predicted, (predicted + 1) % 10)  # 30 of 50 right
        model.train()
        loader = DataLoader(TensorDataset(x, y), batch_size=16)  # 16, 16, 16, 2
        seen = []
        model.register_forward_pre_hook(lambda m, a: seen.append((m.training, torch.is_grad_enabled())))
    value = learner.evaluate(model, loader)
    return {"value": value, "seen": seen}


@KATA.task("evaluate", "Accuracy on held-out data", points=3,
           hint="model.eval(); inside torch.no_grad() count `(model(x).argmax(dim=1) == y).sum().item()` "
                "over the loader and divide by the number of samples")
class TestEvaluate:
    def test_evaluates_in_eval_mode_without_a_graph(self, kata):
        got = kata.run(_evaluate_helper)
        expect_true(got["seen"], "evaluate never called the model: use model(x)")
        expect_true(not any(training for training, _ in got["seen"]),
                    "evaluate ran the model in training mode, so dropout was on: call model.eval() first")
        expect_true(not any(grad for _, grad in got["seen"]),
                    "evaluate built autograd graphs: wrap the loop in `with torch.no_grad():`")

    def test_counts_the_correct_fraction(self, kata):
        value = kata.run(_evaluate_helper)["value"]
        expect_true(isinstance(value, (float, int)) and not isinstance(value, bool),
                    f"evaluate should return a float, but returned {describe(value)}")
        if math.isclose(value, 30 / 64, abs_tol=1e-6):
            raise CheckFailed("evaluate returned 30/64: it divided by batches * batch size, but the last batch "
                              "holds only 2 samples; count the samples (y.shape[0])")
        if value == 30:
            raise CheckFailed("evaluate returned the count of correct samples (30): divide by the number of "
                              "samples (50)")
        expect_close(float(value), 30 / 50, what="evaluate(model, loader) with 30 of 50 right", atol=1e-6)


# -- task 5: data -------------------------------------------------------------------------------

def _loaders_helper(learner, root: str, batch_size: int) -> dict:
    from torch.utils.data import DataLoader, RandomSampler, SequentialSampler

    loaders = learner.make_loaders(root, batch_size)
    if not (isinstance(loaders, (tuple, list)) and len(loaders) == 2):
        return {"shape": describe(loaders)}
    info: dict[str, Any] = {"shape": "ok"}
    for split, loader in zip(("train", "test"), loaders):
        if not isinstance(loader, DataLoader):
            info[split] = {"type": type(loader).__name__}
            continue
        x, y = next(iter(loader))
        dataset = loader.dataset
        info[split] = {
            "type": "DataLoader", "batch_size": loader.batch_size,
            "shuffled": isinstance(loader.sampler, RandomSampler),
            "sequential": isinstance(loader.sampler, SequentialSampler),
            "train_split": getattr(dataset, "train", None), "length": len(dataset),
            "x": x if isinstance(x, torch.Tensor) else describe(x),
            "y": y if isinstance(y, torch.Tensor) else describe(y),
        }
    return info


@KATA.task("data", "MNIST data loaders", points=2,
           hint="datasets.MNIST(root, train=True/False, download=True, transform=transforms.ToTensor()), "
                "then DataLoader(..., batch_size=batch_size, shuffle=True) for training, shuffle=False for test")
class TestLoaders:
    def _loaders(self, kata) -> dict:
        got = kata.run(_loaders_helper, mnist_root(kata), 32)
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
        for split in ("train", "test"):
            info = got[split]
            expect_true(info["batch_size"] == 32, f"the {split} loader's batch size is {info['batch_size']}, "
                                                   f"expected the batch_size argument (32)")
            x = expect_shape(info["x"], (32, 1, 28, 28), what=f"a batch of {split} images")
            expect_true(x.dtype == torch.float32, f"{split} images have dtype {x.dtype}, expected float32: "
                                                  f"use transform=transforms.ToTensor()")
            y = expect_shape(info["y"], (32,), what=f"a batch of {split} labels")
            expect_true(y.dtype == torch.int64, f"{split} labels have dtype {y.dtype}, expected int64")

    def test_shuffles_training_but_not_test_data(self, kata):
        got = self._loaders(kata)
        expect_true(got["train"]["shuffled"], "the training loader does not shuffle: pass shuffle=True, or "
                                              "every epoch shows the digits in the same order")
        expect_true(got["test"]["sequential"], "the test loader shuffles: pass shuffle=False (the order does "
                                               "not help, and fixed order makes results reproducible)")


# -- task 6: training to a held-out accuracy ------------------------------------------------------

def _fit_helper(learner, root: str) -> dict:
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    with trusted():
        train_set = datasets.MNIST(root, train=True, transform=transforms.ToTensor())
        test_set = datasets.MNIST(root, train=False, transform=transforms.ToTensor())
    batch_size = int(getattr(learner, "BATCH_SIZE", 64))
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    optimizer = learner.make_optimizer(learner.Net())
    group = dict(optimizer.param_groups[0]) if isinstance(optimizer, torch.optim.Optimizer) else {}
    settings = {k: group[k] for k in ("lr", "momentum") if isinstance(group.get(k), (int, float))}
    model = learner.Net()
    start = time.perf_counter()
    history = learner.fit(model, loader)
    seconds = time.perf_counter() - start
    if isinstance(history, (list, tuple)):
        history = [float(v.item() if hasattr(v, "item") else v) for v in history]
    with trusted(), torch.no_grad():
        model.eval()
        correct = sum((model(x).argmax(dim=1) == y).sum().item()
                      for x, y in DataLoader(test_set, batch_size=1000))
    return {"history": history, "seconds": seconds, "accuracy": correct / len(test_set),
            "train_size": len(train_set), "batch_size": batch_size,
            "optimizer": type(optimizer).__name__, "settings": settings}


def _bucket_means(history: list[float], points: int = 40) -> list[float]:
    """Per-batch losses are noisy; the mean of each of ``points`` stretches shows the trend."""
    size = max(1, math.ceil(len(history) / points))
    return [sum(history[i:i + size]) / len(history[i:i + size]) for i in range(0, len(history), size)]


def _optimizer_text(got: dict) -> str:
    settings = ", ".join(f"{k}={v:g}" for k, v in got["settings"].items())
    return f"{got['optimizer']}({settings}), batch size {got['batch_size']}"


def _fit_hint(got: dict, history: list[float]) -> str:
    if any(not math.isfinite(v) for v in history):
        return "the loss became NaN/Inf: lower the learning rate"
    settings = got["settings"]
    if got["optimizer"] == "SGD" and settings.get("momentum", 0) == 0 and settings.get("lr", 1) <= 0.01:
        return ("plain SGD at lr 0.01 learns slowly: try momentum=0.9 or lr=0.05 (or Adam with lr=1e-3), "
                "or train for more epochs")
    if history and history[-1] > 0.9 * history[0]:
        return "the loss hardly fell: raise the learning rate, add momentum, or train longer"
    return "train longer (more epochs), or tune the learning rate; momentum=0.9 helps SGD a lot"


@KATA.task("fit", "Train to a held-out accuracy", points=5,
           hint="SGD with lr=0.05 and momentum=0.9, batch size 64, 2 epochs reaches about 97% on the "
                "offline subset in a few seconds",
           timeout=200)
class TestFit:
    def test_reaches_the_accuracy_target_on_held_out_digits(self, kata):
        got = kata.run(_fit_helper, mnist_root(kata))
        history = got["history"]
        expect_true(isinstance(history, list) and history,
                    f"fit should return the list of step losses, but returned {describe(history)}")
        full = got["train_size"] >= FULL_TRAIN_SIZE
        target = FULL_TARGET if full else SUBSET_TARGET
        budget = TIME_BUDGET_S["full" if full else "subset"]
        accuracy, seconds = got["accuracy"], got["seconds"]
        kata.record(loss_history=[v if math.isfinite(v) else None for v in downsample(history)],
                    accuracy=accuracy, target=target, seconds=round(seconds, 2), train_size=got["train_size"],
                    optimizer=_optimizer_text(got))
        if accuracy < target:
            trend = _bucket_means(history)
            raise CheckFailed(
                f"held-out accuracy {accuracy:.1%} after {len(history)} steps ({seconds:.1f} s) with "
                f"{_optimizer_text(got)}, needs {target:.0%}: mean loss went {trend[0]:.3g} -> {trend[-1]:.3g} "
                f"{loss_curve(trend)}", hint=_fit_hint(got, history))
        expect_true(seconds <= budget,
                    f"held-out accuracy {accuracy:.1%} is enough, but training took {seconds:.0f} s, over the "
                    f"{budget:.0f} s budget: fewer epochs, a larger batch, or a higher learning rate")
