"""Raw learner errors explained by their kind (checks.errorkinds): recognised by the
exception's type and the pattern of its message, so the same slip gets the same words in
every kata, whichever of torch's texts it happens to come with."""

import pytest
import torch
import torch.nn.functional as F
from kata_testing import mutate

from pytest_torchkata.checks.errorkinds import KINDS, error_kind, explain_error, kind_text
from pytest_torchkata.checks.hints import hint_for

X = torch.randn(3, 4, requires_grad=True)


def _grad():
    return torch.autograd.grad((X ** 2).sum(), X)


# each slip through several doors; the messages are torch's own, produced here
SLIPS = [
    ("tuple_as_tensor", lambda: torch.max(X, 0).sum()),
    ("tuple_as_tensor", lambda: torch.exp(torch.max(X, 0))),
    ("tuple_as_tensor", lambda: X - torch.max(X, 1)),
    ("tuple_as_tensor", lambda: torch.max(X, 0) + X),  # tuple concatenation: "can only concatenate tuple"
    ("tuple_as_tensor", lambda: torch.cat([torch.min(X, 1), X])),
    ("tuple_as_tensor", lambda: _grad().sum()),
    ("tuple_as_tensor", lambda: _grad() ** 2),
    ("tuple_as_tensor", lambda: X + _grad()),
    ("tuple_as_tensor", lambda: torch.stack([_grad(), X])),
    ("class_targets", lambda: F.cross_entropy(torch.randn(5, 3), torch.tensor([0, 1, 2, 1, 0]).float())),
    ("class_targets", lambda: F.cross_entropy(torch.randn(5, 3), torch.tensor([0, 1, 2, 1, 0], dtype=torch.int32))),
    ("class_targets", lambda: F.nll_loss(torch.randn(5, 3), torch.tensor([0.0, 1, 2, 1, 0]))),
    ("class_targets", lambda: F.cross_entropy(torch.randn(5, 3), torch.randint(0, 3, (5, 1)))),
    ("float_targets", lambda: F.binary_cross_entropy_with_logits(torch.randn(5), torch.tensor([0, 1, 1, 0, 1]))),
    ("method_not_called", lambda: X.mean * 2),
    ("method_not_called", lambda: X + X.mean),
    ("method_not_called", lambda: torch.exp(X.mean)),
    ("method_not_called", lambda: X.sum.item()),
    ("method_not_called", lambda: torch.optim.SGD(torch.nn.Linear(2, 2).parameters, lr=0.1)),
    ("class_not_called", lambda: exec("with torch.no_grad:\n    pass", {"torch": torch})),
    ("backward_needs_a_scalar", lambda: (X * 2).backward()),
    ("backward_needs_a_scalar", lambda: torch.autograd.grad(torch.autograd.grad((X ** 3).sum(), X, create_graph=True), X)),
    ("gradient_shape", lambda: (X * 2).backward(torch.ones(4))),
    ("gradient_shape", lambda: X.sum().backward(torch.ones(3))),
]


def _raised(make):
    with pytest.raises(Exception) as caught:
        make()
    return type(caught.value).__name__, str(caught.value)


@pytest.mark.parametrize("kind, make", SLIPS)
def test_each_door_of_a_slip_is_recognised_as_its_kind(kind, make):
    type_name, message = _raised(make)
    assert error_kind(type_name, message).id == kind, message
    assert hint_for(message, type_name) == explain_error(type_name, message)  # the kind speaks first


def test_the_exception_type_is_part_of_the_evidence():
    type_name, message = _raised(lambda: _grad().sum())
    assert explain_error("ValueError", message) == ""  # the same words from another type are another thing
    assert explain_error("", message) == kind_text("tuple_as_tensor")  # type unknown: the pattern decides


def test_a_custom_backward_of_the_wrong_shape_is_named_with_both_shapes():
    class Twice(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return grad.sum(0)  # (4,) for a (3, 4) input

    type_name, message = _raised(lambda: Twice.apply(X).sum().backward())
    assert error_kind(type_name, message).id == "backward_returns_a_wrong_shape"
    assert "[4]" in explain_error(type_name, message) and "[3, 4]" in explain_error(type_name, message)


def test_every_kind_speaks_both_languages():
    assert len({k.id for k in KINDS}) == len(KINDS)
    assert all(k.text.en.strip() and k.text.zh.strip() for k in KINDS)


# -- the same slip in two katas gets the same explanation ------------------------------------

SAME_SLIP_IN_TWO_KATAS = {
    "torch.max used as an element-wise max": ("tuple_as_tensor", [
        ("functions", "softplus", (("return x.clamp(min=0) + torch.log1p", "return torch.max(x, 0) + torch.log1p"),), ()),
        ("logistic_regression", "bce", (("per_sample = logits.clamp(min=0) -", "per_sample = torch.max(logits, 0) -"),),
         ()),
    ]),
    "a reduction method not called": ("method_not_called", [
        ("linear_regression", "mse", (("    return ((pred - target) ** 2).mean()\n",
                                       "    return ((pred - target) ** 2).mean\n"),), ()),
        ("logistic_regression", "bce", (("    return per_sample.mean()\n", "    return per_sample.mean\n"),), ()),
    ]),
    "float class targets given to cross_entropy": ("class_targets", [
        ("training", "step", (("\n    loss = loss_fn(model(x), y)\n", "\n    loss = loss_fn(model(x), y.float())\n"),),
         ()),
        ("mnist", "train_step", (("    loss = F.cross_entropy(model(x), y)\n",
                                  "    loss = F.cross_entropy(model(x), y.float())\n"),),
         ("-k", "not TestLoaders and not TestFit")),
    ]),
}


@pytest.mark.parametrize("slip", list(SAME_SLIP_IN_TWO_KATAS))
def test_the_same_slip_in_two_katas_gets_the_same_explanation(grade, slip):
    kind, submissions = SAME_SLIP_IN_TWO_KATAS[slip]
    for kata, task, replace, args in submissions:
        graded = grade(kata, mutate(kata, *replace), *args)
        said = graded.message(task)
        assert graded.status(task) == "failed", (kata, said)
        assert kind_text(kind) in said, (kata, said)
