"""In-process backend (the default): learner code runs in the pytest process.

For learners checking themselves: fast, and pdb works.  Not a security
boundary (see the README's security model).  Still, after every request the
attributes of the grader's own modules (``pytest_torchkata.*``) and of torch's
public namespaces (``torch``, ``torch.Tensor``, ``torch.testing``,
``torch.autograd``, ``torch.nn.functional``...) are put back as they were, so
a kata file that replaces a check helper or a torch comparison at import or
inside a task changes only what its own code computes, never how the grader
judges it.
"""

from __future__ import annotations

import operator
import sys
from typing import Any

_TORCH_NAMESPACES = ("torch", "torch.testing", "torch.autograd", "torch.autograd.gradcheck",
                     "torch.nn.functional", "torch.linalg", "torch.special", "torch.fft")


_cache: dict[str, Any] = {"size": -1, "found": []}


def _watched() -> list[Any]:
    """The namespaces whose attributes the grader relies on (recomputed when a module was imported)."""
    if _cache["size"] == len(sys.modules):
        return _cache["found"]
    import torch

    found: list[Any] = [m for name, m in list(sys.modules.items())
                        if m is not None and (name == "pytest_torchkata" or name.startswith("pytest_torchkata."))]
    found += [sys.modules[name] for name in _TORCH_NAMESPACES if name in sys.modules]
    found += [torch.Tensor, torch._C.TensorBase if hasattr(torch._C, "TensorBase") else torch._C._TensorBase,
              torch.nn.Module]
    _cache.update(size=len(sys.modules), found=[obj for obj in found if hasattr(obj, "__dict__")])
    return _cache["found"]


def _snapshot() -> list[tuple[Any, dict]]:
    return [(obj, obj.__dict__.copy()) for obj in _watched()]


def _unchanged(now: Any, before: dict) -> bool:
    """Same keys and the very same values, in the same order (C-speed identity checks)."""
    return (len(now) == len(before) and all(map(operator.is_, now.keys(), before.keys()))
            and all(map(operator.is_, now.values(), before.values())))


def _restore(saved: list[tuple[Any, dict]]) -> None:
    for obj, before in saved:
        now = obj.__dict__
        if _unchanged(now, before):
            continue
        get = now.get
        changed = [k for k, v in before.items() if get(k, _MISSING) is not v]
        added = now.keys() - before.keys()
        for key in added:
            try:
                delattr(obj, key)
            except (AttributeError, TypeError):
                pass
        for key in changed:
            try:
                setattr(obj, key, before[key])
            except (AttributeError, TypeError):
                pass


_MISSING = object()


class InProcessBackend:
    """Runs learner code in this process; arguments and results are copied
    through the same plain-data round trip the worker uses, and results are read
    as the worker's are, bytes and limits included."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def request(self, message: dict, timeout: float | None) -> dict:
        from pytest_torchkata.sandbox import runner, wire

        self.paths.add(message["path"])
        saved = _snapshot()
        try:
            answer = runner.answer(wire.roundtrip(message))
            try:  # read as the isolated grader reads it: within the same limits (``bounds``)
                return wire.decode_frame(wire.frame_of(answer))
            except wire.Refused as refused:
                return {"error": refused.error()}
            except (TypeError, ValueError) as exc:  # what a worker's child answers then (``child``)
                from pytest_torchkata.sandbox.answers import failed, unsendable

                return failed(unsendable(exc))
        finally:
            _restore(saved)

    def close(self) -> None:
        from pytest_torchkata.sandbox import runner

        for path in self.paths:  # the next session reads the file afresh
            runner.forget(path)
