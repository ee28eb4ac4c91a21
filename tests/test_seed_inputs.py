"""Every check's inputs depend on ``--kata-seed``: a table of answers recorded at one seed
must not keep points at another.

The reference solutions of the whole curriculum are graded in-process at two seeds while
every request a check sends to the learner side (``kata.call`` / ``kata.run``: the target,
its arguments and keyword arguments) is recorded; for each check, at least one request
must carry different arguments at the two seeds.  A check may be exempt only when it is
listed in ``EXEMPT`` with the reason its result cannot be looked up in a table.  Checks
skipped here (CUDA without a GPU; MNIST's data tasks without the digits) send nothing and
are not compared.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict

import pytest

from kata_testing import mnist_digits
from pytest_torchkata.registry import installed
from pytest_torchkata.plugin.access import KataAccess
from pytest_torchkata.sandbox import wire

KATAS = installed().builtin_names()  # the built-in katas, from the registry, in curriculum order

MNIST, _ = mnist_digits()
SEEDS = (0, 0x5EC12E7)

# check (kata::Class::test, without parameters) -> why its inputs need not vary
EXEMPT: dict[str, str] = {
    "devices::TestPickDevice::test_says_cuda_only_when_a_gpu_is_available":
        "pick_device() takes no input; its answers are judged with a stand-in GPU present and absent",
    "devices::TestPickDevice::test_matches_this_machine":
        "pick_device() takes no input; its answer is judged against this machine",
    "mnist::TestLayers::test_has_the_four_layers_by_name":
        "Net() takes no input: the article's layers are read off the learner's own model",
    "mnist::TestLayers::test_each_layer_has_the_right_shape":
        "Net() takes no input: the article's layer shapes are read off the learner's own model",
    "mnist::TestLayers::test_has_21840_parameters":
        "Net() takes no input: its parameters are counted on the learner's own model",
}


def _fingerprint(args: tuple, kwargs: dict) -> str:
    """The arguments as the learner side receives them (the wire's plain data), hashed."""
    tree, buffers = wire.encode((list(args), kwargs))
    digest = hashlib.sha256(repr(tree).encode())
    for buffer in buffers:
        digest.update(len(buffer).to_bytes(8, "little"))
        digest.update(buffer)
    return digest.hexdigest()


def _check_name(nodeid: str) -> str:
    return nodeid.split("[")[0]  # one name for a check's parametrized cases


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch):
    """Every request of every check: {nodeid: [(target, fingerprint), ...]}, for the run now going."""
    log: dict[str, list[tuple[str, str]]] = defaultdict(list)
    original = KataAccess._request

    def recording(self, op, target, label, args, kwargs):
        current = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0]
        log[current].append((target, _fingerprint(args, kwargs)))
        return original(self, op, target, label, args, kwargs)

    monkeypatch.setattr(KataAccess, "_request", recording)
    return log


def _grade_at(grade, recorded, seed: int) -> dict[str, list[tuple[str, str]]]:
    recorded.clear()
    data = [f"--kata-data={MNIST}"] if MNIST else []
    g = grade(",".join(KATAS), None, f"--kata-seed={seed}", *data, solution=True)
    assert g.full_marks, g.output  # the inputs changed, never what the reference gets
    return dict(recorded)


def _task_of(nodeid: str) -> str:
    return "::".join(nodeid.split("::")[:2])  # kata::TestClass: one class per task


def test_every_check_sends_inputs_that_depend_on_the_seed(grade, recorded):
    first = _grade_at(grade, recorded, SEEDS[0])
    second = _grade_at(grade, recorded, SEEDS[1])
    assert first.keys() == second.keys()
    assert {nodeid.split("::")[0] for nodeid in first} == set(KATAS)  # MNIST's data tasks may be skipped
    same = sorted(nodeid for nodeid in first if first[nodeid] == second[nodeid])
    tasks = {_task_of(n) for n in first}
    fixed_tasks = sorted(t for t in tasks if all(n in same for n in first if _task_of(n) == t)
                         and not all(_check_name(n) in EXEMPT for n in first if _task_of(n) == t))
    assert not fixed_tasks, "tasks whose every request is the same at two seeds:\n" + "\n".join(fixed_tasks)
    unexplained = [n for n in same if _check_name(n) not in EXEMPT]
    assert not unexplained, "checks whose requests are the same at two seeds:\n" + "\n".join(unexplained)
    stale = set(EXEMPT) - {_check_name(n) for n in first}
    assert not stale, f"exempt checks that no longer exist: {stale}"
