"""In-process backend (the default): learner code runs in the pytest process.

For learners checking themselves: fast, and pdb works.  Not a security
boundary (see the README's security model).
"""

from __future__ import annotations


class InProcessBackend:
    """Runs learner code in this process; arguments and results are copied
    through the same plain-data round trip the worker uses."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def request(self, message: dict, timeout: float | None) -> dict:
        from pytest_torchkata.sandbox import runner, wire

        self.paths.add(message["path"])
        return wire.roundtrip(runner.answer(wire.roundtrip(message)))

    def close(self) -> None:
        from pytest_torchkata.sandbox import runner

        for path in self.paths:  # the next session reads the file afresh
            runner.forget(path)
