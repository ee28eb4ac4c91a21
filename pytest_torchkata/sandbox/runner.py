"""Runs learner code and turns whatever happens into plain data.

The sandbox layer (``runner``, ``guards``, ``wire``, ``worker``,
``inprocess``) is the only place that touches learner code.  It runs in the
pytest process (default) or in a worker process (``--kata-isolate``); either
way it gets a request made of plain data and answers with plain data.  It never
imports the grader's verdict code (``checks``, ``reports``, ``plugin``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any, Callable

from pytest_torchkata.sandbox import answers
from pytest_torchkata.sandbox.answers import Failure, Kind
from pytest_torchkata.sandbox.guards import Answered, _short, guarded

_MODULES: dict[str, types.ModuleType] = {}
_IMPORT_FAILURES: dict[str, Failure] = {}
_SOURCES: dict[str, bytes] = {}  # read before a sandboxed child gave up the right to read them


class _SourceLoader(importlib.abc.SourceLoader):
    """Compiles the bytes it was given; it has no ``path_stats``, so no bytecode (a
    ``__pycache__`` shipped beside the file, say) is ever read or written."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path, self.data = path, data

    def get_filename(self, fullname: str) -> str:
        return self.path

    def get_data(self, path: str) -> bytes:
        if path != self.path:
            raise OSError(path)
        return self.data


def read_source(path: str) -> None:
    """Read a learner file now, to be loaded later (after the process lost its rights)."""
    key = os.path.abspath(path)
    try:
        with open(key, "rb") as fh:
            _SOURCES[key] = fh.read()
    except OSError:
        pass  # loading says what is wrong


# -- loading -------------------------------------------------------------------

def module_name_for(path: str) -> str:
    digest = abs(hash(os.path.abspath(path))) % 10**10
    return f"torchkata_learner_{Path(path).stem}_{digest}"


def load(path: str, timeout: float | None = None) -> types.ModuleType:
    """Import the learner file at ``path`` under a unique module name, once."""
    key = os.path.abspath(path)
    if key in _MODULES:
        return _MODULES[key]
    if key in _IMPORT_FAILURES:
        raise Answered(_IMPORT_FAILURES[key])
    name = module_name_for(key)
    if key not in _SOURCES:
        read_source(key)
    spec = None
    if key in _SOURCES:  # always compiled from the source the report shows: never a .pyc
        spec = importlib.util.spec_from_loader(name, _SourceLoader(key, _SOURCES[key]), origin=key)
        if spec is not None:
            spec.has_location = True
    if spec is None or spec.loader is None:
        raise Answered(Failure(Kind.LOAD_FAILED, load_failure=True, file=_short(path)))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with guarded(seed=0, forbid=(), timeout=timeout, where_file=key):
            spec.loader.exec_module(module)
    except Answered as answered:
        sys.modules.pop(name, None)
        failure = answered.failure  # the grader words it in the learner's language
        if failure.kind is not Kind.TIMEOUT:  # whatever it raised (a forbidden call too), it was loading
            failure = Failure(Kind.LOAD_FAILED, type=failure.type, message=failure.message or failure.api,
                              where=failure.where)
        failure = failure.but(load_failure=True, file=_short(path))
        _IMPORT_FAILURES[key] = failure
        raise Answered(failure) from None
    _MODULES[key] = module
    return module


def forget(path: str) -> None:
    key = os.path.abspath(path)
    module = _MODULES.pop(key, None)
    _IMPORT_FAILURES.pop(key, None)
    _SOURCES.pop(key, None)  # the next load reads the file as it is then
    if module is not None:
        sys.modules.pop(module.__name__, None)


# -- answering requests --------------------------------------------------------

def labelled(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorates a learner-side helper (``kata.run``) so that an error raised by learner code
    inside it names the learner's function ``name``, not the helper."""
    def rename(helper: Callable[..., Any]) -> Callable[..., Any]:
        helper.__name__ = name
        return helper
    return rename


def resolve_helper(ref: str) -> Callable[..., Any]:
    module_name, _, qualname = ref.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def answer(request: dict) -> dict:
    """Run one request and return its answer as the wire carries it (``answers``):
    ``{"value": ...}`` or ``{"error": {...}}``.

    request keys: path, op ("call" | "run"), target, args, kwargs, seed,
    forbid (list of dotted names), timeout (seconds or None), debug (bool).
    """
    path = request["path"]
    notes: dict = {"breakpoints": []}
    try:
        module = load(path, request.get("timeout"))
        if request["op"] == "load":
            return answers.loaded()
        args, kwargs = request.get("args", []), request.get("kwargs", {})
        if request["op"] == "call":
            target = request["target"]
            fn = getattr(module, target, None)
            if fn is None:
                raise Answered(Failure(Kind.MISSING, target=target, file=_short(path)))
            call = lambda: fn(*args, **kwargs)  # noqa: E731
        else:
            helper = resolve_helper(request["target"])
            call = lambda: helper(module, *args, **kwargs)  # noqa: E731
        with guarded(seed=request.get("seed", 0), forbid=request.get("forbid", ()),
                     timeout=request.get("timeout"), where_file=os.path.abspath(path),
                     notes=notes, debug=request.get("debug", False)) as guard:
            value = call()
        return answers.returned(value, guard.calls, notes["breakpoints"])
    except Answered as answered:
        return answers.failed(answered.failure, notes["breakpoints"])


