"""The built-in katas, one module each, in the order the curriculum teaches them.

Adding a kata: write ``solutions/NAME.py`` (the reference, with marked solution
blocks), ``pytest_torchkata/katas/NAME.py`` (``KATA`` and its checks), add NAME
below, then run ``torchkata gen`` to make ``katas/NAME.py``.
``tests/test_curriculum.py`` tells you what is missing.
"""

CURRICULUM = [
    "tensors",
    "autograd",
    "functions",
    "linear_regression",
    "logistic_regression",
    "modules",
    "training",
    "mnist",
    "devices",
    "debugging",
]
