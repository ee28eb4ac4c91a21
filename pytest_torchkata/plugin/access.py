"""The ``kata`` fixture's object: the one way checks reach learner code.

``kata.call("softmax", x, dim=1)`` calls a function of the learner's file;
``kata.run(helper, *args)`` runs a helper (a module-level function of the
grader's, ``helper(learner_module, *args)``) next to the learner code, for
what only the learner's world can tell (gradients after backward, parameter
names, whether memory is shared).  Both return plain data only, the same
in-process and isolated.

The rule for every helper given to ``kata.run``: it OBSERVES, it never judges.
It returns outputs of learner code on inputs the check chose, the gradients
and weights it produced, names, shapes and raw events; never an expected
value, a comparison, a tolerance, an accuracy, a time or an "ok".  The helper
runs in the learner's process, where learner code can replace it, the
grader's modules or torch itself: whatever it returns is only what the learner
side claims, and the check decides the grade from it here (timing included:
``last_seconds`` is measured around the request, in this process).
"""

from __future__ import annotations

import bdb
import functools
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

import pytest

from pytest_torchkata.checks.errors import LEARNER_ERRORS, KataOutcome
from pytest_torchkata.checks.hints import SYNTAX_ERRORS, SYNTAX_HINT, hint_for
from pytest_torchkata.i18n import tr
from pytest_torchkata.model import Kata, Task
from pytest_torchkata.plugin import wording
from pytest_torchkata.plugin.notrun import DEBUGGER_QUIT
from pytest_torchkata.sandbox.answers import CRASHES, Failure, Kind
from pytest_torchkata.sandbox.bounds import MAX_NAME, clip


class Backend(Protocol):
    """Where requests are answered: ``sandbox.inprocess.InProcessBackend`` or
    ``sandbox.worker.WorkerPool``."""

    def request(self, message: dict, timeout: float | None) -> dict: ...

    def close(self) -> None: ...


@functools.lru_cache(maxsize=4)
def _seed_key(secret: int) -> bytes:
    """The secret ``--kata-seed`` stretched once per run (PBKDF2, some 30 ms): whoever tries
    to guess a small secret from a seed they saw pays that much for every guess."""
    return hashlib.pbkdf2_hmac("sha256", str(secret).encode(), b"pytest-torchkata seed", 100_000)


