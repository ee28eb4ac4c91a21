"""Mistake variants (checks.variants): a failed value check runs the task's classic wrong
versions on the grader's side and names the one the learner's output matches; the id
travels into the check's and the task's results."""

import pytest
import torch

from pytest_torchkata.checks.errors import CheckFailed, Mistake
from pytest_torchkata.checks.values import expect_close
from pytest_torchkata.checks.variants import Variant, Variants, matches, naming
from pytest_torchkata.i18n import Text, set_language
from pytest_torchkata.model import Task
from pytest_torchkata.reports.results import CheckResult, grade_task
from pytest_torchkata.status import Status


def _mse(pred, target):
    return ((pred - target) ** 2).mean()


SQUARE_OF_MEAN = Variant("demo.square_of_mean", lambda p, t: (p - t).mean() ** 2,
                         Text("the mean was squared instead of averaging the squares", "先平均再平方了"),
                         Text("square each difference, then average", "先对每个差平方，再求平均"))
SUM = Variant("demo.sum_not_mean", lambda p, t: ((p - t) ** 2).sum(),
              Text("the squares were summed, not averaged", "平方被求和了，而不是求平均"))
MSE = Variants(SQUARE_OF_MEAN, SUM)


@pytest.fixture
def inputs():
    g = torch.Generator().manual_seed(3)
    return torch.randn(8, 1, generator=g), torch.randn(8, 1, generator=g)


@pytest.mark.parametrize("variant", MSE, ids=MSE.ids())
def test_a_mismatch_matching_a_variant_is_named_with_its_id(inputs, variant):
    observed = variant.compute(*inputs)
    with pytest.raises(Mistake) as caught:
        expect_close(observed, _mse(*inputs), what="mse(pred, target)", variants=MSE, inputs=inputs)
    assert caught.value.mistake == variant.id
    assert caught.value.message.startswith(f"mse(pred, target): {variant.message.en}")
    assert "expected" in caught.value.message  # what came and what was expected, in the same breath
    assert caught.value.hint == (variant.hint.en if variant.hint else "")


def test_a_mismatch_matching_no_variant_stays_a_plain_mismatch(inputs):
    with pytest.raises(CheckFailed) as caught:
        expect_close((inputs[0] - inputs[1]).abs().mean(), _mse(*inputs), what="mse", variants=MSE, inputs=inputs)
    assert type(caught.value) is CheckFailed and caught.value.mistake == ""
    assert "are off" in caught.value.message


def test_a_correct_answer_never_runs_the_variants(inputs):
    def explode(*_):
        raise AssertionError("a variant ran although the check passed")

    expect_close(_mse(*inputs), _mse(*inputs), what="mse",
                 variants=Variants(Variant("demo.boom", explode, Text("x", "x"))), inputs=inputs)


def test_a_variant_that_raises_or_returns_junk_does_not_match(inputs):
    table = Variants(Variant("demo.raises", lambda p, t: p @ p, Text("a", "a")),  # (8, 1) @ (8, 1): error
                     Variant("demo.junk", lambda p, t: "not a tensor", Text("b", "b")),
                     Variant("demo.interrupts", lambda p, t: (_ for _ in ()).throw(ZeroDivisionError), Text("c", "c")),
                     SQUARE_OF_MEAN)
    observed = SQUARE_OF_MEAN.compute(*inputs)
    assert table.find(observed, inputs, _mse(*inputs)) is SQUARE_OF_MEAN


def test_variants_run_on_copies_never_changing_the_checks_inputs(inputs):
    before = [x.clone() for x in inputs]
    table = Variants(Variant("demo.in_place", lambda p, t: p.mul_(0).sum(), Text("a", "a")))
    table.find(torch.tensor(0.0), inputs)
    assert all(torch.equal(a, b) for a, b in zip(before, inputs))


