"""expect_close judges values exactly as torch.testing.assert_close does.

checks.py writes the comparison out (assert_close's first call imports
torch.distributed and sympy, seconds of start-up), so this test holds it to
torch's own verdict on a few thousand seeded cases near the tolerance edge.
"""

import itertools

import pytest
import torch

from pytest_torchkata.checks.values import expect_close
from pytest_torchkata.checks.errors import CheckFailed


def torch_says_close(actual, expected, **tol):
    try:
        torch.testing.assert_close(actual, expected, equal_nan=True, **tol)
    except AssertionError:
        return False
    return True


def we_say_close(actual, expected, **tol):
    try:
        expect_close(actual, expected, what="x", **tol)
    except CheckFailed:
        return False
    return True


def cases():
    gen = torch.Generator().manual_seed(0)
    specials = torch.tensor([float("nan"), float("inf"), -float("inf"), 0.0])
    for dtype, scale, special in itertools.product(
            (torch.float32, torch.float64), (1e-8, 1e-6, 1e-5, 1e-4, 1e-2), (False, True)):
        for _ in range(60):
            expected = torch.randn(7, generator=gen, dtype=torch.float64) * 10 ** torch.randint(
                -3, 4, (1,), generator=gen).item()
            noise = torch.randn(7, generator=gen, dtype=torch.float64) * scale * expected.abs().clamp(min=1)
            actual = expected + noise
            if special:
                i, j = torch.randint(0, 7, (2,), generator=gen).tolist()
                expected[i] = specials[j % 4]
                actual[i] = specials[(j + torch.randint(0, 2, (1,), generator=gen).item()) % 4]
            yield actual.to(dtype), expected.to(dtype)


@pytest.mark.parametrize("tol", [{}, {"rtol": 1e-3, "atol": 1e-6}, {"rtol": 0.0, "atol": 1e-4}],
                         ids=["defaults", "rtol-and-atol", "atol-only"])
def test_same_verdict_as_assert_close(tol):
    disagreements = []
    total = 0
    for actual, expected in cases():
        total += 1
        if torch_says_close(actual, expected, **tol) != we_say_close(actual, expected, **tol):
            disagreements.append((actual.tolist(), expected.tolist()))
    assert total > 1000
    assert not disagreements, disagreements[:3]


def test_integers_must_match_exactly_like_assert_close():
    a = torch.tensor([2**60, 3])
    assert torch_says_close(a, a.clone()) and we_say_close(a, a.clone())
    assert not torch_says_close(a, a + 1) and not we_say_close(a, a + 1)
