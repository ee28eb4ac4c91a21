"""Checks for the tensors kata."""

import torch

from pytest_torchkata.checks import expect_close
from pytest_torchkata.model import Kata

KATA = Kata("tensors", "Tensors", "creating and reshaping tensors")


@KATA.task("softmax", "Numerically stable softmax", points=3,
           hint="subtract the row maximum before exp",
           forbidden={"torch.softmax": "write it yourself", "torch.Tensor.softmax": "write it yourself",
                      "torch.nn.functional.softmax": "write it yourself"})
class TestSoftmax:
    def test_matches_torch(self, kata):
        x = torch.randn(4, 5)
        expect_close(kata.call("softmax", x, dim=1), torch.softmax(x, dim=1), what="softmax(x, dim=1)")

    def test_large_logits(self, kata):
        x = torch.tensor([[1000.0, 1001.0, 1002.0]])
        expect_close(kata.call("softmax", x, dim=1), torch.softmax(x, dim=1), what="softmax at 1000")


@KATA.task("one_hot", "One-hot encoding", points=2, hint="index a zeros tensor")
class TestOneHot:
    def test_matches(self, kata):
        y = torch.tensor([0, 2, 1])
        expect_close(kata.call("one_hot", y, 3), torch.nn.functional.one_hot(y, 3).float(), what="one_hot(y, 3)")