def derive_seed(secret: int, *parts: str) -> int:
    """The seed named by ``parts`` (a check's id; a check's id and a request's number):
    HMAC-SHA256 keyed by the secret, cut to 63 bits (``torch.manual_seed`` takes 64, NumPy
    gets it modulo 2**32).  One-way: a learner process that reads its own seed learns
    neither the secret nor the seed of any other check or request."""
    digest = hmac.new(_seed_key(secret), json.dumps(parts).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def seed_digest(secret: int) -> str:
    """What an instructor may see of the secret seed: 12 hex digits of an HMAC keyed like
    every check's seed, over a label no ``derive_seed`` call can give (theirs are JSON
    lists).  Equal for equal seeds, so two runs can be told to have used the same one;
    it reveals nothing of the seed or of any check's seed."""
    return hmac.new(_seed_key(secret), b"pytest-torchkata seed digest", hashlib.sha256).hexdigest()[:12]


def stub_task(failure: Failure, kata: Kata, number: int) -> Task | None:
    """The other task whose stub raised, reached from a function the learner wrote for task
    ``number``; None when the task itself is still a stub.  From the answer's data: a
    ``not_started`` raised in a function (``function``) other than the one the grader
    called (``caller``), by the stub of one of the kata's own tasks (a generated stub raises
    with that task's label, ``authoring.stubs``)."""
    if failure.kind is not Kind.NOT_STARTED or not failure.function or failure.function == failure.caller:
        return None
    for task in kata.tasks:
        if task.number != number and failure.message.startswith(task.label_in("en") + ":"):
            return task
    return None


@dataclass
class KataAccess:
    backend: Backend
    kata: Kata
    task: Task
    path: Path
    seed: int  # this check's own seed: its inputs are drawn from it
    timeout: float | None
    debug: bool = False
    data_dir: str = ""
    torch_calls: int = 0
    breakpoints: list[str] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)
    last_seconds: float | None = None  # wall time of the last request, measured here
    secret: int = 0  # --kata-seed: every learner request gets a seed of its own from it
    check: str = ""  # the check's id (its node id)
    cite: Callable[[str], str] = str  # names a notebook's cell for a place in its generated file
    _calls: int = 0

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``name`` from the learner's file and return its result as plain data."""
        return self._request("call", name, name, args, kwargs)

    def run(self, helper: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``helper(learner_module, *args, **kwargs)`` next to the learner code and
        return its observations (see the module docstring: no verdict is computed
        there; the caller compares and decides)."""
        if "<locals>" in helper.__qualname__ or "<lambda>" in helper.__qualname__:
            raise TypeError("kata.run needs a module-level function")
        ref = f"{helper.__module__}:{helper.__qualname__}"
        return self._request("run", ref, helper.__name__, args, kwargs)

    def record(self, **data: Any) -> None:
        """Keep plain data (a loss history, say) in the report for this task."""
        self.records.update(data)

    def _request(self, op: str, target: str, label: str, args: tuple, kwargs: dict) -> Any:
        self._calls += 1
        message = {
            "op": op, "path": str(self.path), "target": target, "args": list(args), "kwargs": kwargs,
            "task": f"{self.kata.name}:{self.task.id}",  # one fresh learner process per task
            "seed": derive_seed(self.secret, self.check, "learner", str(self._calls)),  # one-way
            "forbid": sorted(self.task.forbidden),
            "timeout": self.timeout, "debug": self.debug,
        }
        start = time.perf_counter()
        try:
            response = self.backend.request(message, self.timeout)
        except bdb.BdbQuit:  # `q` in pdb under -s: the learner wants to stop, not fail a task
            pytest.exit(str(DEBUGGER_QUIT), returncode=2)
        self.last_seconds = time.perf_counter() - start
        self.breakpoints.extend(map(self.cite, _places(response.get("breakpoints"))))
        if "error" not in response:
            calls = response.get("torch_calls")
            self.torch_calls = calls if isinstance(calls, int) else 0
            return response.get("value")
        raise self._error(label, response["error"])

    def _error(self, label: str, error: Any) -> KataOutcome:
        failure = Failure.read(error)
        failure = failure.but(**{name: self.cite(getattr(failure, name)) for name in _CITED})
        if failure.kind is Kind.NOT_RUN and not failure.not_run:  # only plugin.notrun says that
            failure = Failure(Kind.REFUSED, refused="malformed")
        raised = self._outcome(label, failure)
        raised.kind = failure.kind.value
        raised.load_failure = failure.load_failure  # the whole file: report it once per kata
        raised.not_run = failure.not_run
        return raised

    def _outcome(self, label: str, failure: Failure) -> KataOutcome:
        """The outcome of a failed request, worded in the learner's language."""
        kind, message, where = failure.kind, failure.message, failure.where
        outcome = LEARNER_ERRORS.get(kind.value, LEARNER_ERRORS["crash"])
        hint = advice = ""
        if failure.not_run:  # the task stopped earlier or the budget is spent (plugin.notrun)
            return LEARNER_ERRORS["crash"](message)
        if kind is Kind.FORBIDDEN:
            reason = self.task.forbidden.get(failure.api, "")
            message = (tr("`{label}` called `{name}`, which this task rules out: {reason}",
                          "`{label}` 调用了 `{name}`，这个任务不允许用它：{reason}",
                          label=label, name=failure.api, reason=reason) if reason else
                       tr("`{label}` called `{name}`, which this task rules out",
                          "`{label}` 调用了 `{name}`，这个任务不允许用它", label=label, name=failure.api))
        elif kind is Kind.TIMEOUT:
            running = wording.running(failure)
            if failure.load_failure:
                message = tr("{file} could not be loaded: {what}", "{file} 无法加载：{what}",
                             file=failure.file, what=running)
            else:
                message = tr("`{label}` is {what}; is there a loop that never ends?",
                             "`{label}` {what}；是不是有一个永远不会结束的循环？", label=label, what=running)
        elif kind is Kind.MISSING:
            message = tr("{file} has no `{name}`; it may have been renamed or deleted",
                         "{file} 里没有 `{name}`；它可能被改名或删除了", file=failure.file, name=failure.target)
            advice = tr("get a fresh copy with `torchkata reset {kata}`", "用 `torchkata reset {kata}` 取回一份新的",
                        kata=self.kata.name)
        elif kind is Kind.LOAD_FAILED:
            message = tr("{file} could not be loaded: {what}", "{file} 无法加载：{what}",
                         file=failure.file, what=failure.message)
            hint = SYNTAX_HINT.get() if failure.type in SYNTAX_ERRORS else hint_for(message)
        elif kind is Kind.REFUSED:
            message = tr("`{label}` sent back {what}, which the grader does not read",
                         "`{label}` 发回了{what}，评分程序不读取它", label=label, what=wording.refused(failure))
            hint = tr("return what the task asks for: a tensor, numbers or a short list",
                      "返回任务要求的结果：一个张量、数字或一个短列表")
        elif kind in CRASHES:
            message = wording.process_end(failure)
            hint = hint_for(failure.output or failure.message)  # what it printed last: torch's words
        elif kind is Kind.BUDGET_SPENT:
            message = wording.budget(failure)
        elif kind is Kind.NOT_STARTED and stub_task(failure, self.kata, self.task.number):
            caller = failure.caller or label
            number = stub_task(failure, self.kata, self.task.number).number
            return LEARNER_ERRORS["raised"](
                tr("`{caller}` calls `{function}` (task {number}), which is not written yet",
                   "`{caller}` 调用了 `{function}`（任务 {number}），但它还没有写",
                   caller=caller, function=failure.function, number=number),
                where=failure.call_where or where,
                hint=tr("write task {number} first, or for now do its job inside `{caller}`",
                        "先完成任务 {number}，或者暂时在 `{caller}` 里自己完成它的工作",
                        number=number, caller=caller))
        elif kind is not Kind.NOT_STARTED:  # raised (loaded or returned never reach here)
            label = failure.function or label  # name the learner's function, not a helper
            hint = hint_for(message, failure.type)  # by the error's kind: the same in every kata
            message = tr("`{label}` raised {type}: {message}", "`{label}` 抛出了 {type}：{message}",
                         label=label, type=failure.type or "an error", message=message)
        return outcome(message, where=where, hint=hint, advice=advice)


# the fields that may name a place in the learner's file (``KataAccess.cite`` names a notebook's cell)
_CITED = ("message", "where", "call_where", "file", "output")


def _places(found: Any) -> list[str]:
    """Where learner code called ``breakpoint()``, as its side reports it: each place once."""
    if not isinstance(found, list):
        return []
    return list(dict.fromkeys(clip(str(place), MAX_NAME) for place in found))[:20]
