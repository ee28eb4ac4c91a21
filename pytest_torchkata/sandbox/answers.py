"""The answers a learner process gives, as typed data: every kind in one place.

A request to the learner's side ends one of these ways (``Kind``): the file ``loaded``, the
call ``returned`` a value, or it failed; a failure is a ``Failure``, the kind plus the
declared fields that kind fills in (plain strings, numbers and flags: no English sentence
the grader has to take apart).  The learner side (``guards``, ``runner``, ``child``), the
worker's zygote (``zygote``) and the grader's own ends (``worker``, ``limits``, ``bounds``)
build them; ``plugin.access`` reads them and words each kind in the learner's language.

A failure crosses the process boundary as a plain dict (``to_wire``) inside a ``wire``
message, never pickled; the grader reads it back with ``Failure.read``, which keeps only
the declared fields, each of its declared type and cut to size (``bounds``).  Whatever the
learner's side wrote, the grader gets one of these kinds, or ``refused`` ("malformed").

This module imports nothing but the standard library and ``bounds``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

from pytest_torchkata.sandbox.bounds import MAX_NAME, MAX_TEXT, clip


class Kind(str, Enum):
    """How a request to the learner's side ended (the value is what the wire and the JSON
    report carry)."""

    LOADED = "loaded"                # the file was loaded (a ``load`` request)
    RETURNED = "returned"            # the call returned; the value came back
    RAISED = "raised"                # learner code raised an exception of its own
    NOT_STARTED = "not_started"      # a stub's ``raise NotImplementedError``
    MISSING = "missing"              # the file has no function of that name
    FORBIDDEN = "forbidden"          # learner code called an API the task rules out
    LOAD_FAILED = "load_failed"      # the file raised while it was loaded (a syntax error, say)
    TIMEOUT = "timeout"              # still running at the time limit
    CRASH = "crash"                  # the process running learner code ended (a signal, an exit)
    OUT_OF_MEMORY = "out_of_memory"  # it used more memory than ``--kata-memory``
    BUDGET_SPENT = "budget_spent"    # the submission's time budget (``--kata-budget``) is spent
    REFUSED = "refused"              # it sent back what the grader does not read (``bounds``)
    NOT_RUN = "not_run"              # the grader did not run it: its task stopped in an earlier check

    def __str__(self) -> str:
        return self.value


# after these the task's process is gone or stopped: its later requests get the same answer
STOPPING = frozenset({Kind.TIMEOUT, Kind.CRASH, Kind.OUT_OF_MEMORY, Kind.REFUSED, Kind.BUDGET_SPENT})
# the process running learner code ended (``plugin.wording`` says how; the gradebook counts them as crashes)
CRASHES = frozenset({Kind.CRASH, Kind.OUT_OF_MEMORY})
# fields that hold a name (cut to MAX_NAME characters; other text to MAX_TEXT)
_NAMES = frozenset({"type", "function", "caller", "target", "api", "refused", "signal"})


@dataclass(frozen=True)
class Failure:
    """A request that did not return.  Which fields a kind fills in:

    ``raised``: ``type``, ``message`` (the exception's first line), ``where``, ``function``;
    ``not_started``: ``message`` (the stub's own words), ``where``, ``function`` (the stub that
    raised), ``caller`` (the function the grader called) and ``call_where`` (the line that
    called the stub, when they differ); ``missing``: ``target``, ``file``; ``forbidden``:
    ``api``, ``where``; ``load_failed``: ``type``, ``message`` (what Python said), ``file``,
    ``where``; ``timeout``: ``seconds`` (the limit), ``stopped`` ("process" or "worker" when
    it was stopped by force), ``where``; ``crash``: ``signal`` or ``exit_code``, ``processes``
    (the cap it broke), ``output`` (the end of what it printed), ``message`` (anything else);
    ``out_of_memory``: ``memory_mb`` (the limit); ``refused``: ``refused`` (a key of
    ``bounds.REFUSALS``) and ``limit``; ``budget_spent``: ``seconds`` (the budget, when it
    ran out during this request); ``not_run``: ``message`` (worded by the grader).

    ``load_failure``: the whole file could not be loaded (every task meets the same answer,
    told once per kata); ``file``: the file then.  ``not_run``: the grader did not run this
    request's learner code (``plugin.notrun`` sets it; from the learner's side it is never
    believed).
    """

    kind: Kind
    message: str = ""
    where: str = ""
    type: str = ""
    function: str = ""
    caller: str = ""
    call_where: str = ""
    target: str = ""
    api: str = ""
    file: str = ""
    seconds: Optional[float] = None
    stopped: str = ""
    signal: str = ""
    exit_code: Optional[int] = None
    processes: int = 0
    output: str = ""
    memory_mb: Optional[float] = None
    refused: str = ""
    limit: int = 0
    load_failure: bool = False
    not_run: bool = False

    def to_wire(self) -> dict:
        """The failure as plain data: its kind and every field that is not the default."""
        wire: dict = {"kind": self.kind.value}
        for f in dataclasses.fields(self)[1:]:
            value = getattr(self, f.name)
            if value != f.default:
                wire[f.name] = value
        return wire

    def but(self, **changes: Any) -> "Failure":
        """This failure with ``changes`` (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def read(cls, wire: Any) -> "Failure":
        """A failure as the grader reads it from the learner's side: only the declared fields,
        each of its declared type (another type is left at the default), names cut to
        MAX_NAME characters and other text to MAX_TEXT; an unknown kind, or not a dict, is an
        answer the grader does not read (``refused``, "malformed")."""
        if not isinstance(wire, dict):
            return cls(Kind.REFUSED, refused="malformed")
        try:
            kind = Kind(wire.get("kind"))
        except ValueError:
            return cls(Kind.REFUSED, refused="malformed")
        values: dict = {}
        for f in dataclasses.fields(cls)[1:]:
            if f.name not in wire:
                continue
            value = wire[f.name]
            if f.type == "str":
                if value is not None:
                    values[f.name] = clip(str(value), MAX_NAME if f.name in _NAMES else MAX_TEXT)
            elif f.type == "bool":
                values[f.name] = value is True
            elif isinstance(value, bool):
                continue
            elif f.type in ("int", "Optional[int]") and isinstance(value, int):
                values[f.name] = value
            elif f.type == "Optional[float]" and isinstance(value, (int, float)):
                values[f.name] = float(value)
        return cls(kind, **values)


def failed(failure: Failure, breakpoints: list | None = None) -> dict:
    """The answer to a request that failed, as the wire carries it."""
    return {"error": failure.to_wire(), "breakpoints": list(breakpoints or [])}


def returned(value: Any, torch_calls: int, breakpoints: list) -> dict:
    """The answer to a request whose call returned ``value``."""
    return {"kind": Kind.RETURNED.value, "value": value, "torch_calls": torch_calls, "breakpoints": breakpoints}


def loaded() -> dict:
    """The answer to a ``load`` request that loaded the file."""
    return {"kind": Kind.LOADED.value, "value": None, "breakpoints": []}


# what the learner's side says of a result the wire cannot carry, as Python says an exception (in English)
UNSENDABLE = "the result could not be sent back: {error}"


def unsendable(exc: Exception) -> Failure:
    """The answer for a result the wire cannot carry (an int too large for JSON, say)."""
    return Failure(Kind.RAISED, UNSENDABLE.format(error=exc), type=type(exc).__name__)


def ended(status: int) -> Failure:
    """The crash of a process that ended with ``status`` (``os.waitpid``'s)."""
    import os
    import signal

    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return Failure(Kind.CRASH, signal=name)
    return Failure(Kind.CRASH, exit_code=os.WEXITSTATUS(status))

