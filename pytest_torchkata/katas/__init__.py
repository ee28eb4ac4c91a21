"""The built-in katas, one folder each, in the order the curriculum teaches them.

Each kata folder holds the same files, one per role:

- ``tasks.py``: ``KATA``, its tasks and their checks (grader side);
- ``grader.py``: grader-side helpers the checks use, where ``tasks.py`` needs them;
- ``world.py``: learner-side helpers run next to the learner's code through ``kata.run``;
  they observe and return plain data, and never import ``checks``, ``reports`` or ``plugin``;
- ``hints.py``: the hint levels of every task, in both languages.

``common/`` holds what several katas share, split the same way: ``observe.py`` (learner
side), ``expect.py`` and ``explained.py`` (grader side), ``seeded.py`` (inputs from the seed).

A recogniser of a classic mistake is ``mistake_in_<what>(...) -> Mistake | None`` (the caller raises it),
or ``expect_<what>(...)``, which raises it itself; values are compared with ``checks.variants.matches``.
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
