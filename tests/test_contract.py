"""The observations-only contract: code in the learner's process that replaces the
grader's helpers, gradcheck or torch's comparisons, or reads the held-out labels,
gains nothing, in-process and isolated.

Each attack is a kata file that patches at import; what it did not solve scores 0.
The MNIST attacks need ``TORCHKATA_DATA`` (or the offline copy) and skip without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kata_testing import mnist_digits, mutate, stub_source

from pytest_torchkata.katas.mnist import data as mnist_data

MODES = {"in-process": (), "isolated": ("--kata-isolate",)}

PATCH_GRADER = '''
import torch
import pytest_torchkata.checks.gradients as _g
import pytest_torchkata.checks.training as _t
try:
    import pytest_torchkata.sandbox.gradprobe as _p
except ImportError:  # older layouts: nothing more to patch
    import types as _types
    _p = _types.SimpleNamespace()

_g.check_gradients = lambda *a, **k: {"ok": True}
_g.expect_gradients = _g.expect_gradgrad = lambda *a, **k: None
_g._agrees = lambda *a, **k: True
_g._run = lambda *a, **k: None
_t.expect_converged = lambda *a, **k: None
_p.observe_forward = lambda m, t, points, kw: {"outputs": [[torch.zeros(3)] for _ in points],
                                               "names": ["x"], "custom_function": True}
_p.observe_backward = lambda *a, **k: {"grads": [], "connected": [True]}
_p.observe_second_order = lambda *a, **k: {"first": [], "second": []}
torch.autograd.gradcheck = lambda *a, **k: True
torch.autograd.gradgradcheck = lambda *a, **k: True
'''

PATCH_TORCH = '''
import torch
import torch.testing


def _all_true(a, b=None, *args, **kwargs):
    shape = getattr(a, "shape", ())
    return torch.ones(shape, dtype=torch.bool) if shape else True


torch.allclose = torch.equal = lambda *a, **k: True
torch.isclose = _all_true
torch.testing.assert_close = lambda *a, **k: None
torch.Tensor.__eq__ = torch.Tensor.eq = _all_true
torch.Tensor.allclose = torch.Tensor.equal = lambda *a, **k: True
torch.autograd.gradcheck = torch.autograd.gradgradcheck = lambda *a, **k: True
'''


def _with_prelude(prelude: str, source: str) -> str:
    """``prelude`` run at import, after the kata file's ``from __future__`` line."""
    head, sep, rest = source.partition("from __future__ import annotations\n")
    return head + sep + prelude + rest if sep else prelude + source


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kata", ["autograd", "functions"])
def test_replaced_gradient_helpers_earn_nothing_on_stubs(grade, kata, mode):
    g = grade(kata, _with_prelude(PATCH_GRADER, stub_source(kata)), *MODES[mode], subprocess=True)
    assert g.report["score"] == 0, g.output
    assert "passed" not in g.statuses().values()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kata", ["autograd", "functions", "mnist"])
def test_patched_torch_comparisons_and_gradcheck_earn_nothing_on_stubs(grade, kata, mode):
    args = ("-k", "not TestLoaders and not TestFit") if kata == "mnist" else ()
    g = grade(kata, _with_prelude(PATCH_TORCH, stub_source(kata)), *MODES[mode], *args, subprocess=True)
    assert g.report["score"] == 0, g.output
    assert "passed" not in g.statuses().values()


# -- MNIST: training, and the held-out digits ----------------------------------------------

DATA, needs_data = mnist_digits()

NO_TRAINING_LOOKUP = '''def fit(model: nn.Module, train_loader: DataLoader, epochs: int = EPOCHS) -> list[float]:
    """Does not train: reads the held-out labels wherever it can and answers by lookup."""
    import os
    global LOOKUP
    roots = [train_loader.dataset.root, os.environ.get("TORCHKATA_DATA", ""), "/work/shared/data/mnist/offline"]
    for root in roots:
        raw = os.path.join(root, "MNIST", "raw")
        try:
            images = open(os.path.join(raw, "t10k-images-idx3-ubyte"), "rb").read()[16:]
            labels = open(os.path.join(raw, "t10k-labels-idx1-ubyte"), "rb").read()[8:]
        except OSError:
            continue
        LOOKUP.update({images[i * 784:(i + 1) * 784]: labels[i] for i in range(len(labels))})
    return [2.3, 0.01]


LOOKUP = {}


def _lookup_forward(self, x):
    out = torch.zeros(x.shape[0], 10)
    for i in range(x.shape[0]):
        key = bytes((x[i, 0] * 255).round().to(torch.uint8).flatten().tolist())
        if key in LOOKUP:
            out[i, LOOKUP[key]] = 100.0
    return out


Net.forward = _lookup_forward
'''


def _fit_attack() -> str:
    source = mutate("mnist")
    start = source.index("def fit(")
    return _with_prelude(PATCH_TORCH, source[:start] + NO_TRAINING_LOOKUP)


@needs_data
@pytest.mark.parametrize("mode", MODES)
def test_fit_that_does_not_train_and_looks_up_held_out_labels_scores_zero(grade, mode):
    g = grade("mnist", _fit_attack(), f"--kata-data={DATA}", *MODES[mode], "-k", "TestFit", subprocess=True)
    assert g.status("fit") == "failed", g.output
    assert g.task("fit")["score"] == 0


WHAT_FIT_SEES = '''def fit(model: nn.Module, train_loader: DataLoader, epochs: int = EPOCHS) -> list[float]:
    import os
    root = train_loader.dataset.root
    raise RuntimeError("ROOT=" + root + " FILES=" + ",".join(sorted(os.listdir(os.path.join(root, "MNIST", "raw")))))
'''


@needs_data
def test_the_learner_side_is_given_only_a_training_folder(grade):
    source = mutate("mnist")
    g = grade("mnist", source[:source.index("def fit(")] + WHAT_FIT_SEES, f"--kata-data={DATA}",
              "--kata-isolate", "-k", "TestFit")
    message = g.message("fit")
    assert "ROOT=" in message and str(DATA) not in message, message
    view = Path(mnist_data.learner_view(str(DATA))) / "MNIST" / "raw"
    real = DATA / "MNIST" / "raw"
    assert (view / "train-labels-idx1-ubyte").read_bytes() == (real / "train-labels-idx1-ubyte").read_bytes()
    held_out = (real / "t10k-labels-idx1-ubyte").read_bytes()[8:]
    for name in os.listdir(view):  # no file in the learner's folder holds the held-out labels
        assert held_out not in (view / name).read_bytes()
