"""Katas and tasks: what a kata author declares.

A kata's checks module (``pytest_torchkata/katas/NAME/tasks.py`` for the built-in ones) holds::

    KATA = Kata("tensors", "Tensors", "what the kata teaches")

    @KATA.task("softmax", "Numerically stable softmax", points=3,
               hint="subtract the row maximum before exp",
               forbidden={"torch.softmax": "write it yourself"})
    class TestSoftmax:
        def test_rows_sum_to_one(self, kata): ...

The decorator records the task (in declaration order) and marks the class so
the plugin knows which task each check belongs to.  This module imports torch
only to check a task's ``forbidden`` names, when a kata declares some.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

import pytest

from pytest_torchkata.i18n import Text

MARKER = "torchkata_task"
T = TypeVar("T")


@dataclass
class Task:
    id: str
    title_text: "str | Text"
    number: int
    points: float
    hints: tuple  # levels, each a str or a Text: first a nudge naming the idea, then the API or step
    forbidden: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None

    @property
    def title(self) -> str:
        return str(self.title_text)

    @property
    def hint(self) -> str:
        """The first hint level, the only one the summary shows."""
        return str(self.hints[0])

    @property
    def label(self) -> str:
        return f"Task {self.number} ({self.title})"

    def label_in(self, lang: str) -> str:
        title = self.title_text.get(lang) if isinstance(self.title_text, Text) else self.title_text
        return f"Task {self.number} ({title})"


class Kata:
    def __init__(self, name: str, title: "str | Text", description: "str | Text" = "") -> None:
        self.name = name
        self.title_text = title
        self.description_text = description
        self.tasks: list[Task] = []
        module = sys._getframe(1).f_globals
        self.checks_module: str = module.get("__name__", "")
        self.checks_file: str = module.get("__file__", "")

    @property
    def title(self) -> str:
        return str(self.title_text)

    @property
    def description(self) -> str:
        return str(self.description_text)

    def task(self, id: str, title: "str | Text", *, points: float = 1, hint: "str | Text | None" = None,
             hints: "list[str | Text] | None" = None,
             forbidden: dict[str, str] | None = None,
             timeout: float | None = None) -> Callable[[T], T]:
        """Declare the next task; decorates the class (or function) holding its checks.

        ``hints`` are levels (``torchkata hint`` shows one more each time): first
        a nudge that names the idea, then the concrete API or step, a last level
        may show code.  ``hint=`` alone gives a single level.

        ``forbidden`` maps dotted torch names (``"torch.softmax"``,
        ``"torch.Tensor.softmax"``) to the reason shown when learner code calls
        one.  ``timeout`` is how long the task's learner code may need when the
        user did not set ``--kata-timeout``.
        """
        if any(t.id == id for t in self.tasks):
            raise ValueError(f"kata {self.name!r} declares task {id!r} twice")
        levels = tuple(hints or ()) or ((hint,) if hint else ())
        if not levels or not all(str(level).strip() for level in levels):
            raise ValueError(f"kata {self.name!r}, task {id!r}: every task needs a hint")
        for name in forbidden or {}:
            _check_forbidden_name(self.name, id, name)
        task = Task(id=id, title_text=title, number=len(self.tasks) + 1, points=float(points),
                    hints=levels, forbidden=dict(forbidden or {}), timeout=timeout)
        self.tasks.append(task)
        return getattr(pytest.mark, MARKER)(self.name, id)

    def get_task(self, id: str) -> Task:
        for task in self.tasks:
            if task.id == id:
                return task
        raise KeyError(id)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tasks)

    def __repr__(self) -> str:
        return f"Kata({self.name!r}, {len(self.tasks)} tasks)"


def _check_forbidden_name(kata: str, task: str, name: str) -> None:
    """A ``forbidden`` name must resolve to a torch callable when the kata is imported,
    not only when a learner trips over it while grading."""
    import torch

    obj: Any = torch if name.startswith("torch.") else None
    for part in name.split(".")[1:] if obj is not None else ():
        obj = getattr(obj, part, None)
        if obj is None:
            break
    if obj is None or not callable(obj):
        raise ValueError(f"kata {kata!r}, task {task!r}: forbidden name {name!r} is not a torch "
                         f"callable (write it as torch.NAME or torch.Tensor.NAME)")


def _kata_name(module: str) -> str:
    """The kata a dotted module name stands for: ``pkg.tensors.tasks`` (a kata folder) and
    ``pkg.tensors`` (a single module) are both the kata ``tensors``."""
    parts = module.split(".")
    return parts[-2] if parts[-1] == "tasks" and len(parts) > 1 else parts[-1]


class Registry:
    """Katas by name, in registration order.  A kata may be registered as an
    object or, lazily, as the dotted name of a module holding ``KATA``."""

    def __init__(self) -> None:
        self._entries: dict[str, Kata | str] = {}

    def register(self, kata: Kata | str) -> None:
        name = kata.name if isinstance(kata, Kata) else _kata_name(kata)
        if name in self._entries and self._entries[name] != kata:
            raise ValueError(f"two katas are named {name!r}")
        self._entries[name] = kata

    def names(self) -> list[str]:
        return list(self._entries)

    def module_name(self, name: str) -> str:
        """The module holding kata ``name``'s checks (without importing it)."""
        entry = self._entries[name]
        return entry if isinstance(entry, str) else entry.checks_module

    def get(self, name: str) -> Kata:
        entry = self._entries[name]
        if isinstance(entry, str):
            import importlib

            kata: Any = getattr(importlib.import_module(entry), "KATA", None)
            if not isinstance(kata, Kata) or kata.name != name:
                raise ValueError(f"module {entry} must define KATA = Kata({name!r}, ...)")
            self._entries[name] = entry = kata
        return entry