def test_a_variant_the_correct_answer_also_matches_names_nothing():
    # on inputs where pred == target every variant here gives the reference's 0: it proves nothing
    p = torch.ones(4, 1)
    assert MSE.find(torch.tensor(0.0), (p, p.clone()), expected=torch.tensor(0.0)) is None


def test_a_shape_slip_is_named_too():
    x = torch.arange(6.0).reshape(2, 3)
    keepdim = Variants(Variant("demo.no_keepdim", lambda x: x.sum(1), Text("keepdim was left out", "漏了 keepdim")))
    with pytest.raises(Mistake) as caught:
        expect_close(x.sum(1), x.sum(1, keepdim=True), what="row sums", variants=keepdim, inputs=(x,))
    assert caught.value.mistake == "demo.no_keepdim" and "(2,)" in caught.value.message


@pytest.mark.parametrize("observed, mistaken, same", [
    (torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]), True),
    (torch.tensor([1.0, float("nan")]), torch.tensor([1.0, 2.0]), False),
    (torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]), True),
    (torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.01]), False),
    (torch.tensor([[1.0, 2.0]]), torch.tensor([1.0, 2.0]), False),  # shapes differ
    (0.5, torch.tensor(0.5), True),
    ((torch.tensor(1.0), torch.tensor(2)), (torch.tensor(1.0), torch.tensor(2)), True),
    ("text", torch.tensor(1.0), False),
    (None, torch.tensor(1.0), False),
])
def test_matches_has_one_tolerance_and_never_raises(observed, mistaken, same):
    assert matches(observed, mistaken) is same


@pytest.mark.parametrize("bad", ["square_of_mean", "Demo.Square", "demo.", "demo square.x"])
def test_a_mistake_id_reads_kata_dot_short_name(bad):
    with pytest.raises(ValueError, match="kata.short_name"):
        Variant(bad, lambda: 0, Text("a", "a"))


def test_a_table_refuses_a_repeated_id_and_a_one_language_message():
    with pytest.raises(ValueError, match="twice"):
        Variants(SUM, SUM)
    with pytest.raises(ValueError, match="both languages"):
        Variant("demo.x", lambda: 0, Text("only english", ""))


def test_the_message_is_in_the_current_language(inputs):
    set_language("zh")
    try:
        with pytest.raises(Mistake) as caught:
            expect_close(SUM.compute(*inputs), _mse(*inputs), what="mse", variants=MSE, inputs=inputs)
    finally:
        set_language("en")
    assert SUM.message.zh in caught.value.message and "应为" in caught.value.message


def test_naming_upgrades_a_checks_own_failure(inputs):
    observed = SQUARE_OF_MEAN.compute(*inputs)
    with pytest.raises(Mistake) as caught, naming(MSE, inputs, observed, what="mse", expected=_mse(*inputs)):
        raise CheckFailed("mse is off")
    assert caught.value.mistake == SQUARE_OF_MEAN.id


def test_the_speaking_checks_mistake_is_the_tasks_and_is_in_the_report():
    task = Task(id="mse", title_text="MSE", number=1, points=2, hints=("nudge",))
    checks = [CheckResult("a", Status.FAILED, "off", rank=2),
              CheckResult("b", Status.FAILED, "named", rank=3, mistake="demo.sum_not_mean"),
              CheckResult("c", Status.PASSED)]
    result = grade_task(task, checks, {})
    assert result.mistake == "demo.sum_not_mean" and result.message == "named"
    assert grade_task(task, [CheckResult("c", Status.PASSED)], {}).mistake == ""


def test_a_slip_is_also_recognised_through_its_gradient(inputs):
    pred, target = inputs
    observed = 2 * (pred - target).mean() / pred.numel() * torch.ones_like(pred)  # d/d pred of mean(d) ** 2
    with pytest.raises(Mistake) as caught:
        expect_close(observed, 2 * (pred - target) / pred.numel(), what="d mse / d pred",
                     variants=MSE.gradients(wrt=0), inputs=inputs)
    assert caught.value.mistake == SQUARE_OF_MEAN.id
