"""run_until / expect_converged / loss_curve (pytest_torchkata.checks.training): fast unit tests."""

from __future__ import annotations

import itertools
import math
import time

import pytest
import torch

from pytest_torchkata.checks.errors import CheckFailed
from pytest_torchkata.checks.training import BAD, BLOCKS, downsample, expect_converged, loss_curve, run_until


def losses(values):
    it = iter(values)
    return lambda: next(it)


class Recorder:
    def __init__(self):
        self.records = {}

    def record(self, **data):
        self.records.update(data)


def test_stops_at_the_target():
    r = run_until(losses([4.0, 2.0, 1.0, 0.5, 0.25, 0.1]), max_steps=100, time_budget_s=10, target=0.5)
    assert r["reached"] is True and r["stopped"] == "target"
    assert r["steps"] == 4 and r["history"] == [4.0, 2.0, 1.0, 0.5]
    assert r["seconds"] >= 0


def test_stops_after_max_steps():
    r = run_until(lambda: 1.0, max_steps=7, time_budget_s=10, target=0.5)
    assert (r["reached"], r["stopped"], r["steps"], len(r["history"])) == (False, "max_steps", 7, 7)


def test_runs_all_steps_without_a_target():
    r = run_until(lambda: 0.0, max_steps=5, time_budget_s=10)
    assert r["steps"] == 5 and r["reached"] is False


def test_stops_when_the_time_budget_runs_out():
    def slow():
        time.sleep(0.02)
        return 1.0
    r = run_until(slow, max_steps=10_000, time_budget_s=0.1, target=0.0)
    assert r["stopped"] == "time" and 2 <= r["steps"] < 100


def test_stops_at_nan_and_accepts_tensors():
    r = run_until(losses([torch.tensor(1.0), torch.tensor(float("nan")), torch.tensor(0.0)]),
                  max_steps=10, time_budget_s=10, target=0.5)
    assert r["stopped"] == "nan" and r["steps"] == 2 and math.isnan(r["history"][-1])


def test_every_thins_the_history_but_keeps_the_last_loss():
    counter = itertools.count()
    r = run_until(lambda: float(next(counter)), max_steps=23, time_budget_s=10, every=5)
    assert r["history"] == [0.0, 4.0, 9.0, 14.0, 19.0, 22.0]


def test_loss_curve_goes_down_and_marks_nan():
    assert loss_curve([3.0, 2.0, 1.0]) == BLOCKS[-1] + BLOCKS[len(BLOCKS) // 2] + BLOCKS[0]
    assert loss_curve([1.0, 2.0, float("nan")]) == BLOCKS[0] + BLOCKS[-1] + BAD
    assert loss_curve([float("inf")]) == BAD
    assert loss_curve([1.0, 1.0]) == BLOCKS[len(BLOCKS) // 2] * 2
    assert loss_curve([]) == ""


def test_loss_curve_uses_a_log_scale_for_exponential_decay():
    curve = loss_curve([10.0 ** -k for k in range(8)])
    assert curve == BLOCKS[::-1]


def test_long_histories_are_at_most_50_points_and_keep_nan():
    history = [1.0 / (k + 1) for k in range(1000)] + [float("nan")]
    small = downsample(history)
    assert len(small) == 50 and small[0] == 1.0 and math.isnan(small[-1])
    assert len(loss_curve(history)) == 50 and loss_curve(history).endswith(BAD)


def test_converged_passes_and_records_history():
    kata = Recorder()
    r = run_until(losses([1.0 / (k + 1) for k in range(200)]), max_steps=200, time_budget_s=10, target=0.01)
    expect_converged(r, target=0.01, what="training", kata=kata)
    assert 1 <= len(kata.records["loss_history"]) <= 50


def test_not_converged_message_has_numbers_and_curve():
    r = run_until(losses([2.3, 2.0, 1.8, 1.7, 1.6]), max_steps=5, time_budget_s=10, target=0.05)
    with pytest.raises(CheckFailed) as info:
        expect_converged(r, target=0.05, what="train_step", hint="check lr")
    message = info.value.message
    assert message.startswith("train_step: the loss did not reach 0.05, not within 5 steps")
    assert "first 2.3, best 1.6, last 1.6" in message
    assert loss_curve([2.3, 2.0, 1.8, 1.7, 1.6]) in message
    assert info.value.hint == "check lr"


def test_time_budget_is_named():
    r = {"history": [1.0, 0.9], "steps": 2, "seconds": 5.2, "reached": False, "stopped": "time"}
    with pytest.raises(CheckFailed, match=r"time budget ran out after 2 steps \(5.2 s\)"):
        expect_converged(r, target=0.1, what="fit")


def test_rising_loss_suggests_the_learning_rate_or_sign():
    r = {"history": [1.0, 2.0, 4.0], "steps": 3, "seconds": 0.1, "reached": False, "stopped": "max_steps"}
    with pytest.raises(CheckFailed, match="the loss went up"):
        expect_converged(r, target=0.1, what="fit")


def test_flat_loss_asks_whether_parameters_move():
    r = {"history": [0.7, 0.7, 0.7], "steps": 3, "seconds": 0.1, "reached": False, "stopped": "max_steps"}
    with pytest.raises(CheckFailed, match="barely moved"):
        expect_converged(r, target=0.1, what="fit")


def test_nan_is_reported_and_recorded_as_null():
    kata = Recorder()
    r = run_until(losses([1.0, 10.0, float("nan")]), max_steps=10, time_budget_s=10, target=0.1)
    with pytest.raises(CheckFailed) as info:
        expect_converged(r, target=0.1, what="fit", kata=kata)
    assert "the loss became NaN after 3 step(s) (first 1; last finite loss 10)" in info.value.message
    assert info.value.message.count(BAD) == 1
    assert kata.records["loss_history"] == [1.0, 10.0, None]


def test_no_steps_is_a_failure():
    with pytest.raises(CheckFailed, match="no training step ran"):
        expect_converged({"history": [], "steps": 0}, target=1.0, what="fit")


def test_a_fixed_number_of_steps_can_be_judged_by_the_last_loss():
    r = run_until(losses([1.0, 0.5, 0.2]), max_steps=3, time_budget_s=10)
    expect_converged(r, target=0.25, what="fit")
