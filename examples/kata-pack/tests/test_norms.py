"""The norms kata's table: the reference gets full marks, the stub none, a correct
alternative full marks, and each classic mistake, written into a copy of the reference,
fails its task with a message that names it while the other task still passes.

Run with the pack installed:  pytest -p pytester tests/
"""

import json
from pathlib import Path

import pytest
import torch  # noqa: F401  (once, here: pytester's in-process runs cannot import it again)

pytest_plugins = ["pytester"]

NORMS = Path(__file__).resolve().parents[1] / "torchkata_pack_example" / "norms"
REFERENCE = (NORMS / "solutions" / "norms.py").read_text(encoding="utf-8")
STUB = (NORMS / "stubs" / "norms.py").read_text(encoding="utf-8")
L2 = "    return (x ** 2).sum(dim=dim).sqrt()\n"
NORM = "    norm = (x ** 2).sum(dim=dim, keepdim=True).sqrt()\n"
DIVIDE = "    return x / norm.clamp_min(eps)\n"

MISTAKES = [  # (id, task, (old, new), a phrase of the message)
    ("sum_of_squares_without_the_root", "l2_norm", (L2, "    return (x ** 2).sum(dim=dim)\n"), "sum of squares"),
    ("entries_not_squared", "l2_norm", (L2, "    return x.sum(dim=dim).abs().sqrt()\n"), "square each entry"),
    ("always_the_last_dim", "l2_norm", (L2, "    return (x ** 2).sum(dim=-1).sqrt()\n"), "has shape"),
    ("divided_by_the_sum_of_squares", "normalize", (NORM, "    norm = (x ** 2).sum(dim=dim, keepdim=True)\n"),
     "sum of squares"),
    ("zero_norm_not_clamped", "normalize", (DIVIDE, "    return x / norm\n"), "clamp_min(eps)"),
    ("norm_without_keepdim", "normalize", (NORM, "    norm = (x ** 2).sum(dim=dim).sqrt()\n"), "must match the size"),
]
ALTERNATIVE = REFERENCE.replace(L2, "    return torch.sqrt(torch.sum(x * x, dim))\n").replace(
    DIVIDE, "    return x / torch.clamp(norm, min=eps)\n")


def grade(pytester: pytest.Pytester, source: str) -> dict:
    (pytester.path / "katas").mkdir(exist_ok=True)
    (pytester.path / "katas" / "norms.py").write_text(source, encoding="utf-8")
    pytester.runpytest("--kata=norms", "--kata-report=report.json", "-p", "no:cacheprovider", "--kata-lang=en")
    report = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    return {t["id"]: t for t in report["katas"][0]["tasks"]}


def test_the_reference_gets_full_marks(pytester):
    tasks = grade(pytester, REFERENCE)
    assert {t["status"] for t in tasks.values()} == {"passed"}


def test_the_stub_is_not_started(pytester):
    tasks = grade(pytester, STUB)
    assert {t["status"] for t in tasks.values()} == {"not_started"}


def test_a_correct_alternative_gets_full_marks(pytester):
    assert ALTERNATIVE != REFERENCE
    tasks = grade(pytester, ALTERNATIVE)
    assert {t["status"] for t in tasks.values()} == {"passed"}


@pytest.mark.parametrize("case", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_caught_and_named(pytester, case):
    _id, task, (old, new), phrase = case
    assert REFERENCE.count(old) == 1
    tasks = grade(pytester, REFERENCE.replace(old, new))
    assert tasks[task]["status"] == "failed", tasks
    assert phrase in tasks[task]["message"], tasks[task]["message"]
    assert all(t["status"] == "passed" for tid, t in tasks.items() if tid != task), tasks
