"""The mistake-table helper itself: a mutation that is not caught fails the table's test."""

import pytest

from kata_testing import Case, expect_caught


def test_an_uncaught_mutation_fails_expect_caught(grade):
    harmless = Case("harmless", "create", (("torch.tensor(data, dtype=torch.float32)",
                                             "torch.tensor(data, dtype=torch.float)"),), ("int64",))
    with pytest.raises(AssertionError):
        expect_caught(grade, "tensors", harmless)
