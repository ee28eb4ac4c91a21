"""The mistake-table helper itself: a mutation that is not caught fails the table's test."""

import pytest

from kata_testing import Case, expect_caught


def test_an_uncaught_mutation_fails_expect_caught(grade):
    harmless = Case("harmless", "create", (("torch.tensor(data, dtype=torch.float32)",
                                             "torch.tensor(data, dtype=torch.float)"),), ("int64",))
    with pytest.raises(AssertionError):
        expect_caught(grade, "tensors", harmless)


def test_compose_keeps_the_reference_methods_an_alternative_class_does_not_write():
    from kata_testing import compose

    reference = ('"""Doc."""\n\nimport torch\n\n\nclass Net:\n    """The task."""\n\n'
                 "    def __init__(self):\n        self.w = 1\n\n"
                 "    def forward(self, x):\n        return x * self.w\n\n"
                 "    def extra(self):\n        return 0\n\n\ndef helper():\n    return 1\n")
    alternative = "import math\n\n\nclass Net:\n    def forward(self, x):\n        return math.prod([x, self.w])\n"
    composed = compose(reference, alternative)
    assert composed == ('"""Doc."""\nimport math\n\nimport torch\n\n\nclass Net:\n'
                        "    def __init__(self):\n        self.w = 1\n\n"
                        "    def forward(self, x):\n        return math.prod([x, self.w])\n\n"
                        "    def extra(self):\n        return 0\n\n\ndef helper():\n    return 1\n")
