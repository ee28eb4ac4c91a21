"""The zygote's successor (sandbox.successor) and the grader's own references: later tasks run
in processes that already have torch._dynamo and torchvision, every answer stays right, and the
grader needs neither for its reference SGD and its MNIST reading."""

import time

import pytest
import torch

from kata_testing import mnist_digits
from pytest_torchkata.checks.training import sgd_reference
from pytest_torchkata.sandbox.limits import tree
from pytest_torchkata.sandbox.worker import WorkerPool

LEARNER = '''
import sys


def probe(x):
    return {"dynamo": "torch._dynamo" in sys.modules, "double": x * 2}
'''


def _ask(pool, path, task, x):
    return pool.request({"op": "call", "path": str(path), "target": "probe", "args": [x], "kwargs": {},
                         "task": task, "seed": 0, "forbid": [], "timeout": 20, "debug": False}, 20)


@pytest.mark.parametrize("level", ["none", "bwrap"])
def test_later_tasks_are_served_by_the_successor_with_everything_imported(tmp_path, level):
    from pytest_torchkata.sandbox.levels import LevelUnavailable, choose

    try:
        choose(level)
    except LevelUnavailable as exc:
        pytest.skip(str(exc))
    path = tmp_path / "probe.py"
    path.write_text(LEARNER)
    pool = WorkerPool(level, None, [str(tmp_path)])
    pool.start(preload=[])
    try:
        seen, end = [], time.monotonic() + 60
        while time.monotonic() < end:
            x = torch.arange(3.0) + len(seen)
            response = _ask(pool, path, f"task{len(seen)}", x)
            assert "value" in response, response
            answer = response["value"]
            assert torch.equal(answer["double"], x * 2)  # right before, during and after the hand-over
            seen.append(answer["dynamo"])
            if answer["dynamo"]:
                break
            time.sleep(0.2)
        assert seen[-1], f"no task process had torch._dynamo after {len(seen)} tasks"
        assert not seen[0], "the first task waited for torch._dynamo instead of running at once"
        zygote = pool.worker.watchdog.zygote_pid
        assert len(tree(zygote)) >= 3  # the zygote waits on its successor, which forks the tasks
        for n in range(3):  # and it keeps serving
            assert _ask(pool, path, f"after{n}", torch.ones(2))["value"]["dynamo"]
    finally:
        pool.close()
    assert not tree(zygote)[1:]


def test_sgd_reference_takes_the_same_steps_as_torch_optim_sgd():
    torch.manual_seed(0)
    model, twin = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    twin.load_state_dict(model.state_dict())
    batches = [(torch.randn(4, 3), torch.randn(4, 2)) for _ in range(5)]
    losses = sgd_reference(model, batches, torch.nn.functional.mse_loss, lr=0.1)
    optimizer, expected = torch.optim.SGD(twin.parameters(), lr=0.1), []
    for x, y in batches:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(twin(x), y)
        loss.backward()
        optimizer.step()
        expected.append(loss.item())
    assert losses == expected
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), twin.parameters()))


DIGITS, NEEDS_DIGITS = mnist_digits()


@NEEDS_DIGITS
@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
def test_the_grader_reads_the_same_digits_as_torchvision(train):
    from pytest_torchkata.katas.mnist.data import load_split

    x, y = load_split(str(DIGITS), train=train)
    from torchvision import datasets

    data = datasets.MNIST(str(DIGITS), train=train)
    assert torch.equal(x, data.data.unsqueeze(1).to(torch.float32) / 255.0)
    assert torch.equal(y, data.targets)
    assert load_split(str(DIGITS), train=train, limit=7)[0].shape == (7, 1, 28, 28)


def test_a_worker_that_is_not_our_child_counts_as_alive_only_while_it_runs():
    """An adopted (shared) worker is not the adopter's child: liveness comes from /proc."""
    import subprocess

    from pytest_torchkata.sandbox.limits import is_gone

    proc = subprocess.Popen(["sleep", "30"])
    assert not is_gone(proc.pid)
    proc.kill()
    end = time.monotonic() + 10
    while not is_gone(proc.pid) and time.monotonic() < end:  # a zombie until reaped
        time.sleep(0.01)
    assert is_gone(proc.pid)
    proc.wait()
    assert is_gone(proc.pid)  # and gone after
