"""Everything a kata author imports, from one module::

    from pytest_torchkata.kata import Kata, KataFixture, Mistake, Text, expect_close, tr

    KATA = Kata("norms", Text("Vector norms", "向量范数"))

    @KATA.task("l2_norm", Text("The L2 norm", "L2 范数"), hints=[Text("...", "...")])
    class TestL2Norm:
        def test_rows(self, kata: KataFixture) -> None:
            x = torch.randn(4, 5)
            expect_close(kata.call("l2_norm", x, dim=1), x.norm(dim=1), what="l2_norm(x, dim=1)")

Declaring a kata (``Kata``, ``Task``); texts in both languages (``Text``, ``tr``); the ``kata``
fixture's type (``KataFixture``); what a check raises (``CheckFailed``, ``Mistake``); the check
helpers (``expect_*``); a task's classic wrong versions (``Variant``, ``Variants``) and the one
comparison that recognises one (``matches``); ``dtype_name``; and for a kata's learner-side
``world.py`` the helper decorators ``labelled`` (errors name the learner's function) and
``trusted`` (torch calls inside are the grader's, not counted against the learner).

Names are imported on first use, so a ``world.py`` may import from here too: it pulls in
only what it names (never the checks), and importing this module costs nothing.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from pytest_torchkata.checks.errors import CheckFailed, Mistake
    from pytest_torchkata.checks.gradients import expect_gradgrad, expect_gradients
    from pytest_torchkata.checks.training import expect_converged
    from pytest_torchkata.checks.values import (expect_close, expect_finite, expect_float, expect_on_cpu,
                                                expect_shape, expect_tensor, expect_true)
    from pytest_torchkata.checks.variants import Variant, Variants, matches
    from pytest_torchkata.dtypes import dtype_name
    from pytest_torchkata.i18n import Text, tr
    from pytest_torchkata.model import Kata, Task
    from pytest_torchkata.sandbox.guards import trusted
    from pytest_torchkata.sandbox.runner import labelled


@runtime_checkable
class KataFixture(Protocol):
    """The ``kata`` fixture of a check: the one way a check reaches the learner's code.

    ``call`` and ``run`` return plain data (tensors, numbers, lists, dicts), the same
    in-process and isolated; what comes back is only what the learner's side claims, so
    the check compares and decides."""

    kata: "Kata"
    task: "Task"
    path: Path  # the learner's file
    seed: int  # this check's own seed: its inputs are drawn from it
    data_dir: str  # --kata-data: where data sets are (a kata that trains on one)
    torch_calls: int  # torch calls the learner's code made in the last request
    last_seconds: float | None  # wall time of the last request, measured in the grader

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``name`` (a function or class of the learner's file) and return its result."""

    def run(self, helper: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``helper(learner_module, *args, **kwargs)`` (a module-level function of a
        kata's ``world.py``) next to the learner code and return what it observed."""

    def record(self, **data: Any) -> None:
        """Keep plain data (a loss history, say) in the report for this task."""


_WHERE = {
    "Kata": "pytest_torchkata.model", "Task": "pytest_torchkata.model",
    "Text": "pytest_torchkata.i18n", "tr": "pytest_torchkata.i18n",
    "CheckFailed": "pytest_torchkata.checks.errors", "Mistake": "pytest_torchkata.checks.errors",
    "expect_close": "pytest_torchkata.checks.values", "expect_finite": "pytest_torchkata.checks.values",
    "expect_float": "pytest_torchkata.checks.values", "expect_on_cpu": "pytest_torchkata.checks.values",
    "expect_shape": "pytest_torchkata.checks.values", "expect_tensor": "pytest_torchkata.checks.values",
    "expect_true": "pytest_torchkata.checks.values",
    "expect_gradients": "pytest_torchkata.checks.gradients", "expect_gradgrad": "pytest_torchkata.checks.gradients",
    "expect_converged": "pytest_torchkata.checks.training",
    "Variant": "pytest_torchkata.checks.variants", "Variants": "pytest_torchkata.checks.variants",
    "matches": "pytest_torchkata.checks.variants",
    "dtype_name": "pytest_torchkata.dtypes",
    "labelled": "pytest_torchkata.sandbox.runner", "trusted": "pytest_torchkata.sandbox.guards",
}

__all__ = ["CheckFailed", "Kata", "KataFixture", "Mistake", "Task", "Text", "Variant", "Variants", "dtype_name",
           "expect_close", "expect_converged", "expect_finite", "expect_float", "expect_gradgrad",
           "expect_gradients", "expect_on_cpu", "expect_shape", "expect_tensor", "expect_true", "labelled",
           "matches", "trusted", "tr"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
