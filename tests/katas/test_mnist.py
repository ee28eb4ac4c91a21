"""The mnist kata: the reference trains to the target on real digits, the
article's Net pasted as it is gets full marks on the architecture, classic
mistakes are caught by name, a too-slow optimizer gets its loss curve and a
hint, and without data the data tasks are skipped promptly with how to fix it.

Real digits come from the offline MNIST subset (8k train / 2k held-out) in
``/work/shared/data/mnist/offline``, or from ``TORCHKATA_DATA`` when CI sets it.
"""

import os
import time
from pathlib import Path

import pytest
from kata_testing import mutate, stub_source

import pytest_torchkata.katas._mnist_data as mnist_checks  # imported here so monkeypatch reaches the graded run

KATA = "mnist"
OFFLINE = Path("/work/shared/data/mnist/offline")
NO_DATA_TASKS = ("-k", "not TestLoaders and not TestFit")
ARCHITECTURE = ("-k", "TestLayers or TestForward")


def _data_dir() -> Path | None:
    for candidate in (os.environ.get("TORCHKATA_DATA"), OFFLINE):
        if candidate and mnist_checks.has_mnist(Path(candidate)):
            return Path(candidate)
    return None


DATA = _data_dir()
needs_data = pytest.mark.skipif(DATA is None, reason=f"no MNIST here: set TORCHKATA_DATA to a folder with "
                                                     f"MNIST/raw/ (offline copy: {OFFLINE})")


def data_args() -> tuple[str, ...]:
    return (f"--kata-data={DATA}",)


ARTICLE_NET = '''class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, 2, 2)
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2, 2)
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return x


def train_step('''


def graded_task(grade, task, replacement, *args):
    g = grade(KATA, mutate(KATA, replacement), *args)
    return g.status(task), g.message(task)


@needs_data
def test_reference_gets_full_marks_on_real_digits(grade):
    g = grade(KATA, None, *data_args(), solution=True)
    assert g.full_marks, g.output
    assert g.status("fit") == "passed" and g.status("data") == "passed"
    fit = g.task("fit")["data"]
    assert fit["accuracy"] >= fit["target"] and fit["loss_history"]


def test_data_tasks_are_skipped_promptly_without_data(grade, tmp_path, monkeypatch):
    attempts = []

    def offline(root):
        attempts.append(root)
        raise OSError("no network")

    monkeypatch.setattr(mnist_checks, "download_mnist", offline)
    empty = tmp_path / "empty"
    empty.mkdir()
    start = time.perf_counter()
    g = grade(KATA, None, f"--kata-data={empty}", solution=True)
    assert time.perf_counter() - start < 120
    assert attempts == [str(empty)]  # one try per session, not one per check
    assert g.status("data") == g.status("fit") == "skipped"
    assert "--kata-data DIR" in g.message("data") and "TORCHKATA_DATA" in g.message("data")
    assert "no network" in g.message("fit")
    assert g.full_marks, g.output  # the architecture tasks need no data
    assert "needs MNIST: pass --kata-data DIR" in g.output


def test_a_failing_download_of_any_kind_is_a_skip(grade, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    g = grade(KATA, None, f"--kata-data={blocker / 'data'}", "-k", "TestLoaders", solution=True)
    assert g.status("data") == "skipped"
    assert "download failed" in g.message("data")


def test_the_articles_net_pasted_as_it_is_gets_full_marks_on_the_architecture(grade):
    source = stub_source(KATA)
    start, end = source.index("class Net(nn.Module):"), source.index("def train_step(")
    g = grade(KATA, source[:start] + ARTICLE_NET + source[end + len("def train_step("):], *ARCHITECTURE)
    assert g.status("layers") == g.status("forward") == "passed", g.output
    assert g.full_marks


def test_softmax_before_cross_entropy_is_caught(grade):
    g = grade(KATA, mutate(KATA, ("return self.fc2(x)  # (B, 10)", "return F.softmax(self.fc2(x), dim=1)")),
              "-k", "TestForward or TestTrainStep")
    assert g.status("forward") == "failed"
    assert "softmax was applied before the loss" in g.message("forward")
    assert g.status("train_step") == "failed"
    assert "softmax was applied before the loss" in g.message("train_step")


def test_samples_mixed_across_the_batch_are_caught(grade):
    status, message = graded_task(grade, "forward", (
        "return self.fc2(x)  # (B, 10)", "return F.log_softmax(self.fc2(x), dim=0)"), "-k", "TestForward")
    assert status == "failed"
    assert "mixes samples" in message


def test_wrong_fc1_size_is_caught(grade):
    status, message = graded_task(grade, "layers", (
        "self.fc1 = nn.Linear(320, 50)", "self.fc1 = nn.Linear(20 * 5 * 5, 50)"), *ARCHITECTURE)
    assert status == "failed"
    assert "Linear(500 -> 50)" in message and "320" in message


def test_missing_zero_grad_is_caught(grade):
    status, message = graded_task(grade, "train_step", ("    optimizer.zero_grad()\n", ""), "-k", "TestTrainStep")
    assert status == "failed"
    assert "zero_grad" in message


def test_nll_loss_on_logits_is_caught(grade):
    status, message = graded_task(grade, "train_step", (
        "loss = F.cross_entropy(model(x), y)", "loss = F.nll_loss(model(x), y)"), "-k", "TestTrainStep")
    assert status == "failed"
    assert "nll_loss" in message and "F.cross_entropy" in message


def test_evaluating_in_training_mode_is_caught(grade):
    status, message = graded_task(grade, "evaluate", ("    model.eval()\n", ""), "-k", "TestEvaluate")
    assert status == "failed"
    assert "training mode" in message and "model.eval()" in message


def test_dividing_by_full_batches_is_caught(grade):
    status, message = graded_task(grade, "evaluate", (
        "total += y.shape[0]", "total += loader.batch_size"), "-k", "TestEvaluate")
    assert status == "failed"
    assert "last batch" in message


@needs_data
def test_unshuffled_training_data_is_caught(grade):
    status, message = graded_task(grade, "data", (
        "DataLoader(train_set, batch_size=batch_size, shuffle=True)",
        "DataLoader(train_set, batch_size=batch_size)"), *data_args(), "-k", "TestLoaders")
    assert status == "failed"
    assert "shuffle=True" in message


@needs_data
def test_articles_plain_sgd_for_too_few_steps_gets_the_loss_curve_and_a_hint(grade):
    status, message = graded_task(grade, "fit", (
        "torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)",
        "torch.optim.SGD(model.parameters(), lr=0.01)"), *data_args(), "-k", "TestFit")
    assert status == "failed"
    assert "held-out accuracy" in message and ("needs 95%" in message or "needs 98%" in message)
    assert any(block in message for block in "▁▂▃▄▅▆▇█")  # the loss curve
    assert "momentum=0.9" in message  # the hint
